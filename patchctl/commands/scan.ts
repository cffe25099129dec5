/** `patchctl scan`: Run Command AWS-RunPatchBaseline, Operation=Scan, then each node's result. */
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { scopeLabel } from "../aws/scopes";
import type { WaitSettings } from "../aws/wait";
import { addTargetOptions, addWaitOptions, EXIT_CODES_HELP, parseMaxConcurrency, parseMaxErrors, targetsOf, type TargetFlags, type WaitFlags } from "../cli/flags";
import type { CommandDefinition } from "../cli/session";
import { runReport } from "../output/runReport";
import { runPatchOperation, type RunResult } from "../ssm/runCommand";
import type { TargetSpec } from "../ssm/targets";

/**
 * The Run Command console defaults the workflow keeps for scans: 50 nodes at a time, MaxErrors "0":
 * SSM stops sending the command to more nodes once errors exceed MaxErrors, so "0" stops at the
 * first error and "1" tolerates one
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html#send-commands-maxerrors).
 */
export const SCAN_DEFAULTS = { maxConcurrency: "50", maxErrors: "0" } as const;

export interface ScanInput {
    targets: TargetSpec;
    maxConcurrency: string;
    maxErrors: string;
    /** false: return right after SendCommand (--no-wait). */
    wait: boolean;
}

export function createScan(clients: { ssm: SSMClient }) {
    return async function scan(input: ScanInput, wait: WaitSettings): Promise<RunResult> {
        const { targets, maxConcurrency, maxErrors } = input;
        return runPatchOperation(clients.ssm, { operation: "Scan", targets, maxConcurrency, maxErrors }, wait, input.wait);
    };
}

type ScanFlags = TargetFlags & WaitFlags & { concurrency: string; maxErrors: string };

/** The `scan` command: flags, help, action; its report is the run report of scan, install and watch. */
export const scanCommand: CommandDefinition = (parent, cli) =>
    addWaitOptions(
        addTargetOptions(
            parent
                .command("scan")
                .description("Run AWS-RunPatchBaseline Operation=Scan on the targets, wait, and print each node's result")
                .option("--concurrency <n|%>", "nodes scanned at once (MaxConcurrency)", SCAN_DEFAULTS.maxConcurrency)
                .option("--max-errors <n|%>", "errors tolerated before the command stops sending to more nodes (MaxErrors; 0 stops at the first error)", SCAN_DEFAULTS.maxErrors),
        ),
    )
        .addHelpText("after", `\nExample:\n  patchctl scan --env Development\n  patchctl scan --instance-ids i-0123456789abcdef0,i-0fedcba9876543210 --no-wait\n${EXIT_CODES_HELP}`)
        .action(
            cli.action(async (flags: ScanFlags, command: Command) => {
                const session = await cli.session(command);
                const targets = targetsOf(flags, "send");
                const input = { targets, maxConcurrency: parseMaxConcurrency(flags.concurrency), maxErrors: parseMaxErrors(flags.maxErrors), wait: flags.wait };
                const wait = session.waitSettings(flags, "scan");
                const outcomes = await session.interruptible((signal) =>
                    session.inScopes((ssm, scope) => createScan({ ssm })(input, { ...wait, signal, progressKey: scopeLabel(scope), onSent: session.onSent(scope) })),
                );
                wait.progress.clear();
                return session.print(runReport("scan", outcomes, { multi: session.multi, targets, hint: session.hint }));
            }),
        );

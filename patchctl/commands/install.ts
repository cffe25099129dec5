/**
 * `patchctl install`: AWS-RunPatchBaseline, Operation=Install, with the workflow's defaults (1 node
 * at a time, error threshold 1, RebootIfNeeded). MaxErrors "1" tolerates one failed node and stops
 * at the second; "0" stops at the first (SSM stops once errors exceed MaxErrors:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html#send-commands-maxerrors).
 * It changes machines, so it asks first, naming the node count and the targets, unless --yes.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { Option, type Command } from "commander";
import { scopeLabel, type ScopeOutcome } from "../aws/scopes";
import type { WaitSettings } from "../aws/wait";
import { addTargetOptions, addWaitOptions, EXIT_CODES_HELP, parseMaxConcurrency, parseMaxErrors, targetsOf, type TargetFlags, type WaitFlags } from "../cli/flags";
import type { CommandDefinition } from "../cli/session";
import { EXIT_EMPTY, EXIT_FAILED, UsageError } from "../output/errors";
import { runReport } from "../output/runReport";
import { listManagedNodes } from "../ssm/nodes";
import { runPatchOperation, type RebootOption, type RunResult } from "../ssm/runCommand";
import { describeTargets, type TargetSpec } from "../ssm/targets";

export const INSTALL_DEFAULTS = { maxConcurrency: "1", maxErrors: "1", rebootOption: "RebootIfNeeded" } as const;

export interface InstallInput {
    targets: TargetSpec;
    maxConcurrency: string;
    maxErrors: string;
    rebootOption: RebootOption;
    wait: boolean;
}

/** Maps --reboot to the document's RebootOption. */
export function rebootOption(value: string): RebootOption | undefined {
    switch (value) {
        case "if-needed":
            return "RebootIfNeeded";
        case "never":
            return "NoReboot";
        default:
            return undefined;
    }
}

export function createInstall(clients: { ssm: SSMClient }) {
    return {
        /** How many managed nodes the targets select (for the confirmation prompt). */
        async countNodes(targets: TargetSpec): Promise<number> {
            return targets.kind === "instances" ? targets.instanceIds.length : (await listManagedNodes(clients.ssm, targets)).length;
        },

        async install(input: InstallInput, wait: WaitSettings): Promise<RunResult> {
            const { targets, maxConcurrency, maxErrors, rebootOption } = input;
            return runPatchOperation(clients.ssm, { operation: "Install", targets, maxConcurrency, maxErrors, rebootOption }, wait, input.wait);
        },
    };
}

type InstallFlags = TargetFlags & WaitFlags & { concurrency: string; maxErrors: string; reboot: string; yes?: boolean; snapshot?: string };

/** The `install` command: flags, help, confirmation, action; its report is the run report of scan, install and watch. */
export const installCommand: CommandDefinition = (parent, cli) =>
    addWaitOptions(
        addTargetOptions(
            parent
                .command("install")
                .description("Run AWS-RunPatchBaseline Operation=Install: 1 node at a time, tolerate 1 error (stop at the second), reboot if needed")
                .option("--concurrency <n|%>", "nodes patched at once (MaxConcurrency)", INSTALL_DEFAULTS.maxConcurrency)
                .option("--max-errors <n|%>", "errors tolerated before the command stops sending to more nodes (MaxErrors; 0 stops at the first error)", INSTALL_DEFAULTS.maxErrors)
                .addOption(new Option("--reboot <when>", "reboot patched nodes: if-needed (RebootIfNeeded) or never (NoReboot)").choices(["if-needed", "never"]).default("if-needed"))
                .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
                .option("--snapshot <file>", "write a findings snapshot (as patchctl findings --save) before sending the install"),
        ),
    )
        .addHelpText(
            "after",
            `\nInstall changes machines: it asks for confirmation, naming the number of nodes and the environment,\nunless --yes. Without a terminal and without --yes it refuses (exit 2).\n\nExamples:\n  patchctl install --env Development\n  patchctl install --env Development --reboot never --yes\n${EXIT_CODES_HELP}`,
        )
        .action(
            cli.action(async (flags: InstallFlags, command: Command) => {
                const session = await cli.session(command);
                const targets = targetsOf(flags, "send");
                const reboot = rebootOption(flags.reboot);
                if (!reboot) {
                    throw new UsageError(`--reboot '${flags.reboot}': expected if-needed or never`);
                }
                const input: InstallInput = {
                    targets,
                    maxConcurrency: parseMaxConcurrency(flags.concurrency),
                    maxErrors: parseMaxErrors(flags.maxErrors),
                    rebootOption: reboot,
                    wait: flags.wait,
                };
                const wait = session.waitSettings(flags, "install");
                if (!flags.yes && !session.prompter.interactive()) {
                    throw new UsageError("install needs confirmation but stdin is not a terminal: pass --yes to install without asking");
                }
                const report = (outcomes: Array<ScopeOutcome<RunResult>>) => runReport("install", outcomes, { multi: session.multi, targets, hint: session.hint });
                let scopes = session.scopes;
                let skipped: Array<ScopeOutcome<RunResult>> = [];
                if (!flags.yes) {
                    const counts = await session.inScopes((ssm) => createInstall({ ssm }).countNodes(targets));
                    const total = counts.reduce((sum, o) => sum + (o.value ?? 0), 0);
                    skipped = counts.filter((o) => o.error !== undefined).map((o) => ({ scope: o.scope, error: o.error }));
                    if (total === 0) {
                        const code = session.print(report(skipped));
                        if (skipped.length < counts.length) {
                            session.stderr.write(`patchctl: no managed node matched ${describeTargets(targets)}; nothing to install\n`);
                        }
                        // Failed account-Regions exit 1; otherwise nothing matched: exit 3, never success.
                        return skipped.length > 0 ? code : EXIT_EMPTY;
                    }
                    const withNodes = counts.filter((o) => (o.value ?? 0) > 0);
                    const where =
                        withNodes.length === 1
                            ? ` in ${withNodes[0].scope.accountId ? `account ${withNodes[0].scope.accountId} ` : ""}${withNodes[0].scope.region}`
                            : ` across ${withNodes.length} account-Regions`;
                    const question =
                        `Install patches on ${total} managed node${total === 1 ? "" : "s"} (${describeTargets(targets)})${where}, ` +
                        `${input.maxConcurrency} at a time, ${reboot === "NoReboot" ? "without rebooting" : "rebooting them if needed"}?`;
                    if (!(await session.prompter.confirm(question))) {
                        session.stderr.write("patchctl: cancelled; nothing was sent\n");
                        return EXIT_FAILED;
                    }
                    scopes = withNodes.map((o) => o.scope);
                }
                if (flags.snapshot !== undefined) {
                    await (await import("./findings")).saveFindingsSnapshot(session, targets, flags.snapshot, scopes);
                }
                const outcomes = await session.interruptible((signal) =>
                    session.inScopes((ssm, scope) => createInstall({ ssm }).install(input, { ...wait, signal, progressKey: scopeLabel(scope), onSent: session.onSent(scope) }), scopes),
                );
                wait.progress.clear();
                return session.print(report([...skipped, ...outcomes]));
            }),
        );

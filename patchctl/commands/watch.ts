/** `patchctl watch <command-id...>`: resume waiting on commands sent earlier (e.g. after Ctrl-C). */
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { scopeLabel } from "../aws/scopes";
import type { WaitSettings } from "../aws/wait";
import { addWaitOptions, EXIT_CODES_HELP, UUID, type WaitFlags } from "../cli/flags";
import type { CommandDefinition } from "../cli/session";
import { UsageError } from "../output/errors";
import { runReport } from "../output/runReport";
import { describeCommand, runToCompletion, type RunResult } from "../ssm/runCommand";

export function createWatch(clients: { ssm: SSMClient }) {
    return async function watch(commandIds: string[], wait: WaitSettings): Promise<RunResult> {
        const commands = [];
        for (const id of commandIds) {
            commands.push(await describeCommand(clients.ssm, id, wait.signal));
        }
        // The first poll already happened above: check again only after one interval.
        return runToCompletion(clients.ssm, commands, wait, true);
    };
}

/** The `watch` command: flags, help, action; its report is the run report of scan, install and watch. */
export const watchCommand: CommandDefinition = (parent, cli) =>
    addWaitOptions(
        parent
            .command("watch")
            .description("Wait for commands sent earlier (e.g. after Ctrl-C or --no-wait) and print their report")
            .argument("<command-id...>", "Run Command command ids"),
        false,
    )
        .addHelpText("after", `\nExample:\n  patchctl watch 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b --region us-east-1\n${EXIT_CODES_HELP}`)
        .action(
            cli.action(async (commandIds: string[], flags: WaitFlags, command: Command) => {
                const session = await cli.session(command);
                if (session.multi) {
                    throw new UsageError("watch works in one account and Region: use --region with --profile or --role-arn instead of --accounts");
                }
                for (const id of commandIds) {
                    if (!UUID.test(id)) {
                        throw new UsageError(`'${id}' is not a command id like 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b`);
                    }
                }
                const wait = session.waitSettings(flags, "watch");
                const outcomes = await session.interruptible((signal) =>
                    session.inScopes((ssm, scope) => createWatch({ ssm })(commandIds, { ...wait, signal, progressKey: scopeLabel(scope) })),
                );
                wait.progress.clear();
                return session.print(runReport("watch", outcomes, { multi: session.multi, hint: session.hint }));
            }),
        );

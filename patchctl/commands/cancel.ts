/**
 * `patchctl cancel <command-id...>`: CancelCommand, for a scan or install that must stop (the
 * commands patchctl prints when it sends them, or in its resume hints). AWS cancels the invocations
 * that have not started and tries to stop the running ones; it does not undo patches already
 * installed (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CancelCommand.html:
 * "Attempts to cancel the command specified by the Command ID. There is no guarantee that the
 * command will be terminated and the underlying process stopped."). The report is each command's
 * status after the request (one ListCommands each).
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { ssmSdk } from "../aws/sdk";
import type { ScopeOutcome } from "../aws/scopes";
import { EXIT_CODES_HELP, UUID } from "../cli/flags";
import type { CommandDefinition } from "../cli/session";
import { describeError, EXIT_FAILED, EXIT_OK, UsageError } from "../output/errors";
import type { Row } from "../output/format";
import { errorsOf, scopeColumns, scopeFields, type Outcome, type ReportContext } from "../output/report";
import { describeCommand, type CommandInfo } from "../ssm/runCommand";

export interface CancelResult {
    commandId: string;
    /** The status after the request, when it could be read. */
    command?: CommandInfo;
    error?: unknown;
}

export function createCancel(clients: { ssm: SSMClient }) {
    return async function cancel(commandIds: string[], signal?: AbortSignal): Promise<CancelResult[]> {
        const { CancelCommandCommand } = await ssmSdk();
        const results: CancelResult[] = [];
        for (const commandId of commandIds) {
            try {
                await clients.ssm.send(new CancelCommandCommand({ CommandId: commandId }), { abortSignal: signal });
                results.push({ commandId, command: await describeCommand(clients.ssm, commandId, signal) });
            } catch (error) {
                results.push({ commandId, error });
            }
        }
        return results;
    };
}

/** `cancel` rows: one per command, its status after the request or the error. */
export function cancelReport(outcomes: Array<ScopeOutcome<CancelResult[]>>, ctx: ReportContext): Outcome {
    const errors = errorsOf(outcomes);
    const results = outcomes.flatMap((o) => (o.value ?? []).map((r) => ({ scope: o.scope, r })));
    const rows: Row[] = results.map(({ scope, r }) => ({
        ...scopeFields(scope),
        commandId: r.commandId,
        status: r.command?.status ?? "FAILED",
        targets: r.command?.targetCount ?? null,
        completed: r.command?.completedCount ?? null,
        error: r.error !== undefined ? describeError(r.error) : null,
    }));
    const failed = results.filter(({ r }) => r.error !== undefined);
    const messages = [...errors.messages, ...failed.map(({ r }) => `patchctl: could not cancel ${r.commandId}: ${describeError(r.error)}`)];
    const exitCode = errors.json.length > 0 || failed.length > 0 ? EXIT_FAILED : EXIT_OK;
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "commandId", header: "COMMAND" },
                { key: "status", header: "STATUS" },
                { key: "targets", header: "TARGETS", numeric: true },
                { key: "completed", header: "COMPLETED", numeric: true },
                { key: "error", header: "ERROR" },
            ]),
            csvColumns: scopeColumns({ multi: true }, ["commandId", "status", "targets", "completed", "error"].map((key) => ({ key, header: key }))),
            rows,
            json: { command: "cancel", commands: rows, errors: errors.json, exitCode },
            notes: results.some(({ r }) => r.command) ? ["Cancelling stops invocations that have not started and asks running ones to stop; installed patches stay installed."] : [],
        },
        exitCode,
        messages,
    };
}

/** The `cancel` command: flags, help, action. */
export const cancelCommand: CommandDefinition = (parent, cli) =>
    parent
        .command("cancel")
        .description("Cancel Run Command commands sent earlier (CancelCommand), e.g. an install that must stop")
        .argument("<command-id...>", "Run Command command ids")
        .addHelpText("after", `\nExample:\n  patchctl cancel 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b --region us-east-1\n${EXIT_CODES_HELP}`)
        .action(
            cli.action(async (commandIds: string[], _flags: Record<string, never>, command: Command) => {
                const session = await cli.session(command);
                if (session.multi) {
                    throw new UsageError("cancel works in one account and Region: use --region with --profile or --role-arn instead of --accounts");
                }
                for (const id of commandIds) {
                    if (!UUID.test(id)) {
                        throw new UsageError(`'${id}' is not a command id like 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b`);
                    }
                }
                const outcomes = await session.inScopes((ssm) => createCancel({ ssm })(commandIds, session.signal));
                return session.print(cancelReport(outcomes, { multi: session.multi }));
            }),
        );

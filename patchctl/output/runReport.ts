/**
 * The report of a Run Command run, shared by scan, install and watch: one row per node (the
 * invocation's status and the counts of the patch state the run left), or the commands when the
 * run was not waited for or could not be read; resume and cancel hints on stderr; the exit code.
 *
 * A command AWS accepted is never dropped: whatever failed after SendCommand (a later batch, a
 * poll, the invocation listing, Ctrl-C, a timeout), its id is in every format, with the hints to
 * watch or cancel it. An account-Region whose calls failed is a failed row, never zero nodes.
 */
import type { ResolvedScope, ScopeOutcome } from "../aws/scopes";
import { RUNNING_INVOCATION_STATUSES, TERMINAL_COMMAND_STATUSES, type CommandInfo, type InvocationInfo, type RunResult } from "../ssm/runCommand";
import { describeTargets, targetsJson, type TargetSpec } from "../ssm/targets";
import { describeError, EXIT_EMPTY, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from "./errors";
import type { Column, Row } from "./format";
import { countBy, errorsOf, formatCounts, scopeColumns, scopeFields, scopeName, type CommandHint, type Outcome, type ReportContext } from "./report";

const FAILED_COMMAND_STATUSES = new Set(["Failed", "Cancelled", "TimedOut"]);

/**
 * One node's result of a scan / install: the invocation's status, the patch counts of the patch
 * state the run reported (null without one), and the plugin output's detail line.
 */
function invocationFields(inv: InvocationInfo): Record<string, string | number | Date | null> {
    const state = inv.patchState;
    return {
        instanceId: inv.instanceId,
        instanceName: inv.instanceName ?? null,
        status: inv.status,
        statusDetails: inv.statusDetails ?? null,
        installed: state?.InstalledCount ?? null,
        installedOther: state?.InstalledOtherCount ?? null,
        missing: state?.MissingCount ?? null,
        failed: state?.FailedCount ?? null,
        installedPendingReboot: state?.InstalledPendingRebootCount ?? null,
        installedRejected: state?.InstalledRejectedCount ?? null,
        notApplicable: state?.NotApplicableCount ?? null,
        operation: state?.Operation ?? null,
        operationEndTime: state?.OperationEndTime ?? null,
        detail: inv.detail,
    };
}

/** The nodes a command went to: its instance ids, or its targets' description. */
function sentTo(c: CommandInfo, targets: TargetSpec | undefined): string {
    if (c.instanceIds && c.instanceIds.length > 0) {
        return c.instanceIds.length === 1 ? c.instanceIds[0] : `${c.instanceIds.length} nodes ${c.instanceIds[0]} .. ${c.instanceIds[c.instanceIds.length - 1]}`;
    }
    return targets ? describeTargets(targets) : `${c.targetCount} targets`;
}

function listIds(ids: string[], max = 10): string {
    return `${ids.slice(0, max).join(", ")}${ids.length > max ? `, ... (${ids.length} in all)` : ""}`;
}

/** Scan / install / watch results; `hint` makes the `patchctl watch` / `patchctl cancel` lines. */
export function runReport(
    command: string,
    outcomes: Array<ScopeOutcome<RunResult>>,
    ctx: ReportContext & { targets?: TargetSpec; hint: CommandHint },
): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const resume = (scope: ResolvedScope, ids: string[]): string => ctx.hint(["watch", ...ids], scope);
    const cancel = (scope: ResolvedScope, ids: string[]): string => ctx.hint(["cancel", ...ids], scope);
    const ok = outcomes.filter((o): o is ScopeOutcome<RunResult> & { value: RunResult } => o.value !== undefined);
    const failedRun = (r: RunResult): boolean => r.state === "failed" || r.error !== undefined || r.sendFailure !== undefined;
    // Nothing to list per node when we did not wait (--no-wait), stopped waiting, or could not read
    // the nodes: list the commands.
    const commandsView = ok.length > 0 && ok.every((o) => o.value.state === "sent" || o.value.state === "interrupted" || o.value.invocations.length === 0);
    const sentOnly = ok.length > 0 && ok.every((o) => o.value.state === "sent" && !failedRun(o.value));

    if (sentOnly) {
        for (const o of ok) {
            messages.push(`patchctl: not waiting; follow with: ${resume(o.scope, o.value.commands.map((c) => c.commandId))}`);
        }
    }

    const invocations = ok.flatMap((o) => o.value.invocations.map((inv) => ({ scope: o.scope, inv })));
    const commands = ok.flatMap((o) => o.value.commands.map((c) => ({ scope: o.scope, command: c, state: o.value.state })));

    const notes: string[] = [];
    for (const { scope, command: c } of commands) {
        const where = ctx.multi ? ` in ${scopeName(scope)}` : "";
        notes.push(
            `Command ${c.commandId}${where}: ${c.status}, ${c.targetCount} targets, ${c.completedCount} completed, ${c.errorCount} errors` +
                (c.deliveryTimedOutCount ? `, ${c.deliveryTimedOutCount} delivery timed out` : "") +
                (c.instanceIds ? `; sent to ${sentTo(c, ctx.targets)}` : "") +
                (c.recovered ? " (its SendCommand answer was lost; found again by its comment)" : ""),
        );
    }
    for (const o of outcomes.filter((x) => x.error !== undefined)) {
        notes.push(`${ctx.multi ? `${scopeName(o.scope)}: ` : ""}FAILED, no result: ${describeError(o.error)}`);
    }
    const byStatus = countBy(invocations, ({ inv }) => inv.status);
    // Nodes whose invocation ended without a patch state from this run (scopes whose patch states
    // could not be read at all are reported on stderr instead).
    const withoutState = ok
        .filter((o) => o.value.patchStatesError === undefined)
        .flatMap((o) => o.value.invocations)
        .filter((inv) => !inv.patchState && !RUNNING_INVOCATION_STATUSES.has(inv.status)).length;
    if (!commandsView && invocations.length > 0) {
        notes.push(`${invocations.length} invocations: ${formatCounts(byStatus)}.`);
        if (withoutState > 0) {
            notes.push(
                `${withoutState} ${withoutState === 1 ? "node" : "nodes"} reported no patch state after the command was sent: ` +
                    `${withoutState === 1 ? "its" : "their"} counts are empty (last known state: patchctl compliance).`,
            );
        }
    }

    const empty = (r: RunResult): boolean => r.state === "done" && r.commands.length > 0 && r.commands.every((c) => c.targetCount === 0);
    for (const o of ok) {
        const where = ctx.multi ? ` in ${scopeName(o.scope)}` : "";
        const ids = o.value.commands.map((c) => c.commandId);
        const running = o.value.commands.filter((c) => !TERMINAL_COMMAND_STATUSES.has(c.status)).map((c) => c.commandId);
        const failure = o.value.sendFailure;
        if (failure) {
            messages.push(`patchctl: ${ctx.multi ? `${scopeName(o.scope)}: ` : ""}sending stopped after ${ids.length} ${ids.length === 1 ? "command" : "commands"}: ${describeError(failure.error)}`);
            if (failure.unsentInstanceIds.length > 0) {
                messages.push(`patchctl: ${failure.unsentInstanceIds.length} nodes were NOT sent the command: ${listIds(failure.unsentInstanceIds)}`);
            }
            for (const c of o.value.commands) {
                messages.push(`patchctl: command ${c.commandId} was sent to ${sentTo(c, ctx.targets)}`);
            }
        }
        if (o.value.state === "interrupted") {
            messages.push(`patchctl: stopped waiting; the command keeps running on AWS${where}: ${ids.join(" ")}`);
            messages.push(`patchctl: resume with: ${resume(o.scope, ids)}`);
            messages.push(`patchctl: cancel with: ${cancel(o.scope, ids)}`);
        } else if (o.value.state === "timeout") {
            if (o.value.error !== undefined) {
                messages.push(`patchctl: ${ctx.multi ? `${scopeName(o.scope)}: ` : ""}${describeError(o.value.error)}`);
            }
            messages.push(`patchctl: timed out waiting; the command keeps running on AWS${where}: ${ids.join(" ")}`);
            messages.push(`patchctl: resume with: ${resume(o.scope, ids)}`);
            messages.push(`patchctl: cancel with: ${cancel(o.scope, ids)}`);
        } else if (o.value.state === "failed") {
            messages.push(`patchctl: ${ctx.multi ? `${scopeName(o.scope)}: ` : ""}${describeError(o.value.error)}`);
            messages.push(
                running.length > 0
                    ? `patchctl: the report is incomplete; the command keeps running on AWS${where}: ${ids.join(" ")}`
                    : `patchctl: the report is incomplete; the command ended on AWS${where}: ${ids.join(" ")}`,
            );
            messages.push(`patchctl: resume with: ${resume(o.scope, ids)}`);
            if (running.length > 0) {
                messages.push(`patchctl: cancel with: ${cancel(o.scope, running)}`);
            }
        } else if (empty(o.value)) {
            messages.push(`patchctl: no managed node matched ${ctx.targets ? describeTargets(ctx.targets) : "the targets"}${where}`);
        }
        if (o.value.patchStatesError !== undefined) {
            messages.push(
                `patchctl: ${ctx.multi ? `${scopeName(o.scope)}: ` : ""}could not read the nodes' patch states, so the report has no patch counts: ${describeError(o.value.patchStatesError)}`,
            );
        }
    }

    let exitCode = EXIT_OK;
    if (ok.some((o) => o.value.state === "interrupted")) {
        exitCode = EXIT_INTERRUPTED;
    } else if (
        errors.json.length > 0 ||
        ok.some((o) => o.value.state === "timeout" || o.value.patchStatesError !== undefined || failedRun(o.value)) ||
        invocations.some(({ inv }) => inv.status !== "Success") ||
        commands.some(({ command: c }) => FAILED_COMMAND_STATUSES.has(c.status))
    ) {
        exitCode = EXIT_FAILED;
    } else if (ok.length > 0 && ok.every((o) => empty(o.value))) {
        // Scan or install of nothing: the targets matched no managed node (a typo, the wrong Region).
        exitCode = EXIT_EMPTY;
    }

    const commandJson = (c: CommandInfo): Record<string, unknown> => ({
        commandId: c.commandId,
        operation: c.operation ?? null,
        status: c.status,
        statusDetails: c.statusDetails ?? null,
        targetCount: c.targetCount,
        completedCount: c.completedCount,
        errorCount: c.errorCount,
        deliveryTimedOutCount: c.deliveryTimedOutCount,
        requestedAt: c.requestedAt ?? null,
        instanceIds: c.instanceIds ?? null,
        recovered: c.recovered ?? false,
    });
    const json = {
        command,
        targets: ctx.targets ? targetsJson(ctx.targets) : null,
        results: outcomes.map((o) => ({
            ...scopeFields(o.scope),
            state: o.value?.state ?? "error",
            commands: o.value?.commands.map(commandJson) ?? [],
            error: o.error !== undefined ? describeError(o.error) : o.value?.error !== undefined ? describeError(o.value.error) : null,
            patchStatesError: o.value?.patchStatesError !== undefined ? describeError(o.value.patchStatesError) : null,
            sendError: o.value?.sendFailure ? describeError(o.value.sendFailure.error) : null,
            notSent: o.value?.sendFailure?.unsentInstanceIds ?? [],
        })),
        invocations: invocations.map(({ scope, inv }) => ({
            ...scopeFields(scope),
            commandId: inv.commandId,
            ...invocationFields(inv),
            plugin: inv.plugin ?? null,
            responseCode: inv.responseCode ?? null,
        })),
        errors: errors.json,
        summary: { invocations: invocations.length, byStatus, withoutPatchState: withoutState, failedScopes: errors.json.length },
        exitCode,
    };
    // Failed account-Regions are rows too (status FAILED with the error) in the table view of
    // commands and in --csv, so that no format shows a failure as an empty fleet.
    const failedRows: Row[] = outcomes
        .filter((o) => o.error !== undefined)
        .map((o) => ({ ...scopeFields(o.scope), status: "FAILED", error: describeError(o.error) }));

    if (commandsView) {
        const rows: Row[] = [
            ...commands.map(({ scope, command: c, state }) => ({
                ...scopeFields(scope),
                commandId: c.commandId,
                operation: c.operation,
                status: c.status,
                targets: c.targetCount,
                sentTo: sentTo(c, ctx.targets),
                error: state === "failed" ? describeError(ok.find((o) => o.scope === scope)?.value.error) : null,
            })),
            ...failedRows,
        ];
        const columns: Column[] = [
            { key: "commandId", header: "COMMAND" },
            { key: "operation", header: "OPERATION" },
            { key: "status", header: "STATUS" },
            { key: "targets", header: "TARGETS", numeric: true },
        ];
        return {
            report: {
                columns: scopeColumns(ctx, columns),
                csvColumns: scopeColumns({ multi: true }, ["commandId", "operation", "status", "targets", "sentTo", "error"].map((key) => ({ key, header: key }))),
                rows,
                json,
                notes: sentOnly ? [] : notes,
            },
            exitCode,
            messages,
        };
    }

    const rows: Row[] = [
        ...invocations.map(({ scope, inv }) => ({
            ...scopeFields(scope),
            commandId: inv.commandId,
            ...invocationFields(inv),
            error: null,
        })),
        ...failedRows,
    ];
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "instanceId", header: "INSTANCE" },
                { key: "instanceName", header: "NAME" },
                { key: "status", header: "STATUS" },
                { key: "installed", header: "INSTALLED", numeric: true },
                { key: "missing", header: "MISSING", numeric: true },
                { key: "failed", header: "FAILED", numeric: true },
                { key: "installedPendingReboot", header: "PENDING-REBOOT", numeric: true },
                { key: "operationEndTime", header: "LAST-OP-TIME" },
                { key: "detail", header: "DETAIL" },
            ]),
            csvColumns: scopeColumns({ multi: true }, [
                { key: "commandId", header: "commandId" },
                ...Object.keys(invocationFields({ commandId: "", instanceId: "", status: "", detail: "" })).map((key) => ({ key, header: key })),
                { key: "error", header: "error" },
            ]),
            rows,
            json,
            notes,
            emptyMessage: commands.length > 0 ? "No invocations." : undefined,
        },
        exitCode,
        messages,
    };
}

/**
 * Turning command results from one or many (account, Region) scopes into a Report (table / JSON /
 * CSV), the lines for stderr, and the exit code.
 */
import type { PolicyAssociation } from "./associations";
import type { ExecutionSummary } from "./commands/policyHistory";
import type { ExecutionTarget, PolicyRunResult } from "./commands/policyRun";
import { failsGate, type FailOn, type MissingPatch, type NodeCompliance } from "./commands/compliance";
import { describeError, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from "./errors";
import type { Column, Report, Row } from "./output";
import { RUNNING_INVOCATION_STATUSES, type CommandInfo, type InvocationInfo, type RunResult } from "./runCommand";
import type { ResolvedScope, ScopeOutcome } from "./scopes";
import { describeTargets, targetsJson, type TargetSpec } from "./targets";

export interface Outcome {
    report: Report;
    exitCode: number;
    /** Lines for stderr (errors, gate failures, resume hints), printed in every output format. */
    messages: string[];
}

export interface ReportContext {
    /** True with --accounts: account and Region columns are shown. */
    multi: boolean;
}

/** How to resume watching commands in a scope: the full patchctl command line. */
export type ResumeHint = (scope: ResolvedScope, commandIds: string[]) => string;

const SCOPE_COLUMNS: Column[] = [
    { key: "account", header: "ACCOUNT" },
    { key: "region", header: "REGION" },
];

function scopeColumns(ctx: ReportContext, columns: Column[]): Column[] {
    return ctx.multi ? [...SCOPE_COLUMNS, ...columns] : columns;
}

function scopeFields(scope: ResolvedScope): { account: string | null; region: string } {
    return { account: scope.accountId ?? null, region: scope.region };
}

function scopeName(scope: ResolvedScope): string {
    return scope.accountId ? `account ${scope.accountId} ${scope.region}` : scope.region;
}

function errorsOf<T>(outcomes: Array<ScopeOutcome<T>>): { json: Array<Record<string, unknown>>; messages: string[] } {
    const failed = outcomes.filter((o) => o.error !== undefined);
    return {
        json: failed.map((o) => ({ ...scopeFields(o.scope), error: describeError(o.error) })),
        messages: failed.map((o) => `patchctl: ${scopeName(o.scope)}: ${describeError(o.error)}`),
    };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const item of items) {
        counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    }
    return counts;
}

function formatCounts(counts: Record<string, number>): string {
    return Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
}

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

/** Scan / install / watch results. */
export function runReport(
    command: string,
    outcomes: Array<ScopeOutcome<RunResult>>,
    ctx: ReportContext & { targets?: TargetSpec; resumeHint: ResumeHint },
): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const ok = outcomes.filter((o): o is ScopeOutcome<RunResult> & { value: RunResult } => o.value !== undefined);
    // Nothing to list per node when we did not wait (--no-wait) or stopped waiting: list the commands.
    const commandsView = ok.length > 0 && ok.every((o) => o.value.state === "sent" || o.value.state === "interrupted");
    const sentOnly = ok.length > 0 && ok.every((o) => o.value.state === "sent");

    const invocations = ok.flatMap((o) => o.value.invocations.map((inv) => ({ scope: o.scope, inv })));
    const commands = ok.flatMap((o) => o.value.commands.map((c) => ({ scope: o.scope, command: c, state: o.value.state })));

    const notes: string[] = [];
    for (const { scope, command: c } of commands) {
        const where = ctx.multi ? ` in ${scopeName(scope)}` : "";
        notes.push(
            `Command ${c.commandId}${where}: ${c.status}, ${c.targetCount} targets, ${c.completedCount} completed, ${c.errorCount} errors` +
                (c.deliveryTimedOutCount ? `, ${c.deliveryTimedOutCount} delivery timed out` : ""),
        );
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

    for (const o of ok) {
        const ids = o.value.commands.map((c) => c.commandId);
        if (o.value.state === "interrupted") {
            messages.push(`patchctl: stopped waiting; the command keeps running on AWS${ctx.multi ? ` in ${scopeName(o.scope)}` : ""}: ${ids.join(" ")}`);
            messages.push(`patchctl: resume with: ${ctx.resumeHint(o.scope, ids)}`);
        } else if (o.value.state === "timeout") {
            messages.push(`patchctl: timed out waiting; the command keeps running on AWS${ctx.multi ? ` in ${scopeName(o.scope)}` : ""}: ${ids.join(" ")}`);
            messages.push(`patchctl: resume with: ${ctx.resumeHint(o.scope, ids)}`);
        } else if (o.value.state === "done" && o.value.commands.every((c) => c.targetCount === 0)) {
            messages.push(`patchctl: no managed node matched ${ctx.targets ? describeTargets(ctx.targets) : "the targets"}${ctx.multi ? ` in ${scopeName(o.scope)}` : ""}`);
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
        ok.some((o) => o.value.state === "timeout" || o.value.patchStatesError !== undefined) ||
        invocations.some(({ inv }) => inv.status !== "Success") ||
        commands.some(({ command: c }) => FAILED_COMMAND_STATUSES.has(c.status))
    ) {
        exitCode = EXIT_FAILED;
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
    });
    const json = {
        command,
        targets: ctx.targets ? targetsJson(ctx.targets) : null,
        results: outcomes.map((o) => ({
            ...scopeFields(o.scope),
            state: o.value?.state ?? "error",
            commands: o.value?.commands.map(commandJson) ?? [],
            error: o.error !== undefined ? describeError(o.error) : null,
            patchStatesError: o.value?.patchStatesError !== undefined ? describeError(o.value.patchStatesError) : null,
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

    if (commandsView) {
        const rows: Row[] = commands.map(({ scope, command: c }) => ({
            ...scopeFields(scope),
            commandId: c.commandId,
            operation: c.operation,
            status: c.status,
            targets: c.targetCount,
        }));
        return {
            report: {
                columns: scopeColumns(ctx, [
                    { key: "commandId", header: "COMMAND" },
                    { key: "operation", header: "OPERATION" },
                    { key: "status", header: "STATUS" },
                    { key: "targets", header: "TARGETS", numeric: true },
                ]),
                rows,
                json,
                notes: sentOnly ? [`Not waiting. Follow with: ${ok.map((o) => ctx.resumeHint(o.scope, o.value.commands.map((c) => c.commandId))).join(" ; ")}`] : [],
            },
            exitCode,
            messages,
        };
    }

    const rows: Row[] = invocations.map(({ scope, inv }) => ({
        ...scopeFields(scope),
        commandId: inv.commandId,
        ...invocationFields(inv),
    }));
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

/** Compliance of nodes, with the optional --fail-on gate. */
export function complianceReport(outcomes: Array<ScopeOutcome<NodeCompliance[]>>, ctx: ReportContext & { targets: TargetSpec; failOn?: FailOn }): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const nodes = outcomes.flatMap((o) => (o.value ?? []).map((node) => ({ scope: o.scope, node })));
    const nonCompliant = nodes.filter(({ node }) => node.status === "NON_COMPLIANT");
    const summary = {
        nodes: nodes.length,
        compliant: nodes.filter(({ node }) => node.status === "COMPLIANT").length,
        nonCompliant: nonCompliant.length,
        noData: nodes.filter(({ node }) => node.status === "NO_DATA").length,
        withCriticalNonCompliant: nodes.filter(({ node }) => (node.state?.CriticalNonCompliantCount ?? 0) > 0).length,
        withSecurityNonCompliant: nodes.filter(({ node }) => (node.state?.SecurityNonCompliantCount ?? 0) > 0).length,
        missingPatches: nodes.reduce((sum, { node }) => sum + (node.state?.MissingCount ?? 0), 0),
        failedScopes: errors.json.length,
    };
    const gateFailures = ctx.failOn ? nodes.filter(({ node }) => failsGate(node, ctx.failOn as FailOn)) : [];
    if (ctx.failOn && gateFailures.length > 0) {
        const named = gateFailures.slice(0, 10).map(({ scope, node }) => (ctx.multi ? `${scope.accountId ?? ""}/${scope.region}/${node.instanceId}` : node.instanceId));
        messages.push(`patchctl: --fail-on ${ctx.failOn}: ${gateFailures.length} of ${nodes.length} nodes fail: ${named.join(", ")}${gateFailures.length > 10 ? ", ..." : ""}`);
    }
    const exitCode = errors.json.length > 0 || gateFailures.length > 0 ? EXIT_FAILED : EXIT_OK;

    const nodeFields = (scope: ResolvedScope, node: NodeCompliance): Record<string, string | number | Date | null> => ({
        ...scopeFields(scope),
        instanceId: node.instanceId,
        name: node.name ?? null,
        platform: node.platform ?? null,
        pingStatus: node.pingStatus ?? null,
        status: node.status,
        installed: node.state?.InstalledCount ?? null,
        installedOther: node.state?.InstalledOtherCount ?? null,
        missing: node.state?.MissingCount ?? null,
        failed: node.state?.FailedCount ?? null,
        installedPendingReboot: node.state?.InstalledPendingRebootCount ?? null,
        installedRejected: node.state?.InstalledRejectedCount ?? null,
        notApplicable: node.state?.NotApplicableCount ?? null,
        criticalNonCompliant: node.state?.CriticalNonCompliantCount ?? null,
        securityNonCompliant: node.state?.SecurityNonCompliantCount ?? null,
        otherNonCompliant: node.state?.OtherNonCompliantCount ?? null,
        operation: node.state?.Operation ?? null,
        operationEndTime: node.state?.OperationEndTime ?? null,
        baselineId: node.state?.BaselineId ?? null,
    });
    const rows: Row[] = nodes.map(({ scope, node }) => nodeFields(scope, node));
    const notes = [
        `${summary.nodes} nodes: ${summary.compliant} compliant, ${summary.nonCompliant} non-compliant, ${summary.noData} without patch data; ` +
            `${summary.withCriticalNonCompliant} with critical and ${summary.withSecurityNonCompliant} with security non-compliant patches; ${summary.missingPatches} missing patches in all.`,
    ];
    if (nonCompliant.length > 0 && !ctx.multi) {
        notes.push(`Missing patches of one node: patchctl compliance --instance ${nonCompliant[0].node.instanceId} --missing`);
    }
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "instanceId", header: "INSTANCE" },
                { key: "name", header: "NAME" },
                { key: "status", header: "STATUS" },
                { key: "installed", header: "INSTALLED", numeric: true },
                { key: "missing", header: "MISSING", numeric: true },
                { key: "failed", header: "FAILED", numeric: true },
                { key: "installedPendingReboot", header: "PENDING-REBOOT", numeric: true },
                { key: "criticalNonCompliant", header: "CRITICAL", numeric: true },
                { key: "securityNonCompliant", header: "SECURITY", numeric: true },
                { key: "operation", header: "LAST-OP" },
                { key: "operationEndTime", header: "LAST-OP-TIME" },
            ]),
            csvColumns: scopeColumns({ multi: true }, Object.keys(nodeFields({ region: "" }, { instanceId: "", status: "NO_DATA" }))
                .filter((key) => key !== "account" && key !== "region")
                .map((key) => ({ key, header: key }))),
            rows,
            json: {
                command: "compliance",
                targets: targetsJson(ctx.targets),
                nodes: rows,
                errors: errors.json,
                summary,
                failOn: ctx.failOn ?? null,
                gateFailures: gateFailures.map(({ scope, node }) => ({ ...scopeFields(scope), instanceId: node.instanceId })),
                exitCode,
            },
            notes,
            emptyMessage: `No managed node matched ${describeTargets(ctx.targets)}.`,
        },
        exitCode,
        messages,
    };
}

/** One node's missing patches. */
export function missingReport(outcome: ScopeOutcome<MissingPatch[]>, instanceId: string): Outcome {
    const errors = errorsOf([outcome]);
    const patches = outcome.value ?? [];
    const rows: Row[] = patches.map((p) => ({ ...p, cves: p.cves }));
    const exitCode = errors.json.length > 0 ? EXIT_FAILED : EXIT_OK;
    return {
        report: {
            columns: [
                { key: "title", header: "TITLE" },
                { key: "classification", header: "CLASSIFICATION" },
                { key: "severity", header: "SEVERITY" },
                { key: "cves", header: "CVES" },
            ],
            rows,
            json: { command: "compliance", instanceId, missing: patches, errors: errors.json, exitCode },
            notes: patches.length > 0 ? [`${patches.length} missing patches on ${instanceId}.`] : [],
            emptyMessage: `No missing patches reported for ${instanceId}.`,
        },
        exitCode,
        messages: errors.messages,
    };
}

function associationFields(a: PolicyAssociation): Record<string, string> {
    return { associationId: a.associationId, associationName: a.associationName, kind: a.kind, operation: a.operation };
}

/** `policy run` results: one row per node of each association's new execution. */
export function policyRunReport(
    policy: string,
    outcomes: Array<ScopeOutcome<PolicyRunResult>>,
    ctx: ReportContext & { historyHint: (scope: ResolvedScope) => string },
): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const ok = outcomes.filter((o): o is ScopeOutcome<PolicyRunResult> & { value: PolicyRunResult } => o.value !== undefined);
    const runs = ok.flatMap((o) => o.value.runs.map((run) => ({ scope: o.scope, run, state: o.value.state })));
    const targets = runs.flatMap(({ scope, run }) => run.targets.map((target: ExecutionTarget) => ({ scope, run, target })));

    const notes = runs.map(
        ({ scope, run }) =>
            `${run.association.associationName} (${run.association.operation})${ctx.multi ? ` in ${scopeName(scope)}` : ""}: ` +
            `${run.executionId ? `execution ${run.executionId} ${run.status}` : "applied; no execution seen yet"}` +
            (run.resourceCountByStatus ? ` ${run.resourceCountByStatus}` : ""),
    );
    for (const o of ok) {
        if (o.value.state === "interrupted" || o.value.state === "timeout") {
            messages.push(
                `patchctl: ${o.value.state === "timeout" ? "timed out waiting" : "stopped waiting"}; the association execution keeps running on AWS${ctx.multi ? ` in ${scopeName(o.scope)}` : ""}`,
            );
            messages.push(`patchctl: follow it with: ${ctx.historyHint(o.scope)}`);
        }
    }
    let exitCode = EXIT_OK;
    if (ok.some((o) => o.value.state === "interrupted")) {
        exitCode = EXIT_INTERRUPTED;
    } else if (
        errors.json.length > 0 ||
        ok.some((o) => o.value.state === "timeout") ||
        runs.some(({ run, state }) => state !== "sent" && run.status !== "Success")
    ) {
        exitCode = EXIT_FAILED;
    }
    const rows: Row[] = targets.map(({ scope, run, target }) => ({
        ...scopeFields(scope),
        associationName: run.association.associationName,
        operation: run.association.operation,
        executionId: run.executionId,
        instanceId: target.resourceId,
        status: target.status,
        detailedStatus: target.detailedStatus,
        commandId: target.commandId,
        lastExecutionDate: target.lastExecutionDate,
    }));
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "associationName", header: "ASSOCIATION" },
                { key: "instanceId", header: "INSTANCE" },
                { key: "status", header: "STATUS" },
                { key: "detailedStatus", header: "DETAIL" },
                { key: "lastExecutionDate", header: "TIME" },
            ]),
            csvColumns: scopeColumns({ multi: true }, [
                "associationName",
                "operation",
                "executionId",
                "instanceId",
                "status",
                "detailedStatus",
                "commandId",
                "lastExecutionDate",
            ].map((key) => ({ key, header: key }))),
            rows,
            json: {
                command: "policy run",
                policy,
                associations: runs.map(({ scope, run, state }) => ({
                    ...scopeFields(scope),
                    ...associationFields(run.association),
                    state,
                    executionId: run.executionId ?? null,
                    status: run.status,
                    detailedStatus: run.detailedStatus ?? null,
                    createdTime: run.createdTime ?? null,
                    resourceCountByStatus: run.resourceCountByStatus ?? null,
                })),
                targets: rows,
                errors: errors.json,
                exitCode,
            },
            notes,
            emptyMessage: runs.length > 0 ? "No per-node results." : undefined,
        },
        exitCode,
        messages,
    };
}

/** `policy history` rows: one per execution. */
export function historyReport(policy: string, outcomes: Array<ScopeOutcome<ExecutionSummary[]>>, ctx: ReportContext): Outcome {
    const errors = errorsOf(outcomes);
    const executions = outcomes.flatMap((o) => (o.value ?? []).map((e) => ({ scope: o.scope, e })));
    const rows: Row[] = executions.map(({ scope, e }) => ({
        ...scopeFields(scope),
        associationName: e.association.associationName,
        operation: e.association.operation,
        executionId: e.executionId,
        status: e.status,
        detailedStatus: e.detailedStatus,
        createdTime: e.createdTime,
        resourceCountByStatus: e.resourceCountByStatus,
    }));
    const exitCode = errors.json.length > 0 ? EXIT_FAILED : EXIT_OK;
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "associationName", header: "ASSOCIATION" },
                { key: "executionId", header: "EXECUTION" },
                { key: "status", header: "STATUS" },
                { key: "createdTime", header: "CREATED" },
                { key: "resourceCountByStatus", header: "RESOURCES" },
            ]),
            csvColumns: scopeColumns({ multi: true }, [
                "associationName",
                "operation",
                "executionId",
                "status",
                "detailedStatus",
                "createdTime",
                "resourceCountByStatus",
            ].map((key) => ({ key, header: key }))),
            rows,
            json: { command: "policy history", policy, executions: rows, errors: errors.json, exitCode },
            notes: executions.length > 0 ? [`Per-node results of one execution: patchctl policy history ${policy} --execution ${executions[0].e.executionId}`] : [],
            emptyMessage: "No executions yet.",
        },
        exitCode,
        messages: errors.messages,
    };
}

/** `policy history --execution` rows: one per node. */
export function executionTargetsReport(
    policy: string,
    executionId: string,
    outcomes: Array<ScopeOutcome<{ association: PolicyAssociation; targets: ExecutionTarget[] } | undefined>>,
    ctx: ReportContext,
): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const found = outcomes.filter((o) => o.value !== undefined);
    if (found.length === 0 && errors.json.length === 0) {
        messages.push(`patchctl: execution ${executionId} was not found among the associations of policy ${policy}`);
    }
    const rows: Row[] = found.flatMap((o) =>
        (o.value?.targets ?? []).map((t) => ({
            ...scopeFields(o.scope),
            associationName: o.value?.association.associationName,
            instanceId: t.resourceId,
            status: t.status,
            detailedStatus: t.detailedStatus,
            commandId: t.commandId,
            lastExecutionDate: t.lastExecutionDate,
        })),
    );
    const exitCode = errors.json.length > 0 || found.length === 0 ? EXIT_FAILED : EXIT_OK;
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "instanceId", header: "INSTANCE" },
                { key: "status", header: "STATUS" },
                { key: "detailedStatus", header: "DETAIL" },
                { key: "commandId", header: "COMMAND" },
                { key: "lastExecutionDate", header: "TIME" },
            ]),
            rows,
            json: { command: "policy history", policy, executionId, targets: rows, errors: errors.json, exitCode },
            emptyMessage: found.length > 0 ? "No targets in this execution." : undefined,
        },
        exitCode,
        messages,
    };
}

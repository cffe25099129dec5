/**
 * `patchctl policy run <name>`: apply a patch policy's associations now (StartAssociationsOnce),
 * wait for the new execution of each to end, and list its per-node results.
 *
 * TPS quotas (REFERENCE.md) are respected by the client's pacing: StartAssociationsOnce 2/s (one call
 * for up to 10 associations), DescribeAssociationExecutions and DescribeAssociationExecutionTargets 4/s.
 */
import type { AssociationExecution, SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { chunk } from "../../aws/concurrency";
import { ssmSdk } from "../../aws/sdk";
import { scopeLabel, type ScopeOutcome } from "../../aws/scopes";
import { pollUntil, type WaitSettings } from "../../aws/wait";
import { addWaitOptions, EXIT_CODES_HELP, type WaitFlags } from "../../cli/flags";
import type { CommandDefinition } from "../../cli/session";
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from "../../output/errors";
import type { Row } from "../../output/format";
import { errorsOf, scopeColumns, scopeFields, scopeName, type CommandHint, type Outcome, type ReportContext } from "../../output/report";
import { executionTargets, findPolicy, type ExecutionTarget, type PolicyAssociation } from "../../ssm/policies";
import type { PatchOperation, RunState } from "../../ssm/runCommand";
import { findOrFail, operationOption, operationsOf, policyName } from "./shared";

/** StartAssociationsOnce accepts 1 to 10 association ids. */
export const START_ONCE_BATCH = 10;
/** An execution created up to this long before our request still counts as ours (clock skew). */
export const CLOCK_SKEW_MS = 60_000;

export const RUNNING_EXECUTION_STATUSES = new Set(["Pending", "InProgress"]);

export interface AssociationRun {
    association: PolicyAssociation;
    executionId?: string;
    /** "NotStarted" until AWS shows the new execution. */
    status: string;
    detailedStatus?: string;
    createdTime?: Date;
    resourceCountByStatus?: string;
    targets: ExecutionTarget[];
}

export interface PolicyRunResult {
    state: RunState;
    runs: AssociationRun[];
}

export function createPolicyRun(clients: { ssm: SSMClient }) {
    const { ssm } = clients;

    /** The newest execution created since `since`, if AWS shows one yet (one call). */
    async function latestExecution(associationId: string, since: Date, signal?: AbortSignal): Promise<AssociationExecution | undefined> {
        const { DescribeAssociationExecutionsCommand } = await ssmSdk();
        const response = await ssm.send(
            new DescribeAssociationExecutionsCommand({
                AssociationId: associationId,
                Filters: [{ Key: "CreatedTime", Value: since.toISOString(), Type: "GREATER_THAN" }],
                MaxResults: 10,
            }),
            { abortSignal: signal },
        );
        const executions = (response.AssociationExecutions ?? []).filter((e) => !e.CreatedTime || e.CreatedTime.getTime() >= since.getTime());
        executions.sort((a, b) => (b.CreatedTime?.getTime() ?? 0) - (a.CreatedTime?.getTime() ?? 0));
        return executions[0];
    }

    return {
        /** The policy's associations for the chosen operations. */
        async find(policy: string, operations: readonly PatchOperation[]): Promise<PolicyAssociation[]> {
            return findPolicy(ssm, policy, operations);
        },

        /** Applies the associations now; with `wait`, waits for their executions and reads their targets. */
        async run(associations: PolicyAssociation[], wait: WaitSettings | undefined): Promise<PolicyRunResult> {
            const { StartAssociationsOnceCommand } = await ssmSdk();
            const since = new Date(Date.now() - CLOCK_SKEW_MS);
            for (const batch of chunk(associations, START_ONCE_BATCH)) {
                await ssm.send(new StartAssociationsOnceCommand({ AssociationIds: batch.map((a) => a.associationId) }));
            }
            const runs: AssociationRun[] = associations.map((association) => ({ association, status: "NotStarted", targets: [] }));
            if (!wait) {
                return { state: "sent", runs };
            }
            const key = wait.progressKey ?? "";
            const result = await pollUntil(async () => {
                for (const run of runs) {
                    if (run.executionId && !RUNNING_EXECUTION_STATUSES.has(run.status)) {
                        continue;
                    }
                    const execution = await latestExecution(run.association.associationId, since, wait.signal);
                    if (execution) {
                        run.executionId = execution.ExecutionId;
                        run.status = execution.Status ?? "Pending";
                        run.detailedStatus = execution.DetailedStatus;
                        run.createdTime = execution.CreatedTime;
                        run.resourceCountByStatus = execution.ResourceCountByStatus;
                    }
                }
                const finished = runs.filter((r) => r.executionId && !RUNNING_EXECUTION_STATUSES.has(r.status));
                wait.progress?.update(key, finished.length, runs.length, finished.filter((r) => r.status !== "Success").length);
                return { done: finished.length === runs.length, value: undefined };
            }, wait);
            if (result.state !== "interrupted") {
                for (const run of runs) {
                    if (run.executionId) {
                        run.targets = await executionTargets(ssm, run.association.associationId, run.executionId);
                    }
                }
            }
            return { state: result.state, runs };
        },
    };
}

type RunFlags = WaitFlags & { operation: string; yes?: boolean };

/** The `policy run` command: flags, help, confirmation, action. */
export const policyRunCommand: CommandDefinition = (parent, cli) =>
    addWaitOptions(
        parent
            .command("run")
            .description("Apply the policy's associations now (StartAssociationsOnce), wait for the executions, print per-node results")
            .argument("<name>", "policy name, or Quick Setup configuration id")
            .addOption(operationOption("scan"))
            .option("-y, --yes", "do not ask for confirmation before applying install associations"),
    )
        .addHelpText(
            "after",
            `\nBy default only the scan association is applied. Applying the install association patches and may\nreboot nodes: it asks for confirmation unless --yes (and refuses without a terminal, exit 2).\n\n<name> is this project's policy name or, for an AWS Quick Setup patch policy, its configuration id\n(the suffix of AWS-QuickSetup-PatchPolicy-ScanForPatches-[LA-]<id>).\n\nExamples:\n  patchctl policy run patch-policy-workshop\n  patchctl policy run k8dyx --operation all --yes\n${EXIT_CODES_HELP}`,
        )
        .action(
            cli.action(async (rawName: string, flags: RunFlags, command: Command) => {
                const session = await cli.session(command);
                const name = policyName(rawName);
                const operations = operationsOf(flags.operation);
                const wait = session.waitSettings(flags, "policy run");
                const installing = operations.includes("Install");
                if (installing && !flags.yes && !session.prompter.interactive()) {
                    throw new UsageError("applying the install association needs confirmation but stdin is not a terminal: pass --yes");
                }
                const found = await session.inScopes((ssm) => findOrFail(ssm, name, operations));
                const withAssociations = found.filter((o): o is ScopeOutcome<PolicyAssociation[]> & { value: PolicyAssociation[] } => o.value !== undefined);
                const failed = found.filter((o) => o.error !== undefined).map((o) => ({ scope: o.scope, error: o.error }));
                if (installing && !flags.yes && withAssociations.length > 0) {
                    const installs = withAssociations.flatMap((o) => o.value.filter((a) => a.operation === "Install"));
                    if (installs.length > 0) {
                        const question = `Apply ${installs.length} install association${installs.length === 1 ? "" : "s"} of policy ${name} now, in ${withAssociations.length} account-Region${withAssociations.length === 1 ? "" : "s"}? This installs patches and may reboot nodes.`;
                        if (!(await session.prompter.confirm(question))) {
                            session.stderr.write("patchctl: cancelled; nothing was applied\n");
                            return EXIT_FAILED;
                        }
                    }
                }
                const byScope = new Map(withAssociations.map((o) => [scopeLabel(o.scope), o.value]));
                const ran = await session.interruptible((signal) =>
                    session.inScopes(
                        (ssm, scope) =>
                            createPolicyRun({ ssm }).run(byScope.get(scopeLabel(scope)) ?? [], flags.wait ? { ...wait, signal, progressKey: scopeLabel(scope) } : undefined),
                        withAssociations.map((o) => o.scope),
                    ),
                );
                wait.progress.clear();
                return session.print(policyRunReport(name, [...failed, ...ran], { multi: session.multi, hint: session.hint }));
            }),
        );

function associationFields(a: PolicyAssociation): Record<string, string> {
    return { associationId: a.associationId, associationName: a.associationName, kind: a.kind, operation: a.operation };
}

/** `policy run` results: one row per node of each association's new execution; `hint` makes the `policy history` line to follow it. */
export function policyRunReport(
    policy: string,
    outcomes: Array<ScopeOutcome<PolicyRunResult>>,
    ctx: ReportContext & { hint: CommandHint },
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
            messages.push(`patchctl: follow it with: ${ctx.hint(["policy", "history", policy], o.scope)}`);
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


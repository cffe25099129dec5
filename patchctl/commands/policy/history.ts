/**
 * `patchctl policy history <name>`: the execution history of a patch policy's associations
 * (DescribeAssociationExecutions, paginated up to --limit), or with --execution the per-node results
 * of one execution (DescribeAssociationExecutionTargets, paginated).
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { collectPages, PAGE_SIZE } from "../../aws/pagination";
import { ssmSdk } from "../../aws/sdk";
import type { ScopeOutcome } from "../../aws/scopes";
import { EXIT_CODES_HELP, parsePositiveInt, UUID } from "../../cli/flags";
import type { CommandDefinition } from "../../cli/session";
import { EXIT_FAILED, EXIT_OK, UsageError } from "../../output/errors";
import type { Row } from "../../output/format";
import { errorsOf, scopeColumns, scopeFields, type CommandHint, type Outcome, type ReportContext } from "../../output/report";
import { executionTargets, findPolicy, type ExecutionTarget, type PolicyAssociation } from "../../ssm/policies";
import type { PatchOperation } from "../../ssm/runCommand";
import { findOrFail, operationOption, operationsOf, policyName } from "./shared";

export interface ExecutionSummary {
    association: PolicyAssociation;
    executionId: string;
    status: string;
    detailedStatus?: string;
    createdTime?: Date;
    lastExecutionDate?: Date;
    resourceCountByStatus?: string;
}

export function createPolicyHistory(clients: { ssm: SSMClient }) {
    const { ssm } = clients;
    return {
        async find(policy: string, operations: readonly PatchOperation[]): Promise<PolicyAssociation[]> {
            return findPolicy(ssm, policy, operations);
        },

        /** The newest `limit` executions of each association, newest first. */
        async executions(associations: PolicyAssociation[], limit: number): Promise<ExecutionSummary[]> {
            const { paginateDescribeAssociationExecutions } = await ssmSdk();
            const rows: ExecutionSummary[] = [];
            for (const association of associations) {
                const pages = paginateDescribeAssociationExecutions(
                    { client: ssm, pageSize: Math.min(limit, PAGE_SIZE.DescribeAssociationExecutions) },
                    { AssociationId: association.associationId },
                );
                const executions = await collectPages(pages, (page) => page.AssociationExecutions, { limit, operation: "DescribeAssociationExecutions", keyOf: (e) => e.ExecutionId });
                rows.push(
                    ...executions.map((execution) => ({
                        association,
                        executionId: execution.ExecutionId ?? "",
                        status: execution.Status ?? "",
                        detailedStatus: execution.DetailedStatus,
                        createdTime: execution.CreatedTime,
                        lastExecutionDate: execution.LastExecutionDate,
                        resourceCountByStatus: execution.ResourceCountByStatus,
                    })),
                );
            }
            return rows;
        },

        /** The per-node results of one execution, looked up across the policy's associations. */
        async targets(associations: PolicyAssociation[], executionId: string): Promise<{ association: PolicyAssociation; targets: ExecutionTarget[] } | undefined> {
            for (const association of associations) {
                try {
                    return { association, targets: await executionTargets(ssm, association.associationId, executionId) };
                } catch (error) {
                    if ((error as Error).name === "AssociationExecutionDoesNotExist") {
                        continue;
                    }
                    throw error;
                }
            }
            return undefined;
        },
    };
}

type HistoryFlags = { operation: string; limit: string; execution?: string };

/** The `policy history` command: flags, help, action. */
export const policyHistoryCommand: CommandDefinition = (parent, cli) =>
    parent
        .command("history")
        .description("Execution history of the policy's associations, or with --execution its per-node results")
        .argument("<name>", "policy name, or Quick Setup configuration id")
        .addOption(operationOption("all"))
        .option("--limit <n>", "executions shown per association, newest first", "10")
        .option("--execution <id>", "per-node results of this execution")
        .addHelpText(
            "after",
            `\n<name> is this project's policy name or, for an AWS Quick Setup patch policy, its configuration id.\n\nExamples:\n  patchctl policy history patch-policy-workshop\n  patchctl policy history patch-policy-workshop --execution 3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f\n${EXIT_CODES_HELP}`,
        )
        .action(
            cli.action(async (rawName: string, flags: HistoryFlags, command: Command) => {
                const session = await cli.session(command);
                const name = policyName(rawName);
                const operations = operationsOf(flags.operation);
                const limit = parsePositiveInt(flags.limit, "--limit", 1, 1000);
                const executionId = flags.execution;
                if (executionId !== undefined && !UUID.test(executionId)) {
                    throw new UsageError(`--execution '${executionId}': not an execution id like 3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f`);
                }
                if (executionId !== undefined) {
                    const outcomes = await session.inScopes(async (ssm) => createPolicyHistory({ ssm }).targets(await findOrFail(ssm, name, operations), executionId));
                    return session.print(executionTargetsReport(name, executionId, outcomes, { multi: session.multi }));
                }
                const outcomes = await session.inScopes(async (ssm) => createPolicyHistory({ ssm }).executions(await findOrFail(ssm, name, operations), limit));
                return session.print(historyReport(name, outcomes, { multi: session.multi, hint: session.hint }));
            }),
        );

/** `policy history` rows: one per execution; `hint` makes the line that shows one execution's nodes. */
export function historyReport(policy: string, outcomes: Array<ScopeOutcome<ExecutionSummary[]>>, ctx: ReportContext & { hint: CommandHint }): Outcome {
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
            emptyMessage: outcomes.some((o) => o.error === undefined) ? "No executions yet." : "No history: the calls failed (see stderr).",
        },
        exitCode,
        messages: [
            ...errors.messages,
            ...(executions.length > 0 ? [`patchctl: per-node results of one execution: ${ctx.hint(["policy", "history", policy, "--execution", executions[0].e.executionId], executions[0].scope)}`] : []),
        ],
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

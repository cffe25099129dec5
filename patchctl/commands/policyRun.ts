/**
 * `patchctl policy run <name>`: apply a patch policy's associations now (StartAssociationsOnce),
 * wait for the new execution of each to end, and list its per-node results.
 *
 * TPS quotas (REFERENCE.md) are respected by the client's pacing: StartAssociationsOnce 2/s (one call
 * for up to 10 associations), DescribeAssociationExecutions and DescribeAssociationExecutionTargets 4/s.
 */
import {
    DescribeAssociationExecutionsCommand,
    StartAssociationsOnceCommand,
    paginateDescribeAssociationExecutionTargets,
    type AssociationExecution,
    type SSMClient,
} from "@aws-sdk/client-ssm";
import { findPolicyAssociations, type PolicyAssociation } from "../associations";
import { chunk } from "../batching";
import type { PatchOperation, RunState } from "../runCommand";
import { pollUntil, type WaitSettings } from "../wait";

/** StartAssociationsOnce accepts 1 to 10 association ids. */
export const START_ONCE_BATCH = 10;
export const EXECUTION_TARGETS_PAGE_SIZE = 50;
/** An execution created up to this long before our request still counts as ours (clock skew). */
export const CLOCK_SKEW_MS = 60_000;

export const RUNNING_EXECUTION_STATUSES = new Set(["Pending", "InProgress"]);

export interface ExecutionTarget {
    resourceId: string;
    resourceType?: string;
    status: string;
    detailedStatus?: string;
    lastExecutionDate?: Date;
    /** The Run Command command id of this node's run, when the output source is Run Command. */
    commandId?: string;
}

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

export async function executionTargets(ssm: SSMClient, associationId: string, executionId: string): Promise<ExecutionTarget[]> {
    const targets: ExecutionTarget[] = [];
    const pages = paginateDescribeAssociationExecutionTargets(
        { client: ssm, pageSize: EXECUTION_TARGETS_PAGE_SIZE },
        { AssociationId: associationId, ExecutionId: executionId },
    );
    for await (const page of pages) {
        for (const target of page.AssociationExecutionTargets ?? []) {
            targets.push({
                resourceId: target.ResourceId ?? "",
                resourceType: target.ResourceType,
                status: target.Status ?? "",
                detailedStatus: target.DetailedStatus,
                lastExecutionDate: target.LastExecutionDate,
                commandId: target.OutputSource?.OutputSourceType === "RunCommand" ? target.OutputSource.OutputSourceId : undefined,
            });
        }
    }
    return targets.sort((a, b) => a.resourceId.localeCompare(b.resourceId));
}

export function createPolicyRun(clients: { ssm: SSMClient }) {
    const { ssm } = clients;

    /** The newest execution created since `since`, if AWS shows one yet (one call). */
    async function latestExecution(associationId: string, since: Date, signal?: AbortSignal): Promise<AssociationExecution | undefined> {
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
            return (await findPolicyAssociations(ssm, policy)).filter((a) => operations.includes(a.operation));
        },

        /** Applies the associations now; with `wait`, waits for their executions and reads their targets. */
        async run(associations: PolicyAssociation[], wait: WaitSettings | undefined): Promise<PolicyRunResult> {
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

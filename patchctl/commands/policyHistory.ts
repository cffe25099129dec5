/**
 * `patchctl policy history <name>`: the execution history of a patch policy's associations
 * (DescribeAssociationExecutions, paginated up to --limit), or with --execution the per-node results
 * of one execution (DescribeAssociationExecutionTargets, paginated).
 */
import { paginateDescribeAssociationExecutions, type SSMClient } from "@aws-sdk/client-ssm";
import { findPolicyAssociations, type PolicyAssociation } from "../associations";
import type { PatchOperation } from "../runCommand";
import { executionTargets, type ExecutionTarget } from "./policyRun";

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
            return (await findPolicyAssociations(ssm, policy)).filter((a) => operations.includes(a.operation));
        },

        /** The newest `limit` executions of each association, newest first. */
        async executions(associations: PolicyAssociation[], limit: number): Promise<ExecutionSummary[]> {
            const rows: ExecutionSummary[] = [];
            for (const association of associations) {
                let taken = 0;
                const pages = paginateDescribeAssociationExecutions(
                    { client: ssm, pageSize: Math.min(limit, 50) },
                    { AssociationId: association.associationId },
                );
                for await (const page of pages) {
                    for (const execution of page.AssociationExecutions ?? []) {
                        if (taken >= limit) {
                            break;
                        }
                        taken++;
                        rows.push({
                            association,
                            executionId: execution.ExecutionId ?? "",
                            status: execution.Status ?? "",
                            detailedStatus: execution.DetailedStatus,
                            createdTime: execution.CreatedTime,
                            lastExecutionDate: execution.LastExecutionDate,
                            resourceCountByStatus: execution.ResourceCountByStatus,
                        });
                    }
                    if (taken >= limit) {
                        break;
                    }
                }
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

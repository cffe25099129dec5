/**
 * A patch policy's State Manager associations and their executions, shared by `policy run` and
 * `policy history`.
 *
 * Finding the associations by policy name (the name prefixes are lib/aws's):
 * - This project's policies: `PatchPolicy-ScanForPatches-<policy>` and `PatchPolicy-InstallPatches-<policy>`.
 * - AWS Quick Setup patch policies: `AWS-QuickSetup-PatchPolicy-ScanForPatches-<id>` and
 *   `AWS-QuickSetup-PatchPolicy-InstallPatches-<id>`, where <id> is the Quick Setup configuration id,
 *   prefixed `LA-` for a local-account deployment (e.g. `LA-k8dyx`). The SSM API does not carry the
 *   Quick Setup policy name on these associations (it lives in the Quick Setup API), so they are
 *   matched by configuration id: `k8dyx` or `LA-k8dyx`.
 *
 * One paginated ListAssociations call chain per account and Region, filtered to the
 * AWS-RunPatchBaseline document that both kinds use.
 */
import type { Association, SSMClient } from "@aws-sdk/client-ssm";
import { PATCH_DOCUMENT, POLICY_ASSOCIATION_PREFIXES } from "../../lib/aws/patchDocument";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { ssmSdk } from "../aws/sdk";
import type { PatchOperation } from "./runCommand";

export type PolicyKind = (typeof POLICY_ASSOCIATION_PREFIXES)[number]["kind"];

export interface PolicyAssociation {
    associationId: string;
    associationName: string;
    kind: PolicyKind;
    operation: PatchOperation;
    scheduleExpression?: string;
    lastExecutionDate?: Date;
    status?: string;
}

/** One node's result in an association execution. */
export interface ExecutionTarget {
    resourceId: string;
    resourceType?: string;
    status: string;
    detailedStatus?: string;
    lastExecutionDate?: Date;
    /** The Run Command command id of this node's run, when the output source is Run Command. */
    commandId?: string;
}

/** Whether an association name belongs to `policy` (see the module comment), and as which operation. */
export function matchPolicyAssociation(policy: string, associationName: string): { kind: PolicyKind; operation: PatchOperation } | undefined {
    for (const { prefix, kind, operation } of POLICY_ASSOCIATION_PREFIXES) {
        if (!associationName.startsWith(prefix)) {
            continue;
        }
        const suffix = associationName.slice(prefix.length);
        const matches = kind === "project" ? suffix === policy : suffix === policy || suffix.endsWith(`-${policy}`);
        return matches ? { kind, operation } : undefined;
    }
    return undefined;
}

/** The association names `policy` would match, for "not found" messages. */
export function expectedNames(policy: string, operations: readonly PatchOperation[]): string {
    const names = POLICY_ASSOCIATION_PREFIXES.filter((p) => operations.includes(p.operation)).map((p) =>
        p.kind === "project" ? `${p.prefix}${policy}` : `${p.prefix}[LA-]${policy}`,
    );
    return names.join(", ");
}

/** The policy's associations in one account and Region, scan before install. */
export async function findPolicyAssociations(ssm: SSMClient, policy: string): Promise<PolicyAssociation[]> {
    const { paginateListAssociations } = await ssmSdk();
    const pages = paginateListAssociations(
        { client: ssm, pageSize: PAGE_SIZE.ListAssociations },
        { AssociationFilterList: [{ key: "Name", value: PATCH_DOCUMENT }] },
    );
    const found: PolicyAssociation[] = [];
    for (const association of await collectPages(pages, (page) => page.Associations, { operation: "ListAssociations", keyOf: (a) => a.AssociationId })) {
        const match = association.AssociationName ? matchPolicyAssociation(policy, association.AssociationName) : undefined;
        if (match && association.AssociationId) {
            found.push(toPolicyAssociation(association, match.kind, match.operation));
        }
    }
    return found.sort((a, b) => (a.operation === b.operation ? a.associationName.localeCompare(b.associationName) : a.operation === "Scan" ? -1 : 1));
}

/** The policy's associations for the chosen operations. */
export async function findPolicy(ssm: SSMClient, policy: string, operations: readonly PatchOperation[]): Promise<PolicyAssociation[]> {
    return (await findPolicyAssociations(ssm, policy)).filter((a) => operations.includes(a.operation));
}

/** The per-node results of one execution of an association (DescribeAssociationExecutionTargets, paginated), by node id. */
export async function executionTargets(ssm: SSMClient, associationId: string, executionId: string): Promise<ExecutionTarget[]> {
    const { paginateDescribeAssociationExecutionTargets } = await ssmSdk();
    const pages = paginateDescribeAssociationExecutionTargets(
        { client: ssm, pageSize: PAGE_SIZE.DescribeAssociationExecutionTargets },
        { AssociationId: associationId, ExecutionId: executionId },
    );
    const targets = await collectPages(pages, (page) =>
        (page.AssociationExecutionTargets ?? []).map((target) => ({
            resourceId: target.ResourceId ?? "",
            resourceType: target.ResourceType,
            status: target.Status ?? "",
            detailedStatus: target.DetailedStatus,
            lastExecutionDate: target.LastExecutionDate,
            commandId: target.OutputSource?.OutputSourceType === "RunCommand" ? target.OutputSource.OutputSourceId : undefined,
        })),
        { operation: "DescribeAssociationExecutionTargets", keyOf: (t) => t.resourceId },
    );
    return targets.sort((a, b) => a.resourceId.localeCompare(b.resourceId));
}

function toPolicyAssociation(association: Association, kind: PolicyKind, operation: PatchOperation): PolicyAssociation {
    return {
        associationId: association.AssociationId as string,
        associationName: association.AssociationName as string,
        kind,
        operation,
        scheduleExpression: association.ScheduleExpression,
        lastExecutionDate: association.LastExecutionDate,
        status: association.Overview?.Status,
    };
}

/**
 * Finding a patch policy's State Manager associations by policy name.
 *
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
import { paginateListAssociations, type Association, type SSMClient } from "@aws-sdk/client-ssm";
import { PATCH_DOCUMENT, type PatchOperation } from "./runCommand";

export const LIST_ASSOCIATIONS_PAGE_SIZE = 50;

export type PolicyKind = "project" | "quick-setup";

export interface PolicyAssociation {
    associationId: string;
    associationName: string;
    kind: PolicyKind;
    operation: PatchOperation;
    scheduleExpression?: string;
    lastExecutionDate?: Date;
    status?: string;
}

const PREFIXES: Array<{ prefix: string; kind: PolicyKind; operation: PatchOperation }> = [
    { prefix: "PatchPolicy-ScanForPatches-", kind: "project", operation: "Scan" },
    { prefix: "PatchPolicy-InstallPatches-", kind: "project", operation: "Install" },
    { prefix: "AWS-QuickSetup-PatchPolicy-ScanForPatches-", kind: "quick-setup", operation: "Scan" },
    { prefix: "AWS-QuickSetup-PatchPolicy-InstallPatches-", kind: "quick-setup", operation: "Install" },
];

/** Whether an association name belongs to `policy` (see the module comment), and as which operation. */
export function matchPolicyAssociation(policy: string, associationName: string): { kind: PolicyKind; operation: PatchOperation } | undefined {
    for (const { prefix, kind, operation } of PREFIXES) {
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
    const names = PREFIXES.filter((p) => operations.includes(p.operation)).map((p) =>
        p.kind === "project" ? `${p.prefix}${policy}` : `${p.prefix}[LA-]${policy}`,
    );
    return names.join(", ");
}

/** The policy's associations in one account and Region, scan before install. */
export async function findPolicyAssociations(ssm: SSMClient, policy: string): Promise<PolicyAssociation[]> {
    const found: PolicyAssociation[] = [];
    const pages = paginateListAssociations(
        { client: ssm, pageSize: LIST_ASSOCIATIONS_PAGE_SIZE },
        { AssociationFilterList: [{ key: "Name", value: PATCH_DOCUMENT }] },
    );
    for await (const page of pages) {
        for (const association of page.Associations ?? []) {
            const match = association.AssociationName ? matchPolicyAssociation(policy, association.AssociationName) : undefined;
            if (match && association.AssociationId) {
                found.push(toPolicyAssociation(association, match.kind, match.operation));
            }
        }
    }
    return found.sort((a, b) => (a.operation === b.operation ? a.associationName.localeCompare(b.associationName) : a.operation === "Scan" ? -1 : 1));
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

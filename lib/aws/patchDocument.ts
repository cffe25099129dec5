/**
 * The patching document and the names of patch-policy associations.
 * - AWS-RunPatchBaseline scans or installs per the node's baseline
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-aws-runpatchbaseline.html).
 * - This project's PatchPolicy names its associations `PatchPolicy-ScanForPatches-<policy>` and
 *   `PatchPolicy-InstallPatches-<policy>`; an AWS Quick Setup patch policy names them
 *   `AWS-QuickSetup-PatchPolicy-ScanForPatches-<id>` and `...-InstallPatches-<id>` (its
 *   configuration id, sometimes with `LA-`: ../shared/REFERENCE.md).
 */

export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";

export type PatchPolicyOperation = "Scan" | "Install";

/** The association name prefixes of both kinds of patch policy, per operation. */
export const POLICY_ASSOCIATION_PREFIXES = [
    { prefix: "PatchPolicy-ScanForPatches-", kind: "project", operation: "Scan" },
    { prefix: "PatchPolicy-InstallPatches-", kind: "project", operation: "Install" },
    { prefix: "AWS-QuickSetup-PatchPolicy-ScanForPatches-", kind: "quick-setup", operation: "Scan" },
    { prefix: "AWS-QuickSetup-PatchPolicy-InstallPatches-", kind: "quick-setup", operation: "Install" },
] as const;

/** The names of this project's policy associations, predictable from the policy name. */
export function associationNames(policyName: string): { scan: string; install: string } {
    return {
        scan: `PatchPolicy-ScanForPatches-${policyName}`,
        install: `PatchPolicy-InstallPatches-${policyName}`,
    };
}

/** A policy name: 1-64 characters of letters, digits, `_`, `-`, `.` (association names derive from it). */
export const POLICY_NAME = /^[a-zA-Z0-9_\-.]{1,64}$/;

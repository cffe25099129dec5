import { ACCOUNT_ID, regionProblem } from "../lib/aws";
import { check, show } from "./errors";
import { ResolvedPatchPolicy } from "./patchPolicy";

/** Where AWS Quick Setup rolls a patch policy out to (through CloudFormation StackSets). */
export interface QuickSetupTargetsArgs {
    /** Organizational units (ou-...) or the root (r-...) to deploy to. Give these or targetAccounts. */
    targetOrganizationalUnits?: string[];
    /** Accounts to deploy to. Give these or targetOrganizationalUnits. */
    targetAccounts?: string[];
    /** Regions to deploy to. Required. */
    targetRegions: string[];
}

/** A baseline as Quick Setup's SelectedPatchBaselines lists it. */
export interface SelectedBaseline {
    operatingSystem: string;
    baselineId: string;
    name: string;
    description: string;
}

const OU = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;

/** Validates what Quick Setup would refuse: the deployment targets (at `path`) and the policy's node targets (at `targetsPath`). */
export function validateQuickSetup(policy: ResolvedPatchPolicy, targets: QuickSetupTargetsArgs, path: string, targetsPath = "targets"): void {
    validateQuickSetupDeployment(targets, path);
    validateQuickSetupNodeTargets(policy, targetsPath);
}

/** Checks the organizational units, accounts and Regions of a Quick Setup deployment. */
export function validateQuickSetupDeployment(targets: QuickSetupTargetsArgs, path: string): void {
    const at = (k: string) => (path ? `${path}.${k}` : k);
    const ous = targets.targetOrganizationalUnits ?? [];
    const accounts = targets.targetAccounts ?? [];
    check((ous.length > 0) !== (accounts.length > 0), at("targetOrganizationalUnits"), "give targetOrganizationalUnits or targetAccounts (one of them)");
    ous.forEach((ou, i) => check(typeof ou === "string" && OU.test(ou), at(`targetOrganizationalUnits[${i}]`), `must be an OU id like ou-ab12-cdef3456 or a root id like r-ab12; got ${show(ou)}`));
    accounts.forEach((a, i) => check(typeof a === "string" && ACCOUNT_ID.test(a), at(`targetAccounts[${i}]`), `must be a 12-digit account id in quotes; got ${show(a)}`));
    check(new Set(accounts).size === accounts.length && new Set(ous).size === ous.length, at(ous.length ? "targetOrganizationalUnits" : "targetAccounts"), "lists a target twice");
    check(Array.isArray(targets.targetRegions) && targets.targetRegions.length > 0, at("targetRegions"), "must list at least one Region");
    targets.targetRegions.forEach((r, i) => {
        const problem = regionProblem(r);
        check(problem === undefined, at(`targetRegions[${i}]`), problem ?? "");
    });
    check(new Set(targets.targetRegions).size === targets.targetRegions.length, at("targetRegions"), "lists a Region twice");
}

/** Quick Setup targets one tag, all nodes, or (outside an organization) instance ids. */
export function validateQuickSetupNodeTargets(policy: ResolvedPatchPolicy, targetsPath: string): void {
    const t = policy.targets;
    const tagTargets = t.filter((x) => x.key.startsWith("tag:"));
    check(tagTargets.length <= 1, `${targetsPath}.tags`, "Quick Setup patch policies target at most one tag key and value");
    check(!(t.length === 1 && t[0].key === "InstanceIds" && t[0].values[0] !== "*"), `${targetsPath}.instanceIds`, "an organization-wide Quick Setup policy cannot target instance ids; use a tag or all managed nodes");
}

/**
 * The parameters Quick Setup's AWSQuickSetupType-PatchPolicy takes (all strings), for a policy
 * resolved by resolvePatchPolicyArgs and the custom baselines of the home Region.
 */
export function quickSetupParameters(
    policy: ResolvedPatchPolicy,
    baselines: SelectedBaseline[],
    targets: QuickSetupTargetsArgs,
    homeRegion: string,
    attachPolicies: boolean,
    outputS3?: { bucketName: string; keyPrefix?: string },
): Record<string, string> {
    const selected: Record<string, { value: string; label: string; description: string; disabled: boolean }> = {};
    for (const b of baselines) {
        selected[b.operatingSystem] = { value: b.baselineId, label: b.name, description: b.description, disabled: false };
    }
    const target = policy.targets[0];
    const params: Record<string, string> = {
        PatchPolicyName: policy.policyName,
        ConfigurationOptionsPatchOperation: policy.operation,
        ConfigurationOptionsScanValue: policy.scanSchedule,
        ConfigurationOptionsScanNextInterval: String(policy.scanAtFirstCronInterval),
        PatchBaselineRegion: homeRegion,
        PatchBaselineUseDefault: baselines.length > 0 ? "custom" : "default",
        SelectedPatchBaselines: JSON.stringify(selected),
        RateControlConcurrency: policy.rate.maxConcurrency,
        RateControlErrorThreshold: policy.rate.maxErrors,
        RebootOption: policy.rebootOption,
        IsPolicyAttachAllowed: String(attachPolicies),
        OutputLogEnableS3: String(outputS3 !== undefined),
        TargetRegions: targets.targetRegions.join(","),
        TargetType: target.key.startsWith("tag:") ? "Tags" : "*",
    };
    if (policy.operation === "ScanAndInstall") {
        params.ConfigurationOptionsInstallValue = policy.installSchedule;
        params.ConfigurationOptionsInstallNextInterval = String(policy.installAtFirstCronInterval);
    }
    if (target.key.startsWith("tag:")) {
        params.TargetTagKey = target.key.slice("tag:".length);
        params.TargetTagValue = target.values[0];
    }
    if (targets.targetOrganizationalUnits?.length) params.TargetOrganizationalUnits = targets.targetOrganizationalUnits.join(",");
    if (targets.targetAccounts?.length) params.TargetAccounts = targets.targetAccounts.join(",");
    if (outputS3) {
        params.OutputBucketRegion = homeRegion;
        params.OutputS3BucketName = outputS3.bucketName;
        if (outputS3.keyPrefix) params.OutputS3KeyPrefix = outputS3.keyPrefix;
    }
    return params;
}

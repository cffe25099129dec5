import * as pulumi from "@pulumi/pulumi";
import { DeploymentTarget, deploymentTargets, validateRegion } from "./accounts";
import {
    ApprovalRuleArgs, check, ComplianceLevel, MaintenanceWindowArgs, OperatingSystem, PatchBaselineArgs, PatchFilter,
    PatchPolicyArgs, QuickSetupTargetsArgs, resolveMaintenanceWindowArgs, resolvePatchBaselineArgs, resolvePatchPolicyArgs, show, TargetArgs,
    validatePatchGroupName, validateQuickSetupDeployment, validateQuickSetupNodeTargets, ValidationError, within,
} from "../components";

/** The stack config namespace: the project name in Pulumi.yaml. */
export const NAMESPACE = "ssm-patching";

/** One custom baseline of the stack, and the patch groups registered to it. */
export interface BaselineConfig extends PatchBaselineArgs {
    /** Patch groups that use this baseline (instances tagged `Patch Group=<name>`). Defaults to none. */
    patchGroups?: string[];
}

/** The patch policy of the stack, in config form. */
export interface PatchPolicyConfig {
    /** Set to false to deploy no patch policy. Defaults to true. */
    enabled?: boolean;
    name?: string;
    operation?: "Scan" | "ScanAndInstall";
    scanSchedule?: string;
    installSchedule?: string;
    scanAtFirstCronInterval?: boolean;
    installAtFirstCronInterval?: boolean;
    targets?: TargetArgs;
    maxConcurrency?: string;
    maxErrors?: string;
    rebootOption?: "RebootIfNeeded" | "NoReboot";
    outputS3BucketName?: string;
    /** Existing instance roles to grant AmazonSSMManagedInstanceCore and read access to the override object. */
    instanceRoleNames?: string[];
}

/** The maintenance window of the stack, in config form (no window unless set). */
export type MaintenanceWindowConfig = Omit<MaintenanceWindowArgs, "targets" | "serviceRoleArn" | "outputS3BucketName" | "notifications"> & {
    targets?: TargetArgs;
    outputS3BucketName?: string;
    notifications?: { topicArn: string; events?: string[]; type?: "Command" | "Invocation" };
};

/** An optional fleet of Amazon Linux 2 instances to try the loop on. */
export interface DemoFleetConfig {
    /** Instances to launch, 0-10. Defaults to 0 (no fleet). */
    instanceCount?: number;
    /** Instance type. Defaults to t3.micro. */
    instanceType?: string;
}

/** Organization mode: a native Quick Setup patch policy AWS rolls out through StackSets. */
export interface OrganizationConfig extends QuickSetupTargetsArgs {
    /** Let Quick Setup add the required IAM policies to instance profiles. Defaults to true. */
    attachPoliciesToInstanceProfiles?: boolean;
    /** StackSets administration role ARN, for a deployment outside an organization. */
    localDeploymentAdministrationRoleArn?: string;
    /** StackSets execution role name, for a deployment outside an organization. */
    localDeploymentExecutionRoleName?: string;
}

/** The whole, validated stack config. */
export interface StackConfig {
    /** Where the environment's set is deployed: one entry per account and Region. */
    targets: DeploymentTarget[];
    /** Set in organization mode. */
    organization?: OrganizationConfig;
    environment: string;
    baselines: BaselineConfig[];
    patchPolicy?: PatchPolicyConfig & { resolved: ReturnType<typeof resolvePatchPolicyArgs> };
    maintenanceWindow?: MaintenanceWindowConfig & { targets: TargetArgs };
    demoFleet: Required<DemoFleetConfig>;
    tags: Record<string, string>;
}

const TOP_KEYS = ["environment", "baselines", "patchPolicy", "maintenanceWindow", "demoFleet", "tags", "accounts", "regions", "organization"];
const ORG_KEYS = [
    "targetOrganizationalUnits", "targetAccounts", "targetRegions", "attachPoliciesToInstanceProfiles",
    "localDeploymentAdministrationRoleArn", "localDeploymentExecutionRoleName",
];
const BASELINE_KEYS = [
    "name", "description", "operatingSystem", "approvalRules", "approvedPatches", "approvedPatchesComplianceLevel",
    "approvedPatchesEnableNonSecurity", "rejectedPatches", "rejectedPatchesAction", "globalFilters", "sources",
    "registerAsDefault", "tags", "patchGroups",
];
const RULE_KEYS = ["products", "classifications", "severities", "priorities", "productFamilies", "approveAfterDays", "approveUntilDate", "complianceLevel", "enableNonSecurity"];
const POLICY_KEYS = [
    "enabled", "name", "operation", "scanSchedule", "installSchedule", "scanAtFirstCronInterval", "installAtFirstCronInterval",
    "targets", "maxConcurrency", "maxErrors", "rebootOption", "outputS3BucketName", "instanceRoleNames",
];
const WINDOW_KEYS = [
    "windowName", "schedule", "scheduleTimezone", "scheduleOffset", "duration", "cutoff", "targets", "operations", "scan", "install",
    "cloudWatchLogGroupName", "outputS3BucketName", "outputS3KeyPrefix", "notifications", "tags",
];
const TASK_KEYS = ["rebootOption", "maxConcurrency", "maxErrors", "priority", "timeoutSeconds"];
const TARGET_KEYS = ["tags", "instanceIds", "allManagedNodes"];
const FLEET_KEYS = ["instanceCount", "instanceType"];

/** Refuses keys a config object does not know, so that a typo is not silently ignored. */
export function onlyKeys(value: unknown, allowed: string[], path: string): Record<string, unknown> {
    check(typeof value === "object" && value !== null && !Array.isArray(value), path, `must be an object with keys among ${allowed.join(", ")}`);
    for (const key of Object.keys(value)) {
        check(allowed.includes(key), `${path}.${key}`, `is not a known key; allowed here: ${allowed.join(", ")}`);
    }
    return value as Record<string, unknown>;
}

function optionalTargets(value: unknown, path: string): void {
    if (value !== undefined) onlyKeys(value, TARGET_KEYS, path);
}

function stringMap(value: unknown, path: string): Record<string, string> {
    check(typeof value === "object" && value !== null && !Array.isArray(value), path, "must map keys to string values");
    for (const [k, v] of Object.entries(value)) {
        check(typeof v === "string", `${path}.${k}`, `must be a string; got ${show(v)}`);
    }
    return value as Record<string, string>;
}

/**
 * Validates a stack's config (the `ssm-patching:*` keys as plain values) and fills in the
 * defaults. Throws a ValidationError whose path is the config key, e.g.
 * `ssm-patching:patchPolicy.maxErrors`. Pure: the plan and the tests call it directly.
 */
export function parseStackConfig(raw: Record<string, unknown>, awsRegion = "us-east-1"): StackConfig {
    const ns = (key: string) => `${NAMESPACE}:${key}`;
    validateRegion(awsRegion, "aws:region");
    for (const key of Object.keys(raw)) {
        check(TOP_KEYS.includes(key), ns(key), `is not a known config key; known keys: ${TOP_KEYS.map(ns).join(", ")}`);
    }
    const environment = raw.environment;
    check(
        typeof environment === "string" && /^[\p{L}\p{N} _.:/=+\-@]{1,256}$/u.test(environment),
        ns("environment"),
        `is required: the Environment tag value of the fleet, e.g. Development (set it with: pulumi config set environment Development); got ${show(environment)}`,
    );
    const tags = raw.tags === undefined ? {} : stringMap(raw.tags, ns("tags"));

    const baselinesRaw = raw.baselines ?? [{}];
    check(Array.isArray(baselinesRaw) && baselinesRaw.length > 0, ns("baselines"), "must be a list of at least one baseline (an empty object {} is the reference baseline)");
    const systems = new Set<string>();
    const groups = new Set<string>();
    const baselines = baselinesRaw.map((b: unknown, i: number) => within(`${ns("baselines")}[${i}]`, () => {
        const o = onlyKeys(b, BASELINE_KEYS, "").valueOf() as BaselineConfig;
        (o.approvalRules ?? []).forEach((r: ApprovalRuleArgs, j: number) => onlyKeys(r, RULE_KEYS, `approvalRules[${j}]`));
        const resolved = resolvePatchBaselineArgs(o);
        check(!systems.has(resolved.operatingSystem), "operatingSystem", `a second baseline for ${resolved.operatingSystem}: one baseline per operating system`);
        systems.add(resolved.operatingSystem);
        (o.patchGroups ?? []).forEach((g, j) => {
            validatePatchGroupName(g, `patchGroups[${j}]`);
            check(!groups.has(g), `patchGroups[${j}]`, `patch group ${show(g)} is already registered to another baseline`);
            groups.add(g);
        });
        return o;
    }));

    let patchPolicy: StackConfig["patchPolicy"];
    const policyRaw = raw.patchPolicy ?? {};
    const policy = within(ns("patchPolicy"), () => onlyKeys(policyRaw, POLICY_KEYS, "").valueOf() as PatchPolicyConfig);
    if (policy.enabled !== false) {
        patchPolicy = within(ns("patchPolicy"), () => {
            optionalTargets(policy.targets, "targets");
            check(policy.instanceRoleNames === undefined || (Array.isArray(policy.instanceRoleNames) && policy.instanceRoleNames.every((r) => typeof r === "string" && /^[\w+=,.@-]{1,64}$/.test(r))), "instanceRoleNames", "must be a list of IAM role names (1-64 characters of letters, digits and +=,.@_-)");
            const args: Omit<PatchPolicyArgs, "baselines" | "outputS3" | "instanceRoleNames"> = {
                ...policy,
                policyName: policy.name,
                targets: policy.targets ?? { tags: { Environment: environment } },
            };
            delete (args as Record<string, unknown>).name;
            delete (args as Record<string, unknown>).enabled;
            delete (args as Record<string, unknown>).outputS3BucketName;
            delete (args as Record<string, unknown>).instanceRoleNames;
            try {
                return { ...policy, resolved: resolvePatchPolicyArgs(args) };
            } catch (err) {
                // The component calls it policyName; the config key is name.
                if (err instanceof ValidationError && err.path === "policyName") throw new ValidationError("name", err.reason);
                throw err;
            }
        });
    }

    let maintenanceWindow: StackConfig["maintenanceWindow"];
    if (raw.maintenanceWindow !== undefined) {
        maintenanceWindow = within(ns("maintenanceWindow"), () => {
            const w = onlyKeys(raw.maintenanceWindow, WINDOW_KEYS, "").valueOf() as MaintenanceWindowConfig;
            optionalTargets(w.targets, "targets");
            if (w.scan !== undefined) onlyKeys(w.scan, TASK_KEYS, "scan");
            if (w.install !== undefined) onlyKeys(w.install, TASK_KEYS, "install");
            if (w.notifications !== undefined) {
                onlyKeys(w.notifications, ["topicArn", "events", "type"], "notifications");
                check(typeof w.notifications.topicArn === "string" && /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(w.notifications.topicArn), "notifications.topicArn", `must be an SNS topic ARN; got ${show(w.notifications.topicArn)}`);
            }
            const withTargets = { ...w, targets: w.targets ?? { tags: { Environment: environment } } };
            resolveMaintenanceWindowArgs(`${environment}-patching`.replace(/[^a-zA-Z0-9_\-.]/g, "-"), withTargets);
            return withTargets;
        });
    }

    const fleet = within(ns("demoFleet"), () => onlyKeys(raw.demoFleet ?? {}, FLEET_KEYS, "").valueOf() as DemoFleetConfig);
    const instanceCount = fleet.instanceCount ?? 0;
    check(Number.isInteger(instanceCount) && instanceCount >= 0 && instanceCount <= 10, ns("demoFleet.instanceCount"), `must be a whole number from 0 to 10; got ${show(fleet.instanceCount)}`);
    const instanceType = fleet.instanceType ?? "t3.micro";
    check(typeof instanceType === "string" && /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType), ns("demoFleet.instanceType"), `must be an EC2 instance type such as t3.micro; got ${show(fleet.instanceType)}`);

    const targets = deploymentTargets(raw.accounts, raw.regions, awsRegion, ns);

    let organization: OrganizationConfig | undefined;
    if (raw.organization !== undefined) {
        organization = within(ns("organization"), () => onlyKeys(raw.organization, ORG_KEYS, "").valueOf() as OrganizationConfig);
        check(raw.accounts === undefined && raw.regions === undefined, ns("organization"), `cannot be combined with ${ns("accounts")} or ${ns("regions")}: in organization mode Quick Setup deploys to organization.targetRegions`);
        check(patchPolicy !== undefined, ns("organization"), `needs a patch policy; ${ns("patchPolicy.enabled")} is false`);
        check(patchPolicy.instanceRoleNames === undefined, ns("patchPolicy.instanceRoleNames"), "is not used in organization mode: Quick Setup adds the policies to instance profiles itself (organization.attachPoliciesToInstanceProfiles)");
        const org = organization;
        const resolved = patchPolicy.resolved;
        within(ns("organization"), () => {
            if (org.attachPoliciesToInstanceProfiles !== undefined) check(typeof org.attachPoliciesToInstanceProfiles === "boolean", "attachPoliciesToInstanceProfiles", "must be true or false");
            validateQuickSetupDeployment(org, "");
        });
        validateQuickSetupNodeTargets(resolved, `${ns("patchPolicy")}.targets`);
    }

    return { environment, baselines, patchPolicy, maintenanceWindow, demoFleet: { instanceCount, instanceType }, tags, targets, organization };
}

/** Reads the `ssm-patching:*` keys of the running stack as plain values (structured ones arrive as JSON). */
export function readStackConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    return parseStackConfig(rawStackConfig(all), all["aws:region"]);
}

/** The `ssm-patching:*` keys of a config map as the engine passes it (all strings), as plain values. */
export function rawStackConfig(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const name = key.slice(NAMESPACE.length + 1);
        raw[name] = parseConfigValue(value);
    }
    return raw;
}

/** Pulumi hands the program every config value as a string; structured and typed ones are JSON. */
function parseConfigValue(value: string): unknown {
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[") || t === "true" || t === "false" || /^-?\d+(\.\d+)?$/.test(t)) {
        try {
            return JSON.parse(t);
        } catch {
            return value;
        }
    }
    return value;
}

export type { ComplianceLevel, OperatingSystem, PatchFilter };
export { ValidationError };

/**
 * The stack config: one schema for every `ssm-patching:*` key, parsed once into the finished
 * arguments of each component. zod checks the shape (known keys, types); each component's resolver
 * checks the values against Systems Manager's rules and fills in its defaults; the program passes
 * the result to the components as it is, and the offline plan uses the same result.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AccountRegion, accountRegions, AccountsSchema, RegionsSchema } from "../lib/accounts";
import { regionProblem, ROLE_NAME } from "../lib/aws";
import { bool, list, parseOrThrow, str, strictObject, stringMap } from "../lib/schema";
import {
    ApprovalRuleArgs, check, MaintenanceWindowArgs, PatchBaselineArgs, PatchFilter, PatchPolicySettings, QuickSetupTargetsArgs,
    resolveMaintenanceWindowArgs, ResolvedMaintenanceWindowArgs, ResolvedPatchBaselineArgs, ResolvedPatchPolicy, resolvePatchBaselineArgs,
    resolvePatchPolicyArgs, show, TargetArgs, validatePatchGroupName, validateQuickSetupDeployment, validateQuickSetupNodeTargets,
    ValidationError, within,
} from "../components";

/** The stack config namespace: the project name in Pulumi.yaml. */
export const NAMESPACE = "ssm-patching";
/** The instance tag that holds the environment, on every resource the stack creates. */
export const ENVIRONMENT_TAG = "Environment";

const ns = (key: string) => `${NAMESPACE}:${key}`;
const ROLE_NAMES = "a list of IAM role names (1-64 characters of letters, digits and +=,.@_-), not ARNs";
const strings = (what: string) => list(str("a string"), what);
const count = (what: string) => z.number({ error: (i) => `must be ${what}; got ${show(i.input)}` });

// ---- The shape of each section. The components' resolvers check the values. ----

const TagsSchema = stringMap("a map of tag keys to string values").superRefine((tags, ctx) => {
    for (const key of Object.keys(tags)) {
        if (key.toLowerCase() === ENVIRONMENT_TAG.toLowerCase()) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: `cannot set the ${ENVIRONMENT_TAG} tag: ${ns("environment")} sets it on every resource, and the patch policy targets instances by it; change ${ns("environment")} instead`,
            });
        }
    }
});

const TargetsSchema = strictObject({
    tags: stringMap("a map of tag keys to values, e.g. { Environment: Development }").optional(),
    instanceIds: strings("a list of instance ids").optional(),
    allManagedNodes: bool().optional(),
}, "targets");

const ApprovalRuleSchema = strictObject({
    products: strings("a list of products").optional(),
    classifications: strings("a list of classifications").optional(),
    severities: strings("a list of severities").optional(),
    priorities: strings("a list of priorities").optional(),
    productFamilies: strings("a list of product families").optional(),
    approveAfterDays: count("a whole number of days from 0 to 360").optional(),
    approveUntilDate: str("a date YYYY-MM-DD").optional(),
    complianceLevel: str("a compliance level").optional(),
    enableNonSecurity: bool().optional(),
}, "an approval rule");

const BaselineSchema = strictObject({
    name: str("a baseline name").optional(),
    description: str("a description").optional(),
    operatingSystem: str("an operating system such as AMAZON_LINUX_2").optional(),
    approvalRules: list(ApprovalRuleSchema, "a list of approval rules").optional(),
    approvedPatches: strings("a list of patch names").optional(),
    approvedPatchesComplianceLevel: str("a compliance level").optional(),
    approvedPatchesEnableNonSecurity: bool().optional(),
    rejectedPatches: strings("a list of patch names").optional(),
    rejectedPatchesAction: str("ALLOW_AS_DEPENDENCY or BLOCK").optional(),
    globalFilters: list(strictObject({ key: str("a filter key"), values: strings("a list of values") }, "a filter"), "a list of filters").optional(),
    sources: list(strictObject({ name: str("a source name"), products: strings("a list of products"), configuration: str("a repository configuration") }, "a source"), "a list of sources").optional(),
    registerAsDefault: bool().optional(),
    tags: TagsSchema.optional(),
    /** Patch groups that use this baseline (instances tagged `Patch Group=<name>`). Defaults to none. */
    patchGroups: strings("a list of patch group names").optional(),
}, "a baseline");

const PolicySchema = strictObject({
    /** Set to false to deploy no patch policy. Defaults to true. */
    enabled: bool().optional(),
    name: str("a policy name").optional(),
    operation: str("Scan or ScanAndInstall").optional(),
    scanSchedule: str("a cron or rate expression").optional(),
    installSchedule: str("a cron or rate expression").optional(),
    scanAtFirstCronInterval: bool().optional(),
    installAtFirstCronInterval: bool().optional(),
    targets: TargetsSchema.optional(),
    maxConcurrency: str("a count or a percentage such as \"50%\"").optional(),
    maxErrors: str("a count or a percentage such as \"50%\"").optional(),
    rebootOption: str("RebootIfNeeded or NoReboot").optional(),
    outputS3BucketName: str("an S3 bucket name").optional(),
    /** Existing instance roles to grant AmazonSSMManagedInstanceCore and read access to the override object. */
    instanceRoleNames: list(z.string(), ROLE_NAMES).refine((names) => names.every((n) => ROLE_NAME.test(n)), { error: `must be ${ROLE_NAMES}` }).optional(),
}, "the patch policy");

const TaskSchema = strictObject({
    rebootOption: str("RebootIfNeeded or NoReboot").optional(),
    maxConcurrency: str("a count or a percentage such as \"10%\"").optional(),
    maxErrors: str("a count or a percentage such as \"0\"").optional(),
    priority: count("a whole number from 0").optional(),
    timeoutSeconds: count("a number of seconds").optional(),
}, "a window task");

const SNS_TOPIC_ARN = /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/;

const WindowSchema = strictObject({
    windowName: str("a window name").optional(),
    schedule: str("a cron, rate or at expression such as cron(0 2 ? * SUN *)"),
    scheduleTimezone: str("an IANA time zone").optional(),
    scheduleOffset: count("a whole number of days from 1 to 6").optional(),
    duration: count("a whole number of hours from 1 to 24").optional(),
    cutoff: count("a whole number of hours from 0 to 23").optional(),
    targets: TargetsSchema.optional(),
    operations: strings("a list of Scan and/or Install").optional(),
    scan: TaskSchema.optional(),
    install: TaskSchema.optional(),
    cloudWatchLogGroupName: str("a log group name").optional(),
    outputS3BucketName: str("an S3 bucket name").optional(),
    outputS3KeyPrefix: str("a key prefix").optional(),
    notifications: strictObject({
        topicArn: str("an SNS topic ARN").regex(SNS_TOPIC_ARN, { error: (i) => `must be an SNS topic ARN; got ${show(i.input)}` }),
        events: strings("a list of events").optional(),
        type: str("Command or Invocation").optional(),
    }, "notifications").optional(),
    tags: TagsSchema.optional(),
}, "a maintenance window");

const FleetSchema = strictObject({
    instanceCount: count("a whole number from 0 to 10").int({ error: (i) => `must be a whole number from 0 to 10; got ${show(i.input)}` })
        .min(0, { error: (i) => `must be a whole number from 0 to 10; got ${show(i.input)}` })
        .max(10, { error: (i) => `must be a whole number from 0 to 10; got ${show(i.input)}` })
        .default(0),
    instanceType: str("an EC2 instance type such as t3.micro")
        .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: (i) => `must be an EC2 instance type such as t3.micro; got ${show(i.input)}` })
        .default("t3.micro"),
}, "the demo fleet");

const OrganizationSchema = strictObject({
    targetOrganizationalUnits: strings("a list of OU ids").optional(),
    targetAccounts: strings("a list of account ids").optional(),
    targetRegions: strings("a list of Regions"),
    /** Let Quick Setup add the required IAM policies to instance profiles. Defaults to true. */
    attachPoliciesToInstanceProfiles: bool().optional(),
    /** StackSets administration role ARN, for a deployment outside an organization. */
    localDeploymentAdministrationRoleArn: str("a role ARN").optional(),
    /** StackSets execution role name, for a deployment outside an organization. */
    localDeploymentExecutionRoleName: str("a role name").optional(),
}, "the organization");

const TOP_KEYS = ["environment", "baselines", "patchPolicy", "maintenanceWindow", "demoFleet", "inspector", "tags", "regions", "accounts", "organization"] as const;

/**
 * Amazon Inspector scanning of the stack's accounts and Regions, so the findings the workflow starts
 * from (patchctl findings) exist in an empty account too. Inspector's resource types:
 * https://docs.aws.amazon.com/inspector/v2/APIReference/API_Enable.html
 */
const INSPECTOR_RESOURCE_TYPES = ["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"] as const;
const InspectorSchema = strictObject({
    /** Enable Inspector scanning. Defaults to false. */
    enabled: bool().default(false),
    /** What Inspector scans. Defaults to EC2, the instances this stack patches. */
    resourceTypes: list(z.enum(INSPECTOR_RESOURCE_TYPES, { error: (i) => `must be one of ${INSPECTOR_RESOURCE_TYPES.join(", ")}; got ${show(i.input)}` }), `a list of ${INSPECTOR_RESOURCE_TYPES.join(", ")}`)
        .min(1, { error: "must list at least one resource type, e.g. [EC2]" })
        .refine((types) => types.includes("EC2"), { error: "must include EC2: the findings patching closes are on EC2 instances" })
        .default(["EC2"]),
}, "the Inspector settings");

/** The `ssm-patching:*` keys as the user writes them. */
const RawStackConfigSchema = z.strictObject({
    environment: z.string({ error: (i) => `must be the Environment tag value of the fleet, e.g. Development (set it with: pulumi config set environment Development); got ${show(i.input)}` })
        .regex(/^[\p{L}\p{N} _.:/=+\-@]{1,256}$/u, { error: (i) => `must be a tag value of 1-256 letters, digits, spaces and _.:/=+-@, e.g. Development; got ${show(i.input)}` }),
    baselines: list(BaselineSchema, "a list of baselines")
        .min(1, { error: "must be a list of at least one baseline (an empty object {} is the reference baseline)" })
        .default([{}]),
    patchPolicy: PolicySchema.default({}),
    maintenanceWindow: WindowSchema.optional(),
    demoFleet: FleetSchema.default({ instanceCount: 0, instanceType: "t3.micro" }),
    inspector: InspectorSchema.default({ enabled: false, resourceTypes: ["EC2"] }),
    tags: TagsSchema.default({}),
    regions: RegionsSchema.optional(),
    accounts: AccountsSchema.optional(),
    organization: OrganizationSchema.optional(),
} satisfies Record<typeof TOP_KEYS[number], z.ZodType>, {
    error: (issue) => issue.code === "unrecognized_keys" ? `is not a known config key; known keys: ${TOP_KEYS.map(ns).join(", ")}` : undefined,
});

type RawStackConfig = z.output<typeof RawStackConfigSchema>;

// The sections' keys are the components' arguments: a key added to one and not the other fails to compile.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { onlyInSchema: Exclude<keyof A, keyof B>; onlyInArgs: Exclude<keyof B, keyof A> };
const sameKeys: [
    SameKeys<z.input<typeof BaselineSchema>, PatchBaselineArgs & { patchGroups?: unknown }>,
    SameKeys<z.input<typeof ApprovalRuleSchema>, ApprovalRuleArgs>,
    SameKeys<z.input<typeof TargetsSchema>, TargetArgs>,
    SameKeys<z.input<typeof PolicySchema>, Omit<PatchPolicySettings, "policyName"> & { name?: unknown; enabled?: unknown; outputS3BucketName?: unknown; instanceRoleNames?: unknown }>,
    SameKeys<z.input<typeof WindowSchema>, Omit<MaintenanceWindowArgs, "serviceRoleArn">>,
    SameKeys<z.input<typeof OrganizationSchema>, QuickSetupTargetsArgs & { attachPoliciesToInstanceProfiles?: unknown; localDeploymentAdministrationRoleArn?: unknown; localDeploymentExecutionRoleName?: unknown }>,
] = [true, true, true, true, true, true];
void sameKeys;

// ---- The resolved config the program deploys. ----

/** One custom baseline of the stack, resolved, and the patch groups registered to it. */
export interface StackBaseline {
    resolved: ResolvedPatchBaselineArgs;
    patchGroups: string[];
}

/** The stack's patch policy: resolved settings and what the PatchPolicy component takes besides. */
export interface StackPatchPolicy {
    resolved: ResolvedPatchPolicy;
    outputS3BucketName?: string;
    instanceRoleNames: string[];
}

/** Organization mode: a native Quick Setup patch policy AWS rolls out through StackSets. */
export type StackOrganization = z.output<typeof OrganizationSchema>;

/** The whole stack config, validated and resolved. */
export interface StackConfig {
    /** The fleet's Environment tag value. */
    environment: string;
    /** The tags on everything the stack creates: Environment, ManagedBy and `ssm-patching:tags`. */
    tags: Record<string, string>;
    /** Where the environment's set is deployed: one entry per account and Region. */
    targets: AccountRegion[];
    baselines: StackBaseline[];
    patchPolicy?: StackPatchPolicy;
    maintenanceWindow?: ResolvedMaintenanceWindowArgs;
    demoFleet: { instanceCount: number; instanceType: string };
    /** Set when the stack enables Amazon Inspector in its accounts and Regions. */
    inspector?: { resourceTypes: string[] };
    /** Set in organization mode. */
    organization?: StackOrganization;
}

/**
 * Validates a stack's config (the `ssm-patching:*` keys as plain values) and resolves it into the
 * components' arguments. Throws a ValidationError whose path is the config key, e.g.
 * `ssm-patching:patchPolicy.maxErrors`. Pure: the plan and the tests call it directly.
 */
export function parseStackConfig(raw: Record<string, unknown>, awsRegion: unknown = "us-east-1"): StackConfig {
    const regionIssue = regionProblem(awsRegion);
    check(regionIssue === undefined, "aws:region", regionIssue ?? "");
    const cfg = parseOrThrow(RawStackConfigSchema, raw, `${NAMESPACE}:`);
    return resolveStackConfig(cfg, awsRegion as string);
}

function resolveStackConfig(cfg: RawStackConfig, awsRegion: string): StackConfig {
    const { environment } = cfg;
    const environmentTargets: TargetArgs = { tags: { [ENVIRONMENT_TAG]: environment } };
    const tags = { [ENVIRONMENT_TAG]: environment, ManagedBy: "pulumi", ...cfg.tags };

    const systems = new Set<string>();
    const groups = new Set<string>();
    const baselines = cfg.baselines.map(({ patchGroups = [], ...args }, i) => within(`${ns("baselines")}[${i}]`, () => {
        const resolved = resolvePatchBaselineArgs({ ...(args as PatchBaselineArgs), tags: { ...tags, ...args.tags } });
        check(!systems.has(resolved.operatingSystem), "operatingSystem", `a second baseline for ${resolved.operatingSystem}: one baseline per operating system`);
        systems.add(resolved.operatingSystem);
        patchGroups.forEach((g, j) => {
            validatePatchGroupName(g, `patchGroups[${j}]`);
            check(!groups.has(g), `patchGroups[${j}]`, `patch group ${show(g)} is already registered to another baseline`);
            groups.add(g);
        });
        return { resolved, patchGroups };
    }));

    const { enabled = true, name, outputS3BucketName, instanceRoleNames = [], ...settings } = cfg.patchPolicy;
    const patchPolicy: StackPatchPolicy | undefined = enabled
        ? {
            resolved: within(ns("patchPolicy"), () => resolvePatchPolicyArgs({
                ...(settings as PatchPolicySettings),
                policyName: name,
                targets: settings.targets ?? environmentTargets,
            }, "name")),
            outputS3BucketName,
            instanceRoleNames,
        }
        : undefined;

    const window = cfg.maintenanceWindow;
    const maintenanceWindow = window && within(ns("maintenanceWindow"), () => resolveMaintenanceWindowArgs(
        `${environment}-patching`.replace(/[^a-zA-Z0-9_\-.]/g, "-"),
        { ...(window as MaintenanceWindowArgs), targets: window.targets ?? environmentTargets, tags: { ...tags, ...window.tags } },
    ));

    if (cfg.organization !== undefined) {
        check(cfg.accounts === undefined && cfg.regions === undefined, ns("organization"), `cannot be combined with ${ns("accounts")} or ${ns("regions")}: in organization mode Quick Setup deploys to organization.targetRegions`);
        check(patchPolicy !== undefined, ns("organization"), `needs a patch policy; ${ns("patchPolicy.enabled")} is false`);
        check(cfg.patchPolicy.instanceRoleNames === undefined, ns("patchPolicy.instanceRoleNames"), "is not used in organization mode: Quick Setup adds the policies to instance profiles itself (organization.attachPoliciesToInstanceProfiles)");
        validateQuickSetupDeployment(cfg.organization, ns("organization"));
        validateQuickSetupNodeTargets(patchPolicy.resolved, `${ns("patchPolicy")}.targets`);
        check(!cfg.inspector.enabled, ns("inspector.enabled"), "is not supported in organization mode: enable Inspector for the organization from its delegated administrator (aws.inspector2.DelegatedAdminAccount and OrganizationConfiguration)");
    }

    return {
        environment,
        tags,
        targets: accountRegions(cfg.accounts, cfg.regions, awsRegion),
        baselines,
        patchPolicy,
        maintenanceWindow,
        demoFleet: cfg.demoFleet,
        inspector: cfg.inspector.enabled ? { resourceTypes: cfg.inspector.resourceTypes } : undefined,
        organization: cfg.organization,
    };
}

/** Reads and resolves the running stack's config. */
export function readStackConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    return parseStackConfig(rawStackConfig(all), all["aws:region"]);
}

/** The `ssm-patching:*` keys of a config map as the engine passes it (all strings), as plain values. */
export function rawStackConfig(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        raw[key.slice(NAMESPACE.length + 1)] = parseConfigValue(value);
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

export type { PatchFilter };
export { ValidationError };

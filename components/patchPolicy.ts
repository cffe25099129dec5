import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { associationNames, PATCH_DOCUMENT, POLICY_NAME } from "../lib/aws";
import { check, Resolved, resolved, show } from "./errors";
import { baselineOverrideDocument } from "./baselineOverride";
import { PatchBaseline } from "./patchBaseline";
import { RateControl, validateRateControl } from "./rateControl";
import { validateAssociationSchedule } from "./schedule";
import { buildTargets, SsmTarget, TargetArgs } from "./targets";
import { RebootOption } from "./maintenanceWindow";

/** Defaults of AWS Quick Setup's patch policy, and of the reference workflow. */
export const PATCH_POLICY_DEFAULTS = {
    policyName: "patch-policy-workshop",
    operation: "ScanAndInstall" as const,
    scanSchedule: "cron(0 1 * * ? *)",
    installSchedule: "cron(30 23 ? * SAT *)",
    maxConcurrency: "50%",
    maxErrors: "50%",
    rebootOption: "RebootIfNeeded" as const,
    targets: { tags: { Environment: "Development" } } as TargetArgs,
};

/** The S3 key of the baseline-override document, as Quick Setup names it. */
export const OVERRIDE_OBJECT_KEY = "baseline_overrides.json";

/** The names of a policy's associations, predictable from the policy name (patchctl finds them so). */
export { associationNames };

export interface PatchPolicyArgs {
    /** Policy name, 1-64 characters of letters, digits, `_`, `-`, `.`; association names derive from it. Defaults to "patch-policy-workshop". */
    policyName?: string;
    /** Scan only, or scan and install. Defaults to ScanAndInstall. */
    operation?: "Scan" | "ScanAndInstall";
    /** When to scan: an association cron (no month) or rate of 30 minutes to 30 days. Defaults to daily at 01:00 UTC, "cron(0 1 * * ? *)". */
    scanSchedule?: string;
    /** When to install. Defaults to Saturdays at 23:30 UTC, "cron(30 23 ? * SAT *)". */
    installSchedule?: string;
    /** Scan only at the first cron interval instead of right after creation. Defaults to false (scan at once, as Quick Setup does). */
    scanAtFirstCronInterval?: boolean;
    /** Install only from the first cron interval, not right after creation. Defaults to true. Not allowed with rate schedules. */
    installAtFirstCronInterval?: boolean;
    /**
     * Custom baselines, at most one per operating system; systems without one use AWS's default
     * baseline for that system. Defaults to one child PatchBaseline with the reference rules
     * (AmazonLinux2SecAndNonSecBaseline for Amazon Linux 2).
     */
    baselines?: PatchBaseline[];
    /** The nodes to patch. Defaults to the tag Environment=Development. */
    targets?: TargetArgs;
    /** Nodes patched at once. Defaults to "50%". */
    maxConcurrency?: string;
    /** Errors SSM tolerates before it stops the run ("0" stops at the first). Defaults to "50%". */
    maxErrors?: string;
    /** Reboot after install when needed, or never. Defaults to RebootIfNeeded. */
    rebootOption?: RebootOption;
    /** Write command output to this S3 bucket. Defaults to no S3 output. */
    outputS3?: { bucketName: pulumi.Input<string>; keyPrefix?: string };
    /**
     * Existing instance roles (names) to give what the policy needs: the AWS managed policy
     * AmazonSSMManagedInstanceCore and read access to the override object only. Defaults to none.
     */
    instanceRoleNames?: pulumi.Input<string>[];
    /** Tags on every resource the policy creates. Defaults to none (a PatchPolicy tag is always added to associations). */
    tags?: Record<string, string>;
}

export type ResolvedPatchPolicy = Resolved<{
    policyName: string;
    operation: "Scan" | "ScanAndInstall";
    scanSchedule: string;
    installSchedule: string;
    scanAtFirstCronInterval: boolean;
    installAtFirstCronInterval: boolean;
    targets: SsmTarget[];
    rate: RateControl;
    rebootOption: RebootOption;
}>;

/**
 * PatchPolicy arguments whose settings a resolver has already checked and defaulted (the stack
 * config passes them so), with the resources and inputs the settings do not cover.
 */
export type ResolvedPatchPolicyArgs = Pick<PatchPolicyArgs, "baselines" | "outputS3" | "instanceRoleNames" | "tags"> & { resolved: ResolvedPatchPolicy };

/** The plain settings of a patch policy: what resolvePatchPolicyArgs checks. */
export type PatchPolicySettings = Omit<PatchPolicyArgs, "baselines" | "outputS3" | "instanceRoleNames" | "tags">;

/**
 * Validates the plain PatchPolicy arguments and fills in the defaults. `nameKey` is what errors
 * call the policy name (the stack config calls it `name`).
 */
export function resolvePatchPolicyArgs(args: PatchPolicySettings, nameKey = "policyName"): ResolvedPatchPolicy {
    const d = PATCH_POLICY_DEFAULTS;
    const policyName = args.policyName ?? d.policyName;
    check(typeof policyName === "string" && POLICY_NAME.test(policyName), nameKey, `must be 1-64 characters of letters, digits, "_", "-", "."; got ${show(policyName)}`);
    const operation = args.operation ?? d.operation;
    check(operation === "Scan" || operation === "ScanAndInstall", "operation", `must be Scan or ScanAndInstall; got ${show(operation)}`);
    const scanSchedule = args.scanSchedule ?? d.scanSchedule;
    const scan = validateAssociationSchedule(scanSchedule, "scanSchedule");
    const installSchedule = args.installSchedule ?? d.installSchedule;
    const install = validateAssociationSchedule(installSchedule, "installSchedule");
    const scanAtFirstCronInterval = args.scanAtFirstCronInterval ?? false;
    const installAtFirstCronInterval = args.installAtFirstCronInterval ?? true;
    check(typeof scanAtFirstCronInterval === "boolean", "scanAtFirstCronInterval", "must be true or false");
    check(typeof installAtFirstCronInterval === "boolean", "installAtFirstCronInterval", "must be true or false");
    check(!(scanAtFirstCronInterval && scan.kind === "rate"), "scanAtFirstCronInterval", `cannot be true with a rate schedule (${scanSchedule}); use a cron schedule`);
    if (operation === "ScanAndInstall") {
        check(
            !(installAtFirstCronInterval && install.kind === "rate"),
            "installAtFirstCronInterval",
            `cannot be true with a rate schedule (${installSchedule}); use a cron schedule or set it to false`,
        );
    }
    const rate = { maxConcurrency: args.maxConcurrency ?? d.maxConcurrency, maxErrors: args.maxErrors ?? d.maxErrors };
    validateRateControl(rate, "");
    const rebootOption = args.rebootOption ?? d.rebootOption;
    check(rebootOption === "RebootIfNeeded" || rebootOption === "NoReboot", "rebootOption", `must be RebootIfNeeded or NoReboot; got ${show(rebootOption)}`);
    const targets = buildTargets(args.targets ?? d.targets, "targets");
    return resolved({ policyName, operation, scanSchedule, installSchedule, scanAtFirstCronInterval, installAtFirstCronInterval, targets, rate, rebootOption });
}

/**
 * What AWS Quick Setup's patch policy builds in one account and Region: the baselines as a
 * baseline-override document in a protected S3 bucket, a scan association and (for
 * ScanAndInstall) an install association of AWS-RunPatchBaseline with rate control, and, when
 * asked, the IAM the instance roles need.
 */
export class PatchPolicy extends pulumi.ComponentResource {
    /** The policy name. */
    public readonly policyName: string;
    /** Bucket holding the baseline-override document. */
    public readonly bucketName: pulumi.Output<string>;
    /** S3 URL of the baseline-override document. */
    public readonly overrideUrl: pulumi.Output<string>;
    /** Scan association id and name. */
    public readonly scanAssociation: { id: pulumi.Output<string>; name: string };
    /** Install association id and name (ScanAndInstall only). */
    public readonly installAssociation?: { id: pulumi.Output<string>; name: string };
    /** The baselines the policy uses, per operating system (custom ones; others use AWS's defaults). */
    public readonly baselineIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: PatchPolicyArgs | ResolvedPatchPolicyArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("patching:ssm:PatchPolicy", name, {}, opts);
        const p = "resolved" in args ? args.resolved : resolvePatchPolicyArgs(args);
        const seen = new Set<string>();
        (args.baselines ?? []).forEach((b, i) => {
            check(!seen.has(b.operatingSystem), `baselines[${i}]`, `a second baseline for ${b.operatingSystem}: a policy takes at most one baseline per operating system`);
            seen.add(b.operatingSystem);
        });
        const baselines = args.baselines ?? [new PatchBaseline(`${name}-baseline`, {}, { parent: this })];
        const names = associationNames(p.policyName);
        const tags = { ...(args.tags ?? {}), PatchPolicy: p.policyName };

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const bucket = new aws.s3.Bucket(`${name}-overrides`, { forceDestroy: false, tags: args.tags }, { parent: this });
        new aws.s3.BucketVersioning(`${name}-overrides`, {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, { parent: bucket });
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-overrides`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        }, { parent: bucket });
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(`${name}-overrides`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: bucket });
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        new aws.s3.BucketPolicy(`${name}-overrides`, {
            bucket: bucket.id,
            policy: pulumi.all([bucket.arn, accountId]).apply(([arn, account]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [arn, `${arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    {
                        // The scan and install runs read the override with each node's own
                        // credentials: let this account's principals read this one object, so
                        // nodes patch even when their roles are not listed in instanceRoleNames.
                        // Restricted to the account, so Block Public Access does not see it as public.
                        Sid: "NodesOfThisAccountReadTheOverride",
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: `${arn}/${OVERRIDE_OBJECT_KEY}`,
                        Condition: { StringEquals: { "aws:PrincipalAccount": account } },
                    },
                ],
            })),
        }, { parent: bucket, dependsOn: [publicAccessBlock] });
        const override = new aws.s3.BucketObjectv2(`${name}-overrides`, {
            bucket: bucket.id,
            key: OVERRIDE_OBJECT_KEY,
            contentType: "application/json",
            content: pulumi.all(baselines.map((b) => b.override)).apply(baselineOverrideDocument),
        }, { parent: bucket });
        const overrideUrl = pulumi.interpolate`s3://${bucket.id}/${override.key}`;

        // The instance roles' access comes first: the scan runs as soon as its association exists.
        const roleAccess: pulumi.Resource[] = [];
        (args.instanceRoleNames ?? []).forEach((roleName, i) => {
            // A role given by name keeps its resources' names when the list is reordered.
            const suffix = typeof roleName === "string" ? `${name}-${roleName}` : `${name}-role${i}`;
            roleAccess.push(new aws.iam.RolePolicyAttachment(`${suffix}-core`, {
                role: roleName,
                policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
            }, { parent: this }));
            roleAccess.push(new aws.iam.RolePolicy(`${suffix}-overrides`, {
                role: roleName,
                policy: pulumi.all([bucket.arn, override.key]).apply(([arn, key]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "ReadPatchBaselineOverride", Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/${key}` }],
                })),
            }, { parent: this }));
        });

        const association = (op: "Scan" | "Install", associationName: string, schedule: string, atFirstInterval: boolean) =>
            new aws.ssm.Association(`${name}-${op.toLowerCase()}`, {
                name: PATCH_DOCUMENT,
                associationName,
                scheduleExpression: schedule,
                applyOnlyAtCronInterval: atFirstInterval,
                targets: p.targets,
                maxConcurrency: p.rate.maxConcurrency,
                maxErrors: p.rate.maxErrors,
                complianceSeverity: "UNSPECIFIED",
                parameters: {
                    Operation: op,
                    RebootOption: op === "Scan" ? "NoReboot" : p.rebootOption,
                    BaselineOverride: overrideUrl,
                },
                outputLocation: args.outputS3 ? {
                    s3BucketName: args.outputS3.bucketName,
                    s3KeyPrefix: args.outputS3.keyPrefix ?? `patch-policy/${p.policyName}/${op.toLowerCase()}`,
                } : undefined,
                tags,
            }, { parent: this, dependsOn: [override, ...roleAccess] });

        const scan = association("Scan", names.scan, p.scanSchedule, p.scanAtFirstCronInterval);
        this.scanAssociation = { id: scan.associationId, name: names.scan };
        if (p.operation === "ScanAndInstall") {
            const install = association("Install", names.install, p.installSchedule, p.installAtFirstCronInterval);
            this.installAssociation = { id: install.associationId, name: names.install };
        }

        this.policyName = p.policyName;
        this.bucketName = bucket.id;
        this.overrideUrl = overrideUrl;
        this.baselineIds = Object.fromEntries(baselines.map((b) => [b.operatingSystem, b.baselineId]));
        this.registerOutputs({
            policyName: this.policyName,
            bucketName: this.bucketName,
            overrideUrl: this.overrideUrl,
            scanAssociation: this.scanAssociation,
            installAssociation: this.installAssociation,
            baselineIds: this.baselineIds,
        });
    }
}

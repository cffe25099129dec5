import * as pulumi from "@pulumi/pulumi";
import { MaintenanceWindow, PatchBaseline, PatchGroup, PatchPolicy, QuickSetupPatchPolicy } from "../components";
import { StackConfig } from "./config";
import { DemoFleet } from "./demoFleet";

/** What one environment's patch management set exposes, for stack outputs. */
export interface EnvironmentOutputs {
    baselines: Record<string, { id: pulumi.Output<string>; name: pulumi.Output<string> }>;
    patchGroups: Record<string, pulumi.Output<string>>;
    patchPolicy?: {
        name: string;
        bucket: pulumi.Output<string>;
        scanAssociation: { id: pulumi.Output<string>; name: string };
        installAssociation?: { id: pulumi.Output<string>; name: string };
    };
    maintenanceWindow?: { id: pulumi.Output<string>; name: string; taskIds: Record<string, pulumi.Output<string>> };
    quickSetup?: { managerArn: pulumi.Output<string>; parameters: pulumi.Output<Record<string, string>> };
    demoFleet?: { instanceIds: pulumi.Output<string>[] };
}

/**
 * Builds the patch management set of one environment in one account and Region: its baselines
 * and patch groups, the patch policy, the optional maintenance window and demo fleet. `prefix`
 * starts every logical name; `opts` carries the provider (and parent) of that account and Region.
 */
export function deployEnvironment(prefix: string, cfg: StackConfig, opts: pulumi.ComponentResourceOptions = {}): EnvironmentOutputs {
    const tags = { Environment: cfg.environment, ManagedBy: "pulumi", ...cfg.tags };
    const out: EnvironmentOutputs = { baselines: {}, patchGroups: {} };

    const baselines = cfg.baselines.map((b) => {
        const { patchGroups, ...args } = b;
        const baseline = new PatchBaseline(`${prefix}-${(b.operatingSystem ?? "AMAZON_LINUX_2").toLowerCase().replace(/_/g, "-")}`, { ...args, tags: { ...tags, ...(args.tags ?? {}) } }, opts);
        out.baselines[baseline.operatingSystem] = { id: baseline.baselineId, name: baseline.baselineName };
        for (const group of patchGroups ?? []) {
            const pg = new PatchGroup(`${prefix}-group-${group}`, { patchGroup: group, baselineId: baseline.baselineId }, opts);
            out.patchGroups[group] = pg.baselineId;
        }
        return baseline;
    });

    const fleet = cfg.demoFleet.instanceCount > 0
        ? new DemoFleet(`${prefix}-demo`, {
            instanceCount: cfg.demoFleet.instanceCount,
            instanceType: cfg.demoFleet.instanceType,
            tags,
            // A patch policy attaches it; in organization mode Quick Setup does, when allowed.
            attachManagedInstanceCore: cfg.patchPolicy === undefined || (cfg.organization !== undefined && cfg.organization.attachPoliciesToInstanceProfiles === false),
        }, opts)
        : undefined;
    if (fleet) {
        out.demoFleet = { instanceIds: fleet.instanceIds };
    }

    if (cfg.patchPolicy) {
        const p = cfg.patchPolicy;
        // The settings both kinds of patch policy share.
        const common = {
            policyName: p.resolved.policyName,
            operation: p.operation,
            scanSchedule: p.scanSchedule,
            installSchedule: p.installSchedule,
            scanAtFirstCronInterval: p.scanAtFirstCronInterval,
            installAtFirstCronInterval: p.installAtFirstCronInterval,
            targets: p.targets ?? { tags: { Environment: cfg.environment } },
            maxConcurrency: p.maxConcurrency,
            maxErrors: p.maxErrors,
            rebootOption: p.rebootOption,
            baselines,
            outputS3: p.outputS3BucketName ? { bucketName: p.outputS3BucketName } : undefined,
        };
        if (cfg.organization) {
            const org = cfg.organization;
            const qs = new QuickSetupPatchPolicy(`${prefix}-quicksetup`, {
                ...common,
                deployment: org,
                attachPoliciesToInstanceProfiles: org.attachPoliciesToInstanceProfiles,
                localDeploymentAdministrationRoleArn: org.localDeploymentAdministrationRoleArn,
                localDeploymentExecutionRoleName: org.localDeploymentExecutionRoleName,
            }, opts);
            out.quickSetup = { managerArn: qs.managerArn, parameters: qs.parameters };
        } else {
            const policy = new PatchPolicy(`${prefix}-policy`, {
                ...common,
                instanceRoleNames: [...(p.instanceRoleNames ?? []), ...(fleet ? [fleet.roleName] : [])],
                tags,
            }, opts);
            out.patchPolicy = {
                name: policy.policyName,
                bucket: policy.bucketName,
                scanAssociation: policy.scanAssociation,
                installAssociation: policy.installAssociation,
            };
        }
    }

    if (cfg.maintenanceWindow) {
        const w = cfg.maintenanceWindow;
        const window = new MaintenanceWindow(`${prefix}-window`, {
            ...w,
            windowName: w.windowName ?? `${cfg.environment}-patching`.replace(/[^a-zA-Z0-9_\-.]/g, "-"),
            tags: { ...tags, ...(w.tags ?? {}) },
        }, opts);
        out.maintenanceWindow = { id: window.windowId, name: window.windowName, taskIds: window.taskIds };
    }
    return out;
}

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
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
    inspector?: { enablerId: pulumi.Output<string> };
}

/**
 * Builds the patch management set of one environment in one account and Region from the resolved
 * stack config: its baselines and patch groups, the patch policy, the optional maintenance window
 * and demo fleet. `prefix` starts every logical name; `opts` carries the provider (and parent) of
 * that account and Region.
 */
export function deployEnvironment(prefix: string, cfg: StackConfig, opts: pulumi.ComponentResourceOptions = {}, accountId?: string): EnvironmentOutputs {
    const out: EnvironmentOutputs = { baselines: {}, patchGroups: {} };

    const baselines = cfg.baselines.map(({ resolved, patchGroups }) => {
        const baseline = new PatchBaseline(`${prefix}-${resolved.operatingSystem.toLowerCase().replace(/_/g, "-")}`, { resolved }, opts);
        out.baselines[baseline.operatingSystem] = { id: baseline.baselineId, name: baseline.baselineName };
        for (const group of patchGroups) {
            const pg = new PatchGroup(`${prefix}-group-${group}`, { patchGroup: group, baselineId: baseline.baselineId }, opts);
            out.patchGroups[group] = pg.baselineId;
        }
        return baseline;
    });

    const fleet = cfg.demoFleet.instanceCount > 0
        ? new DemoFleet(`${prefix}-demo`, {
            instanceCount: cfg.demoFleet.instanceCount,
            instanceType: cfg.demoFleet.instanceType,
            tags: cfg.tags,
            // A patch policy attaches it; in organization mode Quick Setup does, when allowed.
            attachManagedInstanceCore: cfg.patchPolicy === undefined || cfg.organization?.attachPoliciesToInstanceProfiles === false,
        }, opts)
        : undefined;
    if (fleet) {
        out.demoFleet = { instanceIds: fleet.instanceIds };
    }

    const policy = cfg.patchPolicy;
    if (policy && cfg.organization) {
        const { attachPoliciesToInstanceProfiles, localDeploymentAdministrationRoleArn, localDeploymentExecutionRoleName, ...deployment } = cfg.organization;
        const qs = new QuickSetupPatchPolicy(`${prefix}-quicksetup`, {
            resolved: policy.resolved,
            baselines,
            outputS3: policy.outputS3BucketName ? { bucketName: policy.outputS3BucketName } : undefined,
            deployment,
            attachPoliciesToInstanceProfiles,
            localDeploymentAdministrationRoleArn,
            localDeploymentExecutionRoleName,
        }, opts);
        out.quickSetup = { managerArn: qs.managerArn, parameters: qs.parameters };
    } else if (policy) {
        const created = new PatchPolicy(`${prefix}-policy`, {
            resolved: policy.resolved,
            baselines,
            outputS3: policy.outputS3BucketName ? { bucketName: policy.outputS3BucketName } : undefined,
            instanceRoleNames: [...policy.instanceRoleNames, ...(fleet ? [fleet.roleName] : [])],
            tags: cfg.tags,
        }, opts);
        out.patchPolicy = {
            name: created.policyName,
            bucket: created.bucketName,
            scanAssociation: created.scanAssociation,
            installAssociation: created.installAssociation,
        };
    }

    if (cfg.inspector) {
        // Enables scanning for this account in this Region (the provider's); the account is the
        // deployment target's, or the credentials' own.
        const account = accountId ?? aws.getCallerIdentityOutput({}, { parent: opts.parent, provider: opts.provider }).accountId;
        const enabler = new aws.inspector2.Enabler(`${prefix}-inspector`, { accountIds: [account], resourceTypes: cfg.inspector.resourceTypes }, opts);
        out.inspector = { enablerId: enabler.id };
    }

    if (cfg.maintenanceWindow) {
        const window = new MaintenanceWindow(`${prefix}-window`, { resolved: cfg.maintenanceWindow }, opts);
        out.maintenanceWindow = { id: window.windowId, name: window.windowName, taskIds: window.taskIds };
    }
    return out;
}

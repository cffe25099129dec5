import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { PatchBaseline } from "./patchBaseline";
import { PatchPolicyArgs, PatchPolicySettings, resolvePatchPolicyArgs, ResolvedPatchPolicy } from "./patchPolicy";
import { QuickSetupTargetsArgs, quickSetupParameters, validateQuickSetup } from "./quickSetup";

export interface QuickSetupPatchPolicyArgs extends Omit<PatchPolicyArgs, "instanceRoleNames" | "outputS3" | "tags"> {
    /** Organizational units, accounts and Regions AWS rolls the policy out to. Required. */
    deployment: QuickSetupTargetsArgs;
    /** Let Quick Setup add the required IAM policies to the instance profiles it finds. Defaults to true. */
    attachPoliciesToInstanceProfiles?: boolean;
    /** Write command output to this S3 bucket. Defaults to no S3 output. */
    outputS3?: { bucketName: string; keyPrefix?: string };
    /** For a deployment outside an organization: the StackSets administration role ARN. Defaults to none. */
    localDeploymentAdministrationRoleArn?: string;
    /** For a deployment outside an organization: the StackSets execution role name. Defaults to none. */
    localDeploymentExecutionRoleName?: string;
}

/** QuickSetupPatchPolicy arguments whose policy settings a resolver has already checked (the stack config passes them so). */
export type ResolvedQuickSetupPatchPolicyArgs = Omit<QuickSetupPatchPolicyArgs, keyof PatchPolicySettings> & { resolved: ResolvedPatchPolicy };

/**
 * An AWS Quick Setup patch policy (AWSQuickSetupType-PatchPolicy) deployed from the management
 * account: AWS then builds the bucket, associations and IAM in every target account and Region
 * through CloudFormation StackSets. Custom baselines must live in this stack's Region.
 */
export class QuickSetupPatchPolicy extends pulumi.ComponentResource {
    /** The configuration manager's ARN. */
    public readonly managerArn: pulumi.Output<string>;
    /** The parameters Quick Setup receives. */
    public readonly parameters: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: QuickSetupPatchPolicyArgs | ResolvedQuickSetupPatchPolicyArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("patching:ssm:QuickSetupPatchPolicy", name, {}, opts);
        // Resolved settings come from the stack config, which has checked them against Quick Setup too.
        const p = "resolved" in args ? args.resolved : resolvePatchPolicyArgs(args);
        if (!("resolved" in args)) validateQuickSetup(p, args.deployment, "deployment");
        const baselines: PatchBaseline[] = args.baselines ?? [new PatchBaseline(`${name}-baseline`, {}, { parent: this })];
        const region = aws.getRegionOutput({}, { parent: this }).region;

        const selected = pulumi.all(baselines.map((b) => b.override)).apply((overrides) => overrides.map((o) => ({
            operatingSystem: String(o.OperatingSystem),
            baselineId: String(o.BaselineId),
            name: String(o.Name),
            description: String(o.Description ?? ""),
        })));
        this.parameters = pulumi.all([region, selected]).apply(([home, bs]) => quickSetupParameters(
            p, bs, args.deployment, home, args.attachPoliciesToInstanceProfiles ?? true, args.outputS3,
        ));

        const manager = new aws.ssm.QuicksetupConfigurationManager(name, {
            name: p.policyName,
            description: `Patch policy ${p.policyName} managed by Pulumi`,
            configurationDefinition: {
                type: "AWSQuickSetupType-PatchPolicy",
                parameters: this.parameters,
                localDeploymentAdministrationRoleArn: args.localDeploymentAdministrationRoleArn,
                localDeploymentExecutionRoleName: args.localDeploymentExecutionRoleName,
            },
        }, {
            parent: this,
            // AWS adds QSForceUpdateParam to the parameters, which would show as a diff on every update.
            ignoreChanges: ["configurationDefinition.parameters.QSForceUpdateParam"],
        });
        this.managerArn = manager.managerArn;
        this.registerOutputs({ managerArn: this.managerArn, parameters: this.parameters });
    }
}

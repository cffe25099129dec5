import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface DemoFleetArgs {
    /** Instances to launch. */
    instanceCount: number;
    /** Instance type, e.g. t3.micro. */
    instanceType: string;
    /** Tags every instance carries; must include Environment so the policy targets it. */
    tags: Record<string, string>;
    /** Attach AmazonSSMManagedInstanceCore to the role here (false when a patch policy attaches it). */
    attachManagedInstanceCore: boolean;
}

/**
 * A few Amazon Linux 2 instances that Systems Manager can manage (instance profile with
 * AmazonSSMManagedInstanceCore, IMDSv2 only), to try the patching loop in an empty account. They
 * launch into the default VPC, which must exist and reach the SSM endpoints.
 */
export class DemoFleet extends pulumi.ComponentResource {
    /** The instance role's name, to give the patch policy's S3 read access to. */
    public readonly roleName: pulumi.Output<string>;
    /** The instances' ids. */
    public readonly instanceIds: pulumi.Output<string>[];

    constructor(name: string, args: DemoFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("patching:demo:Fleet", name, {}, opts);
        const role = new aws.iam.Role(`${name}-role`, {
            description: "Demo fleet instances managed by Systems Manager",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: args.tags,
        }, { parent: this });
        if (args.attachManagedInstanceCore) {
            const partition = aws.getPartitionOutput({}, { parent: this }).partition;
            new aws.iam.RolePolicyAttachment(`${name}-role-core`, {
                role: role.name,
                policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
            }, { parent: role });
        }
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags: args.tags }, { parent: role });
        const ami = aws.ec2.getAmiOutput({
            owners: ["amazon"],
            mostRecent: true,
            filters: [
                { name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] },
                { name: "state", values: ["available"] },
            ],
        }, { parent: this });
        this.instanceIds = [];
        for (let i = 0; i < args.instanceCount; i++) {
            const instance = new aws.ec2.Instance(`${name}-${i}`, {
                ami: ami.id,
                instanceType: args.instanceType,
                iamInstanceProfile: profile.name,
                metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
                tags: { ...args.tags, Name: `${name}-${i}` },
            }, { parent: this });
            this.instanceIds.push(instance.id);
        }
        this.roleName = role.name;
        this.registerOutputs({ roleName: this.roleName, instanceIds: this.instanceIds });
    }
}

// An Auto Scaling group that tags its instances the way AWS recommends: the Environment tag is in
// the launch template's tag specifications for resource type "instance" (the group propagates only
// its Name), and the template gives the instances a profile whose role has
// AmazonSSMManagedInstanceCore. An association of AWS-RunPatchBaseline targets that tag. The
// patch-compliance pack reads the tags the instances really carry, so it passes this stack; the
// group's own tags alone would not patch anything.
//
//     cd examples/launch-template-group && pulumi preview --policy-pack ../../policies
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

async function launchTemplateGroup(): Promise<Record<string, unknown>> {
    const role = new aws.iam.Role("web", {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
    });
    const partition = aws.getPartitionOutput({}).partition;
    new aws.iam.RolePolicyAttachment("web-ssm-core", {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    });
    const profile = new aws.iam.InstanceProfile("web", { role: role.name });
    const ami = aws.ec2.getAmiOutput({
        owners: ["amazon"],
        mostRecent: true,
        filters: [{ name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] }],
    });
    const template = new aws.ec2.LaunchTemplate("web", {
        imageId: ami.id,
        instanceType: "t3.small",
        iamInstanceProfile: { name: profile.name },
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
        tagSpecifications: [{ resourceType: "instance", tags: { Environment: "Production", Team: "web" } }],
        // The template's own tags tag the template, not its instances.
        tags: { Team: "web" },
    });
    const group = new aws.autoscaling.Group("web", {
        minSize: 1,
        maxSize: 3,
        availabilityZones: ["us-east-1a"],
        launchTemplate: { id: template.id, version: "$Latest" },
        tags: [{ key: "Name", value: "web", propagateAtLaunch: true }],
    });
    new aws.ssm.Association("web-patching", {
        name: "AWS-RunPatchBaseline",
        associationName: "web-patching",
        scheduleExpression: "cron(0 2 ? * SUN *)",
        parameters: { Operation: "Install" },
        targets: [{ key: "tag:Environment", values: ["Production"] }],
        maxConcurrency: "1",
        maxErrors: "1",
    });
    return { groupId: group.id };
}

export = launchTemplateGroup;

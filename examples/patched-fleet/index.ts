// The same fleet, patched: instances tagged Environment=Staging, with an instance profile so that
// SSM Agent registers them with Systems Manager, and a PatchPolicy (this project's component, what
// AWS Quick Setup's patch policy builds) whose scan and install associations of
// AWS-RunPatchBaseline target that tag. The policy gives the instance role what patching needs
// (AmazonSSMManagedInstanceCore and read access to the baseline override), as Quick Setup's "add
// the required IAM policies to the existing instance profiles" does. The patch-compliance pack
// passes it.
//
//     cd examples/patched-fleet && pulumi preview --policy-pack ../../policies
import * as aws from "@pulumi/aws";
import { PatchBaseline, PatchPolicy } from "../../components";

async function patchedFleet(): Promise<Record<string, unknown>> {
    const tags = { Environment: "Staging", Team: "payments" };
    const role = new aws.iam.Role("payments", {
        description: "Payments instances, managed by Systems Manager",
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
    });
    const profile = new aws.iam.InstanceProfile("payments", { role: role.name, tags });
    const baseline = new PatchBaseline("al2", { tags });
    const policy = new PatchPolicy("staging", {
        policyName: "staging-patching",
        baselines: [baseline],
        targets: { tags: { Environment: "Staging" } },
        maxConcurrency: "25%",
        maxErrors: "1",
        instanceRoleNames: [role.name],
        tags,
    });
    const ami = aws.ec2.getAmiOutput({
        owners: ["amazon"],
        mostRecent: true,
        filters: [{ name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] }],
    });
    const instances = [0, 1].map((i) => new aws.ec2.Instance(`payments-${i}`, {
        ami: ami.id,
        instanceType: "t3.small",
        iamInstanceProfile: profile.name,
        tags: { ...tags, Name: `payments-${i}` },
    }));
    return { instanceIds: instances.map((i) => i.id), patchPolicy: policy.policyName };
}

export = patchedFleet;

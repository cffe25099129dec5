// An EC2 instance launched without an Environment tag, as a quick experiment often is. The
// patch-compliance pack refuses it twice over: ec2-instance-environment-tag (no Environment tag;
// the lower-case `environment` tag does not count) and ec2-instance-patch-baseline (nothing in the
// stack patches it).
//
//     cd examples/untagged-instance && pulumi preview --policy-pack ../../policies
import * as aws from "@pulumi/aws";

async function untaggedInstance(): Promise<Record<string, unknown>> {
    const ami = aws.ec2.getAmiOutput({
        owners: ["amazon"],
        mostRecent: true,
        filters: [{ name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] }],
    });
    const web = new aws.ec2.Instance("web", {
        ami: ami.id,
        instanceType: "t3.micro",
        tags: { Name: "web", environment: "dev" },
    });
    return { instanceId: web.id };
}

export = untaggedInstance;

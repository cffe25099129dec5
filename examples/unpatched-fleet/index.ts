// A tagged fleet nobody patches: three instances tagged Environment=Production and a custom patch
// baseline, but no association, maintenance window, Quick Setup patch policy or patch group that
// runs AWS-RunPatchBaseline on them; the only association runs a shell script. A baseline alone
// patches nothing, so ec2-instance-patch-baseline refuses every instance.
//
//     cd examples/unpatched-fleet && pulumi preview --policy-pack ../../policies
import * as aws from "@pulumi/aws";

async function unpatchedFleet(): Promise<Record<string, unknown>> {
    const tags = { Environment: "Production", Team: "payments" };
    new aws.ssm.PatchBaseline("al2", {
        name: "payments-al2",
        operatingSystem: "AMAZON_LINUX_2",
        approvalRules: [{
            approveAfterDays: 7,
            complianceLevel: "CRITICAL",
            patchFilters: [
                { key: "CLASSIFICATION", values: ["Security"] },
                { key: "SEVERITY", values: ["Critical", "Important"] },
            ],
        }],
        tags,
    });
    const ami = aws.ec2.getAmiOutput({
        owners: ["amazon"],
        mostRecent: true,
        filters: [{ name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] }],
    });
    const instances = [0, 1, 2].map((i) => new aws.ec2.Instance(`payments-${i}`, {
        ami: ami.id,
        instanceType: "t3.small",
        tags: { ...tags, Name: `payments-${i}` },
    }));
    // Runs on the fleet, but is not AWS-RunPatchBaseline: it does not count.
    new aws.ssm.Association("uptime", {
        name: "AWS-RunShellScript",
        parameters: { commands: "uptime" },
        targets: [{ key: "tag:Environment", values: ["Production"] }],
    });
    return { instanceIds: instances.map((i) => i.id) };
}

export = unpatchedFleet;

// The patch-compliance policy pack. `pulumi preview --policy-pack policies` runs it through
// @pulumi/pulumi/cmd/run-policy-pack, which serves these policies over the analyzer protocol.
import { PolicyPack } from "@pulumi/policy";
import { patchBaselineComplianceLevel, patchBaselineCriticalApproval, patchBucketProtection, patchRunRateControl } from "./advisory";
import { ec2InstanceEnvironmentTag } from "./environmentTag";
import { ec2InstancePatchBaseline } from "./patchCoverage";
import { ec2InstanceSsmManaged } from "./ssmManaged";

export const PACK_NAME = "patch-compliance";

new PolicyPack(PACK_NAME, {
    displayName: "Patch compliance",
    description: "EC2 instances carry an Environment tag, can be managed by Systems Manager and are covered by a patch baseline managed in the stack; baselines, patching runs and patch buckets follow good practice.",
    provider: "aws",
    tags: ["aws", "ssm", "patching"],
    policies: [
        ec2InstanceEnvironmentTag,
        ec2InstancePatchBaseline,
        ec2InstanceSsmManaged,
        patchBaselineCriticalApproval,
        patchBaselineComplianceLevel,
        patchRunRateControl,
        patchBucketProtection,
    ],
});

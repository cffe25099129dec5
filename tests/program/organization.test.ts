import { strict as assert } from "assert";
import * as path from "path";
import { ValidationError } from "../../components";
import { planProgram, Plan } from "../../plan";
import { loadStackConfigFile } from "../../plan/stackFile";
import { parseStackConfig, rawStackConfig } from "../../program/config";

const DEV = loadStackConfigFile(path.join(__dirname, "../../Pulumi.dev.yaml"));
const ORG = { targetOrganizationalUnits: ["ou-ab12-cdef3456"], targetRegions: ["us-east-1", "eu-west-1"] };

describe("organization mode (a native Quick Setup patch policy)", () => {
    let plan: Plan;
    before(async () => {
        plan = await planProgram({ stack: "dev", config: { ...DEV, "ssm-patching:organization": JSON.stringify(ORG) } });
    });

    it("hands Quick Setup the reference workflow's parameters", () => {
        const managers = plan.resources.filter((r) => r.type === "aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager");
        assert.equal(managers.length, 1);
        const def = managers[0].inputs.configurationDefinition as { type: string; parameters: Record<string, string> };
        assert.equal(def.type, "AWSQuickSetupType-PatchPolicy");
        const baseline = plan.resources.find((r) => r.type === "aws:ssm/patchBaseline:PatchBaseline");
        assert.ok(baseline);
        const { SelectedPatchBaselines, ...rest } = def.parameters;
        assert.deepEqual(rest, {
            PatchPolicyName: "patch-policy-workshop",
            ConfigurationOptionsPatchOperation: "ScanAndInstall",
            ConfigurationOptionsScanValue: "cron(0 1 * * ? *)",
            ConfigurationOptionsScanNextInterval: "false",
            ConfigurationOptionsInstallValue: "cron(30 23 ? * SAT *)",
            ConfigurationOptionsInstallNextInterval: "true",
            PatchBaselineRegion: "us-east-1",
            PatchBaselineUseDefault: "custom",
            RateControlConcurrency: "50%",
            RateControlErrorThreshold: "50%",
            RebootOption: "RebootIfNeeded",
            IsPolicyAttachAllowed: "true",
            OutputLogEnableS3: "false",
            TargetType: "Tags",
            TargetTagKey: "Environment",
            TargetTagValue: "Development",
            TargetOrganizationalUnits: "ou-ab12-cdef3456",
            TargetRegions: "us-east-1,eu-west-1",
        });
        const selected = JSON.parse(SelectedPatchBaselines);
        assert.deepEqual(Object.keys(selected), ["AMAZON_LINUX_2"]);
        assert.equal(selected.AMAZON_LINUX_2.label, "AmazonLinux2SecAndNonSecBaseline");
        assert.match(selected.AMAZON_LINUX_2.value, /^pb-/);
        assert.equal(selected.AMAZON_LINUX_2.disabled, false);
    });

    it("creates no associations or override bucket of its own: AWS builds them per account", () => {
        assert.equal(plan.resources.filter((r) => r.type === "aws:ssm/association:Association").length, 0);
        assert.equal(plan.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").length, 0);
    });
});

describe("what Quick Setup would refuse", () => {
    const raw = (org: unknown, extra: Record<string, unknown> = {}) => ({ ...rawStackConfig(DEV), organization: org, ...extra });
    const cases: [string, unknown, Record<string, unknown>, string][] = [
        ["neither OUs nor accounts", { targetRegions: ["us-east-1"] }, {}, "ssm-patching:organization.targetOrganizationalUnits"],
        ["both OUs and accounts", { ...ORG, targetAccounts: ["123456789012"] }, {}, "ssm-patching:organization.targetOrganizationalUnits"],
        ["a malformed OU", { ...ORG, targetOrganizationalUnits: ["engineering"] }, {}, "ssm-patching:organization.targetOrganizationalUnits[0]"],
        ["no Regions", { targetOrganizationalUnits: ["r-ab12"], targetRegions: [] }, {}, "ssm-patching:organization.targetRegions"],
        ["a bad Region", { ...ORG, targetRegions: ["us-east-1", "useast2"] }, {}, "ssm-patching:organization.targetRegions[1]"],
        ["two target tags", ORG, { patchPolicy: { targets: { tags: { Environment: "Development", Team: "web" } } } }, "ssm-patching:patchPolicy.targets.tags"],
        ["instance id targets", ORG, { patchPolicy: { targets: { instanceIds: ["i-0123456789abcdef0"] } } }, "ssm-patching:patchPolicy.targets.instanceIds"],
        ["organization mode with accounts", ORG, { accounts: [{ accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/x" }] }, "ssm-patching:organization"],
        ["instance role names", ORG, { patchPolicy: { instanceRoleNames: ["web"] } }, "ssm-patching:patchPolicy.instanceRoleNames"],
    ];
    for (const [what, org, extra, key] of cases) {
        it(`refuses ${what}, naming ${key}`, () => {
            assert.throws(() => parseStackConfig(raw(org, extra)), (err: Error) => {
                assert.ok(err instanceof ValidationError, String(err));
                assert.equal(err.path, key);
                return true;
            });
        });
    }
});

import { strict as assert } from "assert";
import { ValidationError } from "../../components";
import { planProgram } from "../../plan";
import { loadStackConfigFile, stackConfigPath } from "../../plan/stackFile";
import { parseStackConfig, rawStackConfig } from "../../program/config";

const ENABLER = "aws:inspector2/enabler:Enabler";
const DEV = loadStackConfigFile(stackConfigPath("dev"));
const PROD = loadStackConfigFile(stackConfigPath("prod"));

describe("ssm-patching:inspector", () => {
    it("is off by default: the bundled stacks enable nothing", async () => {
        const plan = await planProgram({ stack: "dev" });
        assert.equal(plan.resources.filter((r) => r.type === ENABLER).length, 0);
    });

    it("enables Inspector EC2 scanning for the credentials' own account in the stack's Region", async () => {
        const plan = await planProgram({ stack: "dev", config: { ...DEV, "ssm-patching:inspector": JSON.stringify({ enabled: true }) } });
        const enablers = plan.resources.filter((r) => r.type === ENABLER);
        assert.equal(enablers.length, 1);
        assert.deepEqual(enablers[0].inputs.resourceTypes, ["EC2"]);
        assert.equal((enablers[0].inputs.accountIds as string[]).length, 1);
        assert.match((enablers[0].inputs.accountIds as string[])[0], /^\d{12}$/);
    });

    it("enables it in every account and Region of a multi-account stack, for that account, through its provider", async () => {
        const plan = await planProgram({ stack: "prod", config: { ...PROD, "ssm-patching:inspector": JSON.stringify({ enabled: true, resourceTypes: ["EC2", "ECR"] }) } });
        const enablers = plan.resources.filter((r) => r.type === ENABLER);
        assert.deepEqual(enablers.map((e) => e.name).sort(), [
            "prod-222222222222-eu-west-1-inspector", "prod-222222222222-us-east-1-inspector",
            "prod-333333333333-eu-west-1-inspector", "prod-333333333333-us-east-1-inspector",
        ]);
        for (const e of enablers) {
            const account = /^prod-(\d{12})-/.exec(e.name)![1];
            assert.deepEqual(e.inputs.accountIds, [account]);
            assert.deepEqual(e.inputs.resourceTypes, ["EC2", "ECR"]);
            assert.ok(e.provider?.includes(`prod-${account}-`), `${e.name} deploys through ${e.provider}`);
        }
    });

    const invalid: [string, unknown, Record<string, unknown>, string, RegExp][] = [
        ["an unknown resource type", { enabled: true, resourceTypes: ["EC3"] }, {}, "ssm-patching:inspector.resourceTypes[0]", /must be one of EC2, ECR, LAMBDA, LAMBDA_CODE/],
        ["resource types without EC2", { enabled: true, resourceTypes: ["ECR"] }, {}, "ssm-patching:inspector.resourceTypes", /must include EC2/],
        ["a misspelt key", { enable: true }, {}, "ssm-patching:inspector.enable", /not a known key/],
        ["organization mode", { enabled: true }, { organization: { targetAccounts: ["123456789012"], targetRegions: ["us-east-1"] } }, "ssm-patching:inspector.enabled", /delegated administrator/],
    ];
    for (const [what, inspector, extra, key, reason] of invalid) {
        it(`refuses ${what}, naming ${key}`, () => {
            assert.throws(() => parseStackConfig({ ...rawStackConfig(DEV), inspector, ...extra }), (err: Error) => {
                assert.ok(err instanceof ValidationError, String(err));
                assert.equal(err.path, key);
                assert.match(err.reason, reason);
                return true;
            });
        });
    }
});

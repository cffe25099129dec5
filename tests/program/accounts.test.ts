import { strict as assert } from "assert";
import * as path from "path";
import { ValidationError } from "../../components";
import { planProgram, Plan } from "../../plan";
import { loadStackConfigFile } from "../../plan/stackFile";
import { parseStackConfig, rawStackConfig } from "../../program/config";

const DEV = loadStackConfigFile(path.join(__dirname, "../../Pulumi.dev.yaml"));

const ACCOUNTS = [
    { accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/PatchingDeployment", externalId: "ext-222" },
    { accountId: "333333333333", roleArn: "arn:aws:iam::333333333333:role/PatchingDeployment" },
    { accountId: "444444444444", roleArn: "arn:aws:iam::444444444444:role/PatchingDeployment", sessionName: "ci-deploy" },
];
const REGIONS = ["us-east-1", "eu-west-1"];

function withAccounts(accounts: object[], regions: string[]): Record<string, string> {
    return { ...DEV, "ssm-patching:accounts": JSON.stringify(accounts), "ssm-patching:regions": JSON.stringify(regions) };
}

describe("many accounts and Regions from one stack", () => {
    let plan: Plan;
    before(async () => {
        plan = await planProgram({ stack: "dev", config: withAccounts(ACCOUNTS, REGIONS) });
    });

    it("creates six providers with the right role, external id, session and Region", () => {
        const providers = plan.resources.filter((r) => r.type === "pulumi:providers:aws");
        assert.equal(providers.length, 6);
        for (const a of ACCOUNTS) {
            for (const region of REGIONS) {
                const p = providers.find((x) => x.name === `dev-${a.accountId}-${region}`);
                assert.ok(p, `no provider for ${a.accountId} ${region}`);
                assert.equal(p.inputs.region, region);
                const roles = JSON.parse(String(p.inputs.assumeRoles));
                assert.equal(roles[0].roleArn, a.roleArn);
                assert.equal(roles[0].externalId, a.externalId);
                assert.equal(roles[0].sessionName, a.sessionName ?? "pulumi-ssm-patching");
                assert.deepEqual(JSON.parse(String(p.inputs.allowedAccountIds)), [a.accountId]);
                assert.equal(JSON.parse(String(p.inputs.defaultTags)).tags.Environment, "Development");
            }
        }
    });

    it("deploys the full set in each account and Region, through that pair's provider", () => {
        const custom = plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        for (const a of ACCOUNTS) {
            for (const region of REGIONS) {
                const here = custom.filter((r) => r.placement.accountId === a.accountId && r.placement.region === region);
                const types = here.map((r) => r.type).sort();
                assert.ok(types.includes("aws:ssm/patchBaseline:PatchBaseline"));
                assert.equal(types.filter((t) => t === "aws:ssm/association:Association").length, 2);
                assert.equal(types.filter((t) => t === "aws:ec2/instance:Instance").length, 2);
                for (const r of here) {
                    assert.ok(r.provider?.startsWith(`urn:pulumi:dev::ssm-patching::pulumi:providers:aws::dev-${a.accountId}-${region}::`), `${r.urn} uses ${r.provider}`);
                }
            }
        }
        // Every AWS resource has an explicit provider: nothing falls back to the default account.
        assert.deepEqual(custom.filter((r) => !r.provider).map((r) => r.urn), []);
        const perPair = custom.length / 6;
        assert.equal(perPair, Math.floor(perPair));
    });

    it("gives every resource a unique URN", () => {
        const urns = plan.resources.map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length);
    });

    it("keeps every other URN when an account or a Region is added or removed", async () => {
        const urns = (p: Plan) => new Set(p.resources.map((r) => r.urn));
        const before = urns(plan);
        const fewer = urns(await planProgram({ stack: "dev", config: withAccounts(ACCOUNTS.slice(1), REGIONS) }));
        const more = urns(await planProgram({ stack: "dev", config: withAccounts(ACCOUNTS, [...REGIONS, "ap-southeast-2"]) }));
        for (const u of fewer) assert.ok(before.has(u), `removing an account renamed ${u}`);
        for (const u of before) assert.ok(more.has(u), `adding a Region renamed ${u}`);
        assert.ok(fewer.size < before.size && more.size > before.size);
    });

    it("groups outputs by account and Region", () => {
        const d = (plan.outputs as { deployments: Record<string, Record<string, { baselines: Record<string, { id: string }> }>> }).deployments;
        assert.deepEqual(Object.keys(d).sort(), ACCOUNTS.map((a) => a.accountId));
        for (const a of ACCOUNTS) {
            assert.deepEqual(Object.keys(d[a.accountId]).sort(), [...REGIONS].sort());
            assert.match(d[a.accountId]["eu-west-1"].baselines.AMAZON_LINUX_2.id, /^pb-/);
        }
    });

    it("puts ARNs in the account and Region of their provider", () => {
        const role = plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.placement.accountId === "444444444444");
        assert.ok(role);
        const attach = plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.placement.accountId === "444444444444" && r.placement.region === "eu-west-1");
        assert.ok(attach);
    });
});

describe("invalid accounts and Regions", () => {
    const raw = (accounts: unknown, regions: unknown = REGIONS) => ({ ...rawStackConfig(DEV), accounts, regions });
    const cases: [string, unknown, unknown, string][] = [
        ["an 11-digit account id", [{ ...ACCOUNTS[0], accountId: "22222222222" }], REGIONS, "ssm-patching:accounts[0].accountId"],
        ["an account id that YAML read as a number and lost its leading zero", [{ ...ACCOUNTS[0], accountId: 22222222222 }], REGIONS, "ssm-patching:accounts[0].accountId"],
        ["a role ARN that is a user", [{ ...ACCOUNTS[0], roleArn: "arn:aws:iam::222222222222:user/bob" }], REGIONS, "ssm-patching:accounts[0].roleArn"],
        ["a role in another account", [{ ...ACCOUNTS[0], roleArn: "arn:aws:iam::999999999999:role/PatchingDeployment" }], REGIONS, "ssm-patching:accounts[0].roleArn"],
        ["the same account twice", [ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[0]], REGIONS, "ssm-patching:accounts[2].accountId"],
        ["an unknown Region", ACCOUNTS, ["us-east-1", "moon-1"], "ssm-patching:regions[1]"],
        ["the same Region twice", ACCOUNTS, ["us-east-1", "us-east-1"], "ssm-patching:regions[1]"],
        ["a misspelt account key", [{ ...ACCOUNTS[0], roleARN: "x" }], REGIONS, "ssm-patching:accounts[0].roleARN"],
        ["a bad Region of one account", [{ ...ACCOUNTS[0], regions: ["eu-west-1", "EU"] }], REGIONS, "ssm-patching:accounts[0].regions[1]"],
        ["an empty account list", [], REGIONS, "ssm-patching:accounts"],
    ];
    for (const [what, accounts, regions, key] of cases) {
        it(`refuses ${what}, naming ${key}`, () => {
            assert.throws(() => parseStackConfig(raw(accounts, regions)), (err: Error) => {
                assert.ok(err instanceof ValidationError, String(err));
                assert.equal(err.path, key);
                return true;
            });
        });
    }

    it("refuses an aws:region that is not a Region", () => {
        assert.throws(() => parseStackConfig(rawStackConfig(DEV), "us-east"), /aws:region: must be an AWS Region/);
    });

    it("refuses Regions of the right shape that the installed AWS SDK does not know", () => {
        assert.throws(() => parseStackConfig(rawStackConfig(DEV), "us-eats-1"), /^ValidationError: aws:region: is not a Region the installed AWS SDK knows/);
        assert.throws(() => parseStackConfig(raw(ACCOUNTS, ["us-east-1", "us-mars-1"])), (err: Error) => err instanceof ValidationError && err.path === "ssm-patching:regions[1]");
    });

    it("takes a 12-digit account id that YAML read as a number (pulumi config set --path stores it so)", () => {
        const cfg = parseStackConfig(raw([{ ...ACCOUNTS[0], accountId: 222222222222 }], REGIONS));
        assert.deepEqual([...new Set(cfg.targets.map((t) => t.accountId))], ["222222222222"]);
    });
});

describe("bundled environments", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`plans the ${stack} stack`, async () => {
            const p = await planProgram({ stack });
            assert.ok(p.resources.some((r) => r.type === "aws:ssm/association:Association"));
        });
    }

    it("installs production in a maintenance window, one node in ten, stopping at the first error", async () => {
        const p = await planProgram({ stack: "prod" });
        const tasks = p.resources.filter((r) => r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask");
        assert.equal(tasks.length, 4);
        for (const t of tasks) {
            assert.equal(t.inputs.maxConcurrency, "10%");
            // SSM stops once errors exceed MaxErrors: "0" stops at the first error.
            assert.equal(t.inputs.maxErrors, "0");
        }
        assert.equal(p.resources.filter((r) => r.type === "aws:ssm/association:Association").length, 4, "prod's policy only scans");
        // The window's installs use the account default baseline: prod's own.
        assert.equal(p.resources.filter((r) => r.type === "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline").length, 4);
    });
});

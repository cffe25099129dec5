// The engine-like driver (plan/analyzer.ts): policy config files in the --policy-pack-config
// format, reconciling config as the engine does, and the pack process's lifecycle.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { unknown as outputUnknown } from "@pulumi/pulumi/output";
import {
    analyzeWithPack, loadPolicyConfigFile, PackInfo, PATCH_COMPLIANCE_PACK_DIR, PolicyConfigError, PolicyPackError,
    reconcilePolicyConfig, RunningPack, startPack, wireValue,
} from "../../plan/analyzer";
import { PlanBuilder } from "../../plan/synthetic";

const ENV = "ec2-instance-environment-tag";
const COVERAGE = "ec2-instance-patch-baseline";

function alive(pid: number | undefined): boolean {
    if (pid === undefined) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("policy config files (--policy-pack-config format)", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };

    it("reads the shorthand and the object form", () => {
        const file = write("ok.json", JSON.stringify({ all: "advisory", [ENV]: { enforcementLevel: "mandatory", allowedValues: ["Production"] }, [COVERAGE]: "disabled" }));
        assert.deepStrictEqual(loadPolicyConfigFile(file), { all: "advisory", [ENV]: { enforcementLevel: "mandatory", allowedValues: ["Production"] }, [COVERAGE]: "disabled" });
    });

    it("reads YAML too, and an empty file as no config", () => {
        assert.deepStrictEqual(loadPolicyConfigFile(write("ok.yaml", `${ENV}:\n  allowedValues: [Production]\n`)), { [ENV]: { allowedValues: ["Production"] } });
        assert.deepStrictEqual(loadPolicyConfigFile(write("empty.json", "\n")), {});
    });

    const refusals: [string, string, string | undefined, RegExp][] = [
        ["a missing file", "missing.json", undefined, /missing\.json: cannot read the policy config file \(ENOENT\)$/],
        ["a file that is not JSON", "syntax.json", "{ nope", /syntax\.json: not valid YAML or JSON: /],
        ["a list", "list.json", "[1, 2]", /list\.json: must be an object mapping policy names/],
        ["an unknown enforcement level", "level.json", JSON.stringify({ [ENV]: "strict" }), /level\.json: ec2-instance-environment-tag: "strict" is not an enforcement level; use one of advisory, mandatory, remediate, disabled$/],
        ["an unknown enforcementLevel in an object", "object.json", JSON.stringify({ [ENV]: { enforcementLevel: "hard" } }), /object\.json: ec2-instance-environment-tag\.enforcementLevel: "hard" is not an enforcement level/],
        ["a number for a policy", "number.json", JSON.stringify({ [ENV]: 3 }), /number\.json: ec2-instance-environment-tag: must be an enforcement level or an object of config; got 3$/],
        ["config under all", "all.json", JSON.stringify({ all: { enforcementLevel: "advisory", tagKey: "Env" } }), /all\.json: all: only an enforcement level applies to all policies/],
    ];
    for (const [what, name, text, message] of refusals) {
        it(`refuses ${what} in one line naming the file`, () => {
            const file = text === undefined ? path.join(dir, name) : write(name, text);
            assert.throws(() => loadPolicyConfigFile(file), (err: Error) => {
                assert.ok(err instanceof PolicyConfigError);
                assert.ok(!err.message.includes("\n"), err.message);
                assert.ok(err.message.startsWith(`${file}: `), err.message);
                assert.match(err.message, message);
                return true;
            });
        });
    }
});

describe("reconciling policy config (as the engine does before Configure)", () => {
    const info: PackInfo = {
        name: "patch-compliance",
        version: "0.1.0",
        policies: [
            { name: ENV, description: "", enforcementLevel: "mandatory", kind: "resource", configSchema: { properties: { tagKey: { type: "string", minLength: 1, default: "Environment" }, allowedValues: { type: "array", items: { type: "string", minLength: 1 }, default: [] } }, required: [] } },
            { name: "patch-baseline-critical-approval", description: "", enforcementLevel: "advisory", kind: "resource", configSchema: { properties: { maxApproveAfterDays: { type: "integer", minimum: 0, maximum: 360, default: 14 } }, required: [] } },
            { name: "patch-run-rate-control", description: "", enforcementLevel: "advisory", kind: "resource" },
        ],
    };

    it("fills in every policy's level and schema defaults", () => {
        assert.deepStrictEqual(reconcilePolicyConfig(info, undefined), {
            [ENV]: { enforcementLevel: "mandatory", properties: { tagKey: "Environment", allowedValues: [] } },
            "patch-baseline-critical-approval": { enforcementLevel: "advisory", properties: { maxApproveAfterDays: 14 } },
            "patch-run-rate-control": { enforcementLevel: "advisory", properties: {} },
        });
    });

    it("applies all, then each policy's own entry", () => {
        const r = reconcilePolicyConfig(info, { all: "disabled", [ENV]: { allowedValues: ["Production"] }, "patch-run-rate-control": "mandatory" });
        assert.deepStrictEqual(r[ENV], { enforcementLevel: "disabled", properties: { tagKey: "Environment", allowedValues: ["Production"] } });
        assert.strictEqual(r["patch-run-rate-control"].enforcementLevel, "mandatory");
    });

    const refusals: [string, Record<string, unknown>, string][] = [
        ["a policy the pack does not have", { "ec2-instance-tags": "advisory" }, `pc.json: ec2-instance-tags: no such policy in pack patch-compliance; its policies: ${ENV}, patch-baseline-critical-approval, patch-run-rate-control`],
        ["a config key the policy does not take", { [ENV]: { allowedValue: ["x"] } }, `pc.json: ${ENV}.allowedValue: not a config key of the policy; its keys: tagKey, allowedValues, enforcementLevel`],
        ["a value of the wrong type", { [ENV]: { allowedValues: "Production" } }, `pc.json: ${ENV}.allowedValues: must be an array of strings; got "Production"`],
        ["an empty list item", { [ENV]: { allowedValues: ["Production", ""] } }, `pc.json: ${ENV}.allowedValues[1]: must not be empty`],
        ["a number out of range", { "patch-baseline-critical-approval": { maxApproveAfterDays: 400 } }, "pc.json: patch-baseline-critical-approval.maxApproveAfterDays: must be at most 360; got 400"],
        ["a fraction for an integer", { "patch-baseline-critical-approval": { maxApproveAfterDays: 1.5 } }, "pc.json: patch-baseline-critical-approval.maxApproveAfterDays: must be of type integer; got 1.5"],
    ];
    for (const [what, config, message] of refusals) {
        it(`refuses ${what}, naming the key`, () => {
            assert.throws(() => reconcilePolicyConfig(info, config, "pc.json"), (err: Error) => err instanceof PolicyConfigError && err.message === message);
        });
    }
});

describe("planned inputs on the wire", () => {
    it("sends unknowns as the unknown sentinel, keeps secrets in their wire form and drops undefined", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cr3t" };
        assert.deepStrictEqual(wireValue({ tags: outputUnknown, list: [1, undefined, outputUnknown], gone: undefined, secret, n: Infinity }), {
            tags: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            list: [1, null, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"],
            secret,
            n: null,
        });
    });
});

describe("the policy pack process", () => {
    let pack: RunningPack;
    before(async function () {
        this.timeout(90_000);
        pack = await startPack(PATCH_COMPLIANCE_PACK_DIR);
    });
    after(async () => {
        await pack?.close();
    });

    it("describes the pack: its name, version and policies, as GetAnalyzerInfo returns them", () => {
        assert.strictEqual(pack.info.name, "patch-compliance");
        assert.strictEqual(pack.info.version, JSON.parse(fs.readFileSync(path.join(PATCH_COMPLIANCE_PACK_DIR, "package.json"), "utf8")).version);
        assert.deepStrictEqual(pack.info.policies.map((p) => [p.name, p.kind, p.enforcementLevel]), [
            [ENV, "resource", "mandatory"],
            [COVERAGE, "stack", "mandatory"],
            ["patch-baseline-critical-approval", "resource", "advisory"],
            ["patch-baseline-compliance-level", "resource", "advisory"],
            ["patch-run-rate-control", "resource", "advisory"],
            ["patch-bucket-protection", "stack", "advisory"],
        ]);
        assert.deepStrictEqual(pack.info.policies[0].configSchema?.properties.tagKey.default, "Environment");
        assert.deepStrictEqual(pack.info.policies[1].configSchema?.properties.coveredEnvironments.default, []);
    });

    it("downgrades every policy with all: advisory", async () => {
        const b = new PlanBuilder();
        b.instance("web", { Name: "web" });
        const diags = await pack.analyze(b.resources, { policyConfig: { all: "advisory" } });
        assert.deepStrictEqual(diags.map((d) => [d.policy, d.enforcementLevel]), [[ENV, "advisory"], [COVERAGE, "advisory"]]);
    });

    it("names the config file in a config error, before analyzing anything", async () => {
        const b = new PlanBuilder();
        b.instance("web", { Name: "web" });
        await assert.rejects(pack.analyze(b.resources, { policyConfig: { [ENV]: { tagkey: "Env" } }, policyConfigSource: "policy.json" }), /^PolicyConfigError: policy\.json: ec2-instance-environment-tag\.tagkey: not a config key/);
    });

    it("gives each diagnostic its resource's URN, and the violation without the description line", async () => {
        const b = new PlanBuilder();
        const web = b.instance("web", { Name: "web" });
        const [d] = (await pack.analyze(b.resources)).filter((x) => x.policy === ENV);
        assert.strictEqual(d.urn, web.urn);
        assert.strictEqual(d.message, `${d.description}\n${d.detail}`);
        assert.strictEqual(d.policyPackName, "patch-compliance");
    });

    it("stops the pack process on close (last: the suite's pack)", async () => {
        assert.ok(alive(pack.pid));
        await pack.close();
        assert.ok(!alive(pack.pid));
        await assert.rejects(pack.analyze([]), /is closed/);
    });
});

describe("analyzeWithPack", () => {
    it("starts the pack, analyzes once and stops it, leaving no process behind", async function () {
        this.timeout(90_000);
        const b = new PlanBuilder();
        b.instance("web", { Environment: "Production" });
        b.association("scan", [{ key: "tag:Environment", values: ["Production"] }]);
        const before = new Set(listPackProcesses());
        const result = await analyzeWithPack({ packDir: PATCH_COMPLIANCE_PACK_DIR, resources: b.resources, stackConfig: { "aws:region": "us-east-1" } });
        assert.deepStrictEqual(result, { pack: { name: "patch-compliance", version: "0.1.0" }, diagnostics: [] });
        assert.deepStrictEqual(listPackProcesses().filter((p) => !before.has(p)), []);
    });

    it("reports a pack that does not compile, with the compiler's message", async function () {
        this.timeout(90_000);
        // It finds @pulumi/policy through a node_modules link to the project's, as the real pack finds the project's.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-pack-"));
        const link = path.join(dir, "node_modules");
        try {
            fs.symlinkSync(path.resolve(__dirname, "..", "..", "node_modules"), link, "dir");
            fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "broken", version: "0.0.1", main: "index.ts" }));
            fs.writeFileSync(path.join(dir, "index.ts"), 'import { PolicyPack } from "@pulumi/policy";\nconst n: number = "not a number";\nnew PolicyPack("broken", { policies: [] });\nexport { n };\n');
            await assert.rejects(startPack(dir), (err: Error) => err instanceof PolicyPackError && /exited .* before serving/.test(err.message) && /TS2322/.test(err.message));
        } finally {
            if (fs.existsSync(link)) fs.unlinkSync(link);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a folder that is not a policy pack", async () => {
        await assert.rejects(startPack(os.tmpdir()), /not a policy pack \(no PulumiPolicy\.yaml\)/);
    });
});

/** Processes running run-policy-pack, by pid (Linux /proc). */
function listPackProcesses(): string[] {
    if (!fs.existsSync("/proc")) return [];
    return fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
            return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("run-policy-pack");
        } catch {
            return false;
        }
    });
}

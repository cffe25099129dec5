// The engine-like driver (plan/policy/): policy config files in the --policy-pack-config
// format, reconciling config as the engine does, and the pack process's lifecycle.
import * as assert from "assert";
import type * as childProcessTypes from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { unknown as outputUnknown } from "@pulumi/pulumi/output";
import {
    analyzeWithPack, loadPolicyConfigFile, PackInfo, PATCH_COMPLIANCE_PACK_DIR, PolicyConfigError, PolicyPackError,
    reconcilePolicyConfig, RunningPack, startPack, wireValue,
} from "../../plan/policy";
import { PlanBuilder } from "../../testing/syntheticStacks";
import { assertBuilt, useTempDir } from "../plan/helpers";

// The module object itself (not a namespace copy), so that a spy on its spawn sees the driver's calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess: typeof childProcessTypes = require("child_process");

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
    const tmp = useTempDir("policy-config-");
    const write = (name: string, text: string) => {
        const file = tmp(name);
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
            const file = text === undefined ? tmp(name) : write(name, text);
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

describe("validating policy config against each policy's configSchema (JSON Schema, as the Pulumi CLI does)", () => {
    const info: PackInfo = {
        name: "pack",
        version: "0.0.1",
        policies: [{
            name: "p",
            description: "",
            enforcementLevel: "advisory",
            kind: "resource",
            configSchema: {
                properties: {
                    mode: { type: "string", enum: ["strict", "lenient"], default: "strict" },
                    owner: { type: "string", pattern: "^[a-z]+$" },
                    ports: { type: "array", items: { type: "integer", exclusiveMinimum: 0 }, uniqueItems: true, maxItems: 3 },
                    limits: { type: "object", properties: { cpu: { type: "number", maximum: 4 } }, additionalProperties: false },
                },
                required: ["owner"],
            },
        }],
    };

    it("accepts a config that meets the schema, keeping the defaults it does not set", () => {
        assert.deepStrictEqual(reconcilePolicyConfig(info, { p: { owner: "ops", ports: [22, 443], limits: { cpu: 2 } } }).p.properties,
            { mode: "strict", owner: "ops", ports: [22, 443], limits: { cpu: 2 } });
    });

    const refusals: [string, Record<string, unknown>, string][] = [
        ["a key the policy requires", { p: { mode: "lenient" } }, "pc.json: p.owner: is required by the policy"],
        ["a value outside the enum", { p: { owner: "ops", mode: "loose" } }, 'pc.json: p.mode: must be one of "strict", "lenient"; got "loose"'],
        ["a string that does not match the pattern", { p: { owner: "Ops" } }, 'pc.json: p.owner: must match the pattern ^[a-z]+$; got "Ops"'],
        ["an item at the exclusive minimum", { p: { owner: "ops", ports: [22, 0] } }, "pc.json: p.ports[1]: must be more than 0; got 0"],
        ["a repeated item", { p: { owner: "ops", ports: [22, 22] } }, "pc.json: p.ports: must not repeat an item; [0] and [1] are both 22"],
        ["too many items", { p: { owner: "ops", ports: [1, 2, 3, 4] } }, "pc.json: p.ports: must have at most 3 items; got 4"],
        ["a nested key the schema does not allow", { p: { owner: "ops", limits: { memory: 2 } } }, "pc.json: p.limits.memory: not a key of limits"],
        ["a nested value out of range", { p: { owner: "ops", limits: { cpu: 8 } } }, "pc.json: p.limits.cpu: must be at most 4; got 8"],
    ];
    for (const [what, config, message] of refusals) {
        it(`refuses ${what}, in one line naming the file, the policy and the key`, () => {
            assert.throws(() => reconcilePolicyConfig(info, config, "pc.json"), (err: Error) => {
                assert.ok(err instanceof PolicyConfigError);
                assert.strictEqual(err.message, message);
                return true;
            });
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
        assertBuilt();
        pack = await startPack(PATCH_COMPLIANCE_PACK_DIR);
    });
    after(async () => {
        await pack?.close();
    });

    it("describes the pack: its name, version and policies, as GetAnalyzerInfo returns them", () => {
        assert.strictEqual(pack.info.name, "patch-compliance");
        assert.strictEqual(pack.info.version, JSON.parse(fs.readFileSync(path.join(PATCH_COMPLIANCE_PACK_DIR, "package.json"), "utf8")).version);
        assert.deepStrictEqual(pack.info.policies.map((p) => [p.name, p.kind, p.enforcementLevel]), [
            [ENV, "stack", "mandatory"],
            [COVERAGE, "stack", "mandatory"],
            ["ec2-instance-ssm-managed", "stack", "advisory"],
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
        const plain = await pack.analyze(b.resources);
        assert.deepStrictEqual(plain.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policy), [ENV, COVERAGE]);
        const diags = await pack.analyze(b.resources, { policyConfig: { all: "advisory" } });
        assert.deepStrictEqual(diags.map((d) => [d.policy, d.urn]), plain.map((d) => [d.policy, d.urn]));
        assert.deepStrictEqual(diags.filter((d) => d.enforcementLevel !== "advisory").map((d) => d.policy), []);
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

    it("analyzeWithPack starts its own pack, analyzes once and stops it, leaving no process behind", async function () {
        this.timeout(90_000);
        const b = new PlanBuilder();
        b.instance("web", { Environment: "Production" });
        b.instance("db", { Name: "db" });
        b.association("scan", [{ key: "tag:Environment", values: ["Production"] }]);
        const opts = { stackConfig: { "aws:region": "us-east-1" }, project: "fleet", stack: "test" };
        const { value: result, processes } = await watchingSpawnedProcesses(() =>
            analyzeWithPack({ packDir: PATCH_COMPLIANCE_PACK_DIR, resources: b.resources, ...opts }));
        assert.strictEqual(processes.filter((p) => p.spawned).length, 1, "it spawned the pack");
        assert.deepStrictEqual(processes.filter(isRunning).map((p) => p.pid), []);
        // The verdicts of one analysis, as the suite's pack, started and driven by hand, gives them.
        assert.deepStrictEqual(result, { pack: { name: pack.info.name, version: pack.info.version }, diagnostics: await pack.analyze(b.resources, opts) });
        assert.ok(result.diagnostics.some((d) => d.policy === ENV && d.urn?.endsWith("::db")), "db has no Environment tag");
    });

    it("stops the pack process on close (last: the suite's pack)", async () => {
        assert.ok(alive(pack.pid));
        await pack.close();
        assert.ok(!alive(pack.pid));
        await assert.rejects(pack.analyze([]), /is closed/);
    });
});

describe("analyzeWithPack", () => {
    const tmp = useTempDir("broken-pack-");
    before(assertBuilt);

    it("reports a pack that does not compile, with the compiler's message", async function () {
        this.timeout(90_000);
        // A TypeScript pack, as the Pulumi CLI runs policies/: run-policy-pack type-checks it first.
        // It finds @pulumi/policy through a node_modules link to the project's, as the real pack finds the project's.
        const dir = tmp();
        fs.symlinkSync(path.resolve(__dirname, "..", "..", "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "broken", version: "0.0.1", main: "index.ts" }));
        fs.writeFileSync(path.join(dir, "index.ts"), 'import { PolicyPack } from "@pulumi/policy";\nconst n: number = "not a number";\nnew PolicyPack("broken", { policies: [] });\nexport { n };\n');
        await assert.rejects(startPack(dir), (err: Error) => err instanceof PolicyPackError && /exited .* before serving/.test(err.message) && /TS2322/.test(err.message));
    });

    it("refuses a folder that is not a policy pack", async () => {
        await assert.rejects(startPack(os.tmpdir()), /not a policy pack \(no PulumiPolicy\.yaml\)/);
    });
});

/** A process, identified by its pid and (on Linux) its start time, so that a reused pid is not taken for it. */
interface ProcessId {
    pid: number;
    startTime?: string;
    /** Spawned by the code under test (rather than a descendant of such a process). */
    spawned: boolean;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name): the start time; and field 3, the state. */
function procStat(pid: number): { state: string; ppid: number; startTime: string } | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return { state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
    } catch {
        return undefined;
    }
}

/** Whether the process still runs (not exited, not a zombie, not a newer process with its pid). */
function isRunning(p: ProcessId): boolean {
    if (fs.existsSync("/proc/self/stat")) {
        const stat = procStat(p.pid);
        return stat !== undefined && stat.state !== "Z" && stat.startTime === p.startTime;
    }
    try {
        process.kill(p.pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** The children of the given processes: from /proc/<pid>/task/<tid>/children where the kernel has it, else by each process's parent. */
function childrenOf(pids: Set<number>): number[] {
    const found: number[] = [];
    for (const pid of pids) {
        try {
            for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
                const file = `/proc/${pid}/task/${tid}/children`;
                if (!fs.existsSync(file)) throw new Error("no children file");
                found.push(...fs.readFileSync(file, "utf8").split(" ").filter((s) => s.trim() !== "").map(Number));
            }
        } catch {
            for (const entry of fs.readdirSync("/proc")) {
                if (/^\d+$/.test(entry) && procStat(Number(entry))?.ppid === pid) found.push(Number(entry));
            }
        }
    }
    return found;
}

/**
 * Runs `fn` with a spy on child_process.spawn and returns the processes it spawned and, while it
 * ran, their descendants: only processes the call under test started.
 */
async function watchingSpawnedProcesses<T>(fn: () => Promise<T>): Promise<{ value: T; processes: ProcessId[] }> {
    const seen = new Map<number, ProcessId>();
    const note = (pid: number, spawned: boolean) => {
        if (!seen.has(pid)) seen.set(pid, { pid, startTime: procStat(pid)?.startTime, spawned });
    };
    const spawn = childProcess.spawn;
    childProcess.spawn = ((...args: Parameters<typeof spawn>) => {
        const child = spawn(...args);
        if (child.pid !== undefined) note(child.pid, true);
        return child;
    }) as typeof spawn;
    const sample = () => {
        if (!fs.existsSync("/proc/self/stat")) return;
        let generation = new Set([...seen.values()].filter(isRunning).map((p) => p.pid));
        while (generation.size > 0) {
            const next = new Set(childrenOf(generation).filter((pid) => !seen.has(pid)));
            for (const pid of next) note(pid, false);
            generation = next;
        }
    };
    const timer = setInterval(sample, 100);
    try {
        const value = await fn();
        return { value, processes: [...seen.values()] };
    } finally {
        clearInterval(timer);
        childProcess.spawn = spawn;
    }
}

import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planCli } from "../../plan/cli";
import { PROJECT_DIR } from "../../plan/project";
import { assertBuilt, useTempDir } from "./helpers";

const ROOT = PROJECT_DIR;
/** Generous: a subprocess on a loaded machine. */
const TIMEOUT_MS = 180_000;

/** The warning the plan prints when a source is newer than the build: a file edited while the tests run. */
const STALE_BUILD_WARNING = /^plan: warning: the build \(dist\/\) is older than .*\n/gm;

interface Result {
    code: number | null;
    stdout: string;
    stderr: string;
}

function result(r: ReturnType<typeof spawnSync>): Result {
    if (r.error) throw r.error;
    return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr).replace(STALE_BUILD_WARNING, "") };
}

/** Runs what `npm run plan -- args` runs (node dist/plan/cli.js), from another folder than the project's. */
function plan(args: string[]): Result {
    return result(spawnSync(process.execPath, [path.join(ROOT, "dist", "plan", "cli.js"), ...args], { cwd: path.join(ROOT, ".."), encoding: "utf8", timeout: TIMEOUT_MS }));
}

/** Runs `npm run -s plan -- args` itself, as a user pipes it (`| jq .`), without blocking: the tests await it. */
function startNpmPlan(args: string[]): Promise<Result> {
    const npmCli = process.env.npm_execpath;
    const [cmd, pre] = npmCli && /npm-cli\.js$/.test(npmCli) ? [process.execPath, [npmCli]] : ["npm", []];
    return new Promise<Result>((resolve, reject) => {
        const child = spawn(cmd, [...pre, "run", "-s", "plan", "--", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr: stderr.replace(STALE_BUILD_WARNING, "") });
        });
    });
}

let inProcess: Promise<unknown> = Promise.resolve();

/**
 * Runs the plan CLI in this process, as `node dist/plan/cli.js args` runs it once node has started
 * (planCli with the process's streams), capturing what it writes; the pack still runs as its own
 * process. One plan at a time: the Pulumi runtime is per process. The subprocess runs above check
 * what only a process shows (exit status, the npm script, --help).
 */
function startPlan(args: string[]): Promise<Result> {
    const run = inProcess.then(async () => {
        let stdout = "";
        let stderr = "";
        const code = await planCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
        return { code, stdout, stderr: stderr.replace(STALE_BUILD_WARNING, "") };
    });
    inProcess = run.catch(() => undefined);
    return run;
}

const devConfig = () => fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");

describe("npm run plan", function () {
    this.timeout(TIMEOUT_MS + 10_000);
    /**
     * The slow runs (each a whole plan, or the program's start), started once the files they read
     * exist: the npm script's process alongside the in-process plans, which run one after another.
     */
    let runs: Record<"devJson" | "badConfig" | "canary" | "unpatchedTree" | "unpatchedJson" | "unpatchedCovered" | "typo", Promise<Result>>;
    // Registered before the temp folder's own hooks, so it runs first: the folder goes only once
    // every plan reading it has ended.
    after(() => Promise.allSettled(Object.values(runs ?? {})));
    const tmp = useTempDir("plan-");
    before(() => {
        assertBuilt();
        fs.writeFileSync(tmp("Pulumi.bad.yaml"), devConfig().replace("maxErrors: 50%", "maxErrors: lots"));
        fs.writeFileSync(tmp("Pulumi.canary.yaml"), devConfig());
        // The patch policy targets another environment than the fleet's: nothing patches the fleet.
        const unpatched = tmp("Pulumi.unpatched.yaml");
        fs.writeFileSync(unpatched, devConfig().replace("    targets:\n      tags:\n        Environment: Development\n", "    targets:\n      tags:\n        Environment: Sandbox\n"));
        fs.writeFileSync(tmp("policy.json"), JSON.stringify({ "ec2-instance-patch-baseline": { coveredEnvironments: ["Development"] } }));
        fs.writeFileSync(tmp("typo.json"), JSON.stringify({ "ec2-instance-patch-baselin": {} }));
        runs = {
            devJson: startNpmPlan(["--stack", "dev", "--json"]),
            badConfig: startPlan(["--stack", "bad", "--config-file", tmp("Pulumi.bad.yaml")]),
            canary: startPlan(["--config-file", tmp("Pulumi.canary.yaml"), "--json", "--no-policy-pack"]),
            unpatchedTree: startPlan(["--stack", "dev", "--config-file", unpatched]),
            unpatchedJson: startPlan(["--stack", "dev", "--config-file", unpatched, "--json"]),
            unpatchedCovered: startPlan(["--stack", "dev", "--config-file", unpatched, "--policy-config", tmp("policy.json")]),
            typo: startPlan(["--stack", "dev", "--policy-config", tmp("typo.json")]),
        };
        // Each test awaits its own; none is left unobserved if a test before it fails.
        for (const run of Object.values(runs)) run.catch(() => undefined);
    });

    describe("the dev stack with --json, through the npm script", () => {
        let r: Result;
        before(async () => {
            r = await runs.devJson;
        });

        it("prints one JSON document and nothing else, so it pipes into jq", () => {
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stderr, "");
            assert.ok(r.stdout.startsWith("{") && r.stdout.endsWith("}\n"), r.stdout.slice(0, 200));
            assert.equal(JSON.parse(r.stdout).stack, "dev");
        });

        it("has the reference baseline, policy and targets", () => {
            const doc = JSON.parse(r.stdout);
            for (const res of doc.resources) {
                assert.deepEqual(Object.keys(res).slice(0, 6), ["urn", "type", "name", "parent", "provider", "inputs"]);
            }
            const baseline = doc.resources.find((x: { type: string }) => x.type === "aws:ssm/patchBaseline:PatchBaseline");
            assert.equal(baseline.inputs.name, "AmazonLinux2SecAndNonSecBaseline");
            const install = doc.resources.find((x: { inputs: { associationName?: string } }) => x.inputs.associationName === "PatchPolicy-InstallPatches-patch-policy-workshop");
            assert.deepEqual(install.inputs.targets, [{ key: "tag:Environment", values: ["Development"] }]);
            assert.equal(install.inputs.scheduleExpression, "cron(30 23 ? * SAT *)");
        });

        it("runs the policy pack: the dev stack passes, and --json carries the verdicts", () => {
            const doc = JSON.parse(r.stdout);
            assert.equal(doc.policy.pack.name, "patch-compliance");
            assert.deepEqual(doc.policy.diagnostics.filter((d: { enforcementLevel: string }) => d.enforcementLevel === "mandatory"), []);
        });
    });

    it("exits 2 with one line naming the config key when the config is invalid", async () => {
        const r = await runs.badConfig;
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], /ssm-patching:patchPolicy\.maxErrors: must be a count from 0/);
    });

    it("exits 2 naming the file and the missing key when a config file has no top-level config:", () => {
        const file = tmp("Pulumi.flat.yaml");
        fs.writeFileSync(file, "ssm-patching:environment: Development\naws:region: us-east-1\n");
        const r = plan(["--config-file", file]);
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, `plan: invalid input: ${file}: missing the top-level \`config:\` key; a Pulumi.<stack>.yaml file keeps the stack's settings under \`config:\`\n`);
    });

    it("exits 2 for a stack that does not exist, listing the bundled ones", () => {
        const r = plan(["--stack", "nope"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr.trim(), /^plan: invalid input: --stack: no stack "nope".*bundled stacks: .*dev/);
    });

    it("exits 2 for an unknown flag", () => {
        const r = plan(["--stak", "dev"]);
        assert.equal(r.code, 2);
        assert.equal(r.stderr, "plan: unknown option '--stak' (Did you mean --stack?)\n");
    });

    describe("--config-file without --stack", () => {
        it("names the stack after a Pulumi.<name>.yaml file", async () => {
            const r = await runs.canary;
            assert.equal(r.code, 0, r.stderr);
            const doc = JSON.parse(r.stdout);
            assert.equal(doc.stack, "canary");
            const instances = doc.resources.filter((x: { type: string }) => x.type === "aws:ec2/instance:Instance");
            assert.ok(instances.length > 0);
            for (const i of instances) {
                assert.match(i.name, /^canary-/);
                assert.match(i.urn, /^urn:pulumi:canary::ssm-patching::/);
            }
            assert.equal(doc.policy, undefined, "--no-policy-pack: no verdicts");
        });

        it("exits 2 asking for --stack when the file is named otherwise", () => {
            const file = tmp("canary.yaml");
            fs.writeFileSync(file, devConfig());
            const r = plan(["--config-file", file]);
            assert.equal(r.code, 2);
            assert.equal(r.stdout, "");
            assert.equal(r.stderr, `plan: --config-file ${file}: give --stack too (the stack is named after the file only when it is Pulumi.<name>.yaml)\n`);
        });
    });

    // The dev stack's own tree, which passes, is the README's first command: tests/docs/readme.test.ts runs it.
    describe("with a fleet nobody patches (the patch policy targets Environment=Sandbox)", () => {
        it("prints a preview-like tree with each instance's mandatory violation, and exits 1", async () => {
            const r = await runs.unpatchedTree;
            assert.equal(r.code, 1, r.stderr);
            assert.match(r.stdout, /├─ patching:ssm:PatchBaseline\s+dev-amazon-linux-2/);
            assert.match(r.stdout, /aws:ssm:Association\s+dev-policy-install\s+associationName=PatchPolicy-InstallPatches-patch-policy-workshop/);
            assert.match(r.stdout, /\+ \d+ to create/);
            assert.match(r.stdout, /✗ patch-compliance@v0\.1\.0/);
            assert.match(r.stdout, /- \[mandatory\] {2}ec2-instance-patch-baseline {2}\(urn:pulumi:dev::ssm-patching::patching:demo:Fleet\$aws:ec2\/instance:Instance::dev-demo-0\)/);
            assert.match(r.stderr, /a mandatory policy of patch-compliance is violated/);
        });

        it("puts the violations in --json as {policy, enforcementLevel, urn, message}", async () => {
            const r = await runs.unpatchedJson;
            assert.equal(r.code, 1);
            const diags = JSON.parse(r.stdout).policy.diagnostics.filter((d: { policy: string }) => d.policy === "ec2-instance-patch-baseline");
            assert.equal(diags.length, 2);
            assert.deepEqual(Object.keys(diags[0]), ["policy", "enforcementLevel", "urn", "message"]);
            // The violation itself, as the pack words it, without the policy's description line.
            assert.match(diags[0].message, /^EC2 instance 'dev-demo-0' .*AWS-RunPatchBaseline/);
            assert.doesNotMatch(diags[0].message, /^Checks whether/);
        });

        it("passes when --policy-config says another stack patches the environment", async () => {
            const r = await runs.unpatchedCovered;
            assert.equal(r.code, 0, r.stderr);
        });

        it("exits 2 naming the policy when the policy config has a typo", async () => {
            const r = await runs.typo;
            assert.equal(r.code, 2);
            assert.equal(r.stderr.trim().split("\n").length, 1);
            assert.match(r.stderr, /invalid policy config: .*typo\.json: ec2-instance-patch-baselin: no such policy/);
        });
    });

    it("describes itself once with --help, with the rule for naming the stack", () => {
        const r = plan(["--help"]);
        assert.equal(r.code, 0);
        assert.equal(r.stdout.match(/^Usage: plan/gm)?.length, 1, r.stdout);
        assert.equal(r.stdout.match(/Exit status/g)?.length, 1, r.stdout);
        assert.match(r.stdout, /--config-file <yaml>/);
        assert.match(r.stdout, /With --config-file and no --stack, the stack is named after the file when it is\s+Pulumi\.<name>\.yaml; for any other file name --stack is required\./);
    });
});

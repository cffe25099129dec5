import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "../..");

/** Runs `npm run plan -- args` the way a user does (ts-node, no npm wrapper), in a subprocess. */
function plan(args: string[]) {
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "plan/cli.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run plan", () => {
    it("prints one JSON document of the dev stack with the reference baseline, policy and targets", () => {
        const r = plan(["--stack", "dev", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.stack, "dev");
        for (const res of doc.resources) {
            assert.deepEqual(Object.keys(res).slice(0, 6), ["urn", "type", "name", "parent", "provider", "inputs"]);
        }
        const baseline = doc.resources.find((x: { type: string }) => x.type === "aws:ssm/patchBaseline:PatchBaseline");
        assert.equal(baseline.inputs.name, "AmazonLinux2SecAndNonSecBaseline");
        const install = doc.resources.find((x: { inputs: { associationName?: string } }) => x.inputs.associationName === "PatchPolicy-InstallPatches-patch-policy-workshop");
        assert.deepEqual(install.inputs.targets, [{ key: "tag:Environment", values: ["Development"] }]);
        assert.equal(install.inputs.scheduleExpression, "cron(30 23 ? * SAT *)");
    });

    it("prints a preview-like tree by default", () => {
        const r = plan(["--stack", "dev"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /├─ patching:ssm:PatchBaseline\s+dev-amazon-linux-2/);
        assert.match(r.stdout, /aws:ssm:Association\s+dev-policy-install\s+associationName=PatchPolicy-InstallPatches-patch-policy-workshop/);
        assert.match(r.stdout, /\+ \d+ to create/);
    });

    it("exits 2 with one line naming the config key when the config is invalid", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const file = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace("maxErrors: 50%", "maxErrors: lots"));
        const r = plan(["--stack", "bad", "--config-file", file]);
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], /ssm-patching:patchPolicy\.maxErrors: must be a count from 0/);
    });

    it("exits 2 for a stack that does not exist, listing the bundled ones", () => {
        const r = plan(["--stack", "nope"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr.trim(), /^plan: invalid input: --stack: no stack "nope".*bundled stacks: .*dev/);
    });

    it("exits 2 for an unknown flag", () => {
        const r = plan(["--stak", "dev"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown option '--stak'/);
    });

    it("runs the policy pack: the dev stack passes, and --json carries the verdicts", () => {
        const r = plan(["--stack", "dev", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.policy.pack.name, "patch-compliance");
        assert.deepEqual(doc.policy.diagnostics.filter((d: { enforcementLevel: string }) => d.enforcementLevel === "mandatory"), []);
    });

    describe("with a fleet nobody patches", () => {
        let file: string;
        before(() => {
            file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "Pulumi.unpatched.yaml");
            fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace("  ssm-patching:patchPolicy:\n", "  ssm-patching:patchPolicy:\n    enabled: false\n"));
        });

        it("exits 1 and lists each instance's mandatory violation as a preview does", () => {
            const r = plan(["--stack", "dev", "--config-file", file]);
            assert.equal(r.code, 1, r.stderr);
            assert.match(r.stdout, /✗ patch-compliance@v0\.1\.0/);
            assert.match(r.stdout, /- \[mandatory\] {2}ec2-instance-patch-baseline {2}\(urn:pulumi:dev::ssm-patching::patching:demo:Fleet\$aws:ec2\/instance:Instance::dev-demo-0\)/);
            assert.match(r.stderr, /a mandatory policy of patch-compliance is violated/);
        });

        it("puts the violations in --json as {policy, enforcementLevel, urn, message}", () => {
            const r = plan(["--stack", "dev", "--config-file", file, "--json"]);
            assert.equal(r.code, 1);
            const diags = JSON.parse(r.stdout).policy.diagnostics.filter((d: { policy: string }) => d.policy === "ec2-instance-patch-baseline");
            assert.equal(diags.length, 2);
            assert.deepEqual(Object.keys(diags[0]), ["policy", "enforcementLevel", "urn", "message"]);
            assert.match(diags[0].message, /must be covered by a patch baseline/);
        });

        it("passes when --policy-config says another stack patches the environment", () => {
            const cfg = path.join(path.dirname(file), "policy.json");
            fs.writeFileSync(cfg, JSON.stringify({ "ec2-instance-patch-baseline": { coveredEnvironments: ["Development"] } }));
            assert.equal(plan(["--stack", "dev", "--config-file", file, "--policy-config", cfg]).code, 0);
        });

        it("exits 2 naming the policy when the policy config has a typo", () => {
            const cfg = path.join(path.dirname(file), "typo.json");
            fs.writeFileSync(cfg, JSON.stringify({ "ec2-instance-patch-baselin": {} }));
            const r = plan(["--stack", "dev", "--policy-config", cfg]);
            assert.equal(r.code, 2);
            assert.equal(r.stderr.trim().split("\n").length, 1);
            assert.match(r.stderr, /invalid policy config: .*typo\.json: ec2-instance-patch-baselin: no such policy/);
        });
    });

    it("describes itself with --help", () => {
        const r = plan(["--help"]);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /--config-file <yaml>/);
        assert.match(r.stdout, /Exit status/);
    });
});

/** `patchctl findings` run as a subprocess (the compiled bin/patchctl, as users run it) against the loopback endpoint. */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { findingsForFleet } from "../../testing/findingsModel";
import { startEndpoint, workshop, type Endpoint } from "./helpers";

const ROOT = join(__dirname, "..", "..");

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(join(ROOT, "bin", "patchctl"), args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("patchctl findings as a subprocess", function () {
    this.timeout(60_000);
    let endpoint: Endpoint;
    let env: NodeJS.ProcessEnv;
    before(async () => {
        const fleet = workshop();
        endpoint = await startEndpoint({ fleets: { "*": fleet } }, { data: { "*": findingsForFleet(fleet) } });
        env = { PATH: process.env.PATH, HOME: process.env.HOME, PATCHCTL_ENDPOINT: endpoint.url, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDFAKE", AWS_SECRET_ACCESS_KEY: "fake" };
    });
    after(() => endpoint.close());

    it("prints the report as JSON, only the report on stdout (exit 0)", async () => {
        const r = await run(["findings", "--env", "Development", "--json"], env);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "");
        const json = JSON.parse(r.stdout) as { command: string; summary: { findings: number }; exitCode: number };
        assert.deepEqual([json.command, json.summary.findings, json.exitCode], ["findings", 15, 0]);
    });

    it("exits 1 on a --fail-on hit, naming the instances on stderr", async () => {
        const r = await run(["findings", "--env", "Development", "--fail-on", "critical", "--csv"], env);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^account,region,scopeStatus,error,instanceId,/);
        assert.match(r.stderr, /^patchctl: --fail-on critical: 4 of 8 instances/);
    });

    it("exits 2 on a usage error, in one line, and lists the command in --help", async () => {
        const r = await run(["findings"], env);
        assert.equal(r.code, 2);
        assert.equal(r.stderr, "patchctl: no targets: pass --env <name>, --tag Key=Value or --instance-ids <id,...>\n");
        const help = await run(["findings", "--help"], env);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /--compare <file>/);
        assert.match(help.stdout, /patchctl install --env Development --snapshot before.json/);
    });
});

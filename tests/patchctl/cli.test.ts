/**
 * The real CLI (bin/patchctl, which runs the build in dist/) run as a subprocess against the
 * loopback SSM endpoint.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FakeSsm } from "../../testing/fakeSsm";
import { workshopFleet } from "../../testing/serveSsm";
import { assertBuilt } from "../plan/helpers";
import { useTempDir } from "./helpers";

const ROOT = resolve(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "patchctl");
const COMMAND_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

let home: string;

function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: "AKIDTEST",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        AWS_CONFIG_FILE: join(home, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
    };
    for (const [key, value] of Object.entries(extra)) {
        if (value === undefined) {
            delete env[key];
        } else {
            env[key] = value;
        }
    }
    return env;
}

/** Runs bin/patchctl; `onStart` may signal the child. Killed after 30 s at the latest. */
function run(args: string[], env: NodeJS.ProcessEnv, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
    return runProcess(process.execPath, [BIN, ...args], env, onStart);
}

/** Runs a command line through the shell, as a user pastes it, in `cwd` (default: the project). */
function runShell(line: string, env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Run> {
    return runProcess("/bin/sh", ["-c", line], env, undefined, cwd);
}

function runProcess(file: string, args: string[], env: NodeJS.ProcessEnv, onStart?: (child: ReturnType<typeof spawn>) => void, cwd = ROOT): Promise<Run> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(killer);
            resolvePromise({ code, stdout, stderr });
        });
        onStart?.(child);
    });
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) {
            throw new Error("condition not met in time");
        }
        await new Promise((r) => setTimeout(r, 25));
    }
}

const lines = (text: string): string[] => text.split("\n").filter((l) => l !== "");

/** The command line after `prefix` in the output, e.g. the hint after "resume with: ". */
function hintAfter(prefix: string, text: string): string {
    const line = lines(text).find((l) => l.includes(prefix));
    assert.ok(line, `no line with '${prefix}' in:\n${text}`);
    return line.slice(line.indexOf(prefix) + prefix.length);
}

describe("patchctl CLI (subprocess)", function () {
    let fake: FakeSsm;
    let env: NodeJS.ProcessEnv;
    const tempDir = useTempDir("patchctl-cli-");

    before(() => {
        assertBuilt();
        home = tempDir();
    });

    beforeEach(async () => {
        fake = new FakeSsm({
            fleets: {
                "111111111111": workshopFleet({ prefix: "0a", failing: 3 }),
                "222222222222": workshopFleet({ prefix: "0b" }),
            },
        });
        env = baseEnv({ PATCHCTL_ENDPOINT: await fake.start() });
    });
    afterEach(async () => {
        await fake.close();
    });

    it("prints help for every command and exits 0", async () => {
        const root = await run(["--help"], env);
        assert.equal(root.code, 0);
        assert.match(root.stdout, /^Usage: patchctl \[options\] \[command\]/);
        for (const command of ["scan", "compliance", "install", "watch", "policy"]) {
            assert.match(root.stdout, new RegExp(`\\n  ${command} `));
        }
        assert.equal(root.stderr, "");
        const policyRun = await run(["policy", "run", "--help"], env);
        assert.equal(policyRun.code, 0);
        assert.match(policyRun.stdout, /Quick Setup patch policy, its configuration id/);
    });

    it("exits 2 with one line on stderr for argument and configuration errors", async () => {
        const accounts = join(tempDir(), "accounts.yaml");
        writeFileSync(
            accounts,
            'accounts:\n  - accountId: "222222222222"\n    roleArn: arn:aws:iam::222222222222:role/PatchOperator\n    regions: [us-east-1]\n  - accountId: "333333333333"\n    roleArn: PatchOperator\n    regions: [us-east-1]\n',
        );
        const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
            [["scan"], env, /^patchctl: no targets: pass --env <name>, --tag Key=Value or --instance-ids <id,...>$/],
            [["compliance", "--env", "Development", "--accounts", accounts], env, /^patchctl: .*accounts\.yaml: accounts\[1\]\.roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role\/PatchingDeployment; got "PatchOperator"$/],
            [["compliance", "--env", "Development", "--region", "us-mars-1"], env, /^patchctl: --region 'us-mars-1': is not a Region the installed AWS SDK knows/],
            [["compliance", "--env", "Development"], baseEnv({ AWS_REGION: undefined, PATCHCTL_ENDPOINT: env.PATCHCTL_ENDPOINT }), /^patchctl: no AWS Region: pass --region or set AWS_REGION/],
            [["install", "--env", "Development"], env, /^patchctl: install needs confirmation but stdin is not a terminal: pass --yes/],
            [["compliance", "--env", "Development", "--api-rate", "0"], env, /^patchctl: --api-rate/],
        ];
        for (const [args, caseEnv, message] of cases) {
            const result = await run(args, caseEnv);
            assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
            assert.equal(lines(result.stderr).length, 1, result.stderr);
            assert.match(result.stderr.trim(), message);
            assert.equal(result.stdout, "");
        }
        assert.equal(fake.count("SendCommand"), 0, "refused installs send nothing");
    });

    it("prints compliance as JSON and turns --fail-on into exit 1", async () => {
        const report = await run(["compliance", "--env", "Development", "--json"], env);
        assert.equal(report.code, 0, report.stderr);
        const json = JSON.parse(report.stdout) as Record<string, unknown> & { nodes: Array<Record<string, unknown>>; summary: Record<string, number> };
        assert.deepEqual(Object.keys(json).sort(), ["command", "errors", "exitCode", "failOn", "gateFailures", "nodes", "scopes", "summary", "targets"]);
        assert.equal(json.nodes.length, 6);
        assert.deepEqual(Object.keys(json.nodes[0]).slice(0, 7), ["account", "region", "instanceId", "name", "platform", "pingStatus", "status"]);
        assert.deepEqual(json.summary, { nodes: 6, compliant: 3, nonCompliant: 3, noData: 0, withCriticalNonCompliant: 3, withSecurityNonCompliant: 3, missingPatches: 9, failedScopes: 0 });

        const gate = await run(["compliance", "--env", "Development", "--fail-on", "critical", "--csv"], env);
        assert.equal(gate.code, 1);
        assert.match(lines(gate.stdout)[0], /^account,region,instanceId,name,/);
        assert.equal(lines(gate.stdout).length, 7);
        assert.match(gate.stderr, /^patchctl: --fail-on critical: 3 of 6 nodes fail: i-0a/);
        assert.equal(fake.summary().DescribeInstanceInformation, 2);
    });

    it("scans across accounts, reports the failed node and the denied account, and exits 1", async () => {
        const accounts = join(tempDir(), "accounts.json");
        writeFileSync(
            accounts,
            JSON.stringify([
                { accountId: "111111111111", roleArn: "arn:aws:iam::111111111111:role/PatchOperator", regions: ["us-east-1"] },
                { accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/PatchOperator", regions: ["us-east-1", "eu-west-1"] },
                { accountId: "444444444444", roleArn: "arn:aws:iam::444444444444:role/PatchOperator", regions: ["us-east-1"] },
            ]),
        );
        const result = await run(["scan", "--env", "Development", "--accounts", accounts, "--json", "--interval", "20ms"], env);
        assert.equal(result.code, 1, result.stderr);
        const json = JSON.parse(result.stdout) as {
            results: Array<{ account: string; region: string; state: string; error: string | null }>;
            invocations: Array<{ account: string; instanceId: string; status: string; installed: number | null; missing: number | null; detail: string }>;
            errors: Array<{ account: string; error: string }>;
        };
        assert.deepEqual(json.results.map((r) => `${r.account}/${r.region}/${r.state}`), ["111111111111/us-east-1/done", "222222222222/us-east-1/done", "222222222222/eu-west-1/done", "444444444444/us-east-1/error"]);
        assert.equal(json.invocations.length, 18);
        assert.deepEqual(json.invocations.filter((i) => i.status !== "Success").map((i) => `${i.account}/${i.instanceId}`), ["111111111111/i-0a000000000000003"]);
        // Counts from each node's patch state (DescribeInstancePatchStates, one call per account-Region here).
        assert.deepEqual(json.invocations.slice(0, 4).map((i) => [i.installed, i.missing, i.detail]), [
            [412, 3, "Scan finished"],
            [412, 0, "Scan finished"],
            [412, 3, "Scan finished"],
            [null, null, "Error: yum lock held by another process (pid 2231)"],
        ]);
        assert.equal(fake.count("DescribeInstancePatchStates", { outcome: "ok" }), 3);
        assert.deepEqual(json.errors.map((e) => e.account), ["444444444444"]);
        assert.match(result.stderr, /^patchctl: account 444444444444 us-east-1: AccessDeniedException: no fleet configured/m);
        assert.equal(fake.count("SendCommand", { outcome: "ok" }), 3);
        assert.equal(fake.count("SendCommand", { outcome: "AccessDeniedException", account: "444444444444" }), 1);
    });

    it("leaves the command running on Ctrl-C, exits 130 with how to resume, and `watch` resumes it", async () => {
        fake.options.commandPolls = Infinity;
        const interrupted = await run(["scan", "--env", "Development", "--interval", "50ms"], env, (child) => {
            void until(() => fake.count("ListCommands") >= 1).then(() => child.kill("SIGINT"));
        });
        assert.equal(interrupted.code, 130, interrupted.stderr);
        const commandId = COMMAND_ID.exec(interrupted.stderr)?.[0];
        assert.ok(commandId, interrupted.stderr);
        assert.deepEqual(lines(interrupted.stderr), [
            `patchctl: sent Scan command ${commandId} to its targets`,
            `patchctl: stopped waiting; the command keeps running on AWS: ${commandId}`,
            `patchctl: resume with: patchctl watch ${commandId} --region us-east-1`,
            `patchctl: cancel with: patchctl cancel ${commandId} --region us-east-1`,
        ]);
        assert.match(interrupted.stdout, new RegExp(`${commandId}\\s+Scan\\s+InProgress\\s+6`));

        fake.options.commandPolls = 1;
        // The hint, run as printed (plus how often to look and the format).
        const hint = hintAfter("resume with: ", interrupted.stderr);
        assert.ok(hint.startsWith("patchctl watch "), hint);
        const watched = await run([...hint.split(" ").slice(1), "--interval", "20ms", "--json"], env);
        assert.equal(watched.code, 1, watched.stderr);
        const json = JSON.parse(watched.stdout) as { command: string; invocations: Array<{ status: string }>; exitCode: number };
        assert.equal(json.command, "watch");
        assert.equal(json.invocations.length, 6);
        assert.equal(json.invocations.filter((i) => i.status === "Failed").length, 1);
        assert.equal(json.exitCode, 1);
        assert.equal(fake.count("SendCommand"), 1);
    });

    it("stops within a bound on SIGINT while reading invocations: exit 130, the command id, resume and cancel hints", async () => {
        fake.options.faults = [{ operation: "ListCommandInvocations", mode: "stall" }];
        const result = await run(["scan", "--env", "Development", "--interval", "20ms", "--json"], env, (child) => {
            void until(() => fake.count("ListCommandInvocations") >= 1).then(() => child.kill("SIGINT"));
        });
        assert.equal(result.code, 130, result.stderr);
        const commandId = COMMAND_ID.exec(result.stderr)?.[0];
        assert.ok(commandId, result.stderr);
        assert.match(result.stderr, new RegExp(`resume with: patchctl watch ${commandId} --region us-east-1`));
        assert.match(result.stderr, new RegExp(`cancel with: patchctl cancel ${commandId} --region us-east-1`));
        const json = JSON.parse(result.stdout) as { results: Array<{ state: string; commands: Array<{ commandId: string }> }> };
        assert.deepEqual(json.results.map((r) => [r.state, r.commands[0].commandId]), [["interrupted", commandId]]);
    });

    it("sends a scan once when the SendCommand answer is lost, and reports it (subprocess)", async () => {
        fake.options.faults = [{ operation: "SendCommand", first: 1, mode: "lose" }];
        const result = await run(["scan", "--env", "Development", "--interval", "20ms", "--json"], env);
        assert.equal(result.code, 1, result.stderr); // one node of the fleet fails its scan
        assert.equal(fake.count("SendCommand"), 1);
        assert.equal((JSON.parse(result.stdout) as { invocations: unknown[] }).invocations.length, 6);
    });

    it("exits 3 when no node matched: compliance --fail-on and scan", async () => {
        const gate = await run(["compliance", "--env", "Nope", "--fail-on", "any"], env);
        assert.equal(gate.code, 3, gate.stderr);
        const scan = await run(["scan", "--env", "Nope", "--interval", "20ms"], env);
        assert.equal(scan.code, 3, scan.stderr);
    });

    it("gives up waiting at --timeout with exit 1 and a resume hint", async () => {
        fake.options.commandPolls = Infinity;
        const result = await run(["scan", "--instance-ids", "i-0a000000000000000,i-0a000000000000001", "--interval", "50ms", "--timeout", "300ms"], env);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /timed out waiting; the command keeps running on AWS/);
        assert.match(result.stderr, new RegExp(`resume with: patchctl watch ${COMMAND_ID.source} --region us-east-1`));
        assert.deepEqual(fake.calls.find((c) => c.operation === "SendCommand")?.input.InstanceIds, ["i-0a000000000000000", "i-0a000000000000001"]);
    });

    it("applies a patch policy now, prints per-node results, then its history", async () => {
        const ran = await run(["policy", "run", "patch-policy-workshop", "--interval", "20ms", "--json"], env);
        assert.equal(ran.code, 1, ran.stderr); // one node of the fleet fails
        const json = JSON.parse(ran.stdout) as { associations: Array<{ associationName: string; status: string }>; targets: Array<{ instanceId: string; status: string }> };
        assert.deepEqual(json.associations.map((a) => [a.associationName, a.status]), [["PatchPolicy-ScanForPatches-patch-policy-workshop", "Failed"]]);
        assert.equal(json.targets.length, 6);
        assert.equal(fake.count("StartAssociationsOnce"), 1);

        const history = await run(["policy", "history", "k8dyx"], env);
        assert.equal(history.code, 0, history.stderr);
        assert.match(history.stdout, /No executions yet\./);
        const ours = await run(["policy", "history", "patch-policy-workshop"], env);
        assert.equal(ours.code, 0, ours.stderr);
        assert.match(ours.stdout, /PatchPolicy-ScanForPatches-patch-policy-workshop\s+\S+\s+Failed/);
    });

    it("runs in every account and Region of a Pulumi stack file: patchctl --accounts Pulumi.prod.yaml compliance --env Production", async () => {
        fake.options.fleets["333333333333"] = workshopFleet({ prefix: "0c" });
        const result = await run(["--accounts", "Pulumi.prod.yaml", "compliance", "--env", "Production", "--json"], env);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const json = JSON.parse(result.stdout) as { nodes: Array<{ account: string; region: string; instanceId: string; status: string }>; summary: Record<string, number> };
        assert.deepEqual(
            [...new Set(json.nodes.map((n) => `${n.account}/${n.region}`))],
            ["222222222222/us-east-1", "222222222222/eu-west-1", "333333333333/us-east-1", "333333333333/eu-west-1"],
        );
        assert.equal(json.summary.nodes, 8, "2 Production nodes in each account-Region");
        assert.ok(json.nodes.every((n) => n.status === "COMPLIANT"));
        // One AssumeRole per account, with the stack's external id; no call in the base account.
        assert.deepEqual(
            fake.calls.filter((c) => c.operation === "AssumeRole").map((c) => [c.input.RoleArn, c.input.ExternalId, c.outcome]).sort(),
            [
                ["arn:aws:iam::222222222222:role/PatchingDeployment", "ssm-patching-prod", "ok"],
                ["arn:aws:iam::333333333333:role/PatchingDeployment", "ssm-patching-prod", "ok"],
            ],
        );
        assert.equal(fake.count("DescribeInstanceInformation", { account: "111111111111" }), 0);
    });

    it("prints a hint that runs as printed: the missing patches of a non-compliant node", async () => {
        const report = await run(["compliance", "--env", "Development"], env);
        assert.equal(report.code, 0, report.stderr);
        const hint = hintAfter("patchctl: missing patches of one node: ", report.stderr);
        assert.equal(hint, "patchctl compliance --instance i-0a000000000000000 --missing --region us-east-1");
        const missing = await run(hint.split(" ").slice(1), baseEnv({ AWS_REGION: undefined, PATCHCTL_ENDPOINT: env.PATCHCTL_ENDPOINT }));
        assert.equal(missing.code, 0, missing.stderr);
        assert.match(missing.stdout, /^TITLE\s+CLASSIFICATION\s+SEVERITY\s+CVES\n/);
        assert.match(missing.stdout, /3 missing patches on i-0a000000000000000\./);
    });

    it("started as npx patchctl, prints hints that start with npx patchctl and run as printed", async () => {
        // A project that depends on patchctl: its node_modules/.bin/patchctl is this bin/patchctl.
        // (npx patchctl in this repository would install and build the repository itself first.)
        const project = join(tempDir(), "project");
        mkdirSync(join(project, "node_modules", ".bin"), { recursive: true });
        writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-patchctl", version: "1.0.0", private: true }));
        symlinkSync(BIN, join(project, "node_modules", ".bin", "patchctl"));
        const npmEnv = { ...env, npm_config_update_notifier: "false", npm_config_offline: "true" };

        const report = await runShell("npx patchctl compliance --env Development", npmEnv, project);
        assert.equal(report.code, 0, report.stderr);
        const hint = hintAfter("patchctl: missing patches of one node: ", report.stderr);
        assert.equal(hint, "npx patchctl compliance --instance i-0a000000000000000 --missing --region us-east-1");

        const missing = await runShell(hint, npmEnv, project);
        assert.equal(missing.code, 0, missing.stderr);
        assert.match(missing.stdout, /3 missing patches on i-0a000000000000000\./);
    });

    it("loads neither the AWS SDK nor zod nor yaml for --help (they load when a command runs)", async () => {
        const script = `
            const { main } = require("./patchctl/main");
            const sink = { write: () => true };
            main(["node", "patchctl", "--help"], { stdout: sink, stderr: sink }).then((code) => {
                const packages = new Set(Object.keys(require.cache).map((file) => (/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file) || [])[1]).filter(Boolean));
                process.stdout.write(JSON.stringify({ code, packages: [...packages] }));
            });`;
        const result = await runProcess(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], env);
        assert.equal(result.code, 0, result.stderr);
        const { code, packages } = JSON.parse(result.stdout) as { code: number; packages: string[] };
        assert.equal(code, 0);
        assert.ok(packages.includes("commander"), packages.join(" "));
        assert.deepEqual(packages.filter((p) => /^(@aws-sdk|@smithy|zod$|yaml$)/.test(p)), []);
    });
});

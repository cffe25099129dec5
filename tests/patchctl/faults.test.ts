/**
 * patchctl under AWS faults (issue 10), against the loopback endpoint with fault rules: listings
 * that never end, failures after SendCommand, a SendCommand whose answer is lost, stalls, refused
 * connections, empty fleets. Every outcome is asserted in the report, never by timing: stalls are
 * controlled by the fake, and the bounds are generous.
 */
import * as assert from "node:assert/strict";
import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClientPool } from "../../patchctl/aws/clients";
import { createCompliance } from "../../patchctl/commands/compliance";
import { main } from "../../patchctl/main";
import { parseTargets } from "../../patchctl/ssm/targets";
import { FakeSsm, makeFleet, type FakeSsmOptions } from "../../testing/fakeSsm";
import { workshopFleet } from "../../testing/serveSsm";
import { argv, harness, useTempDir } from "./helpers";

const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };

describe("patchctl under faults (loopback endpoint)", function () {
    let fake: FakeSsm | undefined;
    const tempDir = useTempDir("patchctl-faults-");

    async function start(options: Partial<FakeSsmOptions> = {}): Promise<FakeSsm> {
        fake = new FakeSsm({ fleets: { "*": workshopFleet({ prefix: "0a", count: 6 }) }, ...options });
        await fake.start();
        return fake;
    }

    afterEach(async () => {
        await fake?.close();
        fake = undefined;
    });

    /** main() in process against the fake, with static credentials; resolves to the exit code and output. */
    async function run(...args: string[]) {
        const h = harness();
        const endpoint = fake?.url ?? "http://127.0.0.1:9";
        const code = await main(argv(...args, "--region", "us-east-1"), {
            ...h.deps,
            env: { PATCHCTL_ENDPOINT: endpoint, AWS_MAX_ATTEMPTS: "3" },
            clientPool: (settings) => new ClientPool({ ...settings, credentials }),
        });
        return { code, stdout: h.stdout.text, stderr: h.stderr.text, json: () => JSON.parse(h.stdout.text) as Record<string, unknown> };
    }

    describe("listings that would never end", () => {
        for (const mode of ["repeatToken", "alternateTokens"] as const) {
            it(`ends a compliance report whose DescribeInstanceInformation tokens ${mode === "repeatToken" ? "repeat" : "alternate"}, as a failed scope`, async () => {
                await start({ fleets: { "*": { nodes: makeFleet(120) } }, faults: [{ operation: "DescribeInstanceInformation", mode }] });
                const r = await run("compliance", "--env", "Development", "--json");
                assert.equal(r.code, 1, r.stderr);
                const json = r.json() as { scopes: Array<{ status: string; error: string }>; nodes: unknown[] };
                assert.equal(json.scopes[0].status, "failed");
                assert.match(json.scopes[0].error, /PaginationError: DescribeInstanceInformation returned a NextToken it had already returned/);
                assert.equal(json.nodes.length, 0);
                assert.ok(fake!.count("DescribeInstanceInformation") <= 5, `${fake!.count("DescribeInstanceInformation")} pages`);
            });
        }

        it("reports the other accounts when one account's listing loops (--accounts)", async () => {
            await start({
                fleets: { "222222222222": workshopFleet({ prefix: "0b" }), "333333333333": workshopFleet({ prefix: "0c" }) },
                faults: [{ operation: "DescribeInstanceInformation", account: "222222222222", mode: "repeatToken" }],
            });
            const accounts = join(tempDir(), "accounts.json");
            writeFileSync(
                accounts,
                JSON.stringify(["222222222222", "333333333333"].map((accountId) => ({ accountId, roleArn: `arn:aws:iam::${accountId}:role/PatchOperator`, regions: ["us-east-1"] }))),
            );
            const r = await run("compliance", "--env", "Development", "--accounts", accounts, "--csv");
            assert.equal(r.code, 1);
            const rows = r.stdout.trim().split("\r\n");
            assert.equal(rows.filter((row) => row.startsWith("333333333333,")).length, 6);
            const failed = rows.filter((row) => row.startsWith("222222222222,"));
            assert.equal(failed.length, 1, "one FAILED row for the looping account, never zero nodes");
            assert.match(failed[0], /FAILED.*PaginationError/);
        });

        it("lists each execution once with policy history --limit 100 when the tokens repeat", async () => {
            const fleet = workshopFleet({ prefix: "0a" });
            const created = Date.UTC(2025, 0, 1);
            fleet.associations![0].executions = Array.from({ length: 3 }, (_, i) => ({
                executionId: `00000000-0000-4000-8000-00000000000${i}`,
                status: "Success",
                createdTime: new Date(created - i * 86_400_000),
                targets: [],
            }));
            await start({ fleets: { "*": fleet }, faults: [{ operation: "DescribeAssociationExecutions", mode: "repeatToken" }] });
            const r = await run("policy", "history", "patch-policy-workshop", "--operation", "scan", "--limit", "100", "--json");
            const json = r.json() as { executions: Array<{ executionId: string }>; errors: Array<{ error: string }> };
            assert.equal(new Set(json.executions.map((e) => e.executionId)).size, json.executions.length, "no execution twice");
            assert.equal(r.code, 1, "a listing that loops is an error, not a full history");
            assert.match(json.errors[0].error, /DescribeAssociationExecutions returned a NextToken it had already returned/);
        });
    });

    describe("commands are never lost", () => {
        it("keeps the command when ListCommands fails after SendCommand, with resume and cancel hints", async () => {
            await start({ faults: [{ operation: "ListCommands", type: "ExpiredTokenException", message: "The security token included in the request is expired" }] });
            const r = await run("scan", "--env", "Development", "--json", "--interval", "10ms");
            assert.equal(r.code, 1);
            const json = r.json() as { results: Array<{ state: string; commands: Array<{ commandId: string }>; error: string }> };
            assert.equal(json.results[0].state, "failed");
            assert.equal(json.results[0].commands.length, 1);
            const id = json.results[0].commands[0].commandId;
            assert.match(json.results[0].error, /ExpiredTokenException/);
            assert.match(r.stderr, new RegExp(`^patchctl: sent Scan command ${id}`, "m"));
            assert.match(r.stderr, new RegExp(`resume with: patchctl watch ${id} --region us-east-1`));
            assert.match(r.stderr, new RegExp(`cancel with: patchctl cancel ${id} --region us-east-1`));
        });

        it("keeps the command and the nodes' statuses read so far when ListCommandInvocations is denied", async () => {
            await start({ faults: [{ operation: "ListCommandInvocations", type: "AccessDeniedException" }] });
            const r = await run("scan", "--env", "Development", "--csv", "--interval", "10ms");
            assert.equal(r.code, 1);
            const [header, row] = r.stdout.trim().split("\r\n");
            assert.equal(header, "account,region,commandId,operation,status,targets,sentTo,error");
            assert.match(row, /^,us-east-1,[0-9a-f-]{36},Scan,Success,6,environment Development,AccessDeniedException/);
        });

        it("rides out one poll's outage (every attempt of it failed) and finishes the report", async () => {
            // 3 attempts a call here (AWS_MAX_ATTEMPTS=3) so the outage is short: all 3 of one poll fail.
            await start({ commandPolls: 2, faults: [{ operation: "ListCommands", after: 1, first: 3, type: "InternalServerError" }] });
            const r = await run("scan", "--env", "Development", "--json", "--interval", "10ms");
            assert.equal(r.code, 0, r.stderr);
            assert.equal((r.json() as { invocations: unknown[] }).invocations.length, 6);
        });

        it("says which nodes got which command when a later batch is refused, and waits for the sent one", async () => {
            const nodes = makeFleet(120);
            await start({ fleets: { "*": { nodes } }, faults: [{ operation: "SendCommand", after: 1, type: "InvalidInstanceId", message: "Instances not in a valid state" }] });
            const ids = nodes.map((n) => n.instanceId).join(",");
            const r = await run("install", "--instance-ids", ids, "--yes", "--json", "--interval", "10ms");
            assert.equal(r.code, 1);
            const json = r.json() as { results: Array<{ commands: Array<{ commandId: string; instanceIds: string[] }>; notSent: string[]; sendError: string }>; invocations: unknown[] };
            const [result] = json.results;
            assert.equal(result.commands.length, 1);
            assert.deepEqual(result.commands[0].instanceIds, nodes.slice(0, 50).map((n) => n.instanceId));
            assert.deepEqual(result.notSent, nodes.slice(50).map((n) => n.instanceId));
            assert.match(result.sendError, /InvalidInstanceId/);
            assert.equal(json.invocations.length, 50, "the 50 nodes that got the install are reported");
            assert.match(r.stderr, /70 nodes were NOT sent the command/);
            assert.equal(fake!.count("SendCommand"), 2, "no batch after the refused one");
        });
    });

    describe("SendCommand at most once", () => {
        it("finds the command whose answer was lost by its comment marker, and never sends it twice", async () => {
            await start({ faults: [{ operation: "SendCommand", first: 1, mode: "lose" }] });
            const r = await run("scan", "--env", "Development", "--json", "--interval", "10ms");
            assert.equal(r.code, 0, r.stderr);
            assert.equal(fake!.count("SendCommand"), 1, "one SendCommand request: the SDK did not retry it");
            const json = r.json() as { results: Array<{ commands: Array<{ recovered: boolean }> }>; invocations: unknown[] };
            assert.equal(json.results[0].commands[0].recovered, true);
            assert.equal(json.invocations.length, 6);
            assert.match(r.stderr, /found the command whose SendCommand answer was lost/);
        });

        it("says the install may be running, and does not send again, when a 5xx answer leaves it unknown", async () => {
            await start({ faults: [{ operation: "SendCommand", first: 1, type: "InternalServerError" }] });
            const r = await run("install", "--env", "Development", "--yes", "--json");
            assert.equal(r.code, 1);
            assert.equal(fake!.count("SendCommand"), 1);
            assert.match(r.stderr, /SendUncertain: .*the Install MAY BE RUNNING; patchctl did not send it again\. Check with: aws ssm list-commands/);
            assert.ok(fake!.count("ListCommands") >= 1, "looked for it first");
        });

        it("retries a throttled SendCommand: AWS refused it, nothing runs twice", async () => {
            await start({ faults: [{ operation: "SendCommand", first: 1, type: "ThrottlingException" }] });
            const r = await run("scan", "--env", "Development", "--no-wait", "--json");
            assert.equal(r.code, 0, r.stderr);
            assert.equal(fake!.count("SendCommand", { outcome: "ok" }), 1);
        });
    });

    describe("time and signals", () => {
        it("ends the wait at --timeout while ListCommands stalls, with the resume hint", async () => {
            await start({ faults: [{ operation: "ListCommands", mode: "stall" }] });
            const r = await run("scan", "--env", "Development", "--timeout", "1s", "--interval", "10ms");
            assert.equal(r.code, 1);
            assert.match(r.stderr, /timed out waiting; the command keeps running on AWS/);
            assert.match(r.stderr, /resume with: patchctl watch /);
        });

        it("aborts a stalled call at the request timeout and gives up within the retry budget", async () => {
            await start({ faults: [{ operation: "DescribeInstanceInformation", mode: "stall" }] });
            const pool = new ClientPool({ endpoint: fake!.url, credentials, env: {}, requestTimeoutMs: 200, retryBudgetMs: 1_000 });
            try {
                await assert.rejects(createCompliance({ ssm: pool.ssm({ region: "us-east-1" }) }).nodes(parseTargets({ env: "Development" })), /TimeoutError|requestTimeout/);
            } finally {
                pool.destroy();
            }
        });

        it("stops at once on a signal while reading invocations: exit 130, the command and how to resume", async () => {
            await start({ faults: [{ operation: "ListCommandInvocations", mode: "stall" }] });
            const signals = new (await import("node:events")).EventEmitter();
            const h = harness();
            const running = main(argv("scan", "--env", "Development", "--interval", "10ms", "--region", "us-east-1"), {
                ...h.deps,
                signals: signals as unknown as NodeJS.Process,
                env: { PATCHCTL_ENDPOINT: fake!.url },
                clientPool: (settings) => new ClientPool({ ...settings, credentials }),
            });
            for (let i = 0; i < 2000 && fake!.count("ListCommandInvocations") === 0; i++) {
                await new Promise((r) => setTimeout(r, 10));
            }
            signals.emit("SIGINT");
            assert.equal(await running, 130);
            assert.match(h.stderr.text, /stopped waiting; the command keeps running on AWS: [0-9a-f-]{36}/);
            assert.match(h.stderr.text, /resume with: patchctl watch /);
        });
    });

    describe("failure is never data", () => {
        it("reports a refused connection as a failure, not as zero nodes, in about a second", async () => {
            const port = await new Promise<number>((resolve) => {
                const server = createServer();
                server.listen(0, "127.0.0.1", () => {
                    const { port: p } = server.address() as { port: number };
                    server.close(() => resolve(p));
                });
            });
            const h = harness();
            const code = await main(argv("compliance", "--env", "Development", "--region", "us-east-1"), {
                ...h.deps,
                env: { PATCHCTL_ENDPOINT: `http://127.0.0.1:${port}` },
                clientPool: (settings) => new ClientPool({ ...settings, credentials }),
            });
            assert.equal(code, 1);
            assert.doesNotMatch(h.stdout.text, /No managed node matched|0 nodes/);
            assert.match(h.stdout.text, /FAILED/);
            assert.match(h.stderr.text, /connection refused/);
        });

        it("fails --fail-on with exit 3 when no node matched, unless --allow-empty; scan of nothing exits 3", async () => {
            await start();
            const gate = await run("compliance", "--env", "Nope", "--fail-on", "any");
            assert.equal(gate.code, 3);
            assert.match(gate.stderr, /no managed node matched environment Nope/);
            assert.equal((await run("compliance", "--env", "Nope", "--fail-on", "any", "--allow-empty")).code, 0);
            assert.equal((await run("scan", "--env", "Nope", "--interval", "10ms")).code, 3);
        });

        it("says an unknown node has no patch state instead of 'no missing patches'", async () => {
            await start();
            const r = await run("compliance", "--instance", "i-0123456789abcdef0", "--missing");
            assert.equal(r.code, 1);
            assert.doesNotMatch(r.stdout, /No missing patches reported/);
            assert.match(r.stderr, /i-0123456789abcdef0 (has no patch state|is not a managed node)|InvalidInstanceId/);
        });

        it("names what an unknown command id means", async () => {
            await start();
            const r = await run("watch", "00000000-0000-4000-8000-0000000000ff");
            assert.equal(r.code, 1);
            assert.match(r.stderr, /command 00000000-0000-4000-8000-0000000000ff was not found in this account and Region \(InvalidCommandId\)/);
            assert.doesNotMatch(r.stderr, /UnknownError/);
        });
    });

    it("cancels a command sent earlier (patchctl cancel)", async () => {
        await start({ commandPolls: Infinity });
        const sent = await run("scan", "--env", "Development", "--no-wait", "--json");
        const id = (sent.json() as { results: Array<{ commands: Array<{ commandId: string }> }> }).results[0].commands[0].commandId;
        const r = await run("cancel", id, "--json");
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual((r.json() as { commands: Array<{ commandId: string; status: string }> }).commands.map((c) => [c.commandId, c.status]), [[id, "Cancelled"]]);
    });
});

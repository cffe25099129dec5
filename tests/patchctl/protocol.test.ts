/**
 * The SSM JSON 1.1 protocol end to end: patchctl's real SDK clients (retry policy, pacing,
 * credentials) against the loopback fake in testing/fakeSsm.ts.
 */
import "./helpers";
import * as assert from "node:assert/strict";
import { DescribeInstancePatchStatesCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ClientPool } from "../../patchctl/aws/clients";
import { createCompliance } from "../../patchctl/commands/compliance";
import { createInstall } from "../../patchctl/commands/install";
import { createPolicyRun } from "../../patchctl/commands/policy/run";
import { createScan } from "../../patchctl/commands/scan";
import { runInScopes } from "../../patchctl/aws/scopes";
import { parseTargets } from "../../patchctl/ssm/targets";
import { FakeSsm, makeFleet, type FakeAssociation, type FakeSsmOptions } from "../../testing/fakeSsm";

const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };
const development = parseTargets({ env: "Development" });

describe("patchctl against a loopback SSM endpoint", function () {
    let fake: FakeSsm | undefined;
    let pool: ClientPool | undefined;

    async function start(options: FakeSsmOptions): Promise<ClientPool> {
        fake = new FakeSsm(options);
        const endpoint = await fake.start();
        pool = new ClientPool({ endpoint, credentials, env: {} });
        return pool;
    }

    afterEach(async () => {
        pool?.destroy();
        pool = undefined;
        await fake?.close();
        fake = undefined;
    });

    it("follows NextToken through every page, 50 items a page", async () => {
        const clients = await start({ fleets: { "*": { nodes: makeFleet(120) } } });
        const nodes = await createCompliance({ ssm: clients.ssm({ region: "us-east-1" }) }).nodes(development);
        assert.equal(nodes.length, 120);
        assert.equal(new Set(nodes.map((n) => n.instanceId)).size, 120);
        const dii = fake!.calls.filter((c) => c.operation === "DescribeInstanceInformation");
        assert.deepEqual(dii.map((c) => [c.input.MaxResults, c.input.NextToken === undefined]), [
            [50, true],
            [50, false],
            [50, false],
        ]);
        const dips = fake!.calls.filter((c) => c.operation === "DescribeInstancePatchStates");
        assert.deepEqual(dips.map((c) => (c.input.InstanceIds as string[]).length).sort((a, b) => a - b), [20, 50, 50]);
        assert.equal(nodes.filter((n) => n.status === "NON_COMPLIANT").length, 30);
    });

    it("finishes under ThrottlingException bursts with the same result and the same successful calls", async () => {
        let clients = await start({ fleets: { "*": { nodes: makeFleet(300) } } });
        const baseline = await createCompliance({ ssm: clients.ssm({ region: "us-east-1" }) }).nodes(development);
        pool?.destroy();
        await fake?.close();

        clients = await start({
            fleets: { "*": { nodes: makeFleet(300) } },
            faults: [
                // A burst: the first requests of each operation are throttled, then one in seven.
                { operation: "DescribeInstanceInformation", first: 2, type: "ThrottlingException" },
                { operation: "DescribeInstancePatchStates", first: 3, type: "ThrottlingException" },
                { operation: "DescribeInstancePatchStates", every: 7, type: "ThrottlingException" },
                { operation: "DescribeInstancePatchStates", every: 5, type: "InternalServerError" },
            ],
        });
        const throttled = await createCompliance({ ssm: clients.ssm({ region: "us-east-1" }) }).nodes(development);

        assert.deepEqual(JSON.parse(JSON.stringify(throttled)), JSON.parse(JSON.stringify(baseline)));
        assert.ok(fake!.count(undefined, { outcome: "ThrottlingException" }) >= 5, JSON.stringify(fake!.summary(true)));
        assert.equal(fake!.count("DescribeInstanceInformation", { outcome: "ThrottlingException" }), 2);
        assert.ok(fake!.count(undefined, { outcome: "InternalServerError" }) >= 1);
        // Retries add attempts, never successful calls: still ceil(300/50) of each.
        assert.deepEqual(fake!.summary(), { DescribeInstanceInformation: 6, DescribeInstancePatchStates: 6 });
    });

    it("reports a 2,000-node fleet with exactly ceil(N/50) listing pages and ceil(N/50) patch-state calls", async () => {
        const clients = await start({ fleets: { "*": { nodes: makeFleet(2000) } } });
        const nodes = await createCompliance({ ssm: clients.ssm({ region: "us-east-1" }) }).nodes(development);
        assert.equal(nodes.length, 2000);
        assert.equal(nodes.filter((n) => n.status === "NON_COMPLIANT").length, 500);
        assert.deepEqual(fake!.summary(true), { DescribeInstanceInformation: 40, DescribeInstancePatchStates: 40 });
    });

    it("asks for patch states while later listing pages still load", async () => {
        const clients = await start({ fleets: { "*": { nodes: makeFleet(500) } }, latencyMs: 5 });
        await createCompliance({ ssm: clients.ssm({ region: "us-east-1" }) }).nodes(development);
        const ops = fake!.calls.map((c) => c.operation);
        const firstStates = ops.indexOf("DescribeInstancePatchStates");
        const lastListing = ops.lastIndexOf("DescribeInstanceInformation");
        assert.ok(firstStates >= 0 && firstStates < lastListing, `patch states began only after the listing: ${ops.join(" ")}`);
    });

    it("paces describe calls at --api-rate, so a throttle at that rate is never hit", async () => {
        const clients = await start({
            fleets: { "*": { nodes: makeFleet(1000) } },
            rps: { DescribeInstanceInformation: 10, DescribeInstancePatchStates: 10 },
        });
        const nodes = await createCompliance({ ssm: clients.ssm({ region: "us-east-1" }) }).nodes(development);
        assert.equal(nodes.length, 1000);
        assert.equal(fake!.count(undefined, { outcome: "ThrottlingException" }), 0);
        assert.deepEqual(fake!.summary(true), { DescribeInstanceInformation: 20, DescribeInstancePatchStates: 20 });
    });

    it("scans a 2,000-node fleet with one tag-targeted SendCommand, ceil(N/50) invocation pages and ceil(N/50) paced patch-state calls", async () => {
        const nodes = makeFleet(2000);
        nodes[1234].outcome = { status: "Failed", output: "Error: yum lock held", responseCode: 1 };
        const clients = await start({
            fleets: { "*": { nodes } },
            commandPolls: 3,
            latencyMs: { ListCommandInvocations: 2 },
            // The pace compliance keeps (--api-rate, default 10/s): at that quota nothing is throttled.
            rps: { DescribeInstancePatchStates: 10 },
        });
        const result = await createScan({ ssm: clients.ssm({ region: "us-east-1" }) })(
            { targets: development, maxConcurrency: "50", maxErrors: "0", wait: true },
            { intervalMs: 1, timeoutMs: 20_000 },
        );
        assert.equal(result.state, "done");
        assert.equal(result.invocations.length, 2000);
        assert.deepEqual(result.invocations.filter((i) => i.status !== "Success").map((i) => [i.instanceId, i.detail, i.patchState]), [[nodes[1234].instanceId, "Error: yum lock held", undefined]]);
        assert.deepEqual(result.commands.map((c) => [c.status, c.targetCount, c.errorCount]), [["Failed", 2000, 1]]);
        assert.deepEqual(fake!.summary(true), { SendCommand: 1, ListCommands: 3, ListCommandInvocations: 40, DescribeInstancePatchStates: Math.ceil(2000 / 50) });
        assert.equal(fake!.count(undefined, { outcome: "ThrottlingException" }), 0);
        const dips = fake!.calls.filter((c) => c.operation === "DescribeInstancePatchStates");
        assert.ok(dips.every((c) => (c.input.InstanceIds as string[]).length === 50 && c.input.MaxResults === 50));
        const ops = fake!.calls.map((c) => c.operation);
        assert.ok(ops.indexOf("DescribeInstancePatchStates") < ops.lastIndexOf("ListCommandInvocations"), "patch states are asked for while invocation pages still load");
        const send = fake!.calls.find((c) => c.operation === "SendCommand");
        assert.deepEqual(send?.input.Targets, [{ Key: "tag:Environment", Values: ["Development"] }]);
        assert.equal(send?.input.InstanceIds, undefined);

        // The counts are the patch states' (the fake's plugin output has no count lines at all).
        const ok = result.invocations.filter((i) => i.status === "Success");
        assert.equal(ok.length, 1999);
        assert.ok(ok.every((i) => i.patchState !== undefined && !/\d/.test(i.detail) && !/Installed|Missing/.test(i.output ?? "")), ok[0].output);
        assert.deepEqual(
            [0, 1].map((n) => result.invocations[n].patchState).map((s) => [s?.InstalledCount, s?.MissingCount, s?.FailedCount, s?.InstalledPendingRebootCount, s?.Operation]),
            [
                [412, 3, 0, 0, "Scan"],
                [412, 0, 0, 0, "Scan"],
            ],
        );
        assert.ok(result.invocations[0].patchState!.OperationEndTime!.getTime() >= result.commands[0].requestedAt!.getTime());
    });

    it("reports an install's counts from the patch states it left: installed up, nothing missing; a failed node has none", async () => {
        const nodes = makeFleet(4, { nonCompliantEvery: 2 });
        nodes[3].outcome = { status: "Failed", stderr: "Error: yum lock held by another process (pid 2231)\nmore", responseCode: 1 };
        const clients = await start({ fleets: { "*": { nodes } } });
        const result = await createInstall({ ssm: clients.ssm({ region: "us-east-1" }) }).install(
            { targets: development, maxConcurrency: "1", maxErrors: "1", rebootOption: "RebootIfNeeded", wait: true },
            { intervalMs: 1, timeoutMs: 10_000 },
        );
        assert.deepEqual(
            result.invocations.map((i) => [i.status, i.patchState?.InstalledCount, i.patchState?.MissingCount, i.patchState?.Operation, i.detail]),
            [
                ["Success", 415, 0, "Install", "Install finished"],
                ["Success", 412, 0, "Install", "Install finished"],
                ["Success", 415, 0, "Install", "Install finished"],
                ["Failed", undefined, undefined, undefined, "Error: yum lock held by another process (pid 2231)"],
            ],
        );
        assert.equal(fake!.count("DescribeInstancePatchStates"), 1);
    });

    it("assumes each account's role once, works in its Regions, and reports a denied account without hiding the others", async () => {
        const clients = await start({
            fleets: { "222222222222": { nodes: makeFleet(3, { prefix: "b" }) }, "333333333333": { nodes: makeFleet(4, { prefix: "c" }) }, "444444444444": { nodes: makeFleet(1) } },
            denyRoles: ["arn:aws:iam::444444444444:role/PatchOperator"],
        });
        const scopes = [
            { accountId: "222222222222", region: "us-east-1", roleArn: "arn:aws:iam::222222222222:role/PatchOperator" },
            { accountId: "222222222222", region: "eu-west-1", roleArn: "arn:aws:iam::222222222222:role/PatchOperator" },
            { accountId: "333333333333", region: "us-east-1", roleArn: "arn:aws:iam::333333333333:role/PatchOperator", externalId: "ops-2024" },
            { accountId: "444444444444", region: "us-east-1", roleArn: "arn:aws:iam::444444444444:role/PatchOperator" },
        ];
        const outcomes = await runInScopes(scopes, 4, (scope) => clients.ssm(scope), (ssm) => createCompliance({ ssm }).nodes(development));
        assert.deepEqual(outcomes.map((o) => o.value?.length ?? "error"), [3, 3, 4, "error"]);
        assert.match(String(outcomes[3].error), /AccessDenied/);
        assert.equal(fake!.count("AssumeRole", { outcome: "ok" }), 2);
        assert.equal(fake!.calls.find((c) => c.operation === "AssumeRole" && c.input.ExternalId === "ops-2024")?.outcome, "ok");
        assert.equal(fake!.count("DescribeInstanceInformation", { account: "222222222222", region: "eu-west-1" }), 1);
        assert.equal(fake!.count("DescribeInstanceInformation", { account: "444444444444" }), 0);
    });

    describe("State Manager TPS quotas", () => {
        const associations = (n: number): FakeAssociation[] =>
            Array.from({ length: n }, (_, i) => ({
                associationId: `5a1f0c3e-000${i}-4a1b-9c2d-0123456789ab`,
                associationName: `PatchPolicy-ScanForPatches-p${i}`,
                targets: [{ Key: "tag:Environment", Values: ["Development"] }],
                operation: "Scan" as const,
            }));
        const quotas = { StartAssociationsOnce: 2, DescribeAssociationExecutions: 4, DescribeAssociationExecutionTargets: 4 };

        it("paces StartAssociationsOnce and the execution reads under the quotas: no throttling at all", async () => {
            const clients = await start({ fleets: { "*": { nodes: makeFleet(40), associations: associations(6) } }, rps: quotas });
            const run = createPolicyRun({ ssm: clients.ssm({ region: "us-east-1" }) });
            const all = (await Promise.all([0, 1, 2, 3, 4, 5].map((i) => run.find(`p${i}`, ["Scan"])))).flat();
            assert.equal(all.length, 6);
            const result = await run.run(all, { intervalMs: 1, timeoutMs: 20_000 });
            assert.equal(result.state, "done");
            assert.ok(result.runs.every((r) => r.status === "Success" && r.targets.length === 40));
            assert.equal(fake!.count(undefined, { outcome: "ThrottlingException" }), 0, JSON.stringify(fake!.summary(true)));
            assert.equal(fake!.count("StartAssociationsOnce"), 1);
            assert.equal(fake!.count("DescribeAssociationExecutions"), 6);
            assert.equal(fake!.count("DescribeAssociationExecutionTargets"), 6);
        });

        it("without pacing the same burst is throttled, and retries still reach the same result", async () => {
            await start({ fleets: { "*": { nodes: makeFleet(40), associations: associations(6) } }, rps: quotas });
            // A bare client: SDK retries only, no patchctl pacing middleware.
            const bare = new SSMClient({ region: "us-east-1", endpoint: fake!.url, credentials, maxAttempts: 10, retryMode: "standard" });
            try {
                const run = createPolicyRun({ ssm: bare });
                const all = (await Promise.all([0, 1, 2, 3, 4, 5].map((i) => run.find(`p${i}`, ["Scan"])))).flat();
                const result = await run.run(all, { intervalMs: 1, timeoutMs: 20_000 });
                assert.ok(result.runs.every((r) => r.status === "Success" && r.targets.length === 40));
                assert.ok(fake!.count(undefined, { outcome: "ThrottlingException" }) > 0, JSON.stringify(fake!.summary(true)));
            } finally {
                bare.destroy();
            }
        });
    });

    it("enforces the API's limits, so the counts above are of valid requests", async () => {
        await start({ fleets: { "*": { nodes: makeFleet(60) } } });
        const bare = new SSMClient({ region: "us-east-1", endpoint: fake!.url, credentials, maxAttempts: 1 });
        try {
            const ids = makeFleet(51).map((n) => n.instanceId);
            await assert.rejects(bare.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids })), { name: "ValidationException" });
            await assert.rejects(bare.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids.slice(0, 5), MaxResults: 5 })), { name: "ValidationException" });
        } finally {
            bare.destroy();
        }
    });
});

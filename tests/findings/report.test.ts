/**
 * `patchctl findings` against the loopback SSM, Inspector and Security Hub endpoint with the real SDK
 * clients: the reports, the exact API calls against their lower bound, Security Hub not enabled,
 * a failing account-Region, --fail-on, and --save / install / --compare.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeFleet } from "../../testing/fakeSsm";
import { findingsForFleet } from "../../testing/findingsModel";
import { findingsForFleets } from "../../testing/mountFindings";
import { patchctl, startEndpoint, workshop, type Endpoint } from "./helpers";

interface Json {
    scopes: Array<{ account: string | null; region: string; status: string; error: string | null; securityHub: { enabled: boolean; products: Array<{ product: string; count: number }>; message?: string } | null; coverage: { covered: number; scanned: number; notScanned: Array<{ instanceId: string; reason: string }> } | null }>;
    topVulnerabilities: Array<{ vulnerability: string; instances: number; severity: string }>;
    instances: Array<{ instanceId: string; severity: { critical: number; high: number; total: number }; closes: number; missingPatches: number | null; patching: string | null }>;
    unresolved: Array<{ vulnerability: string; remedy: string; instances: number }>;
    summary: { findings: number; closableByPatching: number; notClosable: number; failedScopes: number; instancesNotScanned: number };
    comparison: { bySeverity: { closed: { total: number; critical: number; high: number } }; instances: Array<{ instanceId: string; closed: number }> } | null;
    errors: Array<{ account: string; error: string }>;
    exitCode: number;
}

const ceil = (n: number, size: number): number => Math.ceil(n / size);

describe("patchctl findings against the loopback endpoint", function () {
    this.timeout(60_000);
    let endpoint: Endpoint | undefined;
    const dir = mkdtempSync(join(tmpdir(), "patchctl-findings-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    afterEach(async () => {
        await endpoint?.close();
        endpoint = undefined;
    });

    async function workshopEndpoint(): Promise<Endpoint> {
        const fleet = workshop();
        endpoint = await startEndpoint({ fleets: { "*": fleet } }, { data: { "*": findingsForFleet(fleet) } });
        return endpoint;
    }

    it("reports severity, top vulnerabilities, instances, coverage and what patching closes, in the fewest calls", async () => {
        const e = await workshopEndpoint();
        const run = await patchctl(e.url, "findings", "--env", "Development", "--json");
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as Json;
        // 6 managed nodes + 2 unmanaged instances with a network finding; 15 active findings.
        assert.equal(json.summary.findings, 15);
        assert.equal(json.summary.closableByPatching, 6);
        assert.equal(json.summary.notClosable, 9);
        assert.deepEqual(json.topVulnerabilities.slice(1, 3).map((v) => [v.vulnerability, v.instances]), [["CVE-2024-53104", 3], ["CVE-2024-5535", 3]]);
        const first = json.instances.find((i) => i.instanceId === "i-0a000000000000000")!;
        assert.equal(first.patching, "installing the 3 missing patches on i-0a000000000000000 closes 2 of its 3 findings (1 critical, 1 high)");
        assert.deepEqual(json.scopes[0].coverage?.notScanned.map((c) => c.reason), ["UNMANAGED_EC2_INSTANCE", "UNMANAGED_EC2_INSTANCE", "NO_INVENTORY"]);
        assert.deepEqual(json.scopes[0].securityHub?.products[0], { product: "Inspector", count: 18 });
        assert.deepEqual(new Set(json.unresolved.map((u) => u.remedy)), new Set(["network-change", "no-fix-yet", "os-package-not-in-baseline"]));
        // Lower bounds: 1 insight, ceil(15/25) = 1 ListFindings page, 1 coverage count + 1 page of the
        // 3 unscanned, 1 + 1 SSM describe calls for 6 nodes, one DescribeInstancePatches per node with
        // findings and missing patches (3 of 6).
        assert.deepEqual(e.mounted.findings.summary(true), { GetInsightResults: 1, ListFindings: 1, ListCoverageStatistics: 1, ListCoverage: 1 });
        assert.deepEqual(e.ssm.summary(true), { DescribeInstanceInformation: 1, DescribeInstancePatchStates: 1, DescribeInstancePatches: 3 });
    });

    it("makes exactly the lower bound of calls for 400 instances, also when Inspector throttles", async () => {
        const fleet = { nodes: makeFleet(400, { env: "Development", prefix: "0b", nonCompliantEvery: 2 }) };
        const data = findingsForFleet(fleet);
        endpoint = await startEndpoint({ fleets: { "*": fleet } }, { data: { "*": data }, faults: [{ operation: "ListFindings", every: 7, type: "ThrottlingException" }] });
        const run = await patchctl(endpoint.url, "findings", "--env", "Development", "--json", "--api-rate", "200");
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as Json;
        const active = data.inspector.findings.filter((f) => f.status === "ACTIVE").length;
        assert.equal(json.summary.findings, active);
        const f = endpoint.mounted.findings;
        assert.equal(f.count("ListFindings", { outcome: "ok" }), ceil(active, 25));
        assert.ok(f.count("ListFindings", { outcome: "ThrottlingException" }) > 0);
        assert.equal(f.count("ListCoverage", { outcome: "ok" }), 1);
        assert.equal(f.count("ListCoverageStatistics"), 1);
        assert.equal(endpoint.ssm.count("DescribeInstanceInformation"), ceil(400, 50));
        assert.equal(endpoint.ssm.count("DescribeInstancePatchStates"), ceil(400, 50));
        assert.equal(endpoint.ssm.count("DescribeInstancePatches"), 200);
        assert.equal(json.summary.closableByPatching, 400);
    });

    it("selects by --instance-ids in filters of 10 ids: one listing and one coverage call a 10", async () => {
        const e = await workshopEndpoint();
        const ids = [...Array.from({ length: 6 }, (_, i) => `i-0a00000000000000${i}`), "i-0af00000000000000", "i-0af00000000000001", "i-0e000000000000000", "i-0e000000000000001", "i-0e000000000000002", "i-0123456789abcdef0"];
        const run = await patchctl(e.url, "findings", "--instance-ids", ids.join(","), "--json");
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as Json;
        assert.equal(e.mounted.findings.count("ListFindings"), 2);
        assert.equal(e.mounted.findings.count("ListCoverage"), 2);
        assert.deepEqual(json.scopes[0].coverage?.notScanned.find((c) => c.instanceId === "i-0123456789abcdef0")?.reason, null);
        // Development's 15 and Production's 3 (a finding without a fix, one the baseline does not approve, an open port).
        assert.equal(json.summary.findings, 18);
    });

    it("says clearly that Security Hub is not enabled, and still reports Inspector (exit 0)", async () => {
        const fleet = workshop();
        endpoint = await startEndpoint({ fleets: { "*": fleet } }, { data: { "*": findingsForFleet(fleet, { securityHub: false }) } });
        const run = await patchctl(endpoint.url, "findings", "--env", "Development");
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /Security Hub is not enabled in us-east-1: enable it there to see findings by product \(InvalidAccessException: Account 111111111111 is not subscribed to AWS Security Hub\)/);
        assert.match(run.stdout, /Inspector, active findings on environment Development: 15 on 8 instances/);
    });

    it("shows a failing account-Region as failed, never as zero findings, in the table, JSON and CSV (exit 1)", async () => {
        const fleets = { "222222222222": workshop("0b"), "333333333333": workshop("0c") };
        endpoint = await startEndpoint(
            { fleets, denyRoles: [] },
            { data: findingsForFleets(fleets), faults: [{ account: "333333333333", operation: "ListFindings", first: 1000, type: "AccessDeniedException", message: "not authorized to perform inspector2:ListFindings" }] },
        );
        const accounts = join(dir, "accounts.json");
        writeFileSync(accounts, JSON.stringify({ accounts: ["222222222222", "333333333333"].map((id) => ({ accountId: id, roleArn: `arn:aws:iam::${id}:role/PatchOperator`, regions: ["us-east-1"] })) }));
        const table = await patchctl(endpoint.url, "findings", "--env", "Development", "--accounts", accounts);
        assert.equal(table.code, 1, table.stdout + table.stderr);
        assert.match(table.stdout, /333333333333 {2}us-east-1 {2}failed {2}.*AccessDeniedException: not authorized to perform inspector2:ListFindings/);
        assert.match(table.stdout, /222222222222 {2}us-east-1 {2}ok +5 +3 +7 +0 +15 /);
        assert.match(table.stderr, /patchctl: account 333333333333 us-east-1: AccessDeniedException/);

        const json = JSON.parse((await patchctl(endpoint.url, "findings", "--env", "Development", "--accounts", accounts, "--json")).stdout) as Json;
        assert.deepEqual(json.scopes.map((s) => [s.account, s.status, s.coverage === null]), [["222222222222", "ok", false], ["333333333333", "failed", true]]);
        assert.equal(json.summary.failedScopes, 1);
        assert.equal(json.exitCode, 1);

        const csv = await patchctl(endpoint.url, "findings", "--env", "Development", "--accounts", accounts, "--csv");
        assert.equal(csv.code, 1);
        const lines = csv.stdout.trim().split("\r\n");
        assert.match(lines[0], /^account,region,scopeStatus,error,instanceId/);
        assert.match(lines[1], /^333333333333,us-east-1,failed,AccessDeniedException/);
        assert.ok(lines.slice(2).every((l) => l.startsWith("222222222222,us-east-1,ok,")));
    });

    it("--fail-on critical and high exit 1 naming the instances; 0 when none has them", async () => {
        const e = await workshopEndpoint();
        const critical = await patchctl(e.url, "findings", "--env", "Development", "--fail-on", "critical", "--json");
        assert.equal(critical.code, 1);
        assert.match(critical.stderr, /--fail-on critical: 4 of 8 instances with findings have active critical findings: i-0a000000000000000, i-0a000000000000002, i-0a000000000000003, i-0a000000000000004\n/);
        const production = await patchctl(e.url, "findings", "--instance-ids", "i-0a000000000000001", "--fail-on", "high");
        assert.equal(production.code, 0, production.stderr);
        assert.equal((await patchctl(e.url, "findings", "--env", "Development", "--fail-on", "medium")).code, 2);
    });

    it("--save, install, --compare: shows the findings the install closed, by severity and per instance", async () => {
        const e = await workshopEndpoint();
        const before = join(dir, "before.json");
        const installSnapshot = join(dir, "install.json");
        assert.equal((await patchctl(e.url, "findings", "--env", "Development", "--save", before)).code, 0);
        const install = await patchctl(e.url, "install", "--env", "Development", "--yes", "--snapshot", installSnapshot, "--interval", "10ms");
        assert.equal(install.code, 0, install.stderr);
        assert.match(install.stderr, /saved 15 active findings to .*install\.json/);
        // The snapshot was taken before SendCommand.
        const calls = e.ssm.calls.map((c) => c.operation);
        assert.ok(calls.lastIndexOf("DescribeInstancePatches") < calls.indexOf("SendCommand"));
        for (const file of [before, installSnapshot]) {
            const run = await patchctl(e.url, "findings", "--env", "Development", "--compare", file, "--json");
            assert.equal(run.code, 0, run.stderr);
            const json = JSON.parse(run.stdout) as Json;
            assert.deepEqual(json.comparison?.bySeverity.closed, { critical: 3, high: 3, medium: 0, low: 0, informational: 0, untriaged: 0, total: 6 });
            assert.deepEqual(json.comparison?.instances.filter((i) => i.closed > 0).map((i) => i.instanceId), ["i-0a000000000000000", "i-0a000000000000002", "i-0a000000000000004"]);
        }
        const table = await patchctl(e.url, "findings", "--env", "Development", "--compare", before);
        assert.match(table.stdout, /: 6 closed \(3 critical, 3 high\), 9 still open, 0 new, on environment Development\./);
        assert.match(table.stdout, /Missing patches 9 then, 0 now; non-compliant nodes 3 then, 0 now\./);
    });

    it("refuses a snapshot it cannot read before calling AWS (exit 2)", async () => {
        const e = await workshopEndpoint();
        const run = await patchctl(e.url, "findings", "--env", "Development", "--compare", join(dir, "nope.json"));
        assert.equal(run.code, 2);
        assert.match(run.stderr, /nope\.json: cannot read the snapshot: ENOENT/);
        assert.equal(e.mounted.findings.calls.length + e.ssm.calls.length, 0);
    });
});

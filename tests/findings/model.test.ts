/** The findings report's pure logic: CVE matching, remedies, top vulnerabilities, snapshots and comparisons. */
import * as assert from "node:assert/strict";
import { patchingEffects, parseCveIds, remedyOf, topVulnerabilities, unresolvedFindings, describeEffect, type FindingRecord, type NodePatches } from "../../patchctl/findings/model";
import { buildSnapshot, compareSnapshots, parseSnapshot, type Snapshot } from "../../patchctl/findings/snapshot";
import { ConfigError } from "../../patchctl/output/errors";

function finding(id: string, instanceId: string, over: Partial<FindingRecord> = {}): FindingRecord {
    return { arn: `arn:${instanceId}:${id}`, instanceId, severity: "HIGH", status: "ACTIVE", type: "PACKAGE_VULNERABILITY", vulnerabilityId: id, title: `${id} - pkg`, fixAvailable: "YES", packages: [{ name: "pkg", packageManager: "OS" }], ...over };
}

const patch = (title: string, cves: string[], state = "Missing") => ({ title, state, severity: "Critical", classification: "Security", cves });

describe("findings: matching patches' CVE ids with findings", () => {
    it("closes the findings whose CVE a missing or failed patch lists, counted by severity", () => {
        const findings = [finding("CVE-1", "i-1", { severity: "CRITICAL" }), finding("CVE-2", "i-1"), finding("CVE-3", "i-1"), finding("CVE-1", "i-2")];
        const patches = new Map<string, NodePatches>([
            ["i-1", { patches: [patch("kernel", ["CVE-1"]), patch("openssl", ["CVE-2"], "FAILED")] }],
            ["i-2", { patches: [] }],
        ]);
        const [one, two] = patchingEffects(findings, patches);
        assert.deepEqual([one.instanceId, one.findings, one.closes, one.missingPatches, one.failedPatches, one.closesBySeverity.critical, one.closesBySeverity.high], ["i-1", 3, 2, 1, 1, 1, 1]);
        assert.equal(describeEffect(one), "installing the 1 missing and 1 failed patches on i-1 closes 2 of its 3 findings (1 critical, 1 high)");
        assert.equal(two.closes, 0);
        assert.match(describeEffect(two), /i-2 misses no patch/);
    });

    it("counts patches without CVE ids, which close nothing", () => {
        const effects = patchingEffects([finding("CVE-1", "i-1")], new Map([["i-1", { patches: [patch("tzdata", []), patch("bash", [])] }]]));
        assert.equal(effects[0].patchesWithoutCves, 2);
        assert.equal(effects[0].closes, 0);
    });

    it("does not close a finding without a fix, even when a patch lists its CVE", () => {
        const effects = patchingEffects([finding("CVE-9", "i-1", { fixAvailable: "NO" })], new Map([["i-1", { patches: [patch("zlib", ["CVE-9"])] }]]));
        assert.equal(effects[0].closes, 0);
    });

    it("closes nothing on an instance whose patches could not be read, and says why", () => {
        const effects = patchingEffects([finding("CVE-1", "i-1")], new Map([["i-1", { patches: [], error: "not a managed node in SSM" }]]));
        assert.equal(effects[0].closes, 0);
        assert.match(describeEffect(effects[0]), /not a managed node/);
    });

    it("parses DescribeInstancePatches' CVEIds, comma or space separated, without duplicates", () => {
        assert.deepEqual(parseCveIds("CVE-1,CVE-2, CVE-1 CVE-3"), ["CVE-1", "CVE-2", "CVE-3"]);
        assert.deepEqual(parseCveIds(""), []);
        assert.deepEqual(parseCveIds(undefined), []);
    });

    const remedies: Array<[string, FindingRecord, NodePatches | undefined, string]> = [
        ["a network finding", finding("x", "i-1", { type: "NETWORK_REACHABILITY", vulnerabilityId: undefined, title: "Port 22" }), undefined, "network-change"],
        ["a finding without a fix", finding("CVE-1", "i-1", { fixAvailable: "NO" }), { patches: [] }, "no-fix-yet"],
        ["an application package", finding("CVE-1", "i-1", { packages: [{ name: "requests", packageManager: "PIP" }] }), { patches: [] }, "application-update"],
        ["an OS package no patch lists", finding("CVE-1", "i-1"), { patches: [] }, "os-package-not-in-baseline"],
        ["an unmanaged instance", finding("CVE-1", "i-1"), { patches: [], error: "not a managed node in SSM" }, "not-a-managed-node"],
    ];
    for (const [what, f, node, remedy] of remedies) {
        it(`says what ${what} needs instead of a patch: ${remedy}`, () => assert.equal(remedyOf(f, node), remedy));
    }

    it("lists the findings no patch resolves, grouped by vulnerability, most instances first", () => {
        const findings = [finding("CVE-1", "i-1"), finding("CVE-2", "i-1", { fixAvailable: "NO", severity: "CRITICAL" }), finding("CVE-2", "i-2", { fixAvailable: "NO", severity: "CRITICAL" })];
        const patches = new Map([["i-1", { patches: [patch("k", ["CVE-1"])] }], ["i-2", { patches: [] }]]);
        const unresolved = unresolvedFindings(findings, patchingEffects(findings, patches), patches);
        assert.deepEqual(unresolved.map((u) => [u.vulnerability, u.instances, u.remedy]), [["CVE-2", 2, "no-fix-yet"]]);
    });

    it("ranks vulnerabilities by instances affected, then severity", () => {
        const top = topVulnerabilities([finding("CVE-1", "i-1"), finding("CVE-1", "i-2"), finding("CVE-2", "i-1", { severity: "CRITICAL" }), finding("CVE-3", "i-3", { severity: "LOW" })]);
        assert.deepEqual(top.map((v) => [v.vulnerability, v.instances]), [["CVE-1", 2], ["CVE-2", 1], ["CVE-3", 1]]);
        assert.equal(topVulnerabilities([finding("CVE-1", "i-1"), finding("CVE-2", "i-1")], 1).length, 1);
    });
});

describe("findings: snapshots and comparisons", () => {
    const at = new Date(Date.UTC(2025, 0, 6));
    const scope = (findings: FindingRecord[], over: { account?: string; region?: string; error?: string } = {}) => ({ account: over.account ?? null, region: over.region ?? "us-east-1", error: over.error, findings, compliance: { nodes: 1, compliant: 0, nonCompliant: 1, noData: 0, missingPatches: 3, failedPatches: 0 } });

    it("reports closed, still open and new findings, by severity and per instance", () => {
        const before = buildSnapshot([scope([finding("CVE-1", "i-1", { severity: "CRITICAL" }), finding("CVE-2", "i-1"), finding("CVE-3", "i-2")])], {}, at);
        const now = buildSnapshot([scope([finding("CVE-2", "i-1"), finding("CVE-4", "i-2", { severity: "LOW" })])], {}, new Date(at.getTime() + 3_600_000));
        const c = compareSnapshots(before, now);
        assert.deepEqual([c.bySeverity.closed.total, c.bySeverity.closed.critical, c.bySeverity.stillOpen.total, c.bySeverity.new.total, c.bySeverity.new.low], [2, 1, 1, 1, 1]);
        assert.deepEqual(c.instances.map((i) => [i.instanceId, i.closed, i.stillOpen, i.new]), [["i-1", 1, 1, 0], ["i-2", 1, 0, 1]]);
        assert.equal(c.since, at.toISOString());
    });

    it("never reports the findings of a scope that failed (then or now) as closed or new", () => {
        const before = buildSnapshot([scope([finding("CVE-1", "i-1")]), scope([finding("CVE-1", "i-9")], { account: "222222222222" })], {}, at);
        const now = buildSnapshot([scope([finding("CVE-1", "i-1")]), scope([], { account: "222222222222", error: "AccessDenied" })], {}, at);
        const c = compareSnapshots(before, now);
        assert.equal(c.closed.length, 0);
        assert.equal(c.stillOpen.length, 1);
        assert.deepEqual(c.notCompared.map((n) => [n.account, n.reason]), [["222222222222", "failed now: AccessDenied"]]);
    });

    it("refuses a file that is not a snapshot, naming what is wrong (exit 2)", () => {
        assert.throws(() => parseSnapshot({ kind: "other" }, "x.json"), (e: unknown) => e instanceof ConfigError && /x.json: not a findings snapshot/.test(e.message));
        assert.throws(() => parseSnapshot({ kind: "patchctl-findings-snapshot", version: 9 }, "x.json"), /version 9 is not supported/);
        const bad = { ...buildSnapshot([], {}, at), findings: [{ arn: 1 }] } as unknown as Snapshot;
        assert.throws(() => parseSnapshot(bad, "x.json"), /findings\[0\]: needs arn/);
        assert.deepEqual(parseSnapshot(JSON.parse(JSON.stringify(buildSnapshot([scope([finding("CVE-1", "i-1")])], {}, at)))).findings.length, 1);
    });
});

import * as assert from "node:assert/strict";
import { dashboardDataFromCompliance, toDashboardPatch, type DashboardData, type DashboardNode } from "../../patchctl/dashboard/model";
import { lastOperationOrder, nodeView, operationResult, summarize, worstFirst } from "../../patchctl/dashboard/summary";
import { SAMPLE_GENERATED_AT, sampleData, sampleReport } from "./fixtures";

const GENERATED = "2026-11-23T17:00:00.000Z";
const hoursAgo = (h: number) => new Date(Date.parse(GENERATED) - h * 3600 * 1000).toISOString();

/** A reported node with the given counts (a compliant Scan an hour ago unless told otherwise). */
function node(id: string, fields: Partial<DashboardNode> = {}): DashboardNode {
    return {
        account: "222222222222",
        region: "us-east-1",
        instanceId: id,
        name: `${id}.internal`,
        platform: "Amazon Linux 2",
        pingStatus: "Online",
        status: "COMPLIANT",
        installed: 412,
        installedOther: 17,
        missing: 0,
        failed: 0,
        installedPendingReboot: 0,
        installedRejected: 0,
        notApplicable: 1380,
        criticalNonCompliant: 0,
        securityNonCompliant: 0,
        otherNonCompliant: 0,
        operation: "Scan",
        operationEndTime: hoursAgo(1),
        baselineId: "pb-0123456789abcdef0",
        ...fields,
    };
}

const neverReported = (id: string, status: DashboardNode["status"]): DashboardNode => ({
    account: "222222222222",
    region: "us-east-1",
    instanceId: id,
    status,
    installed: null,
    missing: null,
    failed: null,
    installedPendingReboot: null,
    criticalNonCompliant: null,
    securityNonCompliant: null,
    otherNonCompliant: null,
    operation: null,
    operationEndTime: null,
});

const data = (nodes: DashboardNode[], extra: Partial<DashboardData> = {}): DashboardData => ({
    generatedAt: GENERATED,
    scopes: [{ account: "222222222222", region: "us-east-1", status: "ok" }],
    nodes,
    ...extra,
});

describe("dashboard summary", () => {
    describe("the sample fleet (patchctl compliance --accounts against the loopback endpoint)", () => {
        it("has the totals of patchctl's own compliance summary", () => {
            const report = sampleReport();
            const s = summarize(sampleData());
            assert.equal(s.overall.nodes, report.summary.nodes);
            assert.equal(s.overall.compliant, report.summary.compliant);
            assert.equal(s.overall.nonCompliant, report.summary.nonCompliant);
            assert.equal(s.overall.neverReported, report.summary.noData);
            assert.equal(s.overall.nodesWithCritical, report.summary.withCriticalNonCompliant);
            assert.equal(s.overall.nodesWithSecurity, report.summary.withSecurityNonCompliant);
            assert.equal(s.overall.missingPatches, report.summary.missingPatches);
            assert.equal(s.failedScopes.length, report.summary.failedScopes);
        });

        it("totals each account and Region, and gives the failed one no totals", () => {
            const s = summarize(sampleData());
            const byLabel = Object.fromEntries(s.scopes.map((x) => [x.label, x.totals]));
            assert.deepEqual(Object.keys(byLabel), ["222222222222 us-east-1", "222222222222 eu-west-1", "444444444444 us-east-1"]);
            assert.equal(byLabel["222222222222 us-east-1"]?.nodes, 6);
            assert.equal(byLabel["222222222222 us-east-1"]?.nonCompliant, 3);
            assert.equal(byLabel["222222222222 eu-west-1"]?.nodes, 4);
            assert.equal(byLabel["222222222222 eu-west-1"]?.nonCompliant, 2);
            assert.equal(byLabel["444444444444 us-east-1"], undefined);
            assert.match(s.failedScopes[0].scope.error ?? "", /^AccessDenied: /);
            assert.deepEqual(s.accounts, ["222222222222", "444444444444"]);
            assert.deepEqual(s.regions, ["eu-west-1", "us-east-1"]);
        });

        it("measures report age from generatedAt: the endpoint's scans ended 4 minutes before", () => {
            const s = summarize(sampleData());
            assert.equal(s.generatedAt.toISOString(), SAMPLE_GENERATED_AT);
            assert.deepEqual(s.overall.reportAge, { withinDay: 10, withinStale: 0, stale: 0, unknown: 0, neverReported: 0 });
            assert.equal(s.overall.oldestReportDays, 0);
        });
    });

    it("counts a node as never reported when its status is NO_DATA, null or absent, and sums its null counts as zero", () => {
        const s = summarize(data([neverReported("i-1", "NO_DATA"), neverReported("i-2", null), neverReported("i-3", undefined), node("i-4")]));
        assert.equal(s.overall.neverReported, 3);
        assert.equal(s.overall.compliant, 1);
        assert.equal(s.overall.missingPatches, 0);
        assert.equal(s.overall.reportAge.neverReported, 3);
        assert.equal(s.overall.stale, 0);
    });

    it("counts severities in nodes, as the console does: a node counts under every severity it has, and patches are summed apart", () => {
        const s = summarize(
            data([
                node("i-crit-sec", { status: "NON_COMPLIANT", missing: 3, criticalNonCompliant: 1, securityNonCompliant: 2, otherNonCompliant: 1 }),
                node("i-sec", { status: "NON_COMPLIANT", missing: 4, securityNonCompliant: 4 }),
                node("i-other", { status: "NON_COMPLIANT", missing: 2, otherNonCompliant: 2 }),
                node("i-ok"),
            ]),
        );
        assert.deepEqual([s.overall.nodesWithCritical, s.overall.nodesWithSecurity, s.overall.nodesWithOther], [1, 2, 2]);
        assert.deepEqual([s.overall.criticalPatches, s.overall.securityPatches, s.overall.otherPatches], [1, 6, 3]);
        assert.equal(s.overall.nonCompliant, 3);
        assert.equal(s.overall.missingPatches, 9);
    });

    const staleCases: Array<[string, number, boolean]> = [
        ["an hour old", 1, false],
        ["exactly 7 days old", 7 * 24, false],
        ["7 days and a minute old", 7 * 24 + 1 / 60, true],
        ["23.5 days old", 23.5 * 24, true],
    ];
    for (const [what, hours, stale] of staleCases) {
        it(`calls a report ${what} ${stale ? "stale" : "fresh"} with the default 7 days`, () => {
            const s = summarize(data([node("i-1", { operationEndTime: hoursAgo(hours) })]));
            assert.equal(s.overall.stale, stale ? 1 : 0);
            assert.equal(s.nodes[0].stale, stale);
        });
    }

    it("says how old the oldest report is, and sorts reports into age buckets by staleAfterDays", () => {
        const s = summarize(
            data(
                [
                    node("i-new", { operationEndTime: hoursAgo(2) }),
                    node("i-2d", { operationEndTime: hoursAgo(50) }),
                    node("i-old", { operationEndTime: new Date(Date.parse(GENERATED) - 23.9 * 24 * 3600 * 1000) }),
                    node("i-notime", { operationEndTime: null }),
                    neverReported("i-never", "NO_DATA"),
                ],
                { staleAfterDays: 3 },
            ),
        );
        assert.equal(s.staleAfterDays, 3);
        assert.equal(s.overall.oldestReportDays, 23);
        assert.deepEqual(s.overall.reportAge, { withinDay: 1, withinStale: 1, stale: 1, unknown: 1, neverReported: 1 });
    });

    it("names each last operation's result from the patch state", () => {
        const cases: Array<[Partial<DashboardNode>, string, string]> = [
            [{ operation: "Install", status: "NON_COMPLIANT", failed: 2, missing: 1 }, "install-failed", "Failed: 2 patches failed to install"],
            [{ operation: "Scan", status: "NON_COMPLIANT", failed: 1 }, "failed-patches", "1 patch failed in an earlier install"],
            [{ operation: "Install", status: "NON_COMPLIANT", installedPendingReboot: 3 }, "pending-reboot", "Reboot pending for 3 patches"],
            [{ operation: "Scan", status: "NON_COMPLIANT", missing: 3 }, "non-compliant", "Non-compliant: 3 missing"],
            [{ operation: "Install", status: "NON_COMPLIANT", missing: 1 }, "non-compliant", "Installed; 1 still missing"],
            [{ operation: "Install" }, "compliant", "Succeeded"],
            [{ operation: "Scan" }, "compliant", "Compliant"],
            [{ status: "NO_DATA", operation: null }, "none", "No patch operation reported"],
        ];
        for (const [fields, result, label] of cases) {
            assert.deepEqual(operationResult(node("i-1", fields)), { result, label }, JSON.stringify(fields));
        }
    });

    it("lists last operations failed installs first, then failed patches, then newest first, never-reported nodes last", () => {
        const nodes = [
            neverReported("i-never", "NO_DATA"),
            node("i-old-scan", { operationEndTime: hoursAgo(30) }),
            node("i-failed-old", { operation: "Install", status: "NON_COMPLIANT", failed: 1, operationEndTime: hoursAgo(20) }),
            node("i-new-scan", { operationEndTime: hoursAgo(1) }),
            node("i-failed-new", { operation: "Install", status: "NON_COMPLIANT", failed: 1, operationEndTime: hoursAgo(2) }),
            node("i-leftover", { operation: "Scan", status: "NON_COMPLIANT", failed: 1, operationEndTime: hoursAgo(1) }),
        ];
        const s = summarize(data(nodes));
        assert.deepEqual(
            s.lastOperations.map((v) => v.node.instanceId),
            ["i-failed-new", "i-failed-old", "i-leftover", "i-new-scan", "i-old-scan", "i-never"],
        );
        assert.equal(s.overall.failedInstalls, 2);
        const g = new Date(GENERATED);
        assert.ok(lastOperationOrder(nodeView(nodes[2], g, 7), nodeView(nodes[3], g, 7)) < 0);
    });

    it("orders nodes worst first: critical, then security, then missing, then failed", () => {
        const nodes = [
            node("i-missing9", { status: "NON_COMPLIANT", missing: 9 }),
            node("i-sec2", { status: "NON_COMPLIANT", missing: 2, securityNonCompliant: 2 }),
            node("i-crit1-sec1", { status: "NON_COMPLIANT", missing: 2, criticalNonCompliant: 1, securityNonCompliant: 1 }),
            node("i-crit1-sec3", { status: "NON_COMPLIANT", missing: 3, criticalNonCompliant: 1, securityNonCompliant: 3 }),
            node("i-ok"),
            node("i-failed", { status: "NON_COMPLIANT", failed: 1 }),
        ];
        assert.deepEqual(
            summarize(data(nodes)).nodes.map((v) => v.node.instanceId),
            ["i-crit1-sec3", "i-crit1-sec1", "i-sec2", "i-missing9", "i-failed", "i-ok"],
        );
        const g = new Date(GENERATED);
        assert.equal(worstFirst(nodeView(nodes[0], g, 7), nodeView(nodes[0], g, 7)), 0);
    });

    it("adds the scope of a node whose account-Region was not listed, and leaves a failed scope's nodes out of every total", () => {
        const s = summarize({
            generatedAt: GENERATED,
            scopes: [{ account: "444444444444", region: "us-east-1", status: "failed", error: "AccessDenied" }],
            nodes: [node("i-1", { account: "333333333333" }), node("i-2", { account: "444444444444" })],
        });
        assert.deepEqual(s.scopes.map((x) => [x.label, x.scope.status]), [["444444444444 us-east-1", "failed"], ["333333333333 us-east-1", "ok"]]);
        assert.equal(s.overall.nodes, 1);
        assert.deepEqual(s.nodes.map((v) => v.node.instanceId), ["i-1"]);
    });

    it("refuses a generatedAt that is not a time and a negative staleAfterDays", () => {
        assert.throws(() => summarize(data([], { generatedAt: "yesterday" })), /generatedAt is not a time: yesterday/);
        assert.throws(() => summarize(data([], { staleAfterDays: -1 })), /staleAfterDays must be a number of days from 0; got -1/);
    });

    it("orders Inspector severities as Inspector does and groups a comparison by vulnerability", () => {
        const f = (id: number, sev: string, inst: string, vuln: string) => ({ findingArn: `arn:${id}`, severity: sev, instanceId: inst, vulnerabilityId: vuln });
        const s = summarize(
            data([node("i-1")], {
                findings: {
                    bySeverity: { LOW: 2, CRITICAL: 1, UNTRIAGED: 4, HIGH: 3 },
                    topVulnerabilities: [
                        { id: "CVE-B", title: "b", severity: "HIGH", instances: 2 },
                        { id: "CVE-A", title: "a", severity: "CRITICAL", instances: 5 },
                    ],
                    coverage: [
                        { instanceId: "i-1", scanned: true },
                        { instanceId: "i-2", scanned: false, reason: "NO_INVENTORY" },
                    ],
                    comparison: {
                        closed: [f(1, "HIGH", "i-1", "CVE-X"), f(2, "HIGH", "i-2", "CVE-X")],
                        stillOpen: [f(3, "LOW", "i-1", "CVE-Y"), f(4, "CRITICAL", "i-1", "CVE-Z")],
                        new: [],
                    },
                },
            }),
        );
        const findings = s.findings;
        assert.ok(findings);
        assert.deepEqual(findings.bySeverity, [["CRITICAL", 1], ["HIGH", 3], ["LOW", 2], ["UNTRIAGED", 4]]);
        assert.equal(findings.total, 10);
        assert.deepEqual(findings.topVulnerabilities.map((v) => v.id), ["CVE-A", "CVE-B"]);
        assert.deepEqual(findings.coverage, { nodes: 2, scanned: 1, notScanned: 1, notScannedNodes: [{ instanceId: "i-2", reason: "NO_INVENTORY" }] });
        assert.deepEqual(findings.comparison?.counts, { closed: 2, stillOpen: 2, new: 0 });
        assert.deepEqual(findings.comparison?.closed, [{ vulnerabilityId: "CVE-X", severity: "HIGH", findings: 2, instanceIds: ["i-1", "i-2"] }]);
        assert.deepEqual(findings.comparison?.stillOpen.map((g) => g.vulnerabilityId), ["CVE-Z", "CVE-Y"]);
    });
});

describe("dashboard model", () => {
    it("builds DashboardData from a compliance report: listed scopes, the nodes' scopes, and its errors as failed scopes", () => {
        const d = dashboardDataFromCompliance(
            {
                nodes: [node("i-1", { account: null, region: "eu-west-1" })],
                errors: [{ account: null, region: "us-east-1", error: "ThrottlingException: slow down" }],
            },
            { generatedAt: GENERATED, scopes: [{ region: "us-east-1" }, { region: "ap-south-1" }], staleAfterDays: 14, patchesOf: () => [] },
        );
        assert.deepEqual(d.scopes, [
            { account: null, region: "us-east-1", status: "failed", error: "ThrottlingException: slow down" },
            { account: null, region: "ap-south-1", status: "ok" },
            { account: null, region: "eu-west-1", status: "ok" },
        ]);
        assert.equal(d.staleAfterDays, 14);
        assert.deepEqual(d.nodes[0].patches, []);
        const s = summarize(d);
        assert.deepEqual(s.scopes.map((x) => [x.label, x.totals?.nodes]), [["us-east-1", undefined], ["ap-south-1", 0], ["eu-west-1", 1]]);
        assert.deepEqual(s.accounts, []);
    });

    it("maps a patch from compliance --missing or DescribeInstancePatches, and drops states the dashboard does not list", () => {
        assert.deepEqual(toDashboardPatch({ title: "kernel", classification: "Security", severity: "Critical", state: "Missing", cves: ["CVE-2024-53104"] }), {
            title: "kernel",
            classification: "Security",
            severity: "Critical",
            state: "Missing",
            cveIds: ["CVE-2024-53104"],
        });
        assert.equal(toDashboardPatch({ title: "glibc", state: "FAILED" })?.state, "Failed");
        assert.deepEqual(toDashboardPatch({ title: "glibc", state: "FAILED" })?.cveIds, []);
        assert.equal(toDashboardPatch({ title: "vim", state: "INSTALLED" }), undefined);
        assert.equal(toDashboardPatch({ title: "vim", state: "NOT_APPLICABLE" }), undefined);
    });
});

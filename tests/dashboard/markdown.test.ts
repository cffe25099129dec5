import * as assert from "node:assert/strict";
import { renderDashboardMarkdown } from "../../patchctl/dashboard/markdown";
import type { DashboardData, DashboardNode } from "../../patchctl/dashboard/model";
import { sampleData, sampleReport } from "./fixtures";

/** The cells of a Markdown table row, split on unescaped pipes. */
const cells = (line: string) =>
    line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());

const tableRows = (md: string, header: string) => {
    const lines = md.split("\n");
    const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
    const rows: string[][] = [];
    for (let i = start; i >= 0 && i < lines.length && lines[i].startsWith("|"); i++) rows.push(cells(lines[i]));
    return rows;
};

const reported = (id: string, fields: Partial<DashboardNode>): DashboardNode => ({
    region: "us-east-1",
    instanceId: id,
    status: "NON_COMPLIANT",
    missing: 0,
    failed: 0,
    criticalNonCompliant: 0,
    securityNonCompliant: 0,
    otherNonCompliant: 0,
    operation: "Scan",
    operationEndTime: "2026-11-23T16:00:00Z",
    ...fields,
});

describe("dashboard Markdown", () => {
    it("summarizes the sample fleet per account and Region with patchctl's totals, and the failed one as failed", () => {
        const md = renderDashboardMarkdown(sampleData());
        const summary = sampleReport().summary;
        assert.match(md, /^## Patch compliance\n\nNodes tagged Environment=Development\. Generated 2025-01-06 01:04:00 UTC from 2 of 3 account-Regions \(1 failed\)\.\n/);
        assert.match(md, /> \[!WARNING\]\n> 1 account-Region could not be read; its nodes are not counted below:\n> - \*\*444444444444 us-east-1\*\*: AccessDenied: User: arn:aws:iam::111111111111:user\/patchctl/);
        const rows = tableRows(md, "Account");
        assert.deepEqual(rows[0], ["Account", "Region", "Nodes", "Compliant", "Non-compliant", "Never reported", "Stale (> 7 d)", "Critical", "Security", "Other", "Missing patches", "Failed patches"]);
        assert.deepEqual(rows[2], ["222222222222", "us-east-1", "6", "3", "3", "0", "0", "3", "3", "3", "9", "0"]);
        assert.deepEqual(rows[3], ["222222222222", "eu-west-1", "4", "2", "2", "0", "0", "2", "2", "2", "6", "0"]);
        assert.deepEqual(rows[4], ["444444444444", "us-east-1", "**failed**", "—", "—", "—", "—", "—", "—", "—", "—", "—"]);
        const total = rows[5].map((c) => c.replace(/\*\*/g, ""));
        assert.deepEqual(
            [total[2], total[3], total[4], total[5], total[7], total[8], total[10]].map(Number),
            [summary.nodes, summary.compliant, summary.nonCompliant, summary.noData, summary.withCriticalNonCompliant, summary.withSecurityNonCompliant, summary.missingPatches],
        );
    });

    it("lists the worst nodes by critical, then security, then missing patches, up to the limit", () => {
        const data: DashboardData = {
            generatedAt: "2026-11-23T17:00:00Z",
            scopes: [{ region: "us-east-1", status: "ok" }],
            nodes: [
                reported("i-missing9", { missing: 9 }),
                reported("i-sec2", { missing: 2, securityNonCompliant: 2 }),
                reported("i-crit1-sec1", { missing: 2, criticalNonCompliant: 1, securityNonCompliant: 1 }),
                reported("i-crit2", { missing: 2, criticalNonCompliant: 2 }),
                reported("i-crit1-sec1-missing5", { missing: 5, criticalNonCompliant: 1, securityNonCompliant: 1 }),
                reported("i-ok", { status: "COMPLIANT" }),
                { region: "us-east-1", instanceId: "i-never", status: "NO_DATA" },
            ],
        };
        const md = renderDashboardMarkdown(data, { worst: 4 });
        const rows = tableRows(md, "Node");
        assert.deepEqual(rows[0], ["Node", "Name", "Region", "Status", "Critical", "Security", "Missing", "Failed", "Last operation"]);
        assert.deepEqual(
            rows.slice(2).map((r) => r[0]),
            ["i-crit2", "i-crit1-sec1-missing5", "i-crit1-sec1", "i-sec2"],
        );
        assert.match(md, /^1 more node has non-compliant or failed patches \(see the HTML report\)\.$/m);
        assert.match(md, /^Never reported a patch state \(1\): i-never\.$/m);
        assert.doesNotMatch(md, /i-ok/);
    });

    it("keeps every table row's cell count when names carry pipes, newlines, Markdown and HTML", () => {
        const data: DashboardData = {
            generatedAt: "2026-11-23T17:00:00Z",
            targets: "tag Team=a|b",
            scopes: [
                { account: "1|2", region: "us-east-1", status: "ok" },
                { account: "3", region: "eu-west-1", status: "failed", error: "boom | <img src=x onerror=alert(1)>\nsecond line" },
            ],
            nodes: [reported("i-1|x", { account: "1|2", name: "web *1*\n<script>alert(1)</script> [x](http://e)", missing: 1, criticalNonCompliant: 1 })],
        };
        const md = renderDashboardMarkdown(data);
        assert.doesNotMatch(md, /<script|<img/);
        assert.match(md, /web \\\*1\\\* &lt;script&gt;alert\\\(1\\\)&lt;\/script&gt; \\\[x\\\]\\\(http:\/\/e\\\)/);
        assert.match(md, /\*\*3 eu-west-1\*\*: boom \\\| &lt;img src=x onerror=alert\\\(1\\\)&gt; second line/);
        for (const header of ["Account", "Node"]) {
            const rows = tableRows(md, header);
            assert.ok(rows.length >= 3);
            for (const row of rows) assert.equal(row.length, rows[0].length, row.join(" | "));
        }
    });

    it("adds the Inspector findings when they were read", () => {
        const md = renderDashboardMarkdown({
            ...sampleData(),
            findings: {
                bySeverity: { HIGH: 3, CRITICAL: 2 },
                topVulnerabilities: [],
                coverage: [
                    { instanceId: "i-1", scanned: true },
                    { instanceId: "i-2", scanned: false, reason: "NO_INVENTORY" },
                ],
                comparison: { closed: [], stillOpen: [], new: [] },
            },
        });
        assert.deepEqual(tableRows(md, "Severity").slice(2), [["CRITICAL", "2"], ["HIGH", "3"], ["**All**", "**5**"]]);
        assert.match(md, /^Inspector scans 1 of 2 nodes\.$/m);
        assert.match(md, /^Since the snapshot: 0 closed, 0 still open, 0 new\.$/m);
    });
});

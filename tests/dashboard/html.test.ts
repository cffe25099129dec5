import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { escapeHtml, escapeMarkdown, formatAge, formatCount, formatTime } from "../../patchctl/dashboard/format";
import { renderDashboardHtml } from "../../patchctl/dashboard/html";
import type { DashboardData } from "../../patchctl/dashboard/model";
import { sampleData } from "./fixtures";

/** A string that would run script or break out of an attribute if it were not escaped. */
const EVIL = `"'><script>alert(1)</script><img src=x onerror=alert(2)>&amp;`;

/** Every string field of the input carries EVIL. */
function hostileData(): DashboardData {
    const evil = (what: string) => `${what}${EVIL}`;
    return {
        generatedAt: "2026-11-23T17:00:00Z",
        title: evil("title"),
        targets: evil("targets"),
        scopes: [
            { account: evil("acct"), region: evil("region"), status: "ok" },
            { account: "444444444444", region: "us-east-1", status: "failed", error: evil("error") },
        ],
        nodes: [
            {
                account: evil("acct"),
                region: evil("region"),
                instanceId: evil("i-"),
                name: evil("name"),
                platform: evil("platform"),
                pingStatus: evil("ping"),
                status: "NON_COMPLIANT",
                missing: 1,
                failed: 1,
                criticalNonCompliant: 1,
                operation: evil("op"),
                operationEndTime: "2026-11-23T16:00:00Z",
                baselineId: evil("pb"),
                patches: [
                    { title: evil("patch"), classification: evil("class"), severity: evil("sev"), state: "Missing", cveIds: [evil("cve")] },
                    { title: evil("patch2"), classification: "", severity: "", state: "Failed", cveIds: [] },
                ],
            },
        ],
        findings: {
            bySeverity: { [evil("SEV")]: 2, CRITICAL: 1 },
            topVulnerabilities: [{ id: evil("CVE"), title: evil("vuln"), severity: evil("HIGH"), instances: 2 }],
            coverage: [{ instanceId: evil("i-"), scanned: false, reason: evil("reason") }],
            comparison: {
                closed: [{ findingArn: evil("arn"), severity: evil("sev"), instanceId: evil("i-"), vulnerabilityId: evil("vid") }],
                stillOpen: [],
                new: [],
            },
        },
    };
}

describe("dashboard HTML", () => {
    it("escapes the five HTML specials and nothing else", () => {
        assert.equal(escapeHtml(`a<b>&"c'`), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert.equal(escapeHtml("i-0a000000000000000"), "i-0a000000000000000");
        assert.equal(escapeHtml(null), "");
        assert.equal(escapeHtml(42), "42");
    });

    it("formats counts, times and ages as the page shows them", () => {
        assert.equal(formatCount(1234567), "1,234,567");
        assert.equal(formatCount(999), "999");
        assert.equal(formatTime(new Date("2026-11-23T16:37:58.780Z")), "2026-11-23 16:37Z");
        assert.equal(formatAge(0.5), "12 hours");
        assert.equal(formatAge(1), "1 day");
        assert.equal(formatAge(23.9), "23 days");
    });

    it("escapes every string from the data, in text, attributes and charts", async () => {
        const html = await renderDashboardHtml(hostileData());
        assert.equal(html.match(/<script/g)?.length, 2, "only the page's own two scripts");
        assert.doesNotMatch(html, /<img/);
        assert.doesNotMatch(html, /onerror=alert\(2\)>/);
        assert.doesNotMatch(html, /<script>alert/);
        // Each hostile value appears, escaped, at least once (many in several places).
        for (const what of ["title", "targets", "acct", "region", "error", "i-", "name", "platform", "ping", "op", "patch", "patch2", "class", "sev", "cve", "CVE", "vuln", "reason", "vid"]) {
            assert.ok(html.includes(`${what}&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;`), `${what} escaped`);
        }
        // ECharts escapes the text it draws (here the account-Region label and the severity name).
        const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
        assert.ok(svgs.length >= 4);
        for (const svg of svgs) assert.doesNotMatch(svg, /<script|<img/);
    });

    it("is self-contained: no URL to fetch, and a Content-Security-Policy that allows none and only its own scripts", async () => {
        const html = await renderDashboardHtml(sampleData());
        assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?(?:https?:|\/\/)/i);
        assert.doesNotMatch(html, /@import|url\(\s*["']?(?:https?:|\/\/)/i);
        assert.doesNotMatch(html, /<link\b/i);
        const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
        assert.match(csp, /default-src 'none'/);
        const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
        assert.equal(scripts.length, 2);
        const hashes = scripts.map((script) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`);
        assert.ok(csp.endsWith(`script-src ${hashes.join(" ")}`), "the CSP allows exactly the two inline scripts");
    });

    it("shows a failed account-Region as failed, with its error, and never with counts", async () => {
        const html = await renderDashboardHtml(sampleData());
        assert.match(html, /1 account-Region could not be read/);
        assert.match(html, /<strong>444444444444 us-east-1<\/strong>: AccessDenied: User: arn:aws:iam::111111111111:user\/patchctl is not authorized/);
        assert.doesNotMatch(html, /data-metric="scope\.444444444444\/us-east-1\./);
        const failedRows = html.match(/<tr class="failed">[\s\S]*?<\/tr>/g) ?? [];
        assert.equal(failedRows.length, 2, "in the compliance and the severity tables");
        for (const row of failedRows) {
            assert.match(row, /Failed/);
            assert.doesNotMatch(row, />0</);
        }
        assert.match(html, /Not charted, because they could not be read: 444444444444 us-east-1\./);
    });

    it("gives every chart an accessible name and a description of its numbers, and no hover styles", async () => {
        const html = await renderDashboardHtml(sampleData());
        const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
        assert.equal(svgs.length, 4, "status, report age, by scope, by severity");
        for (const svg of svgs) {
            assert.match(svg, /^<svg role="img" aria-labelledby="(chart-[a-z]+)-t \1-d"/);
            assert.match(svg, /<title id="chart-[a-z]+-t">[^<]+<\/title><desc id="chart-[a-z]+-d">[^<]+<\/desc>/);
            assert.doesNotMatch(svg, /<style/);
        }
        assert.match(html, /<desc id="chart-status-d">Compliant: 5; Non-compliant: 5; Never reported: 0\.<\/desc>/);
        assert.match(html, /<desc id="chart-severity-d">Critical: 5; Security: 5; Other: 5\.<\/desc>/);
    });

    it("writes one node-table row per node, and a drill-down row after each node whose patches were read", async () => {
        const d = sampleData();
        const html = await renderDashboardHtml(d);
        const table = html.slice(html.indexOf('<table id="nodes-table"'), html.indexOf("</table>\n</div>\n</section>", html.indexOf('<table id="nodes-table"')));
        const body = table.slice(table.indexOf("<tbody>"));
        assert.equal(body.match(/<tr><td>i-/g)?.length, d.nodes.length, "one row per node");
        assert.equal(body.match(/<tr class=dd><td colspan=12><table>/g)?.length, d.nodes.filter((n) => (n.missing ?? 0) > 0).length, "one drill-down row per node with patches");
        assert.equal(body.match(/<details>/g)?.length, d.nodes.filter((n) => (n.missing ?? 0) > 0).length);
        assert.match(body, /<summary>3 missing<\/summary>/);
        assert.match(body, /kernel\.x86_64:0:5\.10\.234-225\.910\.amzn2<td>Security<td>Critical<td>CVE-2024-53104/);
    });

    it("says when Inspector findings are not included, and leaves their section out", async () => {
        const html = await renderDashboardHtml(sampleData());
        assert.match(html, /<dt>Inspector findings<\/dt><dd>not included<\/dd>/);
        assert.doesNotMatch(html, /id="findings"/);
    });
});

describe("dashboard Markdown escaping", () => {
    it("keeps a cell on one line, escapes pipes and Markdown punctuation, and turns HTML into text", () => {
        assert.equal(escapeMarkdown("a|b\nc"), "a\\|b c");
        assert.equal(escapeMarkdown("*bold* _it_ `code` [link](x) ~s~"), "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\]\\(x\\) \\~s\\~");
        assert.equal(escapeMarkdown("<script>&"), "&lt;script&gt;&amp;");
        assert.equal(escapeMarkdown("i-0a000000000000000"), "i-0a000000000000000");
    });
});

/**
 * The dashboard in a real browser: Debian's chromium (/usr/bin/chromium) driven by playwright-core.
 * One chromium for the file, launched with the flags below and a fresh --user-data-dir (Playwright
 * makes it and removes it on close); each session is a new browser context in it. The generated
 * files are opened from disk (file://); every request the page makes is recorded and must be a
 * file: or data: URL; a console error or page error fails the test.
 *
 * With script the node table shows 250 rows at a time ("Show more", "Show all"); without script,
 * every row.
 *
 * Where /usr/bin/chromium is absent the suite is skipped with a notice on stderr, unless
 * PATCHCTL_BROWSER_TESTS=required (as .ci/run sets it), which makes that a failure.
 * Screenshots and the PDF are written to test-output/dashboard/ (not committed).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { syntheticDashboardData } from "../../bench/dashboard";
import { renderDashboardHtml } from "../../patchctl/dashboard/html";
import type { DashboardData, DashboardNode } from "../../patchctl/dashboard/model";
import { sampleData, sampleReport } from "./fixtures";

const CHROMIUM = "/usr/bin/chromium";
const REQUIRED = process.env.PATCHCTL_BROWSER_TESTS === "required";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const OUTPUT = path.join(__dirname, "..", "..", "test-output", "dashboard");

// ---------------------------------------------------------------------------------------------
// The oracle: what the page must show, computed here from the input alone (not with summary.ts).

const DAY = 24 * 3600 * 1000;
const n0 = (n: number | null | undefined) => (typeof n === "number" && n > 0 ? n : 0);
const isReported = (n: DashboardNode) => n.status === "COMPLIANT" || n.status === "NON_COMPLIANT";

function resultOf(n: DashboardNode): string {
    if (!isReported(n) || !n.operation) return "none";
    if (n0(n.failed) > 0) return n.operation === "Install" ? "install-failed" : "failed-patches";
    if (n0(n.installedPendingReboot) > 0) return "pending-reboot";
    return n.status === "NON_COMPLIANT" ? "non-compliant" : "compliant";
}

function ageDays(n: DashboardNode, generatedAt: number): number | undefined {
    if (!isReported(n) || !n.operationEndTime) return undefined;
    return Math.max(0, (generatedAt - new Date(n.operationEndTime).getTime()) / DAY);
}

function totals(nodes: DashboardNode[], generatedAt: number, staleAfter: number): Record<string, number> {
    const ages = nodes.map((n) => ageDays(n, generatedAt));
    const count = (f: (n: DashboardNode, i: number) => boolean) => nodes.filter(f).length;
    const sum = (f: (n: DashboardNode) => number | null | undefined) => nodes.reduce((s, n) => s + n0(f(n)), 0);
    return {
        nodes: nodes.length,
        compliant: count((n) => n.status === "COMPLIANT"),
        nonCompliant: count((n) => n.status === "NON_COMPLIANT"),
        neverReported: count((n) => !isReported(n)),
        stale: count((_, i) => (ages[i] ?? 0) > staleAfter),
        nodesWithCritical: count((n) => n0(n.criticalNonCompliant) > 0),
        nodesWithSecurity: count((n) => n0(n.securityNonCompliant) > 0),
        nodesWithOther: count((n) => n0(n.otherNonCompliant) > 0),
        criticalPatches: sum((n) => n.criticalNonCompliant),
        securityPatches: sum((n) => n.securityNonCompliant),
        otherPatches: sum((n) => n.otherNonCompliant),
        missingPatches: sum((n) => n.missing),
        failedPatches: sum((n) => n.failed),
        pendingRebootPatches: sum((n) => n.installedPendingReboot),
        failedInstalls: count((n) => resultOf(n) === "install-failed"),
        "reportAge.withinDay": count((_, i) => ages[i] !== undefined && (ages[i] as number) <= 1),
        "reportAge.withinStale": count((_, i) => ages[i] !== undefined && (ages[i] as number) > 1 && (ages[i] as number) <= staleAfter),
        "reportAge.stale": count((_, i) => (ages[i] ?? 0) > staleAfter),
        "reportAge.unknown": count((n, i) => isReported(n) && ages[i] === undefined),
        "reportAge.neverReported": count((n) => !isReported(n)),
    };
}

/** Every number the page must show with data-metric, by path. */
function expectedMetrics(d: DashboardData): Map<string, number> {
    const generatedAt = new Date(d.generatedAt).getTime();
    const staleAfter = d.staleAfterDays ?? 7;
    const key = (x: { account?: string | null; region: string }) => `${x.account ?? ""}/${x.region}`;
    const failed = new Set(d.scopes.filter((s) => s.status === "failed").map(key));
    const nodes = d.nodes.filter((n) => !failed.has(key(n)));
    const m = new Map<string, number>();
    for (const [k, v] of Object.entries(totals(nodes, generatedAt, staleAfter))) m.set(`overall.${k}`, v);
    // The page has a row for reports without a time only when there are such reports.
    if (m.get("overall.reportAge.unknown") === 0) m.delete("overall.reportAge.unknown");
    for (const scope of d.scopes.filter((s) => s.status === "ok")) {
        for (const [k, v] of Object.entries(totals(nodes.filter((n) => key(n) === key(scope)), generatedAt, staleAfter))) {
            // Per account-Region the page shows node counts by severity, not the patch sums by severity.
            if (!k.startsWith("reportAge.") && !/^(critical|security|other)Patches$/.test(k)) m.set(`scope.${key(scope)}.${k}`, v);
        }
    }
    for (const n of nodes) {
        const op = resultOf(n) === "none" ? "None" : String(n.operation);
        const path = `operations.${op}.${resultOf(n)}`;
        m.set(path, (m.get(path) ?? 0) + 1);
    }
    const f = d.findings;
    if (f) {
        for (const [sev, n] of Object.entries(f.bySeverity)) m.set(`findings.severity.${sev}`, n);
        m.set("findings.total", Object.values(f.bySeverity).reduce((a, b) => a + b, 0));
        m.set("findings.coverage.nodes", f.coverage.length);
        m.set("findings.coverage.scanned", f.coverage.filter((c) => c.scanned).length);
        m.set("findings.coverage.notScanned", f.coverage.filter((c) => !c.scanned).length);
        for (const v of f.topVulnerabilities) m.set(`findings.top.${v.id}`, v.instances);
        if (f.comparison) {
            m.set("findings.compare.closed", f.comparison.closed.length);
            m.set("findings.compare.stillOpen", f.comparison.stillOpen.length);
            m.set("findings.compare.new", f.comparison.new.length);
        }
    }
    return m;
}

// ---------------------------------------------------------------------------------------------
// Reading the page

const toNumber = (text: string) => Number(text.replace(/,/g, "").trim());

/** Every [data-metric] on the page: path and the numbers shown for it (a metric may appear in several places). */
async function shownMetrics(page: Page): Promise<Map<string, number[]>> {
    const pairs = await page.$$eval("[data-metric]", (els) => els.map((e) => [e.getAttribute("data-metric") ?? "", e.textContent ?? ""]));
    const shown = new Map<string, number[]>();
    for (const [k, text] of pairs) shown.set(k, [...(shown.get(k) ?? []), toNumber(text)]);
    return shown;
}

function assertMetrics(shown: Map<string, number[]>, expected: Map<string, number>): void {
    for (const [k, values] of shown) {
        assert.ok(expected.has(k), `the page shows ${k}, which the oracle does not know`);
        for (const v of values) assert.equal(v, expected.get(k), k);
    }
    // Everything the oracle knows is shown, except top vulnerabilities beyond the first 20.
    for (const k of expected.keys()) if (!k.startsWith("findings.top.")) assert.ok(shown.has(k), `the page does not show ${k}`);
}

/** Each node-table row: per cell [first line, second line (<small>)], and the drill-down summary. */
async function nodeRows(page: Page): Promise<Array<{ cells: Array<[string, string]>; hidden: boolean }>> {
    return page.locator("#nodes-table > tbody > tr:not(.dd)").evaluateAll((rows) =>
        rows.map((r) => ({
            hidden: (r as unknown as { hidden: boolean }).hidden,
            cells: Array.from((r as unknown as { cells: ArrayLike<PageCell> }).cells, (c) => {
                const summary = c.querySelector("summary");
                if (summary) return [summary.textContent ?? "", ""] as [string, string];
                const small = c.querySelector(":scope > small");
                const all = c.textContent ?? "";
                const second = small?.textContent ?? "";
                return [all.slice(0, all.length - second.length).trim(), second] as [string, string];
            }),
        })),
    );
}

/** What the tests read of a table cell in the page (the DOM types are not in this project's lib). */
interface PageCell {
    textContent: string | null;
    querySelector(selector: string): PageCell | null;
}

const timeText = (t: string | Date) => `${new Date(t).toISOString().slice(0, 16).replace("T", " ")}Z`;
const shownCount = (n: number | null | undefined) => (typeof n === "number" ? String(n) : "—");

/** Checks every node-table row against the input nodes (all nodes of the scopes that were read). */
function assertNodeRows(rows: Array<{ cells: Array<[string, string]> }>, d: DashboardData): void {
    const failed = new Set(d.scopes.filter((s) => s.status === "failed").map((s) => `${s.account ?? ""}/${s.region}`));
    const nodes = d.nodes.filter((n) => !failed.has(`${n.account ?? ""}/${n.region}`));
    const showAccount = d.scopes.some((s) => s.account);
    assert.equal(rows.length, nodes.length);
    const byId = new Map(nodes.map((n) => [n.instanceId, n]));
    for (const { cells } of rows) {
        assert.equal(cells.length, 12);
        const n = byId.get(cells[0][0]);
        assert.ok(n, `row for unknown node ${cells[0][0]}`);
        assert.equal(cells[0][1], n.name ?? "");
        assert.deepEqual(cells[1], showAccount ? [n.account ?? "—", n.region] : [n.region, ""]);
        assert.deepEqual(cells[2], [n.platform ?? "—", n.pingStatus && n.pingStatus !== "Online" ? n.pingStatus : ""]);
        assert.match(cells[3][0], { COMPLIANT: /^Compliant(, stale)?$/, NON_COMPLIANT: /^Non-compliant(, stale)?$/ }[n.status as string] ?? /^Never reported$/);
        const counts = [n.criticalNonCompliant, n.securityNonCompliant, n.otherNonCompliant, n.missing, n.failed, n.installedPendingReboot].map(shownCount);
        assert.deepEqual(cells.slice(4, 10).map((c) => c[0].replace(/,/g, "")), counts, n.instanceId);
        if (isReported(n) && n.operation) {
            assert.ok(cells[10][0].startsWith(n.operationEndTime ? timeText(n.operationEndTime) : "—"), `${n.instanceId}: ${cells[10][0]}`);
            assert.ok(cells[10][1] === n.operation || cells[10][1].startsWith(`${n.operation}: `) || cells[10][1].startsWith(`${n.operation}, `), `${n.instanceId}: ${cells[10][1]}`);
        } else {
            assert.equal(cells[10][0], "—");
        }
        const missing = n.patches?.filter((p) => p.state === "Missing").length ?? 0;
        const failedPatches = n.patches?.filter((p) => p.state === "Failed").length ?? 0;
        const summary = [missing > 0 ? `${missing} missing` : "", failedPatches > 0 ? `${failedPatches} failed` : ""].filter(Boolean).join(", ");
        if (summary) assert.equal(cells[11][0], summary, n.instanceId);
    }
}

/** The numbers of one column, in the table's current order, visible rows only ("—" as null). */
async function column(page: Page, index: number): Promise<Array<number | null>> {
    return (await nodeRows(page)).filter((r) => !r.hidden).map((r) => (r.cells[index][0] === "—" ? null : toNumber(r.cells[index][0])));
}

const isSorted = (values: Array<number | null>, dir: 1 | -1) => {
    const present = values.filter((v): v is number => v !== null);
    const nullsLast = values.indexOf(null) < 0 || values.slice(values.indexOf(null)).every((v) => v === null);
    return nullsLast && present.every((v, i) => i === 0 || (v - present[i - 1]) * dir >= 0);
};

/** Clicks a column heading's sort button and waits until the page has sorted and painted; returns the page's own timing. */
async function sortBy(page: Page, label: string): Promise<number> {
    await page.evaluate("document.getElementById('nodes-table').removeAttribute('data-sort-ms')");
    await page.locator("#nodes-table thead button.sort", { hasText: new RegExp(`^${label}$`) }).click();
    // A locator, not waitForFunction: the page's CSP (no 'unsafe-eval') refuses string predicates.
    await page.locator("#nodes-table[data-sort-ms]").waitFor({ state: "attached", timeout: 90000 });
    return Number(await page.locator("#nodes-table").getAttribute("data-sort-ms"));
}

async function filterBy(page: Page, text: string, status = ""): Promise<number> {
    await page.locator("#node-filter").fill(text);
    await page.locator("#node-status").selectOption(status);
    // With both inputs final, a "change" runs the filter at once (a pending debounced run, if
    // any, only repeats it with the same inputs).
    await page.evaluate("document.getElementById('nodes-table').removeAttribute('data-filter-ms')");
    await page.locator("#node-status").dispatchEvent("change");
    await page.locator("#nodes-table[data-filter-ms]").waitFor({ state: "attached", timeout: 90000 });
    return page.locator("#nodes-table > tbody > tr:not(.dd):visible").count();
}

/** Clicks "Show more" or "Show all" and waits until the rows are attached and painted. */
async function showMore(page: Page, which: "node-more" | "node-all"): Promise<number> {
    await page.evaluate("document.getElementById('nodes-table').removeAttribute('data-page-ms')");
    await page.locator(`#${which}`).click();
    await page.locator("#nodes-table[data-page-ms]").waitFor({ state: "attached", timeout: 120000 });
    return Number(await page.locator("#nodes-table").getAttribute("data-page-ms"));
}

/** The first `n` values of a count column over all nodes read, as the page must order them ("—" last either way). */
function expectedTop(d: DashboardData, field: keyof DashboardNode, dir: 1 | -1, n: number): Array<number | null> {
    const failed = new Set(d.scopes.filter((x) => x.status === "failed").map((x) => `${x.account ?? ""}/${x.region}`));
    const values = d.nodes.filter((x) => !failed.has(`${x.account ?? ""}/${x.region}`)).map((x) => (typeof x[field] === "number" ? (x[field] as number) : null));
    const present = values.filter((v): v is number => v !== null).sort((a, b) => (a - b) * dir);
    return [...present, ...values.filter((v) => v === null)].slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// The browser

interface Session {
    context: BrowserContext;
    page: Page;
    requests: string[];
    problems: string[];
    close(): Promise<void>;
}

/** The file's chromium, launched in the suite's `before`. */
let browser: Browser | undefined;

/** A fresh browser context (its own cookies, storage and cache) with one page. */
async function launch(options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {}): Promise<Session> {
    if (!browser) throw new Error("chromium was not launched");
    const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 900 },
        javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    return {
        context,
        page,
        requests,
        problems,
        async close() {
            await context.close();
        },
    };
}

function assertOffline(s: Session): void {
    assert.ok(s.requests.length > 0, "the page load itself is recorded");
    const remote = s.requests.filter((url) => !url.startsWith("file:") && !url.startsWith("data:"));
    assert.deepEqual(remote, [], "no request but file: and data:");
    assert.deepEqual(s.problems, []);
}

describe("dashboard in a real browser (chromium, playwright-core)", function () {
    this.timeout(240000);
    let dir = "";
    let sampleFile = "";

    before(async function () {
        if (!fs.existsSync(CHROMIUM)) {
            const notice = `dashboard browser tests: ${CHROMIUM} not found (apt-get install chromium)`;
            if (REQUIRED) throw new Error(`${notice}, and PATCHCTL_BROWSER_TESTS=required`);
            console.warn(`\n  NOTICE: ${notice}; SKIPPING the browser tests. Set PATCHCTL_BROWSER_TESTS=required to make this a failure.\n`);
            this.skip();
        }
        browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
        fs.rmSync(OUTPUT, { recursive: true, force: true });
        fs.mkdirSync(OUTPUT, { recursive: true });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchctl-dashboard-"));
        sampleFile = path.join(dir, "sample.html");
        fs.writeFileSync(sampleFile, await renderDashboardHtml(sampleData()));
    });

    after(async () => {
        await browser?.close();
        browser = undefined;
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("the sample fleet", () => {
        let s: Session;
        before(async () => {
            s = await launch();
            await s.page.goto(`file://${sampleFile}`);
        });
        after(async () => {
            if (s) {
                assertOffline(s);
                await s.close();
            }
        });

        it("shows the numbers of the compliance report, everywhere they appear", async () => {
            const shown = await shownMetrics(s.page);
            assertMetrics(shown, expectedMetrics(sampleData()));
            const summary = sampleReport().summary;
            assert.deepEqual(shown.get("overall.compliant")?.[0], summary.compliant);
            assert.deepEqual(shown.get("overall.nonCompliant")?.[0], summary.nonCompliant);
            assert.deepEqual(shown.get("overall.neverReported")?.[0], summary.noData);
            assert.deepEqual(shown.get("overall.nodesWithCritical")?.[0], summary.withCriticalNonCompliant);
            assert.deepEqual(shown.get("overall.missingPatches")?.[0], summary.missingPatches);
            assert.equal(await s.page.locator("#failed-scopes").textContent(), "⚠ 1 account-Region could not be read");
            await s.page.screenshot({ path: path.join(OUTPUT, "sample-top.png") });
        });

        it("shows every node with the report's counts, worst first", async () => {
            const rows = await nodeRows(s.page);
            assertNodeRows(rows, sampleData());
            assert.deepEqual(rows.slice(0, 5).map((r) => r.cells[3][0]), Array(5).fill("Non-compliant"));
        });

        it("draws the charts' numbers as text in the SVG, and says them in its description", async () => {
            const desc = await s.page.locator("#chart-status-d").textContent();
            assert.equal(desc, "Compliant: 5; Non-compliant: 5; Never reported: 0.");
            const texts = await s.page.locator("svg#chart-status, svg[aria-labelledby^='chart-status'] text").allTextContents();
            assert.ok(texts.includes("Compliant") && texts.includes("Non-compliant") && texts.filter((t) => t === "5").length === 2, texts.join(","));
        });

        it("sorts the node table by a column, both ways, and says so", async () => {
            await sortBy(s.page, "Missing");
            assert.ok(isSorted(await column(s.page, 7), -1));
            assert.equal(await s.page.locator("#nodes-table thead th", { hasText: "Missing" }).first().getAttribute("aria-sort"), "descending");
            await sortBy(s.page, "Missing");
            assert.ok(isSorted(await column(s.page, 7), 1));
            assert.equal(await s.page.locator("#nodes-table thead th", { hasText: "Missing" }).first().getAttribute("aria-sort"), "ascending");
            await sortBy(s.page, "Node");
            const ids = (await nodeRows(s.page)).map((r) => r.cells[0][0]);
            assert.deepEqual(ids, [...ids].sort());
            // Wait for this sort's own count line (the previous sort's also ends in " ms).").
            const sorted = /^Sorted by Node, ascending; showing all 10 nodes \(\d+ ms\)\.$/;
            await s.page.locator("#node-count", { hasText: sorted }).waitFor();
            assert.match((await s.page.locator("#node-count").textContent()) ?? "", sorted);
        });

        it("filters the node table by words (also a CVE inside the drill-downs) and by status", async () => {
            assert.equal(await filterBy(s.page, "eu-west-1"), 4);
            assert.equal(await filterBy(s.page, "CVE-2024-53104"), 5);
            assert.equal(await filterBy(s.page, "eu-west-1 cve-2024-53104"), 2);
            assert.equal(await filterBy(s.page, "", "c"), 5);
            assert.equal(await filterBy(s.page, "us-east-1", "nc"), 3);
            // The count line gets its timing once the table is drawn: wait for that version of it.
            const countLine = async (expected: RegExp) => {
                await s.page.locator("#node-count", { hasText: expected }).waitFor();
                assert.match((await s.page.locator("#node-count").textContent()) ?? "", expected);
            };
            assert.equal(await filterBy(s.page, "no-such-node"), 0);
            await countLine(/^No node matches \(of 10\) \(\d+ ms\)\.$/);
            assert.equal(await filterBy(s.page, "eu-west-1"), 4);
            await countLine(/^4 of 10 nodes match; showing all \(\d+ ms\)\.$/);
            assert.equal(await filterBy(s.page, ""), 10);
            assert.equal(await s.page.locator("#node-paging").isVisible(), false, "no paging for 10 nodes");
        });

        it("runs a filter once when a change overtakes the typing debounce, and keeps its timing on the count line", async () => {
            // Typing arms a debounced filter; a "change" runs it at once. The debounced run must not
            // follow and redo it (it once rewrote the count line without its timing, a CI flake).
            await s.page.locator("#node-filter").fill("eu-west-1");
            await s.page.evaluate("document.getElementById('nodes-table').removeAttribute('data-filter-ms')");
            await s.page.locator("#node-status").dispatchEvent("change");
            await s.page.locator("#nodes-table[data-filter-ms]").waitFor({ state: "attached" });
            await s.page.evaluate("document.getElementById('nodes-table').removeAttribute('data-filter-ms')");
            await s.page.waitForTimeout(500); // well past the 60 ms debounce
            assert.equal(await s.page.locator("#nodes-table").getAttribute("data-filter-ms"), null, "filtered a second time");
            assert.match((await s.page.locator("#node-count").textContent()) ?? "", /^4 of 10 nodes match; showing all \(\d+ ms\)\.$/);
            assert.equal(await filterBy(s.page, ""), 10);
        });

        it("opens a node's drill-down: its missing patches with classification, severity and CVE ids", async () => {
            await sortBy(s.page, "Critical");
            const first = s.page.locator("#nodes-table > tbody > tr").first();
            const table = s.page.locator("#nodes-table > tbody > tr.dd").first().locator("table");
            assert.equal(await table.isVisible(), false, "closed");
            await first.locator("summary").click();
            await table.waitFor({ state: "visible" });
            assert.equal(await s.page.locator("#nodes-table > tbody > tr").nth(1).getAttribute("class"), "dd", "right under its node");
            const cells = await table.locator("tr").evaluateAll((rows) => rows.map((r) => Array.from((r as unknown as { cells: ArrayLike<PageCell> }).cells, (c) => c.textContent ?? "")));
            assert.deepEqual(cells, [
                ["State", "Title", "Classification", "Severity", "CVE ids"],
                ["Missing", "kernel.x86_64:0:5.10.234-225.910.amzn2", "Security", "Critical", "CVE-2024-53104"],
                ["Missing", "openssl-libs.x86_64:1:1.0.2k-24.amzn2.0.14", "Security", "Important", "CVE-2024-5535"],
                ["Missing", "tzdata.noarch:0:2025a-1.amzn2", "Bugfix", "None", "—"],
            ]);
            await first.scrollIntoViewIfNeeded();
            await s.page.locator("#nodes").screenshot({ path: path.join(OUTPUT, "sample-drilldown.png") });
        });

        it("prints: navigation and controls hidden, tables whole, and a PDF", async () => {
            await s.page.emulateMedia({ media: "print" });
            assert.equal(await s.page.evaluate("getComputedStyle(document.querySelector('nav')).display"), "none");
            assert.equal(await s.page.evaluate("getComputedStyle(document.getElementById('node-controls')).display"), "none");
            assert.equal(await s.page.evaluate("getComputedStyle(document.querySelector('.scroll.tall')).overflowY"), "visible");
            await s.page.screenshot({ path: path.join(OUTPUT, "sample-print.png"), fullPage: true });
            await s.page.emulateMedia({ media: "screen" });
            const pdf = path.join(OUTPUT, "sample.pdf");
            await s.page.pdf({ path: pdf, format: "A4", printBackground: true });
            const bytes = fs.readFileSync(pdf);
            assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
            assert.ok(bytes.length > 20000, `PDF of ${bytes.length} bytes`);
        });

        it("reads at 200% zoom (a 640 px wide viewport): no page-wide horizontal scrolling, tables scroll in place", async () => {
            await s.page.setViewportSize({ width: 640, height: 900 });
            const overflow = await s.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assert.equal(overflow, 0);
            const h1 = Number.parseFloat(String(await s.page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")));
            assert.ok(h1 >= 24);
            await s.page.screenshot({ path: path.join(OUTPUT, "sample-zoom200.png"), fullPage: true });
            await s.page.setViewportSize({ width: 1280, height: 900 });
        });
    });

    it("is complete without script: every row and number in the HTML, drill-downs open natively", async () => {
        const s = await launch({ javaScriptEnabled: false });
        try {
            await s.page.goto(`file://${sampleFile}`);
            assert.equal(await s.page.locator("#node-controls").isVisible(), false);
            assertMetrics(await shownMetrics(s.page), expectedMetrics(sampleData()));
            assertNodeRows(await nodeRows(s.page), sampleData());
            const first = s.page.locator("#nodes-table > tbody > tr").first();
            await first.locator("summary").click();
            await s.page.locator("#nodes-table > tbody > tr.dd").first().locator("table").waitFor({ state: "visible" });
            await s.page.screenshot({ path: path.join(OUTPUT, "sample-nojs.png") });
            assertOffline(s);
        } finally {
            await s.close();
        }
    });

    it("opens, sorts, filters and pages a 10,000-node report without freezing; shows all of a 1,500-node one with every node's numbers", async () => {
        const data = syntheticDashboardData(10000);
        const started = Date.now();
        const html = await renderDashboardHtml(data);
        const generatedMs = Date.now() - started;
        const file = path.join(dir, "large.html");
        fs.writeFileSync(file, html);
        const s = await launch();
        try {
            const loadStart = Date.now();
            await s.page.goto(`file://${file}`, { timeout: 120000 });
            const loadMs = Date.now() - loadStart;
            const readyMs = Number(await s.page.locator("#nodes-table[data-ready-ms]").getAttribute("data-ready-ms"));
            assert.equal(await s.page.evaluate("document.documentElement.classList.contains('js-loading')"), false);
            assert.equal(await s.page.locator("#nodes-table > tbody > tr:not(.dd)").count(), 250);
            assert.match((await s.page.locator("#node-count").textContent()) ?? "", /^Showing 250 of 10,000 nodes\. Select a column heading to sort\.$/);
            assertMetrics(await shownMetrics(s.page), expectedMetrics(data));

            const critical = await sortBy(s.page, "Critical");
            assert.deepEqual(await column(s.page, 4), expectedTop(data, "criticalNonCompliant", -1, 250));
            const missing = await sortBy(s.page, "Missing");
            const missingAgain = await sortBy(s.page, "Missing");
            assert.deepEqual(await column(s.page, 7), expectedTop(data, "missing", 1, 250));

            const shown = await filterBy(s.page, "ConnectionLost", "nc");
            const filterMs = Number(await s.page.locator("#nodes-table").getAttribute("data-filter-ms"));
            const expected = data.nodes.filter((n) => n.pingStatus === "ConnectionLost" && n.status === "NON_COMPLIANT" && n.account !== "444444444444").length;
            assert.equal(shown, Math.min(250, expected));
            await s.page.screenshot({ path: path.join(OUTPUT, "large-filtered.png") });

            assert.equal(await filterBy(s.page, ""), 250);
            const moreMs = await showMore(s.page, "node-more");
            assert.equal(await s.page.locator("#nodes-table > tbody > tr:not(.dd)").count(), 500);
            // Showing all 10,000 rows at once is the user's choice and only a matter of time
            // (`npm run bench` measures the dashboard): "Show all" is checked on 1,500 nodes, in the
            // same browser.
            const paged = syntheticDashboardData(1500);
            const pagedFile = path.join(dir, "paged.html");
            fs.writeFileSync(pagedFile, await renderDashboardHtml(paged));
            await s.page.goto(`file://${pagedFile}`, { timeout: 120000 });
            assert.equal(await s.page.locator("#nodes-table > tbody > tr:not(.dd)").count(), 250);
            assert.equal(await s.page.locator("#node-all").textContent(), "Show all 1,500");
            await showMore(s.page, "node-all");
            assert.equal(await s.page.locator("#node-paging").isVisible(), false);
            assertNodeRows(await nodeRows(s.page), paged);
            assertOffline(s);
            console.log(
                `      10,000 nodes: generated in ${generatedMs} ms, ${(Buffer.byteLength(html) / 1048576).toFixed(2)} MiB; loaded in ${loadMs} ms (script took over in ${readyMs} ms); ` +
                    `sorted in ${critical}, ${missing} and ${missingAgain} ms; filtered in ${filterMs} ms; 250 more rows in ${moreMs} ms ` +
                    "(the page's own timings, each until the next frame was painted)",
            );
        } finally {
            await s.close();
        }
    });
});

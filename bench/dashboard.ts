/**
 * The compliance dashboard at scale: generation time and file size of the HTML report (and the
 * Markdown summary's time) for synthetic fleets of 1,000 and 10,000 nodes. Targets at 10,000
 * nodes: under 2 s and under 5 MiB.
 *
 *   npx ts-node --transpile-only bench/dashboard.ts [--runs N] [--out FILE.html --nodes N]
 *
 * benchDashboard() is what `npm run bench` calls; syntheticDashboardData() is also the browser
 * tests' large fleet (tests/dashboard/).
 */
import * as fs from "fs";
import { renderDashboardHtml } from "../patchctl/dashboard/html";
import { renderDashboardMarkdown } from "../patchctl/dashboard/markdown";
import type { DashboardData, DashboardNode, DashboardPatch, FindingRef } from "../patchctl/dashboard/model";
import { Figure, figure } from "./stats";

export interface DashboardRow {
    nodes: number;
    /** Nodes with a drill-down (missing or failed patches listed). */
    withPatches: number;
    /** Patches listed in all drill-downs. */
    patches: number;
    /** renderDashboardHtml: summary, charts and page (ECharts already loaded), wall time. */
    ms: Figure;
    /**
     * The same renders' CPU time (user + system, all of the process's threads, GC included): on a
     * busy machine wall time measures the other processes too, CPU time much less.
     */
    cpuMs: Figure;
    /** renderDashboardMarkdown. */
    markdownMs: Figure;
    bytes: number;
    mib: number;
}

/** 2 s and 5 MiB at 10,000 nodes (issue 13). */
export const DASHBOARD_TARGETS = { nodes: 10000, ms: 2000, bytes: 5 * 1024 * 1024 };

/** A small deterministic PRNG (mulberry32), so every run renders the same fleet. */
function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const PLATFORMS = ["Amazon Linux 2", "Amazon Linux 2023", "Ubuntu 22.04", "Red Hat Enterprise Linux 9.4", "Microsoft Windows Server 2022 Datacenter"];
const PACKAGES = ["kernel", "openssl-libs", "glibc", "curl", "libxml2", "sudo", "openssh", "python3", "systemd", "bind-libs", "expat", "krb5-libs", "nss", "tzdata", "vim-minimal", "git", "polkit", "libarchive", "sqlite", "zlib"];
const SEVERITIES = ["Critical", "Important", "Medium", "Low", "None"];

/** A pool of plausible Amazon Linux patches, some with CVEs. */
function patchPool(rand: () => number): Array<Omit<DashboardPatch, "state"> & { critical: boolean; security: boolean }> {
    return Array.from({ length: 60 }, (_, i) => {
        const pkg = PACKAGES[i % PACKAGES.length];
        const severity = SEVERITIES[Math.floor(rand() * SEVERITIES.length)];
        const security = severity !== "None" && rand() < 0.8;
        const cves = security ? Array.from({ length: 1 + Math.floor(rand() * 3) }, () => `CVE-2025-${10000 + Math.floor(rand() * 50000)}`) : [];
        return {
            title: `${pkg}.x86_64:0:${1 + (i % 7)}.${i % 13}.${100 + i}-${i % 5}.amzn2`,
            classification: security ? "Security" : rand() < 0.5 ? "Bugfix" : "Enhancement",
            severity,
            cveIds: cves,
            critical: severity === "Critical",
            security,
        };
    });
}

/**
 * A fleet of `nodes` managed nodes in 5 accounts x 2 Regions plus one failed account-Region:
 * about 40% non-compliant with 1 to 8 missing patches each, 3% whose last install failed, 5% with
 * a stale report, 3% that never reported; with Inspector findings and a comparison.
 */
export function syntheticDashboardData(nodes: number, seed = 13): DashboardData {
    const rand = random(seed);
    const generatedAt = new Date(Date.UTC(2026, 10, 23, 17, 0, 0));
    const accounts = ["210987654321", "222222222222", "333333333333", "456789012345", "555555555555"];
    const regions = ["us-east-1", "eu-west-1"];
    const pool = patchPool(rand);
    const list: DashboardNode[] = [];
    for (let i = 0; i < nodes; i++) {
        const account = accounts[i % accounts.length];
        const region = regions[Math.floor(i / accounts.length) % regions.length];
        const r = rand();
        const instanceId = `i-0${Math.floor(rand() * 0xffffffff).toString(16).padStart(8, "0")}${i.toString(16).padStart(8, "0")}`;
        const base: DashboardNode = {
            account,
            region,
            instanceId,
            name: `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.ec2.internal`,
            platform: PLATFORMS[i % PLATFORMS.length],
            pingStatus: rand() < 0.02 ? "ConnectionLost" : "Online",
        };
        if (r < 0.03) {
            list.push({ ...base, status: "NO_DATA", installed: null, installedOther: null, missing: null, failed: null, installedPendingReboot: null, installedRejected: null, notApplicable: null, criticalNonCompliant: null, securityNonCompliant: null, otherNonCompliant: null, operation: null, operationEndTime: null, baselineId: null });
            continue;
        }
        const nonCompliant = r < 0.43;
        const installFailed = r >= 0.03 && r < 0.06;
        const stale = rand() < 0.05;
        const picked = new Set<number>();
        const count = nonCompliant ? 1 + Math.floor(rand() * 8) : 0;
        while (picked.size < count) picked.add(Math.floor(rand() * pool.length));
        const patches: DashboardPatch[] = [...picked].map((p, k) => ({
            title: pool[p].title,
            classification: pool[p].classification,
            severity: pool[p].severity,
            cveIds: pool[p].cveIds,
            state: installFailed && k < 2 ? "Failed" : "Missing",
        }));
        const open = [...picked].map((p) => pool[p]);
        const ageHours = stale ? 24 * (8 + rand() * 40) : rand() * 72;
        list.push({
            ...base,
            status: nonCompliant ? "NON_COMPLIANT" : "COMPLIANT",
            installed: 380 + Math.floor(rand() * 60),
            installedOther: 17,
            missing: patches.filter((p) => p.state === "Missing").length,
            failed: patches.filter((p) => p.state === "Failed").length,
            installedPendingReboot: !nonCompliant && rand() < 0.01 ? 1 : 0,
            installedRejected: 0,
            notApplicable: 1380,
            criticalNonCompliant: open.filter((p) => p.critical).length,
            securityNonCompliant: open.filter((p) => p.security).length,
            otherNonCompliant: open.filter((p) => !p.critical && !p.security).length,
            operation: installFailed ? "Install" : "Scan",
            operationEndTime: new Date(generatedAt.getTime() - ageHours * 3600 * 1000).toISOString(),
            baselineId: "pb-0123456789abcdef0",
            patches: nonCompliant ? patches : undefined,
        });
    }
    // Compliant nodes whose install left a pending reboot are non-compliant, as AWS reports them.
    for (const n of list) if ((n.installedPendingReboot ?? 0) > 0) n.status = "NON_COMPLIANT";

    const inspectorSev = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];
    const vulns = Array.from({ length: 80 }, (_, i) => ({ id: `CVE-2025-${20000 + i * 37}`, title: `${PACKAGES[i % PACKAGES.length]}: ${["heap overflow", "use after free", "denial of service", "information disclosure"][i % 4]}`, severity: inspectorSev[i % inspectorSev.length] }));
    const finding = (k: number): FindingRef => {
        const v = vulns[Math.floor(rand() * vulns.length)];
        const node = list[Math.floor(rand() * list.length)];
        return { findingArn: `arn:aws:inspector2:${node.region}:${node.account}:finding/${k.toString(16).padStart(32, "0")}`, severity: v.severity, instanceId: node.instanceId, vulnerabilityId: v.id };
    };
    const stillOpen = Array.from({ length: nodes }, (_, k) => finding(k));
    const closed = Array.from({ length: Math.floor(nodes / 2) }, (_, k) => finding(nodes + k));
    const fresh = Array.from({ length: Math.floor(nodes / 5) }, (_, k) => finding(2 * nodes + k));
    const active = [...stillOpen, ...fresh];
    const bySeverity: Record<string, number> = {};
    for (const f of active) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const instancesOf = new Map<string, Set<string>>();
    for (const f of active) (instancesOf.get(f.vulnerabilityId) ?? instancesOf.set(f.vulnerabilityId, new Set()).get(f.vulnerabilityId)!).add(f.instanceId);
    return {
        generatedAt,
        targets: "tag Environment=Production",
        scopes: [
            ...accounts.flatMap((account) => regions.map((region) => ({ account, region, status: "ok" as const }))),
            { account: "444444444444", region: "us-east-1", status: "failed", error: "AccessDenied: User: arn:aws:iam::111111111111:user/patchctl is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/PatchOperator" },
        ],
        nodes: list,
        findings: {
            bySeverity,
            topVulnerabilities: vulns.map((v) => ({ ...v, instances: instancesOf.get(v.id)?.size ?? 0 })).filter((v) => v.instances > 0),
            coverage: list.map((n, k) => (k % 20 === 7 ? { instanceId: n.instanceId, scanned: false, reason: k % 40 === 7 ? "UNMANAGED_EC2_INSTANCE" : "NO_INVENTORY" } : { instanceId: n.instanceId, scanned: true })),
            comparison: { snapshotAt: new Date(generatedAt.getTime() - 7 * 24 * 3600 * 1000), closed, stillOpen, new: fresh },
        },
    };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Generation time (median of `runs`, after one warm-up that loads ECharts) and size at each fleet size. */
export async function benchDashboard(sizes: number[] = [1000, 10000], runs = 3, log: (s: string) => void = () => undefined): Promise<DashboardRow[]> {
    const rows: DashboardRow[] = [];
    await renderDashboardHtml(syntheticDashboardData(50));
    for (const size of sizes) {
        const data = syntheticDashboardData(size);
        const times: number[] = [];
        const cpuTimes: number[] = [];
        const mdTimes: number[] = [];
        let bytes = 0;
        for (let run = 0; run < runs; run++) {
            log(`dashboard: ${size} nodes, run ${run + 1}/${runs}`);
            const start = now();
            const cpu = process.cpuUsage();
            const html = await renderDashboardHtml(data);
            times.push(now() - start);
            const used = process.cpuUsage(cpu);
            cpuTimes.push((used.user + used.system) / 1000);
            bytes = Buffer.byteLength(html, "utf8");
            const mdStart = now();
            renderDashboardMarkdown(data);
            mdTimes.push(now() - mdStart);
        }
        const withPatches = data.nodes.filter((n) => (n.patches?.length ?? 0) > 0);
        rows.push({
            nodes: size,
            withPatches: withPatches.length,
            patches: withPatches.reduce((sum, n) => sum + (n.patches?.length ?? 0), 0),
            ms: figure(times),
            cpuMs: figure(cpuTimes),
            markdownMs: figure(mdTimes),
            bytes,
            mib: bytes / (1024 * 1024),
        });
    }
    return rows;
}

/** The rows as table cells for bench/run.ts: headers, then one row of strings per size. */
export function dashboardTable(rows: DashboardRow[]): { headers: string[]; rows: string[][] } {
    const fmt = (f: Figure) => `${f.median.toFixed(0)} (${f.min.toFixed(0)}–${f.max.toFixed(0)})`;
    return {
        headers: ["nodes", "drill-downs (patches)", "HTML ms", "HTML CPU ms", "size MiB", "Markdown ms", "target (10,000 nodes)"],
        rows: rows.map((r) => [
            String(r.nodes),
            `${r.withPatches} (${r.patches})`,
            fmt(r.ms),
            fmt(r.cpuMs),
            r.mib.toFixed(2),
            fmt(r.markdownMs),
            r.nodes === DASHBOARD_TARGETS.nodes ? `< ${DASHBOARD_TARGETS.ms} ms, < 5 MiB: ${r.ms.median < DASHBOARD_TARGETS.ms && r.bytes < DASHBOARD_TARGETS.bytes ? "met" : "MISSED"}` : "-",
        ]),
    };
}

async function cli(argv: string[]): Promise<void> {
    const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
    const out = arg("--out");
    if (out) {
        const html = await renderDashboardHtml(syntheticDashboardData(Number(arg("--nodes") ?? 1000)));
        fs.writeFileSync(out, html);
        process.stdout.write(`${out}: ${(Buffer.byteLength(html) / 1024 / 1024).toFixed(2)} MiB\n`);
        return;
    }
    const rows = await benchDashboard([1000, 10000], Number(arg("--runs") ?? 3), (s) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K${s}`));
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
    const t = dashboardTable(rows);
    const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    process.stdout.write([line(t.headers), line(widths.map((w) => "-".repeat(w))), ...t.rows.map(line)].join("\n") + "\n");
}

if (require.main === module) {
    cli(process.argv.slice(2)).catch((error: unknown) => {
        process.stderr.write(`bench/dashboard: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
}

// `npm run bench`: the plan, the policy pack and patchctl's compliance report at the scale of a
// real estate. Prints a table and writes the same figures to bench/results/latest.json. Each
// figure is the median of several runs (min–max beside it), all taken in this one run.
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { DEFAULT_MAX_PARALLEL } from "../patchctl/aws/scopes";
import { AccountsRow, benchAccounts, benchCompliance, ComplianceRow } from "./compliance";
import { benchDashboard, dashboardTable } from "./dashboard";
import { benchFindings, FINDINGS_BENCH_DEFAULTS, FindingsBenchResult } from "./findings";
import { benchPlan, PlanRow } from "./plan";
import { benchPolicy, PolicyRow } from "./policy";
import { benchStartup, StartupRow } from "./startup";
import { fmt } from "./stats";

const SECTIONS = ["plan", "policy", "compliance", "accounts", "startup", "findings", "dashboard"] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
    runs: number;
    quick: boolean;
    only?: Section[];
}

function parseArgs(argv: string[]): Options {
    const opts: Options = { runs: 3, quick: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--quick") opts.quick = true;
        else if (a === "--only") {
            const names = (argv[++i] ?? "").split(",");
            const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
            if (unknown.length > 0) fail(`--only: no section ${unknown.map((n) => `'${n}'`).join(", ")}; the sections: ${SECTIONS.join(", ")}`);
            opts.only = names as Section[];
        } else if (a === "--runs") {
            const n = Number(argv[++i]);
            if (!Number.isInteger(n) || n < 1 || n > 20) fail("--runs: must be a whole number from 1 to 20");
            opts.runs = n;
        } else if (a === "--help" || a === "-h") {
            process.stdout.write(`Usage: npm run bench -- [--runs N] [--quick] [--only SECTIONS]\n\n  --runs N          runs per figure (default 3)\n  --quick           small sizes only, for a smoke test\n  --only SECTIONS   these sections only, comma-separated: ${SECTIONS.join(", ")}\n`);
            process.exit(0);
        } else fail(`unknown option '${a}'; see --help`);
    }
    return opts;
}

function fail(message: string): never {
    process.stderr.write(`bench: ${message}\n`);
    process.exit(2);
}

const log = (s: string) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${s}`);
};

function table(headers: string[], rows: string[][]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function planTable(rows: PlanRow[]): string {
    const base = rows[0];
    return table(
        ["pairs", "resources", "wall ms", "peak RSS MiB", "ms / pair beyond the first"],
        rows.map((r) => [
            String(r.pairs),
            String(r.resources),
            fmt(r.ms),
            fmt(r.maxRssMiB),
            r === base ? "-" : ((r.ms.median - base.ms.median) / (r.pairs - base.pairs)).toFixed(1),
        ]),
    );
}

function policyTable(rows: PolicyRow[]): string {
    return table(
        ["instances", "resources", "patch-compliance ms", "no-op pack ms (floor)", "ratio", "mandatory violations (3 uncovered instances, checked)"],
        rows.map((r) => [
            String(r.instances),
            String(r.resources),
            fmt(r.packMs),
            fmt(r.floorMs),
            (r.packMs.median / r.floorMs.median).toFixed(2),
            String(r.mandatory),
        ]),
    );
}

function accountsTable(r: AccountsRow): string {
    return table(
        ["pairs x nodes", "parallel", "calls", "throttled", "wall ms", "bound ms", "ratio (target <= 1.25)", "peak RSS MiB (target < 600)"],
        [[`${r.pairs} x ${r.nodesPerPair}`, String(r.parallel), fmt(r.calls), fmt(r.throttled), fmt(r.ms), String(r.boundMs), (r.ms.median / r.boundMs).toFixed(2), fmt(r.maxRssMiB)]],
    );
}

function findingsTable(r: FindingsBenchResult): string {
    const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
    return table(
        ["instances", "findings", "calls (lower bound)", "throttled", "wall ms", "throttle bound ms", "ratio"],
        [[String(r.instances), String(r.findings), `${total(r.calls)} (${total(r.lowerBound)})`, String(r.throttled), r.ms.toFixed(0), String(r.boundMs), (r.ms / r.boundMs).toFixed(2)]],
    );
}

function startupTable(rows: StartupRow[]): string {
    return table(
        ["what", "wall ms", "beyond node's own start"],
        rows.map((r) => [r.what, fmt(r.ms), r.beyondNodeMs === undefined ? "-" : r.beyondNodeMs.toFixed(0)]),
    );
}

function complianceTable(rows: ComplianceRow[]): string {
    return table(
        ["nodes", "calls (bound)", "throttled", "wall ms", "bound ms", "ratio", "AWS CLI ms", "AWS CLI calls", "CLI / patchctl"],
        rows.map((r) => [
            String(r.nodes),
            `${fmt(r.calls)} (${r.boundCalls})`,
            fmt(r.throttled),
            fmt(r.ms),
            String(r.boundMs),
            (r.ms.median / r.boundMs).toFixed(2),
            r.awsCli ? fmt(r.awsCli.ms) : "n/a",
            r.awsCli ? fmt(r.awsCli.calls) : "n/a",
            r.awsCli ? `${(r.awsCli.ms.median / r.ms.median).toFixed(1)}x` : "n/a",
        ]),
    );
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const started = new Date().toISOString();
    const throttle = { latencyMs: 20, rps: 10 };

    const runs = (section: Section) => !opts.only || opts.only.includes(section);

    const plan = runs("plan") ? benchPlan(opts.quick ? [1, 10] : [1, 10, 100], opts.runs, log) : undefined;
    const policy = runs("policy") ? await benchPolicy(opts.quick ? [1000] : [1000, 10000], opts.runs, log) : undefined;
    const compliance = runs("compliance")
        ? await benchCompliance(opts.quick ? [500] : [500, 2000, 10000], opts.runs, throttle, opts.quick ? [500] : [500, 2000], log)
        : undefined;
    const accounts = runs("accounts")
        ? await benchAccounts(opts.quick ? 8 : 100, 500, opts.runs, throttle, DEFAULT_MAX_PARALLEL, fs.mkdtempSync(path.join(os.tmpdir(), "patchctl-bench-")), log)
        : undefined;
    const startup = runs("startup") ? await benchStartup(opts.runs, log) : undefined;
    const findings = runs("findings")
        ? await benchFindings(opts.quick ? { ...FINDINGS_BENCH_DEFAULTS, instances: 1000, findings: 10_000 } : FINDINGS_BENCH_DEFAULTS, log)
        : undefined;
    const dashboard = runs("dashboard") ? await benchDashboard(opts.quick ? [1000] : [1000, 10000], opts.runs, log) : undefined;
    log("");

    const out = [
        `Benchmarks (${started}, ${opts.runs} run${opts.runs === 1 ? "" : "s"} per figure: median (min–max))`,
        "",
        ...(plan ? ["1. Offline plan of the dev stack into N account/Region pairs (each run a fresh process)", planTable(plan), ""] : []),
        ...(policy ? [
            `2. Policy pack over the analyzer protocol, synthetic stacks (packs started once: patch-compliance ${policy.startMs.pack} ms, no-op ${policy.startMs.floor} ms)`,
            policyTable(policy.rows),
            "",
        ] : []),
        ...(compliance ? [
            `3. patchctl compliance report against the loopback SSM endpoint (${throttle.latencyMs} ms a request, ${throttle.rps} requests/s per describe operation)`,
            complianceTable(compliance),
            "",
        ] : []),
        ...(accounts ? [
            `3b. patchctl compliance --accounts: ${accounts.pairs} account-Regions of ${accounts.nodesPerPair} nodes, each throttled on its own (${throttle.rps} requests/s per describe operation), default --max-parallel ${accounts.parallel}; bound = ceil(pairs / parallel) x one pair's throttle bound`,
            accountsTable(accounts),
            "",
        ] : []),
        ...(startup ? ["4. Start-up: commands with plain node on the compiled build, and the policy pack up to GetAnalyzerInfo", startupTable(startup), ""] : []),
        ...(findings ? [
            `5. patchctl findings against the loopback endpoint (${FINDINGS_BENCH_DEFAULTS.rps} requests/s per operation, ${FINDINGS_BENCH_DEFAULTS.latencyMs} ms a request; one run)`,
            findingsTable(findings),
            "",
        ] : []),
        ...(dashboard ? ["6. patchctl report --html: generating the dashboard of N nodes", (() => {
            const t = dashboardTable(dashboard);
            return table(t.headers, t.rows);
        })(), ""] : []),
    ].join("\n");
    process.stdout.write(out);
    const dir = path.join(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "latest.json");
    const results = { started, runs: opts.runs, plan, policy, compliance: compliance && { settings: throttle, rows: compliance }, accounts, startup, findings, dashboard };
    fs.writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
    process.stdout.write(`\nFigures written to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});

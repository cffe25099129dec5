import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../patchctl/main";
import { FakeSsm, makeFleet } from "../testing/fakeSsm";
import { Figure, figure } from "./stats";

export interface ComplianceSettings {
    latencyMs: number;
    /** Requests per second the endpoint allows on each describe operation. */
    rps: number;
}

export interface ComplianceRow {
    nodes: number;
    /** The lower bound: ceil(N/50) DescribeInstanceInformation pages + ceil(N/50) DescribeInstancePatchStates calls. */
    boundCalls: number;
    /** Requests patchctl made (throttled ones included). */
    calls: Figure;
    throttled: Figure;
    /** The time bound: the calls of the busiest operation divided by its throttle. */
    boundMs: number;
    ms: Figure;
    awsCli?: { ms: Figure; calls: Figure; throttled: Figure };
}

const OPS = ["DescribeInstanceInformation", "DescribeInstancePatchStates"] as const;
const ENV = { AWS_ACCESS_KEY_ID: "AKIDBENCH", AWS_SECRET_ACCESS_KEY: "bench", AWS_REGION: "us-east-1" };

async function withEndpoint<T>(nodes: number, s: ComplianceSettings, fn: (url: string, fake: FakeSsm) => Promise<T>): Promise<T> {
    const fake = new FakeSsm({
        fleets: { "*": { nodes: makeFleet(nodes, { env: "Development" }) } },
        latencyMs: s.latencyMs,
        rps: Object.fromEntries(OPS.map((op) => [op, s.rps])),
    });
    const url = await fake.start();
    try {
        return await fn(url, fake);
    } finally {
        await fake.close();
    }
}

const requests = (fake: FakeSsm) => OPS.reduce((n, op) => n + fake.count(op), 0);
const throttledOf = (fake: FakeSsm) => OPS.reduce((n, op) => n + fake.count(op, { outcome: "ThrottlingException" }), 0);

/** One patchctl compliance report on N nodes against the loopback endpoint. */
async function patchctlRun(nodes: number, s: ComplianceSettings) {
    // The SDK's default credential chain reads the process environment.
    Object.assign(process.env, ENV);
    return withEndpoint(nodes, s, async (url, fake) => {
        const start = process.hrtime.bigint();
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(["node", "patchctl", "compliance", "--env", "Development", "--region", "us-east-1", "--json"], {
            env: { ...ENV, PATCHCTL_ENDPOINT: url },
            stdout: { write: (t: string) => (out.push(t), true), isTTY: false },
            stderr: { write: (t: string) => (err.push(t), true), isTTY: false },
        });
        if (out.length === 0) throw new Error(`patchctl compliance printed nothing (exit ${code}): ${err.join("")}`);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const report = JSON.parse(out.join(""));
        const rows = Array.isArray(report.nodes) ? report.nodes.length : undefined;
        if (code !== 0 && code !== 1) throw new Error(`patchctl compliance exited ${code}`);
        if (rows !== nodes) throw new Error(`patchctl reported ${rows} nodes, expected ${nodes}`);
        return { ms, calls: requests(fake), throttled: throttledOf(fake) };
    });
}

/** The same report scripted with the AWS CLI (bench/awscli-compliance.sh) against the same endpoint. */
async function awsCliRun(nodes: number, s: ComplianceSettings, aws: string) {
    return withEndpoint(nodes, s, async (url, fake) => {
        const start = process.hrtime.bigint();
        // spawnSync would block the fake endpoint's event loop: run the script asynchronously.
        const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(path.join(__dirname, "awscli-compliance.sh"), ["Development"], {
                env: { ...process.env, ...ENV, SSM_ENDPOINT: url, AWS_CLI: aws, AWS_PAGER: "" },
            });
            let so = "", se = "";
            child.stdout.on("data", (d: Buffer) => (so += d));
            child.stderr.on("data", (d: Buffer) => (se += d));
            child.on("close", (c: number | null) => resolve({ code: c, stdout: so, stderr: se }));
        });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (code !== 0 || Number(stdout.trim()) !== nodes) throw new Error(`the AWS CLI script failed (${code}, ${stdout.trim()} states): ${stderr.slice(0, 300)}`);
        return { ms, calls: requests(fake), throttled: throttledOf(fake) };
    });
}

/**
 * The AWS CLI to compare with: $AWS_CLI, else whichever `aws` is on the PATH (Debian's awscli
 * package, `apt-get install awscli`, or AWS's own installer), if any.
 */
export function findAwsCli(): string | undefined {
    const onPath = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "").map((dir) => path.join(dir, "aws"));
    for (const candidate of [process.env.AWS_CLI, ...onPath].filter((c): c is string => c !== undefined && c !== "")) {
        if (fs.existsSync(candidate) && spawnSync(candidate, ["--version"], { encoding: "utf8" }).status === 0) return candidate;
    }
    return undefined;
}

export async function benchCompliance(sizes: number[], runs: number, s: ComplianceSettings, awsCliSizes: number[], log: (s: string) => void): Promise<ComplianceRow[]> {
    const aws = findAwsCli();
    const rows: ComplianceRow[] = [];
    for (const nodes of sizes) {
        const samples = [];
        for (let i = 0; i < runs; i++) {
            log(`compliance: patchctl, ${nodes} nodes, run ${i + 1}/${runs}`);
            samples.push(await patchctlRun(nodes, s));
        }
        const pages = Math.ceil(nodes / 50);
        const row: ComplianceRow = {
            nodes,
            boundCalls: 2 * pages,
            calls: figure(samples.map((x) => x.calls)),
            throttled: figure(samples.map((x) => x.throttled)),
            boundMs: (pages / s.rps) * 1000,
            ms: figure(samples.map((x) => x.ms)),
        };
        if (aws && awsCliSizes.includes(nodes)) {
            const cli = [];
            for (let i = 0; i < runs; i++) {
                log(`compliance: AWS CLI, ${nodes} nodes, run ${i + 1}/${runs}`);
                cli.push(await awsCliRun(nodes, s, aws));
            }
            row.awsCli = { ms: figure(cli.map((x) => x.ms)), calls: figure(cli.map((x) => x.calls)), throttled: figure(cli.map((x) => x.throttled)) };
        }
        rows.push(row);
    }
    return rows;
}

export interface AccountsRow {
    pairs: number;
    nodesPerPair: number;
    parallel: number;
    /** ceil(pairs / parallel) x one pair's throttle bound. */
    boundMs: number;
    ms: Figure;
    /** Peak resident set size of the patchctl process. */
    maxRssMiB: Figure;
    calls: Figure;
    throttled: Figure;
}

/**
 * `patchctl compliance --accounts` over `pairs` account-Regions (accounts x 4 Regions, one role
 * each) of `nodes` nodes each, every account-Region throttled on its own like AWS (per account and
 * Region), at patchctl's default --max-parallel.
 */
export async function benchAccounts(pairs: number, nodes: number, runs: number, s: ComplianceSettings, parallel: number, dir: string, log: (s: string) => void): Promise<AccountsRow> {
    const regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];
    const accounts = Math.ceil(pairs / regions.length);
    const list = Array.from({ length: accounts }, (_, i) => {
        const accountId = String(200000000000 + i);
        return { accountId, roleArn: `arn:aws:iam::${accountId}:role/PatchOperator`, regions: regions.slice(0, Math.min(regions.length, pairs - i * regions.length)) };
    });
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "bench-accounts.json");
    fs.writeFileSync(file, JSON.stringify(list));
    // patchctl runs as its own process (the compiled build, as bin/patchctl does), the endpoint in
    // this one: AWS's CPU is not patchctl's, and the peak RSS is patchctl's alone. The wall is
    // main()'s, from its call to its exit code (the node start-up is row 4's business).
    const script =
        "const t0=process.hrtime.bigint();require(process.env.PATCHCTL_MAIN).main(process.argv,{stdout:{write:(t)=>{process.stdout.write(t);return true}}}).then((code)=>{" +
        "const ms=Number(process.hrtime.bigint()-t0)/1e6;process.stderr.write('\\nBENCH '+JSON.stringify({code,ms,rss:process.resourceUsage().maxRSS/1024}))})";
    const samples: Array<{ ms: number; rss: number; calls: number; throttled: number }> = [];
    try {
        for (let i = 0; i < runs; i++) {
            log(`compliance --accounts: ${pairs} pairs x ${nodes} nodes, run ${i + 1}/${runs}`);
            samples.push(
                await withEndpoint(nodes, s, async (url, fake) => {
                    const args = ["-e", script, "patchctl", "compliance", "--env", "Development", "--accounts", file, "--json"];
                    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
                        const child = spawn(process.execPath, args, {
                            env: { ...process.env, ...ENV, PATCHCTL_ENDPOINT: url, PATCHCTL_MAIN: path.join(__dirname, "..", "dist", "patchctl", "main.js") },
                        });
                        let so = "", se = "";
                        child.stdout.on("data", (d: Buffer) => (so += d));
                        child.stderr.on("data", (d: Buffer) => (se += d));
                        child.on("close", () => resolve({ stdout: so, stderr: se }));
                    });
                    const stats = /BENCH (\{.*\})/.exec(stderr);
                    if (!stats) throw new Error(`compliance --accounts printed no figures: ${stderr.slice(0, 300)}`);
                    const { code, ms, rss } = JSON.parse(stats[1]) as { code: number; ms: number; rss: number };
                    const report = JSON.parse(stdout) as { nodes: unknown[] };
                    if (code !== 0 || report.nodes.length !== pairs * nodes) {
                        throw new Error(`compliance --accounts exited ${code} with ${report.nodes.length} nodes (expected ${pairs * nodes}): ${stderr.slice(0, 300)}`);
                    }
                    return { ms, rss, calls: requests(fake), throttled: throttledOf(fake) };
                }),
            );
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const pairBoundMs = (Math.ceil(nodes / 50) / s.rps) * 1000;
    return {
        pairs,
        nodesPerPair: nodes,
        parallel,
        boundMs: Math.ceil(pairs / parallel) * pairBoundMs,
        ms: figure(samples.map((x) => x.ms)),
        maxRssMiB: figure(samples.map((x) => x.rss)),
        calls: figure(samples.map((x) => x.calls)),
        throttled: figure(samples.map((x) => x.throttled)),
    };
}

/**
 * `patchctl findings` at scale: 10,000 instances with 100,000 active Inspector findings (half the
 * nodes miss patches), against the loopback SSM + Inspector + Security Hub endpoint with a request
 * quota on every operation. Reports the API calls against the lower bound the chosen APIs allow, and
 * the time against the throttle bound.
 *
 * Lower bound (see patchctl/findings/fetch.ts): 1 GetInsightResults + ceil(F/25) ListFindings +
 * 1 ListCoverageStatistics + ceil(U/200) ListCoverage + ceil(N/50) DescribeInstanceInformation +
 * ceil(N/50) DescribeInstancePatchStates + one DescribeInstancePatches per instance with CVE
 * findings and missing patches. Throttle bound: the operations run side by side, but the patches
 * are read once the findings are listed, so the bound is (ListFindings + DescribeInstancePatches) / rate.
 */
import { ClientPool } from "../patchctl/aws/clients";
import { main } from "../patchctl/main";
import { FakeSsm, makeFleet } from "../testing/fakeSsm";
import { findingsForFleet, findingArn, type FakeInspectorFinding } from "../testing/findingsModel";
import { mountFindings } from "../testing/mountFindings";

export interface FindingsBenchSettings {
    instances: number;
    findings: number;
    /** Requests per second the endpoint allows on each operation, and patchctl's --api-rate. */
    rps: number;
    latencyMs: number;
}

export interface FindingsBenchResult {
    instances: number;
    findings: number;
    calls: Record<string, number>;
    throttled: number;
    lowerBound: Record<string, number>;
    boundMs: number;
    ms: number;
}

export const FINDINGS_BENCH_DEFAULTS: FindingsBenchSettings = { instances: 10_000, findings: 100_000, rps: 1000, latencyMs: 2 };

/** Runs one findings report at scale and measures it. */
export async function benchFindings(settings: FindingsBenchSettings = FINDINGS_BENCH_DEFAULTS, log: (line: string) => void = () => undefined): Promise<FindingsBenchResult> {
    const fleet = { nodes: makeFleet(settings.instances, { env: "Development", prefix: "0b", nonCompliantEvery: 2 }) };
    const data = findingsForFleet(fleet, { uncovered: ["UNMANAGED_EC2_INSTANCE", "NO_INVENTORY"] });
    data.fleet = undefined; // no install here: skip the per-request sync with the fleet
    // Pad with fixable findings no missing patch lists, spread over the instances, up to `findings` active ones.
    const active = (): number => data.inspector.findings.filter((f) => f.status === "ACTIVE").length;
    const template = data.inspector.findings.find((f) => f.packageVulnerabilityDetails?.vulnerabilityId === "CVE-2023-5752") as FakeInspectorFinding;
    const missing = settings.findings - active();
    for (let k = 0; k < missing; k++) {
        const node = fleet.nodes[k % fleet.nodes.length];
        const cve = `CVE-2025-${(10000 + Math.floor(k / fleet.nodes.length)).toString()}`;
        data.inspector.findings.push({
            ...template,
            findingArn: findingArn("111111111111", "us-east-1", `${node.instanceId}/${cve}`),
            title: `${cve} - python3-pip`,
            resources: [{ ...template.resources![0], id: node.instanceId, tags: { ...node.tags } }],
            packageVulnerabilityDetails: { ...template.packageVulnerabilityDetails!, vulnerabilityId: cve },
        });
    }
    const F = active();
    const rps = Object.fromEntries(["DescribeInstanceInformation", "DescribeInstancePatchStates", "DescribeInstancePatches"].map((op) => [op, settings.rps]));
    const ssm = new FakeSsm({ fleets: { "*": fleet }, latencyMs: settings.latencyMs, rps });
    const mounted = await mountFindings(ssm, {
        data: { "*": data },
        latencyMs: settings.latencyMs,
        rps: { ListFindings: settings.rps, ListCoverage: settings.rps, ListCoverageStatistics: settings.rps, GetInsightResults: 10 },
    });
    try {
        const withCveAndPatches = new Set(
            data.inspector.findings.filter((f) => f.status === "ACTIVE" && f.packageVulnerabilityDetails?.vulnerabilityId && fleet.nodes.some((n) => n.instanceId === f.resources?.[0]?.id && (n.missingPatches ?? []).length > 0)).map((f) => f.resources?.[0]?.id),
        ).size;
        const lowerBound = {
            GetInsightResults: 1,
            ListFindings: Math.ceil(F / 25),
            ListCoverageStatistics: 1,
            ListCoverage: 1,
            DescribeInstanceInformation: Math.ceil(settings.instances / 50),
            DescribeInstancePatchStates: Math.ceil(settings.instances / 50),
            DescribeInstancePatches: withCveAndPatches,
        };
        const boundMs = ((lowerBound.ListFindings + lowerBound.DescribeInstancePatches) / settings.rps) * 1000;
        let out = "";
        const started = Date.now();
        const code = await main(["node", "patchctl", "findings", "--env", "Development", "--json", "--region", "us-east-1", "--api-rate", String(settings.rps)], {
            env: { PATCHCTL_ENDPOINT: mounted.url },
            stdout: { write: (t: string) => ((out += t), true) },
            stderr: { write: (t: string) => (log(t.trimEnd()), true) },
            clientPool: (s) => new ClientPool({ ...s, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" } }),
        });
        const ms = Date.now() - started;
        if (code !== 0) {
            throw new Error(`patchctl findings exited ${code}`);
        }
        const summary = (JSON.parse(out) as { summary: { findings: number } }).summary;
        const calls = { ...mounted.findings.summary(), ...ssm.summary() };
        const throttled = mounted.findings.calls.filter((c) => c.outcome !== "ok").length + ssm.calls.filter((c) => c.outcome !== "ok").length;
        log(`findings: ${settings.instances} instances, ${summary.findings} findings: ${JSON.stringify(calls)} (lower bound ${JSON.stringify(lowerBound)}), ${throttled} throttled; ${ms} ms (throttle bound ${Math.round(boundMs)} ms)`);
        return { instances: settings.instances, findings: summary.findings, calls, throttled, lowerBound, boundMs, ms };
    } finally {
        await mounted.close();
    }
}

if (require.main === module) {
    void benchFindings(FINDINGS_BENCH_DEFAULTS, (line) => process.stderr.write(`${line}\n`));
}

import * as path from "path";
import { PATCH_COMPLIANCE_PACK_DIR, PolicyDiagnostic, startPack } from "../plan/policy";
import { layOutCompiledPack } from "../plan/policy/compiledPack";
import { DIST, PROJECT_DIR } from "../plan/project";
import { syntheticFleet } from "../testing/syntheticStacks";
import { Figure, figure } from "./stats";

/** The no-op pack's sources. */
export const NOOP_PACK_SOURCE_DIR = path.join(PROJECT_DIR, "bench", "noop-pack");
/** The no-op pack compiled by `npm run build`, laid out as a pack like the patch-compliance one: both start alike. */
export const NOOP_PACK_DIR = path.join(PROJECT_DIR, DIST, "bench", "noop-pack");

/** Instances no patching covers in each synthetic stack: the pack must report exactly these. */
const UNCOVERED = 3;

/**
 * The bench is also the suite's check at scale (tests/policies/pack/patchCoverage.ts runs 1,000
 * instances): exactly the uncovered instances violate a mandatory policy, all of them
 * ec2-instance-patch-baseline. Anything else fails the bench. Returns the mandatory count.
 */
function checkVerdicts(diagnostics: PolicyDiagnostic[], instances: number): number {
    const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory");
    const got = mandatory.map((d) => `${d.policy} ${d.urn?.split("::").pop()}`).sort();
    const want = Array.from({ length: UNCOVERED }, (_, i) => `ec2-instance-patch-baseline sandbox-${i}`);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`policy: at ${instances} instances the pack reported ${JSON.stringify(got.slice(0, 10))}${got.length > 10 ? ` and ${got.length - 10} more` : ""}, expected ${JSON.stringify(want)}`);
    }
    return mandatory.length;
}

export interface PolicyRow {
    instances: number;
    resources: number;
    /** The patch-compliance pack: Analyze for every resource, then AnalyzeStack. */
    packMs: Figure;
    /** The same requests to a pack with one no-op policy: the protocol's own cost. */
    floorMs: Figure;
    mandatory: number;
}

/**
 * Drives both packs over synthetic stacks of N instances with their coverage resources
 * (testing/syntheticStacks.ts: associations, a maintenance window, a Quick Setup policy, a patch group).
 * Each pack is started once; runs alternate between the packs so drift hits both alike.
 */
export async function benchPolicy(sizes: number[], runs: number, log: (s: string) => void): Promise<{ rows: PolicyRow[]; startMs: { pack: number; floor: number } }> {
    layOutCompiledPack(NOOP_PACK_SOURCE_DIR, NOOP_PACK_DIR);
    let t = Date.now();
    const pack = await startPack(PATCH_COMPLIANCE_PACK_DIR);
    const packStart = Date.now() - t;
    t = Date.now();
    const floor = await startPack(NOOP_PACK_DIR);
    const floorStart = Date.now() - t;
    try {
        const rows: PolicyRow[] = [];
        for (const instances of sizes) {
            const resources = syntheticFleet({ instances, uncovered: UNCOVERED });
            const opts = { project: "fleet", stack: "bench" };
            // One untimed round each, so both packs have loaded and compiled what they run.
            await pack.analyze(resources, opts);
            await floor.analyze(resources, opts);
            const packMs: number[] = [];
            const floorMs: number[] = [];
            let mandatory = 0;
            for (let i = 0; i < runs; i++) {
                log(`policy: ${instances} instances, run ${i + 1}/${runs}`);
                let s = process.hrtime.bigint();
                const diagnostics = await pack.analyze(resources, opts);
                packMs.push(Number(process.hrtime.bigint() - s) / 1e6);
                mandatory = checkVerdicts(diagnostics, instances);
                s = process.hrtime.bigint();
                await floor.analyze(resources, opts);
                floorMs.push(Number(process.hrtime.bigint() - s) / 1e6);
            }
            rows.push({ instances, resources: resources.length, packMs: figure(packMs), floorMs: figure(floorMs), mandatory });
        }
        return { rows, startMs: { pack: packStart, floor: floorStart } };
    } finally {
        await pack.close();
        await floor.close();
    }
}

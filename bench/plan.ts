import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../plan/project";
import { Figure, figure } from "./stats";

export interface PlanRow {
    pairs: number;
    resources: number;
    ms: Figure;
    maxRssMiB: Figure;
}

/**
 * Plans the dev stack into N account/Region pairs, each run in a fresh process (time and peak
 * memory of that process), compiled as `npm run plan` runs it (dist/, from `npm run build`).
 */
export function benchPlan(pairCounts: number[], runs: number, log: (s: string) => void): PlanRow[] {
    return pairCounts.map((pairs) => {
        const samples = Array.from({ length: runs }, (_, i) => {
            log(`plan: ${pairs} pair(s), run ${i + 1}/${runs}`);
            const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, "dist", "bench", "planWorker.js"), String(pairs)], {
                cwd: PROJECT_DIR,
                encoding: "utf8",
                timeout: 600_000,
            });
            if (r.status !== 0) throw new Error(`plan worker failed for ${pairs} pairs: ${r.stderr}`);
            return JSON.parse(r.stdout.trim().split("\n").pop()!) as { ms: number; maxRssMiB: number; resources: number };
        });
        return {
            pairs,
            resources: samples[0].resources,
            ms: figure(samples.map((s) => s.ms)),
            maxRssMiB: figure(samples.map((s) => s.maxRssMiB)),
        };
    });
}

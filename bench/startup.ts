// Start-up times: what a user waits for before anything happens. A bare `node -e ""` is the floor
// of every command; `patchctl --help` and `plan --help` run the compiled CLIs (dist/, from `npm
// run build`) with plain node; the policy pack is started as the offline plan starts it, up to
// the answer to GetAnalyzerInfo, compiled (dist/policies) and from TypeScript (policies/, as the
// Pulumi CLI runs it: run-policy-pack type-checks it first).
import { spawnSync } from "child_process";
import * as path from "path";
import { POLICY_PACK_SOURCE_DIR, PATCH_COMPLIANCE_PACK_DIR, startPack } from "../plan/policy";
import { Figure, figure } from "./stats";

const ROOT = path.join(__dirname, "..");

export interface StartupRow {
    what: string;
    ms: Figure;
    /** The same figure less the bare node start's median; absent for the floor itself. */
    beyondNodeMs?: number;
}

/** Wall time of a command, in milliseconds; throws when it fails. */
function timeCommand(args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return ms;
}

/** Starts the pack and waits for GetAnalyzerInfo, then stops it (the stop is not timed). */
async function timePackStart(dir: string): Promise<number> {
    const start = process.hrtime.bigint();
    const pack = await startPack(dir);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    await pack.close();
    return ms;
}

export async function benchStartup(runs: number, log: (s: string) => void): Promise<StartupRow[]> {
    const commands: [string, string[]][] = [
        ["node -e \"\" (floor)", ["-e", ""]],
        ["patchctl --help", [path.join(ROOT, "bin", "patchctl"), "--help"]],
        ["plan --help", [path.join(ROOT, "dist", "plan", "cli.js"), "--help"]],
    ];
    const packs: [string, string][] = [
        ["policy pack started, compiled (dist/policies)", PATCH_COMPLIANCE_PACK_DIR],
        ["policy pack started, TypeScript (policies/)", POLICY_PACK_SOURCE_DIR],
    ];
    const rows: StartupRow[] = [];
    for (const [what, args] of commands) {
        timeCommand(args); // warm the file cache
        rows.push({
            what,
            ms: figure(Array.from({ length: runs }, (_, i) => {
                log(`startup: ${what}, run ${i + 1}/${runs}`);
                return timeCommand(args);
            })),
        });
    }
    for (const [what, dir] of packs) {
        const samples: number[] = [];
        for (let i = 0; i < runs; i++) {
            log(`startup: ${what}, run ${i + 1}/${runs}`);
            samples.push(await timePackStart(dir));
        }
        rows.push({ what, ms: figure(samples) });
    }
    const floor = rows[0].ms.median;
    for (const r of rows.slice(1)) r.beyondNodeMs = r.ms.median - floor;
    return rows;
}

// Shared by the plan and policy tests: temporary folders that are always removed, and the check
// that the compiled build (which the plan CLI and the policy pack run from) is up to date.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { staleBuild } from "../../plan/build";

/**
 * A temporary folder for the calling suite: made in `before`, removed with everything in it in
 * `after`. Returns a function that gives its path (and a file path in it).
 */
export function useTempDir(prefix: string): (file?: string) => string {
    let dir: string | undefined;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
        dir = undefined;
    });
    return (file) => {
        if (!dir) throw new Error("useTempDir: the folder exists only while its suite runs");
        return file === undefined ? dir : path.join(dir, file);
    };
}

let buildProblem: string | undefined | null = null;

/**
 * Throws unless `npm run build` ran after the last change to the sources: the plan CLI and the
 * policy pack run from dist/, and a stale build would test old code. Checked once per test run,
 * at its first use: an edit made while the tests run does not fail the suites that come after it.
 */
export function assertBuilt(): void {
    if (buildProblem === null) buildProblem = staleBuild();
    if (buildProblem !== undefined) throw new Error(`${buildProblem} first (npm test does)`);
}

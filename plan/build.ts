// Whether the compiled build (`npm run build`: dist/) is older than the sources it compiles. The
// plan CLI, the policy pack it starts, bin/patchctl and the loopback endpoint run from dist/, so an
// edit to a .ts file takes effect only after a build; the build lays out the compiled pack last
// (dist/policies/package.json), which dates it.
import * as fs from "fs";
import * as path from "path";
import { DIST, PROJECT_DIR } from "./project";

/** What runs compiled: the program, its components, the plan, the pack, patchctl and the loopback endpoint. */
const SOURCES = ["index.ts", "program", "components", "lib", "plan", "policies", "patchctl", "testing"];

function isSource(root: string, file: string): boolean {
    return file.endsWith(".ts") || path.basename(file) === "PulumiPolicy.yaml" || file === path.join(root, "policies", "package.json");
}

function newestSource(root: string): { file: string; mtimeMs: number } {
    let newest = { file: "", mtimeMs: 0 };
    const visit = (p: string) => {
        const st = fs.statSync(p, { throwIfNoEntry: false });
        if (!st) return;
        if (st.isDirectory()) {
            for (const e of fs.readdirSync(p)) if (e !== "node_modules") visit(path.join(p, e));
        } else if (isSource(root, p) && st.mtimeMs > newest.mtimeMs) {
            newest = { file: path.relative(root, p), mtimeMs: st.mtimeMs };
        }
    };
    for (const s of SOURCES) visit(path.join(root, s));
    return newest;
}

/** Why the build cannot be trusted to run the current sources (missing, or older than a source file); undefined when it is current. */
export function staleBuild(root = PROJECT_DIR): string | undefined {
    const stamp = path.join(root, DIST, "policies", "package.json");
    const built = fs.statSync(stamp, { throwIfNoEntry: false });
    if (!built) return `${path.relative(root, stamp)} is missing: run \`npm run build\``;
    const newest = newestSource(root);
    if (newest.mtimeMs > built.mtimeMs) return `the build (dist/) is older than ${newest.file}: run \`npm run build\``;
    return undefined;
}

// The policy pack as JavaScript: `npm run build` compiles policies/ to dist/policies/ and then runs
// this file, which makes that folder a pack of its own, started as the engine starts any Node.js
// pack (run-policy-pack) but without compiling TypeScript first. It gets the pack's
// PulumiPolicy.yaml and a package.json whose main is index.js and that depends on no TypeScript;
// no tsconfig.json, so run-policy-pack's ts-node reads no project. Its modules (@pulumi/policy)
// resolve from the project's node_modules, as the TypeScript pack's do.
import * as fs from "fs";
import * as path from "path";
import { DIST, PROJECT_DIR } from "../project";

/** The folder of the TypeScript pack, which the Pulumi CLI loads (`pulumi preview --policy-pack policies`). */
export const POLICY_PACK_SOURCE_DIR = path.join(PROJECT_DIR, "policies");

/** The folder of the compiled pack, which the offline plan, the tests and the benchmarks start. */
export const COMPILED_POLICY_PACK_DIR = path.join(PROJECT_DIR, DIST, "policies");

/** What only compiling TypeScript needs: the compiled pack does without. */
const TYPESCRIPT_ONLY = ["typescript", "ts-node", "@types/node"];

/** Writes the compiled pack's PulumiPolicy.yaml and package.json beside the JavaScript tsc emitted. */
export function layOutCompiledPack(source = POLICY_PACK_SOURCE_DIR, out = COMPILED_POLICY_PACK_DIR): void {
    const main = path.join(out, "index.js");
    if (!fs.existsSync(main)) throw new Error(`${main} does not exist: compile the pack first (npm run build)`);
    fs.copyFileSync(path.join(source, "PulumiPolicy.yaml"), path.join(out, "PulumiPolicy.yaml"));
    const pkg = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8")) as Record<string, unknown> & { dependencies?: Record<string, string> };
    const dependencies = Object.fromEntries(Object.entries(pkg.dependencies ?? {}).filter(([name]) => !TYPESCRIPT_ONLY.includes(name)));
    const compiled: Record<string, unknown> = { ...pkg, main: "index.js", dependencies };
    delete compiled.devDependencies;
    delete compiled.scripts;
    fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(compiled, null, 4) + "\n");
}

if (require.main === module) {
    try {
        layOutCompiledPack();
    } catch (err) {
        process.stderr.write(`build: ${(err as Error).message}\n`);
        process.exit(1);
    }
}

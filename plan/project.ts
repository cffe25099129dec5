// Where the project is, whether this code runs from its TypeScript sources (ts-node, the tests) or
// compiled to dist/ (`npm run build`): the stack files, Pulumi.yaml and node_modules are at the root.
import * as fs from "fs";
import * as path from "path";

/** The folder the build emits JavaScript to, relative to the project root (tsconfig.build.json's outDir). */
export const DIST = "dist";

/** The project root: the nearest folder above this file that holds Pulumi.yaml. */
function findProjectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) {
            throw new Error(`cannot find the project root (a folder with Pulumi.yaml) above ${from}`);
        }
    }
}

/** The project root: where Pulumi.yaml, the Pulumi.<stack>.yaml files and package.json are. */
export const PROJECT_DIR = findProjectRoot(__dirname);

/** A path inside the project, from its root. */
export function projectPath(...parts: string[]): string {
    return path.join(PROJECT_DIR, ...parts);
}

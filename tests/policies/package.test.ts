import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

// `cd policies && npm install` (for the Pulumi CLI) must install what the offline plan runs the
// pack with: the pack's own package.json and lock file pin the root's versions.
describe("the policy pack's package", () => {
    const root = read("package.json");
    const rootLock = read("package-lock.json");
    const pack = read("policies/package.json");
    const packLock = read("policies/package-lock.json");

    for (const name of Object.keys(pack.dependencies)) {
        it(`pins ${name} at the root's version, in package.json and in its lock file`, () => {
            assert.equal(pack.dependencies[name], root.dependencies[name] ?? root.devDependencies[name]);
            assert.equal(packLock.packages[`node_modules/${name}`]?.version, rootLock.packages[`node_modules/${name}`]?.version);
        });
    }

    it("has a lock file that matches its package.json", () => {
        assert.deepEqual(packLock.packages[""].dependencies, pack.dependencies);
    });

    it("decides on every dependency's install script, as the root does (no npm warning on install)", () => {
        // npm warns about each installed package with an install script that allowScripts does not decide on.
        const scripted = (lock: { packages: Record<string, { hasInstallScript?: boolean }> }) =>
            Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([key]) => key.replace(/^.*node_modules\//, "")).sort();
        assert.deepEqual(Object.keys(pack.allowScripts).sort(), scripted(packLock));
        assert.deepEqual(Object.keys(root.allowScripts).sort(), scripted(rootLock));
        for (const name of Object.keys(pack.allowScripts)) assert.equal(pack.allowScripts[name], root.allowScripts[name], name);
    });
});

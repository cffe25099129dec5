// The check that the compiled build is at least as new as the sources it compiles, which the plan
// CLI warns with and the tests refuse to run a stale build with.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { staleBuild } from "../../plan/build";
import { useTempDir } from "./helpers";

describe("whether the build is older than the sources (plan/build.ts)", () => {
    const tmp = useTempDir("plan-build-");
    const at = (file: string, seconds: number) => {
        const p = tmp(file);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        if (!fs.existsSync(p)) fs.writeFileSync(p, "");
        fs.utimesSync(p, seconds, seconds);
    };
    before(() => {
        at("index.ts", 1000);
        at("plan/cli.ts", 1000);
        at("policies/index.ts", 1000);
        at("policies/node_modules/dep/index.ts", 9000);
        at("tests/plan/cli.test.ts", 9000);
    });

    it("says the build is missing before the first build", () => {
        assert.equal(staleBuild(tmp()), "dist/policies/package.json is missing: run `npm run build`");
    });

    it("is content with a build newer than every source, whatever the tests or node_modules hold", () => {
        at("dist/policies/package.json", 2000);
        assert.equal(staleBuild(tmp()), undefined);
    });

    it("names the source edited since the build", () => {
        at("dist/policies/package.json", 2000);
        at("policies/PulumiPolicy.yaml", 3000);
        at("plan/cli.ts", 2500);
        assert.equal(staleBuild(tmp()), "the build (dist/) is older than policies/PulumiPolicy.yaml: run `npm run build`");
    });
});

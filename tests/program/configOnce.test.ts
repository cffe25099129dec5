// Counts calls by replacing the resolvers on their modules' exports. It does so on the compiled
// build in dist/ (what the plan runs), whose CommonJS exports tsc emits as plain properties that
// callers look up at each call; the test's own transpiler (swc) emits them as fixed getters.
import { strict as assert } from "assert";
import { assertBuilt } from "../plan/helpers";
import type * as Plan from "../../plan";
import type * as StackFile from "../../plan/stackFile";

/* eslint-disable @typescript-eslint/no-require-imports -- the compiled modules, loaded after the staleness check */
const dist = (module: string): Record<string, unknown> => require(`../../dist/${module}`) as Record<string, unknown>;

type Counted = "resolvePatchBaselineArgs" | "resolvePatchPolicyArgs" | "resolveMaintenanceWindowArgs" | "validateRateControl";

/** Counts the calls of the components' resolvers (the one place each value is checked and defaulted) during `fn`. */
async function countResolvers(fn: () => Promise<unknown>): Promise<Record<Counted, number>> {
    const modules: [Record<string, unknown>, Counted][] = [
        [dist("components/patchBaseline"), "resolvePatchBaselineArgs"],
        [dist("components/patchPolicy"), "resolvePatchPolicyArgs"],
        [dist("components/maintenanceWindow"), "resolveMaintenanceWindowArgs"],
        [dist("components/rateControl"), "validateRateControl"],
    ];
    const counts = {} as Record<Counted, number>;
    const originals = modules.map(([m, name]) => {
        const original = m[name] as (...args: unknown[]) => unknown;
        counts[name] = 0;
        m[name] = (...args: unknown[]) => {
            counts[name]++;
            return original(...args);
        };
        return () => (m[name] = original);
    });
    try {
        await fn();
    } finally {
        originals.forEach((restore) => restore());
    }
    return counts;
}

describe("the stack config is checked and defaulted once", () => {
    let planProgram: typeof Plan.planProgram;
    let loadStackConfigFile: typeof StackFile.loadStackConfigFile;
    let stackConfigPath: typeof StackFile.stackConfigPath;
    before(() => {
        assertBuilt();
        ({ planProgram } = dist("plan") as unknown as typeof Plan);
        ({ loadStackConfigFile, stackConfigPath } = dist("plan/stackFile") as unknown as typeof StackFile);
    });

    it("dev: the policy's maxConcurrency and environment target pass through one resolver call, from the YAML to the association", async () => {
        let plan: Awaited<ReturnType<typeof Plan.planProgram>> | undefined;
        const counts = await countResolvers(async () => (plan = await planProgram({ stack: "dev" })));
        assert.deepEqual(counts, { resolvePatchBaselineArgs: 1, resolvePatchPolicyArgs: 1, resolveMaintenanceWindowArgs: 0, validateRateControl: 1 });
        const association = plan!.resources.find((r) => r.type === "aws:ssm/association:Association" && r.name === "dev-policy-install");
        assert.equal(association?.inputs.maxConcurrency, "50%");
        assert.deepEqual(association?.inputs.targets, [{ key: "tag:Environment", values: ["Development"] }]);
    });

    it("prod: four account/Region pairs still resolve each section once", async () => {
        const config = loadStackConfigFile(stackConfigPath("prod"));
        const counts = await countResolvers(() => planProgram({ stack: "prod", config }));
        // The policy's rate control and the window's install task: one check each.
        assert.deepEqual(counts, { resolvePatchBaselineArgs: 1, resolvePatchPolicyArgs: 1, resolveMaintenanceWindowArgs: 1, validateRateControl: 2 });
    });
});

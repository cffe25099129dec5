import { strict as assert } from "assert";
import * as baselineModule from "../../components/patchBaseline";
import * as policyModule from "../../components/patchPolicy";
import * as rateModule from "../../components/rateControl";
import * as windowModule from "../../components/maintenanceWindow";
import { planProgram } from "../../plan";
import { loadStackConfigFile, stackConfigPath } from "../../plan/stackFile";

type Counted = "resolvePatchBaselineArgs" | "resolvePatchPolicyArgs" | "resolveMaintenanceWindowArgs" | "validateRateControl";

/** Counts the calls of the components' resolvers (the one place each value is checked and defaulted) during `fn`. */
async function countResolvers(fn: () => Promise<unknown>): Promise<Record<Counted, number>> {
    const modules: [Record<string, unknown>, Counted][] = [
        [baselineModule, "resolvePatchBaselineArgs"],
        [policyModule, "resolvePatchPolicyArgs"],
        [windowModule, "resolveMaintenanceWindowArgs"],
        [rateModule, "validateRateControl"],
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
    it("dev: the policy's maxConcurrency and environment target pass through one resolver call, from the YAML to the association", async () => {
        let plan: Awaited<ReturnType<typeof planProgram>> | undefined;
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

// Shared by the policy tests: the real pack (compiled by `npm run build`), started once for the
// suites of pack.test.ts, driven over gRPC.
import * as assert from "assert";
import { AnalyzeOptions, AnalyzedResource, PATCH_COMPLIANCE_PACK_DIR, PolicyDiagnostic, RunningPack, startPack } from "../../plan/policy";
import { assertBuilt } from "../plan/helpers";

/** The unknown-string sentinel the engine sends for values unknown during a preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Analyzes resources with a running pack: ConfigureStack, Configure, Analyze for each, AnalyzeStack. */
export type Analyze = (resources: AnalyzedResource[], opts?: AnalyzeOptions) => Promise<PolicyDiagnostic[]>;

/**
 * Starts the patch-compliance pack in a `before` hook of the calling suite and closes it in
 * `after`; returns a function that analyzes resources with it. The pack is the compiled one in
 * dist/policies; a build older than the sources fails the suite rather than test old code.
 */
export function usePack(): Analyze {
    let pack: RunningPack | undefined;
    before(async function () {
        this.timeout(90_000);
        assertBuilt();
        pack = await startPack(PATCH_COMPLIANCE_PACK_DIR);
    });
    after(async () => {
        await pack?.close();
    });
    return (resources, opts) => {
        if (!pack) throw new Error("the pack did not start");
        return pack.analyze(resources, opts);
    };
}

/** The diagnostics of one policy. */
export function of(diags: PolicyDiagnostic[], policy: string): PolicyDiagnostic[] {
    return diags.filter((d) => d.policy === policy);
}

/** Asserts no diagnostic at all for a policy, showing them otherwise. */
export function assertNone(diags: PolicyDiagnostic[], policy: string): void {
    const found = of(diags, policy);
    assert.deepStrictEqual(found.map((d) => `${d.enforcementLevel}: ${d.detail}`), []);
}

/** Asserts exactly one mandatory violation of a policy, about `urn`; returns its message (without the description). */
export function assertOneMandatory(diags: PolicyDiagnostic[], policy: string, urn: string): string {
    const found = of(diags, policy);
    assert.strictEqual(found.length, 1, `expected one ${policy} violation, got: ${JSON.stringify(found.map((d) => d.detail), null, 2)}`);
    assert.strictEqual(found[0].enforcementLevel, "mandatory");
    assert.strictEqual(found[0].urn, urn);
    return found[0].detail;
}

/** Asserts that a policy could not decide during the preview: one advisory "can't run" and no mandatory verdict. */
export function assertUndecided(diags: PolicyDiagnostic[], policy: string): string {
    const found = of(diags, policy);
    assert.deepStrictEqual(found.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.detail), []);
    assert.strictEqual(found.length, 1, JSON.stringify(found, null, 2));
    assert.strictEqual(found[0].enforcementLevel, "advisory");
    assert.match(found[0].message, new RegExp(`can't run policy '${policy}' from policy pack 'patch-compliance@v[^']+' during preview`));
    return found[0].message;
}

// The pack over whole programs: every bundled stack passes; the examples a user would write are
// refused (or, for the patched one, pass). Each program is planned offline under Pulumi's mocks
// and the plan is analyzed by the real pack over the analyzer protocol.
import * as assert from "assert";
import * as path from "path";
import { planProgram, planStack } from "../../../plan";
import { PolicyDiagnostic } from "../../../plan/policy";
import { bundledStacks, loadStackConfigFile, projectName, stackConfigPath } from "../../../plan/stackFile";
import patchedFleet from "../../../examples/patched-fleet";
import unpatchedFleet from "../../../examples/unpatched-fleet";
import untaggedInstance from "../../../examples/untagged-instance";
import { Analyze, of } from "../helpers";

const EXAMPLES = path.resolve(__dirname, "..", "..", "..", "examples");
const mandatory = (diags: PolicyDiagnostic[]) => diags.filter((d) => d.enforcementLevel === "mandatory");
const show = (diags: PolicyDiagnostic[]) => diags.map((d) => `[${d.enforcementLevel}] ${d.policy} ${d.urn ?? ""}: ${d.detail}`);

/** Declares the suite; tests/policies/pack.test.ts runs it with the pack it started. */
export function wholePrograms(analyze: Analyze): void {
    describe("the policy pack over whole programs", () => {

        async function planExample(dir: string, program: () => Promise<Record<string, unknown>>) {
            const config = { "aws:region": "us-east-1" };
            const plan = await planStack({ project: projectName(path.join(EXAMPLES, dir)), stack: "dev", config, program });
            return { plan, diags: await analyze(plan.resources, { stackConfig: config }) };
        }

        it("finds at least one bundled stack", () => {
            assert.ok(bundledStacks().length > 0);
        });

        for (const stack of bundledStacks()) {
            it(`plans the bundled stack ${stack} with no mandatory violation`, async function () {
                this.timeout(60_000);
                const plan = await planProgram({ stack });
                assert.ok(plan.resources.some((r) => r.type === "aws:ec2/instance:Instance" || r.type === "aws:ssm/association:Association"), "the plan has resources to check");
                const diags = await analyze(plan.resources, { stackConfig: loadStackConfigFile(stackConfigPath(stack)) });
                assert.deepStrictEqual(show(mandatory(diags)), []);
            });
        }

        it("passes the dev stack deployed into three accounts and two Regions", async function () {
            this.timeout(60_000);
            const config = {
                ...loadStackConfigFile(stackConfigPath("dev")),
                "ssm-patching:regions": JSON.stringify(["us-east-1", "eu-west-1"]),
                "ssm-patching:accounts": JSON.stringify(["222222222222", "333333333333", "444444444444"].map((id) => ({ accountId: id, roleArn: `arn:aws:iam::${id}:role/PatchingDeployment` }))),
            };
            const plan = await planProgram({ stack: "dev", config });
            assert.strictEqual(plan.resources.filter((r) => r.type === "aws:ec2/instance:Instance").length, 12);
            const diags = await analyze(plan.resources, { stackConfig: config });
            assert.deepStrictEqual(show(mandatory(diags)), []);
        });

        it("passes the dev stack in organization mode, its instances covered by the Quick Setup policy", async function () {
            this.timeout(60_000);
            const config = {
                ...loadStackConfigFile(stackConfigPath("dev")),
                "ssm-patching:organization": JSON.stringify({ targetOrganizationalUnits: ["ou-ab12-cdef3456"], targetRegions: ["us-east-1"] }),
            };
            const plan = await planProgram({ stack: "dev", config });
            assert.strictEqual(plan.resources.filter((r) => r.type === "aws:ssm/association:Association").length, 0);
            const diags = await analyze(plan.resources, { stackConfig: config });
            assert.deepStrictEqual(show(mandatory(diags)), []);
        });

        it("refuses examples/untagged-instance: no Environment tag (a lower-case near miss) and nothing patches it", async () => {
            const { plan, diags } = await planExample("untagged-instance", untaggedInstance);
            const web = plan.resources.find((r) => r.type === "aws:ec2/instance:Instance");
            assert.ok(web);
            const refused = mandatory(diags);
            assert.deepStrictEqual(refused.map((d) => [d.policy, d.urn]).sort(), [
                ["ec2-instance-environment-tag", web.urn],
                ["ec2-instance-patch-baseline", web.urn],
            ]);
            assert.match(of(refused, "ec2-instance-environment-tag")[0].detail, /'environment' is not 'Environment'/);
        });

        it("refuses examples/unpatched-fleet: every instance, none for its tags", async () => {
            const { plan, diags } = await planExample("unpatched-fleet", unpatchedFleet);
            const instances = plan.resources.filter((r) => r.type === "aws:ec2/instance:Instance").map((r) => r.urn);
            assert.strictEqual(instances.length, 3);
            const refused = mandatory(diags);
            assert.deepStrictEqual(refused.map((d) => d.policy), instances.map(() => "ec2-instance-patch-baseline"));
            assert.deepStrictEqual(refused.map((d) => d.urn), instances);
            assert.match(refused[0].detail, /association 'uptime' \(tag:Environment=Production\) selects it but runs AWS-RunShellScript, not AWS-RunPatchBaseline\./);
        });

        it("passes examples/patched-fleet", async () => {
            const { diags } = await planExample("patched-fleet", patchedFleet);
            assert.deepStrictEqual(show(diags), []);
        });
    });
}

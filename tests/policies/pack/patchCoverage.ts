// ec2-instance-patch-baseline (a stack policy), driven through the real pack over the analyzer protocol.
import * as assert from "assert";
import { PlanBuilder, SsmTargetInput, syntheticFleet } from "../../../testing/syntheticStacks";
import { Analyze, assertNone, assertOneMandatory, assertUndecided, of, UNKNOWN } from "../helpers";
import { ec2Tag, groupFrom, launchTemplate } from "../launchFixtures";

const POLICY = "ec2-instance-patch-baseline";
const PRODUCTION_TAG: SsmTargetInput[] = [{ key: "tag:Environment", values: ["Production"] }];

/** The passing fixture: instance 'web' tagged Environment=Production; `patch` adds what patches it (by default an association on that tag). */
function stack(patch: (b: PlanBuilder) => void = (b) => b.association("patch-production", PRODUCTION_TAG), tags: Record<string, unknown> | string = { Environment: "Production", Name: "web" }) {
    const b = new PlanBuilder();
    const web = b.instance("web", tags);
    patch(b);
    return { b, web, resources: b.resources };
}

/** Declares the suite; tests/policies/pack.test.ts runs it with the pack it started. */
export function patchCoveragePolicy(analyze: Analyze): void {
    describe("policy ec2-instance-patch-baseline (through the pack)", () => {

        it("passes an instance an AWS-RunPatchBaseline association targets by tag", async () => {
            assertNone(await analyze(stack().resources), POLICY);
        });

        it("refuses an instance nothing patches: first the fix for its tag (a PatchPolicy or an association), then its URN and tags, once", async () => {
            const { web, resources } = stack(() => undefined);
            const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
            const [first, details] = msg.split(" Details: ");
            assert.strictEqual(first, "EC2 instance 'web' must be patched from this stack; nothing here runs AWS-RunPatchBaseline on its tag Environment=Production. " +
                "Fix: add a PatchPolicy with targets: { tags: { Environment: \"Production\" } }, or an AWS-RunPatchBaseline aws.ssm.Association with targets: [{ key: \"tag:Environment\", values: [\"Production\"] }].");
            assert.ok(first.length <= 320, `${first.length} characters before the details`);
            assert.strictEqual(details, `${web.urn}; its tags: Environment=Production, Name=web. If another stack patches 'Production', list it in coveredEnvironments.`);
            assert.doesNotMatch(msg, /patches nothing/);
        });

        it("refuses an untagged instance, giving the tag a patching resource targets", async () => {
            const { web, resources } = stack(undefined, { Name: "web" });
            assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn),
                /^EC2 instance 'web' must be patched from this stack; it has no 'Environment' tag to target\. Fix: set tags: \{ Environment: "Production" \} on it\. Details: /);
        });

        it("refuses an untagged instance of a stack that patches nothing, with both halves of the fix", async () => {
            const { web, resources } = stack(() => undefined, { Name: "web" });
            assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn),
                /it has no 'Environment' tag to target\. Fix: set tags: \{ Environment: "<environment>" \} on it and target that tag with a PatchPolicy or an AWS-RunPatchBaseline aws\.ssm\.Association\./);
        });

        it("does not apply to a stack without instances", async () => {
            const b = new PlanBuilder();
            b.association("patch-production", PRODUCTION_TAG);
            assertNone(await analyze(b.resources), POLICY);
        });

        describe("associations", () => {
            it("refuses an instance whose tag value the association does not target, and says what the stack patches", async () => {
                const { web, resources } = stack((b) => b.association("patch-staging", [{ key: "tag:Environment", values: ["Staging"] }]));
                const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
                assert.match(msg, /This stack patches: association 'patch-staging' \(tag:Environment=Staging\)\./);
            });

            it("passes when one of the target's values matches", async () => {
                assertNone(await analyze(stack((b) => b.association("p", [{ key: "tag:Environment", values: ["Staging", "Production"] }])).resources), POLICY);
            });

            it("refuses an association of another document, and names it", async () => {
                const { web, resources } = stack((b) => b.association("shell", PRODUCTION_TAG, { document: "AWS-RunShellScript" }));
                const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
                assert.match(msg, /association 'shell' \(tag:Environment=Production\) selects it but runs AWS-RunShellScript, not AWS-RunPatchBaseline\./);
            });

            it("passes an association that names AWS-RunPatchBaseline by ARN", async () => {
                const doc = "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline";
                assertNone(await analyze(stack((b) => b.association("p", PRODUCTION_TAG, { document: doc })).resources), POLICY);
            });

            it("passes an association targeting a tag key the instance carries (tag-key)", async () => {
                assertNone(await analyze(stack((b) => b.association("p", [{ key: "tag-key", values: ["Environment"] }])).resources), POLICY);
            });

            it("passes an association on every managed node (InstanceIds *)", async () => {
                assertNone(await analyze(stack((b) => b.association("p", [{ key: "InstanceIds", values: ["*"] }])).resources), POLICY);
            });

            it("passes an association on the instance's id when the id is known, and refuses one on another id", async () => {
                const withId = (ids: string[]) => {
                    const b = new PlanBuilder();
                    const web = b.instance("web", { Environment: "Production" }, { inputs: { id: "i-0123456789abcdef0" } });
                    b.association("p", [{ key: "InstanceIds", values: ids }]);
                    return { web, resources: b.resources };
                };
                assertNone(await analyze(withId(["i-0123456789abcdef0"]).resources), POLICY);
                const other = withId(["i-0fedcba9876543210"]);
                assertOneMandatory(await analyze(other.resources), POLICY, other.web.urn);
            });

            it("refuses when the instance meets only one of two targets (SSM ANDs targets)", async () => {
                const { web, resources } = stack((b) => b.association("p", [...PRODUCTION_TAG, { key: "tag:Role", values: ["web"] }]));
                assertOneMandatory(await analyze(resources), POLICY, web.urn);
            });

            it("refuses an association in another Region than the instance", async () => {
                const { web, resources } = stack((b) => b.association("p", PRODUCTION_TAG, { provider: b.awsProvider("eu", { region: "eu-west-1" }) }));
                const diags = await analyze(resources, { stackConfig: { "aws:region": "us-east-1" } });
                assertOneMandatory(diags, POLICY, web.urn);
            });

            it("passes an association of an explicit provider in the instance's Region", async () => {
                const { resources } = stack((b) => b.association("p", PRODUCTION_TAG, { provider: b.awsProvider("us", { region: "us-east-1" }) }));
                assertNone(await analyze(resources, { stackConfig: { "aws:region": "us-east-1" } }), POLICY);
            });

            it("matches the provider's default tags", async () => {
                const b = new PlanBuilder();
                const provider = b.awsProvider("tagged", { region: "us-east-1", defaultTags: { tags: { Environment: "Production" } } });
                b.instance("web", { Name: "web" }, { provider });
                b.association("p", PRODUCTION_TAG, { provider });
                assertNone(await analyze(b.resources), POLICY);
            });
        });

        describe("maintenance windows", () => {
            it("passes an instance a window target selects when a RUN_COMMAND AWS-RunPatchBaseline task of the same window runs on it", async () => {
                const { resources } = stack((b) => {
                    const w = b.maintenanceWindow("sunday");
                    b.windowTask("install", w, [b.windowTarget("fleet", w, PRODUCTION_TAG)]);
                });
                assertNone(await analyze(resources), POLICY);
            });

            it("refuses an instance whose window target has no task", async () => {
                const { web, resources } = stack((b) => b.windowTarget("fleet", b.maintenanceWindow("sunday"), PRODUCTION_TAG));
                const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
                assert.match(msg, /maintenance window target 'fleet' \(tag:Environment=Production\) selects it, but no RUN_COMMAND task of AWS-RunPatchBaseline in its window runs on that target\. Fix: add an aws\.ssm\.MaintenanceWindowTask \{ taskType: "RUN_COMMAND", taskArn: "AWS-RunPatchBaseline", targets: \[\{ key: "WindowTargetIds", values: \[fleet\.id\] \}\] \} to its window\./);
            });

            it("refuses when the only patch task is in another window", async () => {
                const { web, resources } = stack((b) => {
                    const sunday = b.maintenanceWindow("sunday");
                    const monday = b.maintenanceWindow("monday");
                    const fleet = b.windowTarget("fleet", sunday, PRODUCTION_TAG);
                    const other = b.windowTarget("other", monday, [{ key: "tag:Environment", values: ["Staging"] }]);
                    b.windowTask("install", monday, [other]);
                    void fleet;
                });
                assertOneMandatory(await analyze(resources), POLICY, web.urn);
            });

            it("refuses when the window's task runs another document", async () => {
                const { web, resources } = stack((b) => {
                    const w = b.maintenanceWindow("sunday");
                    b.windowTask("shell", w, [b.windowTarget("fleet", w, PRODUCTION_TAG)], { taskArn: "AWS-RunShellScript" });
                });
                assertOneMandatory(await analyze(resources), POLICY, web.urn);
            });

            it("refuses when the window's patch task runs on another of its targets", async () => {
                const { web, resources } = stack((b) => {
                    const w = b.maintenanceWindow("sunday");
                    b.windowTarget("fleet", w, PRODUCTION_TAG);
                    b.windowTask("install", w, [b.windowTarget("others", w, [{ key: "tag:Environment", values: ["Staging"] }])]);
                });
                assertOneMandatory(await analyze(resources), POLICY, web.urn);
            });
        });

        describe("Quick Setup patch policies", () => {
            const quickSetup = (params: Record<string, string>, type?: string) => (b: PlanBuilder) => b.quickSetup("patch-policy", params, { type });

            it("passes an instance whose tag the patch policy targets", async () => {
                assertNone(await analyze(stack(quickSetup({ TargetType: "Tags", TargetTagKey: "Environment", TargetTagValue: "Production" })).resources), POLICY);
            });

            it("refuses an instance whose tag value the patch policy does not target", async () => {
                const { web, resources } = stack(quickSetup({ TargetType: "Tags", TargetTagKey: "Environment", TargetTagValue: "Staging" }));
                assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn), /Quick Setup patch policy 'patch-policy' \(tag:Environment=Staging\)/);
            });

            it("passes every instance of its Regions with TargetType *", async () => {
                assertNone(await analyze(stack(quickSetup({ TargetType: "*" })).resources), POLICY);
            });

            it("refuses an instance outside the patch policy's TargetRegions", async () => {
                const { web, resources } = stack(quickSetup({ TargetType: "*", TargetRegions: "eu-west-1,eu-central-1" }));
                assertOneMandatory(await analyze(resources, { stackConfig: { "aws:region": "us-east-1" } }), POLICY, web.urn);
            });

            it("does not count a Quick Setup configuration of another type", async () => {
                const { web, resources } = stack(quickSetup({ TargetType: "*" }, "AWSQuickSetupType-SSMHostMgmt"));
                assertOneMandatory(await analyze(resources), POLICY, web.urn);
            });
        });

        describe("patch groups", () => {
            it("passes an instance whose 'Patch Group' tag names a patch group of the stack", async () => {
                const { resources } = stack((b) => b.patchGroup("web-group", "web", b.patchBaseline("al2")), { Environment: "Production", "Patch Group": "web" });
                assertNone(await analyze(resources), POLICY);
            });

            it("passes the 'PatchGroup' key (instance-metadata tags)", async () => {
                const { resources } = stack((b) => b.patchGroup("web-group", "web"), { Environment: "Production", PatchGroup: "web" });
                assertNone(await analyze(resources), POLICY);
            });

            it("refuses an instance whose patch group is not registered in the stack, and names the groups", async () => {
                const { web, resources } = stack((b) => b.patchGroup("db-group", "db"), { Environment: "Production", "Patch Group": "web" });
                const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
                assert.match(msg, /Its 'Patch Group' tag is 'web', but no patch group 'web' is registered in this stack \(patch groups: db\)\./);
            });

            it("refuses a misspelt patch group key and says which keys Patch Manager reads", async () => {
                const { web, resources } = stack((b) => b.patchGroup("web-group", "web"), { Environment: "Production", patch_group: "web" });
                assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn), /does not read its 'patch_group' tag: the key must be 'Patch Group' or 'PatchGroup'/);
            });
        });

        describe("Auto Scaling groups and Spot Instance requests", () => {
            it("passes a group whose tag propagated at launch is targeted, and refuses one whose tag does not propagate, saying so", async () => {
                const b = new PlanBuilder();
                const lt = launchTemplate(b, "web");
                groupFrom(b, "good", lt, [{ key: "Environment", value: "Production", propagateAtLaunch: true }]);
                const bad = groupFrom(b, "bad", lt, [{ key: "Environment", value: "Production", propagateAtLaunch: false }]);
                b.association("p", PRODUCTION_TAG);
                const msg = assertOneMandatory(await analyze(b.resources), POLICY, bad.urn);
                assert.match(msg, /^Auto Scaling group 'bad' must be patched from this stack; its 'Environment=Production' tag has propagateAtLaunch false\. Fix: set propagateAtLaunch: true on its 'Environment' tag\./);
            });

            it("refuses a group whose 'Patch Group' tag does not propagate at launch, and says it must", async () => {
                const b = new PlanBuilder();
                const asg = groupFrom(b, "asg", launchTemplate(b, "web"), [{ key: "Patch Group", value: "web", propagateAtLaunch: false }]);
                b.patchGroup("web-group", "web");
                const msg = assertOneMandatory(await analyze(b.resources), POLICY, asg.urn);
                assert.match(msg, /^Auto Scaling group 'asg' must be patched from this stack; its 'Patch Group=web' tag has propagateAtLaunch false\. Fix: set propagateAtLaunch: true on its 'Patch Group' tag\./);
            });

            it("refuses an untargeted Spot Instance request", async () => {
                const b = new PlanBuilder();
                const spot = b.spotInstanceRequest("spot", { Environment: "Staging" });
                ec2Tag(b, "spot-env", "i-0aaaabbbbccccdddd", "Environment", "Staging", spot);
                b.association("p", PRODUCTION_TAG);
                assert.match(assertOneMandatory(await analyze(b.resources), POLICY, spot.urn), /^Spot Instance request 'spot' must be patched from this stack; nothing here runs AWS-RunPatchBaseline on its tag Environment=Staging\./);
            });
        });

        describe("coveredEnvironments", () => {
            it("passes an unpatched instance whose environment another stack patches", async () => {
                const { resources } = stack(() => undefined);
                assertNone(await analyze(resources, { policyConfig: { [POLICY]: { coveredEnvironments: ["Production"] } } }), POLICY);
            });

            it("refuses an unpatched instance of an environment not listed", async () => {
                const { web, resources } = stack(() => undefined);
                assertOneMandatory(await analyze(resources, { policyConfig: { [POLICY]: { coveredEnvironments: ["Staging"] } } }), POLICY, web.urn);
            });

            it("reads the environment from tagKey", async () => {
                const { resources } = stack(() => undefined, { Stage: "prod" });
                assertNone(await analyze(resources, { policyConfig: { [POLICY]: { coveredEnvironments: ["prod"], tagKey: "Stage" } } }), POLICY);
            });
        });

        describe("values unknown during the preview", () => {
            it("does not refuse an instance whose tags are unknown; reports that it cannot decide", async () => {
                const msg = assertUndecided(await analyze(stack(undefined, UNKNOWN).resources), POLICY);
                assert.match(msg, /whether 1 instance resource\(s\) are patched depends on values unknown until the update, e\.g\. EC2 instance 'web'/);
            });

            it("does not refuse an instance when an association's targets are unknown", async () => {
                assertUndecided(await analyze(stack((b) => b.association("p", UNKNOWN)).resources), POLICY);
            });

            it("does not refuse an instance when the target value is unknown", async () => {
                assertUndecided(await analyze(stack((b) => b.association("p", [{ key: "tag:Environment", values: [UNKNOWN] }])).resources), POLICY);
            });

            it("does not refuse an instance whose window ids are unknown when it cannot tell the windows apart", async () => {
                let window = "";
                const { b, resources } = stack((b) => {
                    const w = b.maintenanceWindow("sunday");
                    window = w.urn;
                    b.windowTask("install", w, [b.windowTarget("fleet", w, PRODUCTION_TAG)]);
                });
                for (const r of b.resources) {
                    if (r.type.startsWith("aws:ssm/maintenanceWindowT")) {
                        r.inputs.windowId = UNKNOWN;
                        r.dependencies = r.dependencies.filter((d) => d !== window);
                    }
                }
                assertUndecided(await analyze(resources), POLICY);
            });

            it("passes a covered instance whose other values are unknown", async () => {
                assertNone(await analyze(stack(undefined, { Environment: "Production", Name: UNKNOWN }).resources), POLICY);
            });

            it("still refuses the instances it can decide on", async () => {
                const { b, resources } = stack(undefined, UNKNOWN);
                const db = b.instance("db", { Environment: "Staging" });
                const diags = await analyze(resources);
                const mandatory = of(diags, POLICY).filter((d) => d.enforcementLevel === "mandatory");
                assert.deepStrictEqual(mandatory.map((d) => d.urn), [db.urn]);
                assert.strictEqual(of(diags, POLICY).filter((d) => d.enforcementLevel === "advisory").length, 1);
            });
        });

        // `npm run bench` runs the same check at 10,000 instances (it fails on any other verdict) and measures its speed.
        it("checks 1,000 instances in one stack, reporting exactly the uncovered ones", async function () {
            const resources = syntheticFleet({ instances: 1_000, uncovered: 3 });
            const diags = await analyze(resources);
            const mandatory = of(diags, POLICY).filter((d) => d.enforcementLevel === "mandatory");
            assert.deepStrictEqual(mandatory.map((d) => d.urn?.split("::").pop()), ["sandbox-0", "sandbox-1", "sandbox-2"]);
            assert.deepStrictEqual(of(diags, "ec2-instance-environment-tag"), []);
        });
    });
}

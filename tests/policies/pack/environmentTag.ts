// ec2-instance-environment-tag, driven through the real pack over the analyzer protocol.
import * as assert from "assert";
import { PlanBuilder } from "../../../testing/syntheticStacks";
import { Analyze, assertNone, assertOneMandatory, assertUndecided, of, UNKNOWN } from "../helpers";
import { ec2Tag, groupFrom, launchTemplate, ref } from "../launchFixtures";

const POLICY = "ec2-instance-environment-tag";
const PRODUCTION = { Environment: "Production", Name: "web" };

/** The passing fixture: one instance tagged Environment=Production, patched by an association. `null`: no tags. */
function fleet(tags: Record<string, unknown> | string | null = PRODUCTION, opts: { provider?: { region?: string; defaultTags?: { tags: Record<string, string> } | string } } = {}) {
    const b = new PlanBuilder();
    const provider = opts.provider ? b.awsProvider("regional", opts.provider) : undefined;
    const web = b.instance("web", tags ?? undefined, { provider });
    b.association("patch-all", [{ key: "InstanceIds", values: ["*"] }], { provider });
    return { b, web, resources: b.resources };
}

/** Declares the suite; tests/policies/pack.test.ts runs it with the pack it started. */
export function environmentTagPolicy(analyze: Analyze): void {
    describe("policy ec2-instance-environment-tag (through the pack)", () => {

        it("passes an instance tagged Environment=Production", async () => {
            assertNone(await analyze(fleet().resources), POLICY);
        });

        it("refuses an instance without tags, naming what would fix it", async () => {
            const { web, resources } = fleet(null);
            const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
            assert.match(msg, /^EC2 instance 'web' must carry an 'Environment' tag \(it has: none\): set tags: \{ Environment: "<environment>" \} on it\./);
            assert.match(msg, /Or set defaultTags\.tags\["Environment"\] on its AWS provider\./);
        });

        it("refuses the near miss 'environment' and points it out", async () => {
            const { web, resources } = fleet({ environment: "Production", Name: "web" });
            const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
            assert.match(msg, /\(it has: Name=web, environment=Production\): set tags: \{ Environment: "<environment>" \} on it\./);
            assert.match(msg, /'environment' is not 'Environment': tag keys are case-sensitive\./);
        });

        it("refuses an instance whose Environment tag is empty", async () => {
            const { web, resources } = fleet({ Environment: "", Name: "web" });
            const msg = assertOneMandatory(await analyze(resources), POLICY, web.urn);
            assert.strictEqual(msg, "EC2 instance 'web' must carry a non-empty 'Environment' tag; it is empty.");
        });

        it("refuses an instance whose Environment tag is blank", async () => {
            const { web, resources } = fleet({ Environment: "  " });
            assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn), /it is blank \(" {2}"\)/);
        });

        it("passes an untagged instance whose explicit provider's default tags carry Environment (JSON-encoded, as the engine passes them)", async () => {
            const { resources } = fleet({ Name: "web" }, { provider: { region: "us-east-1", defaultTags: { tags: { Environment: "Production" } } } });
            assert.strictEqual(typeof resources.find((r) => r.type === "pulumi:providers:aws")?.inputs.defaultTags, "string");
            assertNone(await analyze(resources), POLICY);
        });

        it("passes an untagged instance of the default provider when the stack config sets aws:defaultTags", async () => {
            const { resources } = fleet({ Name: "web" });
            const diags = await analyze(resources, { stackConfig: { "aws:region": "us-east-1", "aws:defaultTags": JSON.stringify({ tags: { Environment: "Production" } }) } });
            assertNone(diags, POLICY);
        });

        it("refuses an untagged instance of the default provider when aws:defaultTags lacks Environment", async () => {
            const { web, resources } = fleet({ Name: "web" });
            const diags = await analyze(resources, { stackConfig: { "aws:region": "us-east-1", "aws:defaultTags": JSON.stringify({ tags: { Team: "ops" } }) } });
            assert.match(assertOneMandatory(diags, POLICY, web.urn), /\(it has: Name=web, Team=ops\)/);
        });

        it("refuses an instance whose own empty Environment tag overrides the provider's default", async () => {
            const { web, resources } = fleet({ Environment: "" }, { provider: { defaultTags: { tags: { Environment: "Production" } } } });
            assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn), /non-empty 'Environment' tag; it is empty/);
        });

        it("refuses a Spot Instance request whose own tags carry Environment: they tag the request, not its instance", async () => {
            const b = new PlanBuilder();
            const spot = b.spotInstanceRequest("spot", PRODUCTION);
            const msg = assertOneMandatory(await analyze(b.resources), POLICY, spot.urn);
            assert.match(msg, /^Spot Instance request 'spot' must give its instance an 'Environment' tag \(its instance has: none\): tag its instance with new aws\.ec2\.Tag\("spot-environment", \{ resourceId: spot\.spotInstanceId, key: "Environment", value: "Production" \}\)\./);
            assert.match(msg, /Its 'Environment=Production' tag tags the Spot Instance request only\./);
        });

        it("passes a Spot Instance request whose instance an aws.ec2.Tag on its spotInstanceId tags", async () => {
            const b = new PlanBuilder();
            const spot = b.spotInstanceRequest("spot", { Name: "spot" });
            ec2Tag(b, "spot-environment", "i-0aaaabbbbccccdddd", "Environment", "Production", spot);
            assertNone(await analyze(b.resources), POLICY);
        });

        it("passes an Auto Scaling group that propagates Environment at launch", async () => {
            const b = new PlanBuilder();
            groupFrom(b, "asg", launchTemplate(b, "web"), [{ key: "Environment", value: "Production", propagateAtLaunch: true }]);
            assertNone(await analyze(b.resources), POLICY);
        });

        it("refuses an Auto Scaling group whose Environment tag does not propagate at launch", async () => {
            const b = new PlanBuilder();
            const asg = groupFrom(b, "asg", launchTemplate(b, "web"), [{ key: "Environment", value: "Production", propagateAtLaunch: false }]);
            const msg = assertOneMandatory(await analyze(b.resources), POLICY, asg.urn);
            assert.match(msg, /^Auto Scaling group 'asg' must launch its instances with an 'Environment' tag \(its instances get: none\): set propagateAtLaunch: true on its 'Environment' tag\./);
            assert.match(msg, /Its 'Environment=Production' tag has propagateAtLaunch false\./);
        });

        it("refuses an Auto Scaling group without an Environment tag, offering its tags or its launch template's", async () => {
            const b = new PlanBuilder();
            const asg = groupFrom(b, "asg", launchTemplate(b, "web"), [{ key: "Name", value: "asg", propagateAtLaunch: true }]);
            assert.match(
                assertOneMandatory(await analyze(b.resources), POLICY, asg.urn),
                /add \{ key: "Environment", value: "<environment>", propagateAtLaunch: true \} to its tags, or tagSpecifications: \[\{ resourceType: "instance", tags: \{ Environment: "<environment>" \} \}\] on launch template 'web'\./,
            );
        });

        it("refuses an Auto Scaling group whose provider's default tags carry Environment, and says they never reach its instances", async () => {
            const b = new PlanBuilder();
            const provider = b.awsProvider("tagged", { region: "us-east-1", defaultTags: { tags: { Environment: "Production" } } });
            const lt = launchTemplate(b, "web");
            const t = ref(b, "launchTemplate", lt);
            const asg = b.add("aws:autoscaling/group:Group", "asg", { maxSize: 1, minSize: 1, launchTemplate: { id: t.value, version: "$Latest" }, tags: [] }, { provider, ...t.opts });
            const msg = assertOneMandatory(await analyze(b.resources), POLICY, asg.urn);
            assert.match(msg, /\(its instances get: none\): add \{ key: "Environment", value: "Production", propagateAtLaunch: true \}/);
            assert.match(msg, /Its 'Environment=Production' tag is a provider default tag, which never reaches an Auto Scaling group's instances\./);
        });

        it("ignores resources that launch no instances", async () => {
            const b = new PlanBuilder();
            b.bucket("logs", { tags: { Name: "logs" } });
            assertNone(await analyze(b.resources), POLICY);
        });

        describe("config", () => {
            const allowed = { [POLICY]: { allowedValues: ["Production", "Staging"] } };

            it("passes a value among allowedValues", async () => {
                assertNone(await analyze(fleet().resources, { policyConfig: allowed }), POLICY);
            });

            it("refuses a value outside allowedValues", async () => {
                const { web, resources } = fleet({ Environment: "Prod" });
                const msg = assertOneMandatory(await analyze(resources, { policyConfig: allowed }), POLICY, web.urn);
                assert.strictEqual(msg, "EC2 instance 'web' must carry an 'Environment' tag with one of: Production, Staging; it has 'Prod'.");
            });

            it("refuses a value that differs from an allowed one only in case, and says so", async () => {
                const { web, resources } = fleet({ Environment: "production" });
                assert.match(assertOneMandatory(await analyze(resources, { policyConfig: allowed }), POLICY, web.urn), /Values are case-sensitive: 'Production'\?/);
            });

            it("checks the tag named by tagKey", async () => {
                const config = { [POLICY]: { tagKey: "Stage" } };
                const { web, resources } = fleet(PRODUCTION);
                assert.match(assertOneMandatory(await analyze(resources, { policyConfig: config }), POLICY, web.urn), /must carry a 'Stage' tag/);
                assertNone(await analyze(fleet({ Stage: "prod" }).resources, { policyConfig: config }), POLICY);
            });

            it("reports at the configured enforcement level, and not at all when disabled", async () => {
                const { resources } = fleet(null);
                const advisory = of(await analyze(resources, { policyConfig: { [POLICY]: "advisory" } }), POLICY);
                assert.deepStrictEqual(advisory.map((d) => d.enforcementLevel), ["advisory"]);
                assertNone(await analyze(resources, { policyConfig: { [POLICY]: { enforcementLevel: "disabled" } } }), POLICY);
            });
        });

        describe("values unknown during the preview", () => {
            it("does not refuse an instance whose whole tags map is unknown; reports that it cannot decide", async () => {
                const msg = assertUndecided(await analyze(fleet(UNKNOWN).resources), POLICY);
                assert.match(msg, /the 'Environment' tag of EC2 instance 'web' is unknown until the update \(tags\)/);
            });

            it("does not refuse an instance whose Environment value is unknown", async () => {
                assertUndecided(await analyze(fleet({ Environment: UNKNOWN, Name: "web" }).resources), POLICY);
            });

            it("still refuses a known near miss when only another tag's value is unknown", async () => {
                const { web, resources } = fleet({ environment: "Production", Name: UNKNOWN });
                assert.match(assertOneMandatory(await analyze(resources), POLICY, web.urn), /'environment' is not 'Environment'/);
            });

            it("does not refuse an untagged instance whose provider's default tags are unknown", async () => {
                assertUndecided(await analyze(fleet({ Name: "web" }, { provider: { defaultTags: UNKNOWN } }).resources), POLICY);
            });

            it("does not refuse an Auto Scaling group whose tags are unknown", async () => {
                const b = new PlanBuilder();
                b.autoScalingGroup("asg", UNKNOWN);
                assertUndecided(await analyze(b.resources), POLICY);
            });
        });
    });
}

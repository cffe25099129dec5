// The tags instances really carry, as AWS applies them, through the real pack: both
// ec2-instance-environment-tag and ec2-instance-patch-baseline judge the same tags. One rule per
// test; each starts from a stack of one resource that launches instances and changes one thing.
import * as assert from "assert";
import * as path from "path";
import launchTemplateGroup from "../../../examples/launch-template-group";
import { planStack } from "../../../plan";
import { projectName } from "../../../plan/stackFile";
import { PlanBuilder, SsmTargetInput } from "../../../testing/syntheticStacks";
import { Analyze, assertNone, assertOneMandatory, assertUndecided, UNKNOWN } from "../helpers";
import { ec2Tag, groupFrom, instanceFrom, LAUNCH_TEMPLATE, launchTemplate, ref } from "../launchFixtures";

const ENV = "ec2-instance-environment-tag";
const BASELINE = "ec2-instance-patch-baseline";
const PRODUCTION: SsmTargetInput[] = [{ key: "tag:Environment", values: ["Production"] }];

/** A stack with an association patching tag Environment=Production. */
function patched(): PlanBuilder {
    const b = new PlanBuilder();
    b.association("patch-production", PRODUCTION);
    return b;
}

/** Declares the suite; tests/policies/pack.test.ts runs it with the pack it started. */
export function launchTagRules(analyze: Analyze): void {
    describe("tags as AWS applies them (through the pack)", () => {

        describe("Spot Instance requests", () => {
            it("does not take the request's tags as its instance's: both policies refuse (AWS does not copy them)", async () => {
                const b = patched();
                const spot = b.spotInstanceRequest("spot", { Environment: "Production" });
                const diags = await analyze(b.resources);
                assert.match(assertOneMandatory(diags, ENV, spot.urn), /its instance has: none/);
                const msg = assertOneMandatory(diags, BASELINE, spot.urn);
                assert.match(msg, /^Spot Instance request 'spot' must be patched from this stack; its 'Environment=Production' tag tags the Spot Instance request only\. Fix: tag its instance with new aws\.ec2\.Tag\("spot-environment", \{ resourceId: spot\.spotInstanceId, key: "Environment", value: "Production" \}\)\./);
            });

            it("does not take its provider's default tags as its instance's", async () => {
                const b = patched();
                const provider = b.awsProvider("tagged", { region: "us-east-1", defaultTags: { tags: { Environment: "Production" } } });
                const spot = b.spotInstanceRequest("spot", { Name: "spot" }, { provider });
                const diags = await analyze(b.resources);
                assert.match(assertOneMandatory(diags, ENV, spot.urn), /Its 'Environment=Production' tag is a provider default tag, which tags the Spot Instance request only\./);
                assertOneMandatory(diags, BASELINE, spot.urn);
            });

            it("takes an aws.ec2.Tag on its spotInstanceId (an instance id the value depends on) as its instance's", async () => {
                const b = patched();
                const spot = b.spotInstanceRequest("spot", { Name: "spot" });
                ec2Tag(b, "spot-environment", "i-0123456789abcdef0", "Environment", "Production", spot);
                const diags = await analyze(b.resources);
                assertNone(diags, ENV);
                assertNone(diags, BASELINE);
            });

            it("matches an aws.ec2.Tag to the spotInstanceId the engine sent, with no dependency recorded", async () => {
                const b = patched();
                b.add("aws:ec2/spotInstanceRequest:SpotInstanceRequest", "spot", { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", spotInstanceId: "i-0fedcba9876543210" });
                ec2Tag(b, "spot-environment", "i-0fedcba9876543210", "Environment", "Production");
                assertNone(await analyze(b.resources), BASELINE);
            });

            it("refuses an aws.ec2.Tag on the request's own id, and says to use spotInstanceId", async () => {
                const b = patched();
                const spot = b.spotInstanceRequest("spot", { Name: "spot" });
                ec2Tag(b, "spot-environment", "sir-0123abcd", "Environment", "Production", spot);
                const diags = await analyze(b.resources);
                assert.match(assertOneMandatory(diags, ENV, spot.urn), /aws\.ec2\.Tag 'spot-environment' tags the Spot Instance request itself \(its id\), not its instance: set its resourceId to spot\.spotInstanceId\./);
                assert.match(assertOneMandatory(diags, BASELINE, spot.urn), /set its resourceId to spot\.spotInstanceId/);
            });

            it("does not decide on an aws.ec2.Tag whose resourceId is unknown during the preview and depends on the request", async () => {
                const b = patched();
                const spot = b.spotInstanceRequest("spot", { Name: "spot" });
                ec2Tag(b, "spot-environment", UNKNOWN, "Environment", "Production", spot);
                const diags = await analyze(b.resources);
                assertUndecided(diags, ENV);
                assertUndecided(diags, BASELINE);
            });
        });

        describe("aws.ec2.Tag on an instance", () => {
            it("takes a Tag on the instance's id as its tag", async () => {
                const b = patched();
                b.instance("web", { Name: "web" }, { inputs: { id: "i-0123456789abcdef0" } });
                ec2Tag(b, "web-environment", "i-0123456789abcdef0", "Environment", "Production");
                const diags = await analyze(b.resources);
                assertNone(diags, ENV);
                assertNone(diags, BASELINE);
            });

            it("lets a Tag overwrite the instance's own value of the key (CreateTags overwrites)", async () => {
                const b = patched();
                const web = b.instance("web", { Environment: "Staging" });
                ec2Tag(b, "web-environment", "i-0123456789abcdef0", "Environment", "Production", web);
                assertNone(await analyze(b.resources), BASELINE);
            });

            it("ignores a Tag on another resource the value depends on", async () => {
                const b = patched();
                const web = b.instance("web", { Name: "web" });
                const vpc = b.add("aws:ec2/vpc:Vpc", "main", { cidrBlock: "10.0.0.0/16" });
                ec2Tag(b, "vpc-environment", "vpc-0123456789abcdef0", "Environment", "Production", vpc);
                assertOneMandatory(await analyze(b.resources), ENV, web.urn);
            });
        });

        describe("launch templates", () => {
            it("gives an instance launched from a template the template's instance tags", async () => {
                const b = patched();
                instanceFrom(b, "web", launchTemplate(b, "web", { instanceTags: { Environment: "Production" } }));
                const diags = await analyze(b.resources);
                assertNone(diags, ENV);
                assertNone(diags, BASELINE);
            });

            it("finds the template by name too", async () => {
                const b = patched();
                launchTemplate(b, "web", { instanceTags: { Environment: "Production" } });
                b.add("aws:ec2/instance:Instance", "web", { launchTemplate: { name: "web", version: "$Latest" } });
                assertNone(await analyze(b.resources), BASELINE);
            });

            it("lets the instance's own tag override the template's value of the same key", async () => {
                const b = patched();
                const web = instanceFrom(b, "web", launchTemplate(b, "web", { instanceTags: { Environment: "Production" } }), { Environment: "Staging" });
                assert.match(assertOneMandatory(await analyze(b.resources), BASELINE, web.urn), /on its tag Environment=Staging/);
            });

            it("lets its provider's default tags override the template's value too (they are part of the launch request)", async () => {
                const b = patched();
                const provider = b.awsProvider("staging", { region: "us-east-1", defaultTags: { tags: { Environment: "Staging" } } });
                const lt = launchTemplate(b, "web", { instanceTags: { Environment: "Production" } });
                const t = ref(b, "launchTemplate", lt);
                const web = b.add("aws:ec2/instance:Instance", "web", { launchTemplate: { id: t.value } }, { provider, ...t.opts });
                b.association("patch-production-too", PRODUCTION, { provider });
                assert.match(assertOneMandatory(await analyze(b.resources), BASELINE, web.urn), /on its tag Environment=Staging/);
            });

            it("does not take the template's own tags (they tag the template) and says where the tag belongs", async () => {
                const b = patched();
                const web = instanceFrom(b, "web", launchTemplate(b, "web", { tags: { Environment: "Production" } }));
                const diags = await analyze(b.resources);
                const msg = assertOneMandatory(diags, ENV, web.urn);
                assert.match(msg, /^EC2 instance 'web' must carry an 'Environment' tag \(it has: none\): set tags: \{ Environment: "Production" \} on it, or tagSpecifications: \[\{ resourceType: "instance", tags: \{ Environment: "Production" \} \}\] on launch template 'web'\./);
                assert.match(msg, /Its 'Environment=Production' tag tags launch template 'web' itself, not its instances/);
                assertOneMandatory(diags, BASELINE, web.urn);
            });

            it("reads $Default as the stack's version unless the template pins defaultVersion", async () => {
                const b = patched();
                instanceFrom(b, "web", launchTemplate(b, "web", { instanceTags: { Environment: "Production" } }), undefined, "$Default");
                assertNone(await analyze(b.resources), BASELINE);
            });

            it("reads a numbered version as the stack's when it is the template's latestVersion", async () => {
                const b = patched();
                instanceFrom(b, "web", launchTemplate(b, "web", { instanceTags: { Environment: "Production" }, inputs: { latestVersion: 3 } }), undefined, "3");
                assertNone(await analyze(b.resources), BASELINE);
            });

            it("does not decide on a version the stack may not define (an older number, a pinned defaultVersion)", async () => {
                const older = patched();
                instanceFrom(older, "web", launchTemplate(older, "web", { instanceTags: { Environment: "Production" }, inputs: { latestVersion: 3 } }), undefined, "2");
                const diags = await analyze(older.resources);
                assert.match(assertUndecided(diags, ENV), /version 2 of launch template 'web' may not be the version this stack defines/);
                assertUndecided(diags, BASELINE);

                const pinned = patched();
                instanceFrom(pinned, "web", launchTemplate(pinned, "web", { instanceTags: { Environment: "Production" }, inputs: { defaultVersion: 1 } }));
                assertUndecided(await analyze(pinned.resources), BASELINE);
            });

            it("does not decide on a template defined outside the stack", async () => {
                const b = patched();
                b.add("aws:ec2/instance:Instance", "web", { launchTemplate: { id: "lt-0123456789abcdef0", version: "$Latest" } });
                const diags = await analyze(b.resources);
                assert.match(assertUndecided(diags, ENV), /launch template 'lt-0123456789abcdef0' is defined outside this stack/);
                assert.match(assertUndecided(diags, BASELINE), /cannot be known here, e\.g\. EC2 instance 'web': launch template 'lt-0123456789abcdef0' is defined outside this stack/);
            });

            it("does not decide when the template's tags are unknown during the preview", async () => {
                const b = patched();
                instanceFrom(b, "web", launchTemplate(b, "web", { instanceTags: UNKNOWN }));
                assertUndecided(await analyze(b.resources), ENV);
            });

            it("still refuses a key the instance sets wrongly whatever the template says", async () => {
                const b = patched();
                const web = instanceFrom(b, "web", launchTemplate(b, "web", { instanceTags: UNKNOWN }), { Environment: "" });
                assertOneMandatory(await analyze(b.resources), ENV, web.urn);
            });
        });

        describe("Auto Scaling groups", () => {
            it("gives a group's instances its launch template's instance tags", async () => {
                const b = patched();
                groupFrom(b, "asg", launchTemplate(b, "web", { instanceTags: { Environment: "Production" } }));
                const diags = await analyze(b.resources);
                assertNone(diags, ENV);
                assertNone(diags, BASELINE);
            });

            it("lets a propagated group tag override the template's value (Auto Scaling's precedence)", async () => {
                const b = patched();
                const asg = groupFrom(b, "asg", launchTemplate(b, "web", { instanceTags: { Environment: "Production" } }), [{ key: "Environment", value: "Staging", propagateAtLaunch: true }]);
                assert.match(assertOneMandatory(await analyze(b.resources), BASELINE, asg.urn), /on its tag Environment=Staging/);
            });

            it("does not let a group tag that does not propagate override the template's value", async () => {
                const b = patched();
                groupFrom(b, "asg", launchTemplate(b, "web", { instanceTags: { Environment: "Production" } }), [{ key: "Environment", value: "Staging", propagateAtLaunch: false }]);
                assertNone(await analyze(b.resources), BASELINE);
            });

            it("reads the template of a mixed instances policy, and every template its overrides name", async () => {
                const b = patched();
                const main = launchTemplate(b, "web", { instanceTags: { Environment: "Production" } });
                const arm = launchTemplate(b, "web-arm", { instanceTags: { Name: "web-arm" } });
                const mixed = (overrides: unknown[]) => ({
                    maxSize: 3, minSize: 1, tags: [],
                    mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateName: "web", version: "$Latest" }, overrides } },
                });
                b.add("aws:autoscaling/group:Group", "good", mixed([{ instanceType: "m6i.large" }]), { dependencies: [main.urn] });
                const bad = b.add("aws:autoscaling/group:Group", "bad", mixed([{ instanceType: "m6i.large" }, { instanceType: "m7g.large", launchTemplateSpecification: { launchTemplateName: "web-arm", version: "$Latest" } }]), { dependencies: [main.urn, arm.urn] });
                const diags = await analyze(b.resources);
                assert.match(assertOneMandatory(diags, ENV, bad.urn), /^Auto Scaling group 'bad' \(instances from launch template 'web-arm' \(\$Latest\)\) must launch its instances with an 'Environment' tag/);
                assert.match(assertOneMandatory(diags, BASELINE, bad.urn), /^Auto Scaling group 'bad' \(instances from launch template 'web-arm' \(\$Latest\)\)/);
            });
        });

        describe("fleets", () => {
            const templateConfig = (b: PlanBuilder, lt: ReturnType<typeof launchTemplate>) => {
                const t = ref(b, "launchTemplateConfigs", lt);
                return { value: t.value, opts: t.opts };
            };

            it("gives an EC2 Fleet's instances its template's instance tags, not the fleet's own tags", async () => {
                const b = patched();
                const good = launchTemplate(b, "good", { instanceTags: { Environment: "Production" } });
                const bare = launchTemplate(b, "bare");
                const g = templateConfig(b, good);
                b.add("aws:ec2/fleet:Fleet", "good", { launchTemplateConfigs: [{ launchTemplateSpecification: { launchTemplateId: g.value, version: "$Latest" } }], targetCapacitySpecification: { defaultTargetCapacityType: "spot", totalTargetCapacity: 2 } }, g.opts);
                const x = templateConfig(b, bare);
                const bad = b.add("aws:ec2/fleet:Fleet", "bad", { tags: { Environment: "Production" }, launchTemplateConfigs: [{ launchTemplateSpecification: { launchTemplateId: x.value, version: "$Latest" } }], targetCapacitySpecification: { defaultTargetCapacityType: "spot", totalTargetCapacity: 2 } }, x.opts);
                const diags = await analyze(b.resources);
                const msg = assertOneMandatory(diags, ENV, bad.urn);
                assert.match(msg, /^EC2 Fleet 'bad' must launch its instances with an 'Environment' tag \(its instances get: none\): set tagSpecifications: \[\{ resourceType: "instance", tags: \{ Environment: "Production" \} \}\] on launch template 'bare'\./);
                assert.match(msg, /Its 'Environment=Production' tag tags the fleet only\./);
                assertOneMandatory(diags, BASELINE, bad.urn);
            });

            it("gives a Spot Fleet's instances the tags of its launch specifications or templates, not the request's", async () => {
                const b = patched();
                b.add("aws:ec2/spotFleetRequest:SpotFleetRequest", "specs", {
                    iamFleetRole: "arn:aws:iam::111111111111:role/spot-fleet", targetCapacity: 2,
                    launchSpecifications: [{ ami: "ami-0123456789abcdef0", instanceType: "m6i.large", tags: { Environment: "Production" } }],
                });
                // Its template version is the template's latestVersion, as the provider's docs advise (the engine sends the output).
                const lt = launchTemplate(b, "web", { instanceTags: { Environment: "Production" }, inputs: { latestVersion: 1 } });
                const t = ref(b, "launchTemplateConfigs", lt);
                b.add("aws:ec2/spotFleetRequest:SpotFleetRequest", "templates", {
                    iamFleetRole: "arn:aws:iam::111111111111:role/spot-fleet", targetCapacity: 2,
                    launchTemplateConfigs: [{ launchTemplateSpecification: { id: t.value, version: "1" } }],
                }, t.opts);
                const bad = b.add("aws:ec2/spotFleetRequest:SpotFleetRequest", "request-tags", {
                    iamFleetRole: "arn:aws:iam::111111111111:role/spot-fleet", targetCapacity: 2, tags: { Environment: "Production" },
                    launchSpecifications: [{ ami: "ami-0123456789abcdef0", instanceType: "m6i.large" }],
                });
                const diags = await analyze(b.resources);
                assert.match(assertOneMandatory(diags, ENV, bad.urn), /set tags: \{ Environment: "Production" \} in its launch specification 1\. Its 'Environment=Production' tag tags the Spot Fleet request only\./);
                assert.deepStrictEqual(diags.filter((d) => d.policy === BASELINE && d.enforcementLevel === "mandatory").map((d) => d.urn), [bad.urn]);
            });
        });

        describe("case near misses", () => {
            it("says when a tag value differs only in case from the one a patching resource targets", async () => {
                const b = patched();
                const web = b.instance("web", { Environment: "production" });
                const msg = assertOneMandatory(await analyze(b.resources), BASELINE, web.urn);
                assert.match(msg, /^EC2 instance 'web' must be patched from this stack; its tag Environment=production differs only in case from the Environment=Production that association 'patch-production' \(tag:Environment=Production\) patches \(tag values are case-sensitive\)\. Fix: set tags: \{ Environment: "Production" \} on it\./);
                assert.doesNotMatch(msg, /coveredEnvironments/);
            });

            it("says when a tag key differs only in case from the one a patching resource targets", async () => {
                const b = patched();
                const web = b.instance("web", { environment: "Production" });
                assert.match(assertOneMandatory(await analyze(b.resources), BASELINE, web.urn), /its tag environment=Production differs only in case from the Environment=Production .* \(tag keys are case-sensitive\)/);
            });
        });

        it("passes examples/launch-template-group, planned offline: the group's instances carry the template's Environment tag and profile", async function () {
            this.timeout(60_000);
            const config = { "aws:region": "us-east-1" };
            const program = async () => launchTemplateGroup();
            const plan = await planStack({ project: projectName(path.resolve(__dirname, "..", "..", "..", "examples", "launch-template-group")), stack: "dev", config, program });
            assert.ok(plan.resources.some((r) => r.type === "aws:autoscaling/group:Group"));
            const diags = await analyze(plan.resources, { stackConfig: config });
            assert.deepStrictEqual(diags.map((d) => `[${d.enforcementLevel}] ${d.policy}: ${d.detail}`), []);
        });

        it("links each of 200 groups to its own template among 200 (the scale test of the reading is in coverage.test.ts)", async () => {
            const b = patched();
            for (let i = 0; i < 200; i++) {
                const lt = b.add(LAUNCH_TEMPLATE, `lt-${i}`, { name: `lt-${i}`, tagSpecifications: [{ resourceType: "instance", tags: { Environment: i === 7 ? "Sandbox" : "Production" } }] });
                groupFrom(b, `asg-${i}`, lt);
            }
            const diags = await analyze(b.resources);
            assert.deepStrictEqual(diags.filter((d) => d.policy === BASELINE).map((d) => d.urn?.split("::").pop()), ["asg-7"]);
        });
    });
}

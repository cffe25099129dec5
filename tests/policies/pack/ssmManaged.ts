// ec2-instance-ssm-managed, driven through the real pack over the analyzer protocol. The passing
// fixture: instance 'web' with an instance profile whose role has AmazonSSMManagedInstanceCore.
import * as assert from "assert";
import { PolicyDiagnostic } from "../../../plan/policy";
import { PlanBuilder, SyntheticResource } from "../../../testing/syntheticStacks";
import { Analyze, assertNone, assertOneMandatory, assertUndecided, of, UNKNOWN } from "../helpers";
import { CORE_ARN, groupFrom, instanceFrom, instanceProfile, instanceWithProfile, launchTemplate, ref } from "../launchFixtures";

const POLICY = "ec2-instance-ssm-managed";
const TAGS = { Environment: "Production", Name: "web" };
const DHMC = "/ssm/managed-instance/default-ec2-instance-management-role";

/** Asserts exactly one advisory violation of the policy about `urn`; returns its message. */
function oneAdvisory(diags: PolicyDiagnostic[], urn: string): string {
    const found = of(diags, POLICY);
    assert.strictEqual(found.length, 1, JSON.stringify(found.map((d) => d.detail), null, 2));
    assert.strictEqual(found[0].enforcementLevel, "advisory");
    assert.strictEqual(found[0].urn, urn);
    return found[0].detail;
}

/** An inline policy document allowing `actions`. */
const allow = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

/** Declares the suite; tests/policies/pack.test.ts runs it with the pack it started. */
export function ssmManagedPolicy(analyze: Analyze): void {
    describe("policy ec2-instance-ssm-managed (through the pack)", () => {

        it("passes an instance whose profile's role has AmazonSSMManagedInstanceCore", async () => {
            const b = new PlanBuilder();
            instanceWithProfile(b, "web", TAGS, instanceProfile(b, "web", { core: true }).profile);
            assertNone(await analyze(b.resources), POLICY);
        });

        it("reports an instance without an instance profile (advisory by default), with the fix first", async () => {
            const b = new PlanBuilder();
            const web = b.instance("web", TAGS);
            const msg = oneAdvisory(await analyze(b.resources), web.urn);
            const first = msg.split(" Or turn on")[0];
            assert.strictEqual(first, "EC2 instance 'web' must be manageable by Systems Manager, but it has no instance profile, so SSM Agent never registers it and nothing patches it: " +
                `set iamInstanceProfile: profile.name on it, for an aws.iam.InstanceProfile whose role has the policy ${CORE_ARN}.`);
            assert.ok(first.length <= 320, `${first.length} characters`);
            assert.match(msg, /Or turn on Default Host Management Configuration \(aws\.ssm\.ServiceSetting "\/ssm\/managed-instance\/default-ec2-instance-management-role"\), or set defaultHostManagement in this policy's config if the account has it\.$/);
        });

        it("reports an instance whose profile's role lacks the agent's permissions, with the attachment that fixes it", async () => {
            const b = new PlanBuilder();
            const web = instanceWithProfile(b, "web", TAGS, instanceProfile(b, "web").profile);
            const msg = oneAdvisory(await analyze(b.resources), web.urn);
            assert.match(msg, new RegExp("^EC2 instance 'web' must be manageable by Systems Manager, but role 'web-role' of its instance profile 'web-profile' lacks SSM Agent's permissions: " +
                `add new aws\\.iam\\.RolePolicyAttachment\\("web-role-ssm-core", \\{ role: webRole\\.name, policyArn: "${CORE_ARN}" \\}\\)\\.`));
        });

        it("reports a role whose only policy is another AWS managed one", async () => {
            const b = new PlanBuilder();
            const web = instanceWithProfile(b, "web", TAGS, instanceProfile(b, "web", { policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }).profile);
            oneAdvisory(await analyze(b.resources), web.urn);
        });

        it("names the partition of the instance's Region in the policy ARN", async () => {
            const b = new PlanBuilder();
            const provider = b.awsProvider("china", { region: "cn-north-1" });
            const web = b.instance("web", TAGS, { provider });
            assert.match(oneAdvisory(await analyze(b.resources), web.urn), /arn:aws-cn:iam::aws:policy\/AmazonSSMManagedInstanceCore/);
        });

        it("can be made mandatory", async () => {
            const b = new PlanBuilder();
            const web = b.instance("web", TAGS);
            assertOneMandatory(await analyze(b.resources, { policyConfig: { [POLICY]: "mandatory" } }), POLICY, web.urn);
        });

        describe("the role's policies", () => {
            const withRole = (policies: (b: PlanBuilder, role: SyntheticResource) => void) => {
                const b = new PlanBuilder();
                const { role, profile } = instanceProfile(b, "web");
                policies(b, role);
                const web = instanceWithProfile(b, "web", TAGS, profile);
                return { web, resources: b.resources };
            };

            it("passes an inline role policy that allows the agent's actions (wildcards included)", async () => {
                const { resources } = withRole((b, role) => {
                    const r = ref(b, "role", role);
                    b.add("aws:iam/rolePolicy:RolePolicy", "agent", { role: r.value, policy: allow("ssm:*", "ec2messages:*") }, r.opts);
                });
                assertNone(await analyze(resources), POLICY);
            });

            it("reports a policy that registers the node but cannot receive commands (no ec2messages)", async () => {
                const { web, resources } = withRole((b, role) => {
                    const r = ref(b, "role", role);
                    b.add("aws:iam/rolePolicy:RolePolicy", "agent", { role: r.value, policy: allow("ssm:UpdateInstanceInformation") }, r.opts);
                });
                oneAdvisory(await analyze(resources), web.urn);
            });

            it("reports a policy whose Deny takes back an action the agent needs", async () => {
                const { web, resources } = withRole((b, role) => {
                    const r = ref(b, "role", role);
                    b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "core", { role: r.value, policyArn: CORE_ARN }, r.opts);
                    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "ec2messages:GetMessages", Resource: "*" }] });
                    b.add("aws:iam/rolePolicy:RolePolicy", "deny", { role: r.value, policy }, r.opts);
                });
                oneAdvisory(await analyze(resources), web.urn);
            });

            it("passes a customer managed policy of the stack that allows the agent's actions", async () => {
                const { resources } = withRole((b, role) => {
                    const policy = b.add("aws:iam/policy:Policy", "agent", { policy: allow("ssm:*", "ec2messages:*") });
                    const r = ref(b, "role", role);
                    const p = ref(b, "policyArn", policy);
                    b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "agent", { role: r.value, policyArn: `arn:aws:iam::111111111111:policy/${p.value}` }, {
                        dependencies: [...r.opts.dependencies, ...p.opts.dependencies],
                        propertyDependencies: { ...r.opts.propertyDependencies, ...p.opts.propertyDependencies },
                    });
                });
                assertNone(await analyze(resources), POLICY);
            });

            it("passes the role's own managedPolicyArns", async () => {
                const b = new PlanBuilder();
                const role = b.add("aws:iam/role:Role", "web-role", { assumeRolePolicy: "{}", managedPolicyArns: [CORE_ARN] });
                const r = ref(b, "role", role);
                const profile = b.add("aws:iam/instanceProfile:InstanceProfile", "web-profile", { role: r.value }, r.opts);
                instanceWithProfile(b, "web", TAGS, profile);
                assertNone(await analyze(b.resources), POLICY);
            });

            it("does not decide on a policy defined outside the stack", async () => {
                const { resources } = withRole((b, role) => {
                    const r = ref(b, "role", role);
                    b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "shared", { role: r.value, policyArn: "arn:aws:iam::111111111111:policy/shared-instance-policy" }, r.opts);
                });
                assert.match(assertUndecided(await analyze(resources), POLICY), /policy 'arn:aws:iam::111111111111:policy\/shared-instance-policy' is defined outside this stack/);
            });
        });

        describe("profiles and roles outside the stack", () => {
            it("does not decide on a profile defined outside the stack: unknowable, not a violation", async () => {
                const b = new PlanBuilder();
                b.instance("web", TAGS, { inputs: { iamInstanceProfile: "ops-instances" } });
                assert.match(assertUndecided(await analyze(b.resources), POLICY), /cannot be known here, e\.g\. EC2 instance 'web': instance profile 'ops-instances' is defined outside this stack/);
            });

            it("passes a role defined outside the stack that the stack attaches the core policy to", async () => {
                const b = new PlanBuilder();
                const profile = b.add("aws:iam/instanceProfile:InstanceProfile", "web-profile", { role: "ops-instance-role" });
                b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ops-core", { role: "ops-instance-role", policyArn: CORE_ARN });
                instanceWithProfile(b, "web", TAGS, profile);
                assertNone(await analyze(b.resources), POLICY);
            });

            it("does not decide on a role defined outside the stack that the stack gives nothing", async () => {
                const b = new PlanBuilder();
                const profile = b.add("aws:iam/instanceProfile:InstanceProfile", "web-profile", { role: "ops-instance-role" });
                instanceWithProfile(b, "web", TAGS, profile);
                assert.match(assertUndecided(await analyze(b.resources), POLICY), /role 'ops-instance-role' is defined outside this stack/);
            });

            it("does not decide while the profile is unknown during the preview", async () => {
                const b = new PlanBuilder();
                b.instance("web", TAGS, { inputs: { iamInstanceProfile: UNKNOWN } });
                assertUndecided(await analyze(b.resources), POLICY);
            });
        });

        describe("launch templates and other launchers", () => {
            it("takes an instance's profile from its launch template", async () => {
                const b = new PlanBuilder();
                const { profile } = instanceProfile(b, "web", { core: true });
                instanceFrom(b, "web", launchTemplate(b, "web", { profile }));
                assertNone(await analyze(b.resources), POLICY);
            });

            it("takes a group's profile from its launch template, and says to set it there", async () => {
                const b = new PlanBuilder();
                const { profile } = instanceProfile(b, "web", { core: true });
                groupFrom(b, "good", launchTemplate(b, "web", { profile }));
                const bad = groupFrom(b, "bad", launchTemplate(b, "bare"));
                assert.match(oneAdvisory(await analyze(b.resources), bad.urn), /it has no instance profile, .*: set iamInstanceProfile: \{ name: profile\.name \} on launch template 'bare'/);
            });

            it("takes a Spot Instance request's own iamInstanceProfile", async () => {
                const b = new PlanBuilder();
                const { profile } = instanceProfile(b, "spot", { core: true });
                const p = ref(b, "iamInstanceProfile", profile);
                b.add("aws:ec2/spotInstanceRequest:SpotInstanceRequest", "spot", { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", iamInstanceProfile: p.value }, p.opts);
                assertNone(await analyze(b.resources), POLICY);
            });

            it("takes a Spot Fleet launch specification's iamInstanceProfileArn", async () => {
                const b = new PlanBuilder();
                const { profile } = instanceProfile(b, "fleet", { core: true });
                const p = ref(b, "launchSpecifications", profile);
                b.add("aws:ec2/spotFleetRequest:SpotFleetRequest", "fleet", {
                    iamFleetRole: "arn:aws:iam::111111111111:role/spot-fleet", targetCapacity: 2,
                    launchSpecifications: [{ ami: "ami-0123456789abcdef0", instanceType: "m6i.large", iamInstanceProfileArn: `arn:aws:iam::111111111111:instance-profile/${p.value}` }],
                }, p.opts);
                assertNone(await analyze(b.resources), POLICY);
            });
        });

        describe("Default Host Management Configuration", () => {
            it("passes an instance without a profile when the stack turns it on in the instance's Region", async () => {
                const b = new PlanBuilder();
                b.instance("web", TAGS);
                b.add("aws:ssm/serviceSetting:ServiceSetting", "dhmc", { settingId: DHMC, settingValue: "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole" });
                assertNone(await analyze(b.resources), POLICY);
            });

            it("does not count the setting of another Region", async () => {
                const b = new PlanBuilder();
                const web = b.instance("web", TAGS, { provider: b.awsProvider("us", { region: "us-east-1" }) });
                b.add("aws:ssm/serviceSetting:ServiceSetting", "dhmc", { settingId: DHMC, settingValue: "AWSSystemsManagerDefaultEC2InstanceManagementRole" }, { provider: b.awsProvider("eu", { region: "eu-west-1" }) });
                oneAdvisory(await analyze(b.resources), web.urn);
            });

            it("passes every instance when the config says the account has it", async () => {
                const b = new PlanBuilder();
                b.instance("web", TAGS);
                assertNone(await analyze(b.resources, { policyConfig: { [POLICY]: { defaultHostManagement: true } } }), POLICY);
            });
        });

        describe("Quick Setup patch policies that attach the policy", () => {
            const quickSetup = (b: PlanBuilder, attach: string) =>
                b.quickSetup("patch-policy", { TargetType: "Tags", TargetTagKey: "Environment", TargetTagValue: "Production", IsPolicyAttachAllowed: attach });

            it("passes an instance whose profile a patch policy targeting it adds AmazonSSMManagedInstanceCore to", async () => {
                const b = new PlanBuilder();
                instanceWithProfile(b, "web", TAGS, instanceProfile(b, "web").profile);
                quickSetup(b, "true");
                assertNone(await analyze(b.resources), POLICY);
            });

            it("still reports it when the patch policy may not attach policies", async () => {
                const b = new PlanBuilder();
                const web = instanceWithProfile(b, "web", TAGS, instanceProfile(b, "web").profile);
                quickSetup(b, "false");
                oneAdvisory(await analyze(b.resources), web.urn);
            });

            it("still reports an instance without a profile: Quick Setup adds to existing profiles only", async () => {
                const b = new PlanBuilder();
                const web = b.instance("web", TAGS);
                quickSetup(b, "true");
                oneAdvisory(await analyze(b.resources), web.urn);
            });
        });
    });
}

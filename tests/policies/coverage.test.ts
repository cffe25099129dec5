// The pure matching behind the policies, tested directly (the policies themselves are tested
// through the pack): tags, three-valued coverage, Quick Setup parameters, and scale.
import * as assert from "assert";
import {
    and, assessCoverage, CoverageInput, Member, or, Placement, quickSetupTargets, SsmTarget,
} from "../../policies/coverage";
import { PolicyResource } from "@pulumi/policy";
import { agentAllowed, awsManagedPolicyName, grantOf, IamIndex } from "../../policies/iam";
import { Launches } from "../../policies/launch";
import { coverageInputOf } from "../../policies/patchCoverage";
import { StackIndex } from "../../policies/stack";
import { defaultTagsOf, nearMisses, TagSet, tagSetOf } from "../../policies/tags";
import { isUnknown, Unknown } from "../../policies/values";

const US: Placement = { region: "us-east-1", account: "111111111111" };
const u = new Unknown("tags");

function member(name: string, tags: Record<string, string>, extra: Partial<Member> = {}): Member {
    return { urn: `urn:pulumi:s::p::aws:ec2/instance:Instance::${name}`, name, type: "aws:ec2/instance:Instance", tags: tagSetOf("aws:ec2/instance:Instance", tags, undefined), placement: US, ...extra };
}

function input(members: Member[], extra: Partial<CoverageInput> = {}): CoverageInput {
    return { members, patchGroups: [], associations: [], windowTargets: [], windowTasks: [], quickSetups: [], coveredEnvironments: [], environmentTagKey: "Environment", ...extra };
}

const association = (name: string, targets: SsmTarget[] | Unknown, document: string | Unknown = "AWS-RunPatchBaseline") =>
    ({ urn: `urn:a:${name}`, name, document, targets, placement: US });

describe("tags (pure)", () => {
    it("reads default tags JSON-encoded, as an object, or unknown", () => {
        assert.deepStrictEqual([...defaultTagsOf('{"tags":{"Environment":"Production"}}').tags], [["Environment", "Production"]]);
        assert.deepStrictEqual([...defaultTagsOf({ tags: { Team: "ops" } }).tags], [["Team", "ops"]]);
        assert.ok(isUnknown(defaultTagsOf(u).unknown));
        assert.deepStrictEqual([...defaultTagsOf("not json").tags], []);
    });

    it("lets an instance's own tag override the provider's default", () => {
        const tags = tagSetOf("aws:ec2/instance:Instance", { Environment: "Staging" }, '{"tags":{"Environment":"Production","Team":"ops"}}');
        assert.deepStrictEqual(tags.get("Environment"), { state: "present", value: "Staging" });
        assert.deepStrictEqual(tags.get("Team"), { state: "present", value: "ops" });
        assert.deepStrictEqual(tags.get("Owner"), { state: "absent" });
    });

    it("knows a default tag is present even when the instance's own tags are unknown, but not its value", () => {
        const tags = new TagSet([{ source: "its provider's default tags", tags: new Map([["Environment", "Production"]]) }, { source: "its tags", tags: new Map(), unknown: u }]);
        const env = tags.get("Environment");
        assert.strictEqual(env.state, "present");
        assert.ok(env.state === "present" && isUnknown(env.value));
        assert.strictEqual(tags.get("Owner").state, "maybe");
    });

    it("takes only the tags an Auto Scaling group propagates at launch", () => {
        const tags = tagSetOf("aws:autoscaling/group:Group", [
            { key: "Environment", value: "Production", propagateAtLaunch: true },
            { key: "Team", value: "ops", propagateAtLaunch: false },
        ], '{"tags":{"Owner":"me"}}');
        assert.deepStrictEqual(tags.keys(), ["Environment"]);
        assert.deepStrictEqual(tags.stray.map((t) => t.key), ["Team"]);
    });

    it("lets a higher source that may set a key leave its value unknown, and a key no source knows be maybe", () => {
        const tags = new TagSet([
            { source: "launch template 'web'", tags: new Map([["Environment", "Production"]]) },
            { source: "aws.ec2.Tag 'env'", tags: new Map(), maybe: new Map([["Environment", u], ["Owner", u]]) },
        ]);
        const env = tags.get("Environment");
        assert.ok(env.state === "present" && isUnknown(env.value));
        assert.strictEqual(tags.get("Owner").state, "maybe");
        assert.deepStrictEqual(tags.maybeKeys(), ["Owner"]);
        assert.strictEqual(tags.complete, true);
        assert.strictEqual(tags.sourceOf("Environment"), "launch template 'web'");
    });

    it("finds near misses that differ in case or separators only", () => {
        const tags = tagSetOf("aws:ec2/instance:Instance", { environment: "x", "ENVIRONMENT ": "y", env: "z" }, undefined);
        assert.deepStrictEqual(nearMisses(tags, "Environment").sort(), ["ENVIRONMENT ", "environment"]);
    });
});

describe("coverage (pure)", () => {
    it("combines three-valued answers: false and unknown is false; true or unknown is true", () => {
        assert.strictEqual(and(false, u), false);
        assert.strictEqual(and(true, u), u);
        assert.strictEqual(or(true, u), true);
        assert.strictEqual(or(false, u), u);
    });

    it("reads Quick Setup targets: tags, every node, instance ids, and resource groups it cannot evaluate", () => {
        assert.deepStrictEqual(quickSetupTargets({ TargetType: "Tags", TargetTagKey: "Environment", TargetTagValue: "Production" }, US).targets, [{ key: "tag:Environment", values: ["Production"] }]);
        assert.deepStrictEqual(quickSetupTargets({ TargetType: "*" }, US).targets, [{ key: "InstanceIds", values: ["*"] }]);
        assert.deepStrictEqual(quickSetupTargets({ TargetType: "InstanceIds", TargetInstances: "i-1, i-2" }, US).targets, [{ key: "InstanceIds", values: ["i-1", "i-2"] }]);
        assert.strictEqual(quickSetupTargets({ TargetType: "ResourceGroups" }, US).unsupported, "ResourceGroups");
        assert.deepStrictEqual(quickSetupTargets({ TargetType: "*", TargetRegions: "us-east-1,eu-west-1", TargetOrganizationalUnits: "ou-abcd-12345678" }, US).reach, { regions: ["us-east-1", "eu-west-1"], accounts: "*" });
    });

    it("says which resource covers an instance", () => {
        const { verdicts } = assessCoverage(input([member("web", { Environment: "Production" })], { associations: [association("scan", [{ key: "tag:Environment", values: ["Production"] }])] }));
        assert.deepStrictEqual(verdicts, [{ state: "covered", by: "association 'scan' (tag:Environment=Production)" }]);
    });

    it("is undecided, not uncovered, when an unknown value could cover the instance", () => {
        const { verdicts } = assessCoverage(input([member("web", { Environment: "Production" })], { associations: [association("scan", [{ key: "tag:Environment", values: ["Production"] }], u)] }));
        assert.strictEqual(verdicts[0].state, "undecided");
    });

    it("is uncovered when nothing could cover the instance, whatever is unknown elsewhere", () => {
        const m = member("web", { Environment: "Production" });
        const { verdicts } = assessCoverage(input([m], { associations: [association("scan", [{ key: "tag:Environment", values: ["Staging"] }]), association("shell", u, "AWS-RunShellScript")] }));
        assert.strictEqual(verdicts[0].state, "uncovered");
    });

    it("treats a provider that does not set its Region as being where it is compared", () => {
        const m = member("web", { Environment: "Production" }, { placement: { region: "", account: "" } });
        const { verdicts } = assessCoverage(input([m], { associations: [association("scan", [{ key: "tag:Environment", values: ["Production"] }])] }));
        assert.strictEqual(verdicts[0].state, "covered");
    });

    // Speed is measured by `npm run bench` (the policy section at 1,000 and 10,000 instances), not here:
    // these check that the indexed matching is right at scale.
    it("decides 10,000 instances, each targeted by its own association by id, among 1,000 other associations", () => {
        const n = 10_000;
        const members: Member[] = [];
        const associations = [];
        for (let i = 0; i < n; i++) {
            members.push(member(`app-${i}`, { Environment: i % 2 ? "Production" : "Staging", Name: `app-${i}` }, { id: `i-${i.toString(16).padStart(17, "0")}` }));
            associations.push(association(`a-${i}`, [{ key: "InstanceIds", values: [`i-${i.toString(16).padStart(17, "0")}`] }]));
        }
        for (let i = 0; i < 1_000; i++) associations.push(association(`t-${i}`, [{ key: "tag:Name", values: [`other-${i}`] }]));
        members.push(member("stray", { Environment: "Sandbox" }));
        const { verdicts } = assessCoverage(input(members, { associations }));
        assert.strictEqual(verdicts.filter((v) => v.state === "covered").length, n);
        assert.deepStrictEqual(verdicts.filter((v) => v.state !== "covered").map((v) => v.state), ["uncovered"]);
    });
});

describe("SSM Agent permissions (pure)", () => {
    const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

    it("reads AWS managed policy names in any partition and path", () => {
        assert.strictEqual(awsManagedPolicyName("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"), "AmazonSSMManagedInstanceCore");
        assert.strictEqual(awsManagedPolicyName("arn:aws-cn:iam::aws:policy/service-role/AmazonEC2RoleforSSM"), "AmazonEC2RoleforSSM");
        assert.strictEqual(awsManagedPolicyName("arn:aws:iam::111111111111:policy/AmazonSSMManagedInstanceCore"), undefined);
    });

    it("allows the agent with wildcards across policies, and not when a Deny takes an action back", () => {
        const ssm = grantOf(doc({ Effect: "Allow", Action: "ssm:*", Resource: "*" }), "a");
        const messages = grantOf(doc({ Effect: "Allow", Action: ["EC2Messages:Get*", "ec2messages:*"], Resource: "*" }), "b");
        assert.deepStrictEqual(agentAllowed([ssm]), { ok: false });
        assert.strictEqual(agentAllowed([ssm, messages]).ok, true);
        const deny = grantOf(doc({ Effect: "Deny", Action: "ssm:UpdateInstanceInformation", Resource: "*" }), "c");
        assert.deepStrictEqual(agentAllowed([ssm, messages, deny]), { ok: false });
    });

    it("does not guess on statements with conditions or on unknown documents", () => {
        const conditional = grantOf(doc({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }), "policy 'x'");
        const result = agentAllowed([conditional]);
        assert.ok(result.ok === "unknown" && /Condition or NotAction/.test(result.unknown.describe()));
        assert.strictEqual(agentAllowed([grantOf(u, "policy 'y'")]).ok, "unknown");
    });
});

describe("reading a stack's launches (pure)", () => {
    /** A resource as a stack policy receives it, with plain props. */
    function resource(type: string, name: string, props: Record<string, unknown>, propertyDependencies: Record<string, PolicyResource[]> = {}): PolicyResource {
        const deps = Object.values(propertyDependencies).flat();
        return { type, name, urn: `urn:pulumi:s::p::${type}::${name}`, props, dependencies: deps, propertyDependencies, isType: () => false, asType: () => undefined } as unknown as PolicyResource;
    }

    it("decides 10,000 groups from 10,000 templates, 10,000 instances tagged by aws.ec2.Tag, each with its profile and role", () => {
        const n = 10_000;
        const resources: PolicyResource[] = [resource("aws:ssm/association:Association", "patch", { name: "AWS-RunPatchBaseline", targets: [{ key: "tag:Environment", values: ["Production"] }] })];
        for (let i = 0; i < n; i++) {
            const role = resource("aws:iam/role:Role", `role-${i}`, { name: `role-${i}` });
            resources.push(role, resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `core-${i}`, { role: `role-${i}`, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }));
            const profile = resource("aws:iam/instanceProfile:InstanceProfile", `profile-${i}`, { name: `profile-${i}`, role: `role-${i}` });
            const lt = resource("aws:ec2/launchTemplate:LaunchTemplate", `lt-${i}`, { name: `lt-${i}`, iamInstanceProfile: { name: `profile-${i}` }, tagSpecifications: [{ resourceType: "instance", tags: { Environment: "Production" } }] });
            const asg = resource("aws:autoscaling/group:Group", `asg-${i}`, { launchTemplate: { id: `lt-id-${i}`, version: "$Latest" } }, { launchTemplate: [lt] });
            const id = `i-${i.toString(16).padStart(17, "0")}`;
            const web = resource("aws:ec2/instance:Instance", `web-${i}`, { id, iamInstanceProfile: `profile-${i}` });
            resources.push(profile, lt, asg, web, resource("aws:ec2/tag:Tag", `env-${i}`, { resourceId: id, key: "Environment", value: i === 5 ? "Sandbox" : "Production" }));
        }
        const stack = new StackIndex(resources);
        const launches = new Launches(stack);
        const iam = new IamIndex(stack);
        const lacking = launches.launchers.filter((l) => iam.profileVerdict(l.variants[0].profile).state !== "ok");
        const { input } = coverageInputOf(resources, { coveredEnvironments: [], tagKey: "Environment" }, stack, launches);
        const { verdicts } = assessCoverage(input);
        assert.deepStrictEqual(lacking.map((l) => l.name), []);
        assert.deepStrictEqual(verdicts.flatMap((v, i) => (v.state === "covered" ? [] : [input.members[i].name])), ["web-5"]);
    });
});

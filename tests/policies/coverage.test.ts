// The pure matching behind the policies, tested directly (the policies themselves are tested
// through the pack): tags, three-valued coverage, Quick Setup parameters, and scale.
import * as assert from "assert";
import {
    and, assessCoverage, CoverageInput, Member, or, Placement, quickSetupTargets, SsmTarget,
} from "../../policies/coverage";
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
        const tags = new TagSet(new Map(), u, new Map([["Environment", "Production"]]), undefined);
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
        assert.deepStrictEqual(tags.notPropagated, ["Team"]);
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

    it("stays linear: 10,000 instances, each targeted by its own association by id, in well under the time a pairwise check takes", () => {
        const n = 10_000;
        const members: Member[] = [];
        const associations = [];
        for (let i = 0; i < n; i++) {
            members.push(member(`app-${i}`, { Environment: i % 2 ? "Production" : "Staging", Name: `app-${i}` }, { id: `i-${i.toString(16).padStart(17, "0")}` }));
            associations.push(association(`a-${i}`, [{ key: "InstanceIds", values: [`i-${i.toString(16).padStart(17, "0")}`] }]));
        }
        for (let i = 0; i < 1_000; i++) associations.push(association(`t-${i}`, [{ key: "tag:Name", values: [`other-${i}`] }]));
        members.push(member("stray", { Environment: "Sandbox" }));
        const started = process.hrtime.bigint();
        const { verdicts } = assessCoverage(input(members, { associations }));
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        assert.strictEqual(verdicts.filter((v) => v.state === "covered").length, n);
        assert.deepStrictEqual(verdicts.filter((v) => v.state !== "covered").map((v) => v.state), ["uncovered"]);
        assert.ok(ms < 2_000, `took ${ms.toFixed(0)} ms`);
    });
});

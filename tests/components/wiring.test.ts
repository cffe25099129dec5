// The MaintenanceWindow and PatchGroup components under Pulumi's mocks: what they register.
import { strict as assert } from "assert";
import { MaintenanceWindow, PatchBaseline, PatchGroup } from "../../components";
import { planStack, PlannedResource } from "../../plan";

async function registered(program: () => void): Promise<PlannedResource[]> {
    const plan = await planStack({
        project: "wiring",
        stack: "test",
        config: { "aws:region": "eu-central-1" },
        program: async () => {
            program();
            return {};
        },
    });
    return plan.resources;
}

const ofType = (rs: PlannedResource[], type: string) => rs.filter((r) => r.type === type);

describe("MaintenanceWindow under mocks", () => {
    let rs: PlannedResource[];
    before(async () => {
        rs = await registered(() => {
            new MaintenanceWindow("prod", {
                schedule: "cron(0 2 ? * SUN *)",
                scheduleTimezone: "Europe/Berlin",
                duration: 4,
                cutoff: 1,
                targets: { tags: { Environment: "Production" } },
                install: { maxConcurrency: "10%", maxErrors: "1" },
                outputS3BucketName: "patch-logs",
                notifications: { topicArn: "arn:aws:sns:eu-central-1:123456789012:patching" },
            });
        });
    });

    it("opens the window on its schedule, time zone, duration and cutoff", () => {
        const [w] = ofType(rs, "aws:ssm/maintenanceWindow:MaintenanceWindow");
        assert.equal(w.inputs.schedule, "cron(0 2 ? * SUN *)");
        assert.equal(w.inputs.scheduleTimezone, "Europe/Berlin");
        assert.equal(w.inputs.duration, 4);
        assert.equal(w.inputs.cutoff, 1);
        assert.equal(w.inputs.allowUnassociatedTargets, false);
    });

    it("targets the tag and runs Scan then Install of AWS-RunPatchBaseline on that target", () => {
        const [target] = ofType(rs, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget");
        assert.deepEqual(target.inputs.targets, [{ key: "tag:Environment", values: ["Production"] }]);
        const tasks = ofType(rs, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask");
        assert.deepEqual(tasks.map((t) => [t.inputs.taskArn, t.inputs.taskType, t.inputs.priority]), [
            ["AWS-RunPatchBaseline", "RUN_COMMAND", 1],
            ["AWS-RunPatchBaseline", "RUN_COMMAND", 2],
        ]);
        const install = tasks[1].inputs;
        assert.equal(install.maxConcurrency, "10%");
        assert.equal(install.maxErrors, "1");
        const params = (install.taskInvocationParameters as { runCommandParameters: Record<string, unknown> }).runCommandParameters;
        assert.deepEqual(params.parameters, [{ name: "Operation", values: ["Install"] }, { name: "RebootOption", values: ["RebootIfNeeded"] }]);
        assert.equal(params.outputS3Bucket, "patch-logs");
        assert.equal(params.outputS3KeyPrefix, "patching/prod");
        assert.deepEqual((params.cloudwatchConfig as Record<string, unknown>).cloudwatchOutputEnabled, true);
        assert.deepEqual(params.notificationConfig, {
            notificationArn: "arn:aws:sns:eu-central-1:123456789012:patching",
            notificationEvents: ["Failed", "TimedOut"],
            notificationType: "Command",
        });
        assert.deepEqual((tasks[0].inputs.targets as { key: string }[]).map((t) => t.key), ["WindowTargetIds"]);
    });

    it("creates a service role with AmazonSSMMaintenanceWindowRole and sns:Publish on the topic only", () => {
        const [role] = ofType(rs, "aws:iam/role:Role");
        assert.equal(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal.Service, "ssm.amazonaws.com");
        const [attach] = ofType(rs, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.equal(attach.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole");
        const [sns] = ofType(rs, "aws:iam/rolePolicy:RolePolicy");
        assert.deepEqual(JSON.parse(String(sns.inputs.policy)).Statement, [{ Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:eu-central-1:123456789012:patching" }]);
        for (const t of ofType(rs, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
            assert.match(String(t.inputs.serviceRoleArn), /^arn:aws:iam::\d{12}:role\/prod-role-/);
        }
    });
});

describe("PatchGroup under mocks", () => {
    it("registers the baseline for the group and names the instance tag", async () => {
        let tags: Record<string, string> = {};
        const rs = await registered(() => {
            const b = new PatchBaseline("al2");
            tags = new PatchGroup("web", { patchGroup: "web-servers", baselineId: b.baselineId, tagKey: "PatchGroup" }).instanceTags;
        });
        const [pg] = ofType(rs, "aws:ssm/patchGroup:PatchGroup");
        assert.equal(pg.inputs.patchGroup, "web-servers");
        assert.match(String(pg.inputs.baselineId), /^pb-[0-9a-f]{17}$/);
        assert.deepEqual(tags, { PatchGroup: "web-servers" });
    });

    it("registers the baseline as the default for its OS when asked", async () => {
        const rs = await registered(() => void new PatchBaseline("al2", { registerAsDefault: true }));
        const [d] = ofType(rs, "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline");
        assert.equal(d.inputs.operatingSystem, "AMAZON_LINUX_2");
    });
});

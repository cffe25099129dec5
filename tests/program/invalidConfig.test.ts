import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { useTempDir } from "../plan/helpers";
import { planProgram } from "../../plan";
import { loadStackConfigFile } from "../../plan/stackFile";
import { parseStackConfig, rawStackConfig } from "../../program/config";
import { ValidationError } from "../../components";

const DEV = loadStackConfigFile(path.join(__dirname, "../../Pulumi.dev.yaml"));
const dev = () => rawStackConfig(DEV) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Each case changes one thing in the dev stack's config; the error must name this key. */
const cases: [string, (c: Record<string, any>) => void, string, RegExp?][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ["a missing environment", (c) => delete c.environment, "ssm-patching:environment", /required/],
    ["an unknown top-level key", (c) => (c.patchpolicy = {}), "ssm-patching:patchpolicy", /not a known config key/],
    ["a misspelt policy key", (c) => (c.patchPolicy.maxConcurency = "10%"), "ssm-patching:patchPolicy.maxConcurency", /not a known key/],
    ["approveAfterDays of 400", (c) => (c.baselines[0].approvalRules[0].approveAfterDays = 400), "ssm-patching:baselines[0].approvalRules[0].approveAfterDays", /0 to 360/],
    ["a negative approveAfterDays", (c) => (c.baselines[0].approvalRules[1].approveAfterDays = -1), "ssm-patching:baselines[0].approvalRules[1].approveAfterDays"],
    ["eleven approval rules", (c) => (c.baselines[0].approvalRules = Array.from({ length: 11 }, () => ({}))), "ssm-patching:baselines[0].approvalRules", /at most 10/],
    ["a PRIORITY filter on Amazon Linux 2", (c) => (c.baselines[0].approvalRules[0].priorities = ["Required"]), "ssm-patching:baselines[0].approvalRules[0].priorities", /PRODUCT, CLASSIFICATION, SEVERITY/],
    ["an unknown classification", (c) => (c.baselines[0].approvalRules[0].classifications = ["Security", "Bugs"]), "ssm-patching:baselines[0].approvalRules[0].classifications[1]"],
    ["an unknown compliance level", (c) => (c.baselines[0].approvalRules[0].complianceLevel = "SEVERE"), "ssm-patching:baselines[0].approvalRules[0].complianceLevel"],
    ["an operating system the API does not know", (c) => (c.baselines[0].operatingSystem = "AMAZON_LINUX_3"), "ssm-patching:baselines[0].operatingSystem"],
    ["a baseline name with a space", (c) => (c.baselines[0].name = "AL2 baseline"), "ssm-patching:baselines[0].name"],
    ["two baselines for one OS", (c) => c.baselines.push({ name: "Second" }), "ssm-patching:baselines[1].operatingSystem", /one baseline per operating system/],
    ["a month in the install cron", (c) => (c.patchPolicy.installSchedule = "cron(30 23 ? JAN SAT *)"), "ssm-patching:patchPolicy.installSchedule", /month/],
    ["a 15-minute scan rate", (c) => (c.patchPolicy.scanSchedule = "rate(15 minutes)"), "ssm-patching:patchPolicy.scanSchedule", /30 minutes/],
    ["a rate install that waits for a cron interval", (c) => (c.patchPolicy.installSchedule = "rate(7 days)"), "ssm-patching:patchPolicy.installAtFirstCronInterval"],
    ["a cron with both day fields set", (c) => (c.patchPolicy.installSchedule = "cron(30 23 * * SAT *)"), "ssm-patching:patchPolicy.installSchedule", /exactly one/],
    ["maxConcurrency 0", (c) => (c.patchPolicy.maxConcurrency = "0"), "ssm-patching:patchPolicy.maxConcurrency"],
    ["maxErrors 150%", (c) => (c.patchPolicy.maxErrors = "150%"), "ssm-patching:patchPolicy.maxErrors"],
    ["a policy name with spaces", (c) => (c.patchPolicy.name = "patch policy"), "ssm-patching:patchPolicy.name"],
    ["an unknown operation", (c) => (c.patchPolicy.operation = "Install"), "ssm-patching:patchPolicy.operation", /Scan or ScanAndInstall/],
    ["an unknown reboot option", (c) => (c.patchPolicy.rebootOption = "Always"), "ssm-patching:patchPolicy.rebootOption"],
    ["targets with tags and ids", (c) => (c.patchPolicy.targets = { tags: { Environment: "Development" }, instanceIds: ["i-0123456789abcdef0"] }), "ssm-patching:patchPolicy.targets", /exactly one/],
    ["a window cutoff equal to its duration", (c) => (c.maintenanceWindow = { schedule: "cron(0 2 ? * SUN *)", duration: 2, cutoff: 2 }), "ssm-patching:maintenanceWindow.cutoff", /below the duration/],
    ["a window of 30 hours", (c) => (c.maintenanceWindow = { schedule: "cron(0 2 ? * SUN *)", duration: 30 }), "ssm-patching:maintenanceWindow.duration"],
    ["a five-field window cron", (c) => (c.maintenanceWindow = { schedule: "cron(0 2 ? * SUN)" }), "ssm-patching:maintenanceWindow.schedule", /6 fields/],
    ["a window task with a negative priority", (c) => (c.maintenanceWindow = { schedule: "cron(0 2 ? * SUN *)", install: { priority: -1 } }), "ssm-patching:maintenanceWindow.install.priority"],
    ["a window over all managed nodes", (c) => (c.maintenanceWindow = { schedule: "cron(0 2 ? * SUN *)", targets: { allManagedNodes: true } }), "ssm-patching:maintenanceWindow.targets.allManagedNodes"],
    ["a demo fleet of 50", (c) => (c.demoFleet.instanceCount = 50), "ssm-patching:demoFleet.instanceCount", /0 to 10/],
    ["a bad patch group name", (c) => (c.baselines[0].patchGroups = ["web#1"]), "ssm-patching:baselines[0].patchGroups[0]"],
    ["tags that set the environment tag", (c) => (c.tags = { Environment: "Dev" }), "ssm-patching:tags.Environment", /cannot set the Environment tag.*ssm-patching:environment/],
    ["tags that set the environment tag in lower case", (c) => (c.tags = { Team: "web", environment: "Dev" }), "ssm-patching:tags.environment", /cannot set the Environment tag/],
    ["a window that sets the environment tag", (c) => (c.maintenanceWindow = { schedule: "cron(0 2 ? * SUN *)", tags: { Environment: "Dev" } }), "ssm-patching:maintenanceWindow.tags.Environment"],
    ["an unknown Region", (c) => (c.regions = ["us-eats-1"]), "ssm-patching:regions[0]", /installed AWS SDK/],
    ["maxConcurrency over the API's 7 characters", (c) => (c.patchPolicy.maxConcurrency = "12345678"), "ssm-patching:patchPolicy.maxConcurrency", /7 characters/],
    ["a window with no schedule", (c) => (c.maintenanceWindow = {}), "ssm-patching:maintenanceWindow.schedule", /is required/],
    ["a string where a list belongs", (c) => (c.patchPolicy.instanceRoleNames = "web"), "ssm-patching:patchPolicy.instanceRoleNames", /list of IAM role names/],
    ["an instance role that is an ARN", (c) => (c.patchPolicy.instanceRoleNames = ["arn:aws:iam::123456789012:role/web"]), "ssm-patching:patchPolicy.instanceRoleNames"],
];

describe("invalid stack config", () => {
    it("the dev config itself is valid (the fixture every case changes)", () => {
        assert.doesNotThrow(() => parseStackConfig(dev()));
    });

    for (const [what, change, key, reason] of cases) {
        it(`refuses ${what}, naming ${key}`, () => {
            const c = dev();
            change(c);
            assert.throws(() => parseStackConfig(c), (err: Error) => {
                assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${err.stack}`);
                assert.equal(err.path, key);
                assert.ok(err.message.startsWith(`${key}: `));
                if (reason) assert.match(err.reason, reason);
                return true;
            });
        });
    }

    it("registers no resource when the config is invalid", async () => {
        const config = { ...DEV, "ssm-patching:patchPolicy": JSON.stringify({ maxErrors: "150%" }) };
        await assert.rejects(planProgram({ stack: "dev", config }), ValidationError);
    });
});

describe("stack config files", () => {
    const temp = useTempDir("config-");

    it("pass structured values to the program as JSON, as the engine does", () => {
        assert.equal(typeof DEV["ssm-patching:patchPolicy"], "string");
        assert.equal(JSON.parse(DEV["ssm-patching:patchPolicy"]).maxConcurrency, "50%");
    });

    it("refuse a key without a namespace", () => {
        const file = temp("Pulumi.x.yaml");
        fs.writeFileSync(file, "config:\n  environment: Development\n");
        assert.throws(() => loadStackConfigFile(file), /must be namespaced, like ssm-patching:environment/);
    });
});

import "./helpers";
import * as assert from "node:assert/strict";
import {
    DescribeInstanceInformationCommand,
    DescribeInstancePatchStatesCommand,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    SendCommandCommand,
    SSMClient,
    type CommandInvocationStatus,
} from "@aws-sdk/client-ssm";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { main } from "../../patchctl/main";
import { runReport } from "../../patchctl/output/runReport";
import type { RunResult } from "../../patchctl/ssm/runCommand";
import { argv, harness, useStrictSsmMock } from "./helpers";

// Created in before() and restored in after(), so other test files get the real client.
let ssmMock: AwsClientStub<SSMClient>;
const id = (n: number): string => `i-${n.toString(16).padStart(17, "0")}`;

function fleet(count: number): void {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: Array.from({ length: count }, (_, i) => ({ InstanceId: id(i) })) });
}

function commandEnding(statuses: CommandInvocationStatus[]): void {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b", Status: "Pending", TargetCount: statuses.length } });
    const failed = statuses.filter((s) => s !== "Success").length;
    ssmMock.on(ListCommandsCommand).resolves({
        Commands: [
            {
                CommandId: "0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b",
                Status: failed ? "Failed" : "Success",
                TargetCount: statuses.length,
                CompletedCount: statuses.length,
                ErrorCount: failed,
                Parameters: { Operation: ["Install"] },
            },
        ],
    });
    ssmMock.on(ListCommandInvocationsCommand).resolves({
        CommandInvocations: statuses.map((status, i) => ({
            CommandId: "0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b",
            InstanceId: id(i),
            Status: status,
            CommandPlugins: [{ Name: "PatchLinux", Status: status === "Success" ? ("Success" as const) : ("Failed" as const), Output: status === "Success" ? "Install finished" : "Error: dependency resolution failed" }],
        })),
    });
    // Only the nodes whose install succeeded reported a patch state.
    ssmMock.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds: string[] }) => ({
        InstancePatchStates: input.InstanceIds.filter((i) => statuses[parseInt(i.slice(2), 16)] === "Success").map((i) => ({
            InstanceId: i,
            PatchGroup: "",
            BaselineId: "pb-0123456789abcdef0",
            OperationStartTime: new Date(0),
            OperationEndTime: new Date(Date.UTC(2025, 0, 6, 1, 2)),
            Operation: "Install",
            InstalledCount: 415,
            MissingCount: 0,
            FailedCount: 0,
            InstalledPendingRebootCount: 0,
        })),
    }));
}

describe("patchctl main (in process, aws-sdk-client-mock)", () => {
    useStrictSsmMock((stub) => (ssmMock = stub));

    it("refuses to install without a terminal and without --yes, before any API call", async () => {
        const h = harness({ interactive: false });
        const code = await main(argv("install", "--env", "Development", "--region", "us-east-1"), h.deps);
        assert.equal(code, 2);
        assert.deepEqual(h.stderr.lines(), ["patchctl: install needs confirmation but stdin is not a terminal: pass --yes to install without asking"]);
        assert.equal(ssmMock.calls().length, 0);
        assert.equal(h.stdout.text, "");
    });

    it("asks before installing, naming the node count and the environment, and sends nothing on 'no'", async () => {
        fleet(3);
        const h = harness({ interactive: true, answer: false });
        const code = await main(argv("install", "--env", "Development", "--region", "us-east-1"), h.deps);
        assert.equal(code, 1);
        assert.deepEqual(h.questions, ["Install patches on 3 managed nodes (environment Development) in us-east-1, 1 at a time, rebooting them if needed?"]);
        assert.equal(ssmMock.commandCalls(SendCommandCommand).length, 0);
        assert.match(h.stderr.text, /cancelled; nothing was sent/);
    });

    it("installs after 'yes' with concurrency 1, error threshold 1 and RebootIfNeeded", async () => {
        fleet(2);
        commandEnding(["Success", "Success"]);
        const h = harness({ interactive: true, answer: true });
        const code = await main(argv("install", "--env", "Development", "--region", "us-east-1", "--interval", "1ms"), h.deps);
        assert.equal(code, 0, h.stderr.text);
        const input = ssmMock.commandCalls(SendCommandCommand)[0].args[0].input;
        assert.equal(input.MaxConcurrency, "1");
        assert.equal(input.MaxErrors, "1");
        assert.deepEqual(input.Parameters, { Operation: ["Install"], RebootOption: ["RebootIfNeeded"] });
        assert.deepEqual(input.Targets, [{ Key: "tag:Environment", Values: ["Development"] }]);
        assert.equal(h.questions.length, 1);
    });

    it("says --reboot never in the question and sends NoReboot", async () => {
        fleet(1);
        commandEnding(["Success"]);
        const h = harness({ interactive: true, answer: true });
        await main(argv("install", "--env", "Development", "--region", "us-east-1", "--reboot", "never", "--interval", "1ms"), h.deps);
        assert.match(h.questions[0], /1 managed node \(environment Development\).*without rebooting/);
        assert.deepEqual(ssmMock.commandCalls(SendCommandCommand)[0].args[0].input.Parameters?.RebootOption, ["NoReboot"]);
    });

    it("exits 1 when an invocation failed, and prints the failed node", async () => {
        commandEnding(["Success", "Failed"]);
        const h = harness();
        const code = await main(argv("install", "--env", "Development", "--region", "us-east-1", "--yes", "--interval", "1ms"), h.deps);
        assert.equal(code, 1);
        assert.match(h.stdout.text, new RegExp(`${id(1)}\\s+-\\s+Failed\\s+-\\s+-\\s+-\\s+-\\s+-\\s+Error: dependency resolution failed\\n`));
        assert.match(h.stdout.text, /^INSTANCE\s+NAME\s+STATUS\s+INSTALLED\s+MISSING\s+FAILED\s+PENDING-REBOOT\s+LAST-OP-TIME\s+DETAIL\n/);
        assert.match(h.stdout.text, new RegExp(`${id(0)}\\s+-\\s+Success\\s+415\\s+0\\s+0\\s+0\\s+2025-01-06 01:02Z\\s+Install finished\\n`));
        assert.match(h.stdout.text, /\n1 node reported no patch state after the command was sent: its counts are empty \(last known state: patchctl compliance\)\.\n/);
        assert.equal(ssmMock.commandCalls(DescribeInstanceInformationCommand).length, 0, "--yes skips counting nodes");
        assert.deepEqual(ssmMock.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input.InstanceIds), [[id(0), id(1)]]);
    });

    it("prints the counts of the patch states in --json and --csv, null without a patch state", async () => {
        commandEnding(["Success", "Failed"]);
        const json = harness();
        assert.equal(await main(argv("install", "--env", "Development", "--region", "us-east-1", "--yes", "--interval", "1ms", "--json"), json.deps), 1);
        const report = JSON.parse(json.stdout.text) as { invocations: Array<Record<string, unknown>>; summary: Record<string, unknown>; results: Array<Record<string, unknown>> };
        assert.deepEqual(Object.keys(report.invocations[0]), [
            "account",
            "region",
            "commandId",
            "instanceId",
            "instanceName",
            "status",
            "statusDetails",
            "installed",
            "installedOther",
            "missing",
            "failed",
            "installedPendingReboot",
            "installedRejected",
            "notApplicable",
            "operation",
            "operationEndTime",
            "detail",
            "plugin",
            "responseCode",
        ]);
        assert.deepEqual(
            report.invocations.map((i) => [i.instanceId, i.status, i.installed, i.missing, i.failed, i.installedPendingReboot, i.operationEndTime, i.detail]),
            [
                [id(0), "Success", 415, 0, 0, 0, "2025-01-06T01:02:00.000Z", "Install finished"],
                [id(1), "Failed", null, null, null, null, null, "Error: dependency resolution failed"],
            ],
        );
        assert.deepEqual(report.summary, { invocations: 2, byStatus: { Failed: 1, Success: 1 }, withoutPatchState: 1, failedScopes: 0 });
        assert.equal(report.results[0].patchStatesError, null);

        const csv = harness();
        await main(argv("install", "--env", "Development", "--region", "us-east-1", "--yes", "--interval", "1ms", "--csv"), csv.deps);
        assert.deepEqual(csv.stdout.text.split("\r\n").slice(0, 2), [
            "account,region,commandId,instanceId,instanceName,status,statusDetails,installed,installedOther,missing,failed,installedPendingReboot,installedRejected,notApplicable,operation,operationEndTime,detail,error",
            `,us-east-1,0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b,${id(0)},,Success,,415,,0,0,0,,,Install,2025-01-06T01:02:00.000Z,Install finished,`,
        ]);
    });

    it("still reports the invocations when the patch states cannot be read, says why on stderr and exits 1", async () => {
        commandEnding(["Success"]);
        ssmMock.on(DescribeInstancePatchStatesCommand).rejects(Object.assign(new Error("User is not authorized to perform: ssm:DescribeInstancePatchStates"), { name: "AccessDeniedException" }));
        const h = harness();
        const code = await main(argv("install", "--env", "Development", "--region", "us-east-1", "--yes", "--interval", "1ms"), h.deps);
        assert.equal(code, 1);
        assert.match(h.stdout.text, new RegExp(`${id(0)}\\s+-\\s+Success\\s+-\\s+-\\s+-\\s+-\\s+-\\s+Install finished`));
        assert.doesNotMatch(h.stdout.text, /reported no patch state/);
        assert.deepEqual(h.stderr.lines(), [
            "patchctl: sent command 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b to its targets",
            "patchctl: could not read the nodes' patch states, so the report has no patch counts: AccessDeniedException: User is not authorized to perform: ssm:DescribeInstancePatchStates (DescribeInstancePatchStates)",
        ]);
    });

    it("exits 1 on a --fail-on hit and names the failing nodes on stderr, 0 without the gate", async () => {
        fleet(2);
        ssmMock.on(DescribeInstancePatchStatesCommand).resolves({
            InstancePatchStates: [
                { InstanceId: id(0), PatchGroup: "", BaselineId: "pb-0123456789abcdef0", OperationStartTime: new Date(0), OperationEndTime: new Date(0), Operation: "Scan", MissingCount: 2, SecurityNonCompliantCount: 2 },
                { InstanceId: id(1), PatchGroup: "", BaselineId: "pb-0123456789abcdef0", OperationStartTime: new Date(0), OperationEndTime: new Date(0), Operation: "Scan" },
            ],
        });
        const gated = harness();
        assert.equal(await main(argv("compliance", "--env", "Development", "--region", "us-east-1", "--fail-on", "security"), gated.deps), 1);
        assert.deepEqual(gated.stderr.lines(), [
            `patchctl: --fail-on security: 1 of 2 nodes fail: ${id(0)}`,
            `patchctl: missing patches of one node: patchctl compliance --instance ${id(0)} --missing --region us-east-1`,
        ]);
        const critical = harness();
        assert.equal(await main(argv("compliance", "--env", "Development", "--region", "us-east-1", "--fail-on", "critical"), critical.deps), 0);
        const plain = harness();
        assert.equal(await main(argv("compliance", "--env", "Development", "--region", "us-east-1", "--json"), plain.deps), 0);
        const json = JSON.parse(plain.stdout.text) as { nodes: Array<{ status: string }>; summary: { nonCompliant: number } };
        assert.deepEqual(json.nodes.map((n) => n.status), ["NON_COMPLIANT", "COMPLIANT"]);
        assert.equal(json.summary.nonCompliant, 1);
    });

    it("reports on a tag key SSM cannot target but EC2 allows (+), which scan and install refuse", async () => {
        // EC2 tag keys may hold + - = . _ : / @ (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html);
        // SendCommand's target keys may not hold +, DescribeInstanceInformation's tag filters may.
        fleet(1);
        ssmMock.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [] });
        const h = harness();
        assert.equal(await main(argv("compliance", "--tag", "Cost+Center=web", "--region", "us-east-1", "--json"), h.deps), 0, h.stderr.text);
        assert.deepEqual(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0].args[0].input.Filters, [{ Key: "tag:Cost+Center", Values: ["web"] }]);
        const scan = harness();
        assert.equal(await main(argv("scan", "--tag", "Cost+Center=web", "--region", "us-east-1"), scan.deps), 2);
        assert.match(scan.stderr.text, /^patchctl: --tag 'Cost\+Center=web': the tag key may hold only letters, digits, spaces and _.:\/=-@ \(SSM's target key pattern\)/);
        const install = harness();
        assert.equal(await main(argv("install", "--tag", "Cost+Center=web", "--region", "us-east-1", "--yes"), install.deps), 2);
        assert.match(install.stderr.text, /^patchctl: --tag 'Cost\+Center=web': the tag key may hold only/);
        assert.equal(ssmMock.commandCalls(SendCommandCommand).length, 0);
    });

    const usage: Array<[string, string[], RegExp]> = [
        ["--json with --csv", ["compliance", "--env", "D", "--json", "--csv"], /--json and --csv cannot be used together/],
        ["an unknown option", ["scan", "--env", "D", "--frobnicate"], /unknown option '--frobnicate'/],
        ["an unknown command", ["patch"], /unknown command 'patch'/],
        ["a bad --fail-on level", ["compliance", "--env", "D", "--fail-on", "high"], /argument 'high' is invalid/],
        ["--missing without --instance", ["compliance", "--missing"], /--missing needs --instance/],
        ["a bad Region", ["scan", "--env", "D", "--region", "Virginia"], /^patchctl: --region 'Virginia': must be an AWS Region such as us-east-1 or eu-west-1\n$/],
        ["a Region the installed SDK does not know", ["scan", "--env", "D", "--region", "us-mars-1"], /^patchctl: --region 'us-mars-1': is not a Region the installed AWS SDK knows \(an AWS Region such as us-east-1 or eu-west-1\)\n$/],
        ["a --role-arn that is not a role", ["scan", "--env", "D", "--role-arn", "arn:aws:iam::123456789012:user/bob"], /^patchctl: --role-arn 'arn:aws:iam::123456789012:user\/bob': must be an IAM role ARN like arn:aws:iam::123456789012:role\/Name\n$/],
        ["an --external-id AWS refuses", ["scan", "--env", "D", "--role-arn", "arn:aws:iam::123456789012:role/P", "--external-id", "a b"], /^patchctl: --external-id 'a b': must be 2-1224 characters/],
        ["--external-id without --role-arn", ["scan", "--env", "D", "--external-id", "x"], /--external-id needs --role-arn/],
        ["a bad --timeout", ["scan", "--env", "D", "--region", "us-east-1", "--timeout", "soon"], /--timeout 'soon'/],
        ["a bad --concurrency", ["scan", "--env", "D", "--region", "us-east-1", "--concurrency", "0"], /^patchctl: --concurrency '0': must be a count from 1 or a percentage from 1% to 100%/],
        ["a --concurrency longer than the API's 7 characters", ["scan", "--env", "D", "--region", "us-east-1", "--concurrency", "12345678"], /^patchctl: --concurrency '12345678': must be a count from 1 or a percentage from 1% to 100%, at most 7 characters \(for example "1" or "50%"\)\n$/],
        ["a bad --max-errors", ["install", "--env", "D", "--region", "us-east-1", "--max-errors", "101%", "--yes"], /^patchctl: --max-errors '101%': must be a count from 0 or a percentage from 0% to 100%/],
        ["a tag key SSM cannot target", ["scan", "--tag", "Team+Ops=1", "--region", "us-east-1"], /^patchctl: --tag 'Team\+Ops=1': the tag key may hold only letters, digits, spaces and _.:\/=-@/],
        ["an instance id that is not hexadecimal", ["compliance", "--instance-ids", "i-0123456789ABCDEFG", "--region", "us-east-1"], /--instance-ids: 'i-0123456789ABCDEFG' is not a managed node id/],
        ["an install policy run without a terminal", ["policy", "run", "p", "--operation", "install", "--region", "us-east-1"], /pass --yes/],
        ["a malformed command id", ["watch", "not-an-id", "--region", "us-east-1"], /is not a command id/],
        ["a missing accounts file", ["scan", "--env", "D", "--accounts", "/nonexistent/accounts.yaml"], /cannot read the accounts file/],
    ];
    for (const [name, args, message] of usage) {
        it(`exits 2 with one line on stderr for ${name}`, async () => {
            const h = harness();
            const code = await main(argv(...args), h.deps);
            assert.equal(code, 2);
            assert.equal(h.stderr.lines().length, 1, h.stderr.text);
            assert.match(h.stderr.text, message);
            assert.ok(h.stderr.text.startsWith("patchctl: "));
            assert.equal(ssmMock.calls().length, 0);
        });
    }

    it("prints help with exit 0", async () => {
        const h = harness();
        assert.equal(await main(argv("compliance", "--help"), h.deps), 0);
        assert.match(h.stdout.text, /--fail-on <level>/);
        assert.match(h.stdout.text, /Exit codes:/);
    });
});

describe("patchctl exit codes of a run report", () => {
    const scope = { region: "us-east-1" };
    const hint = (args: string[], scope: { region: string }) => ["patchctl", ...args, "--region", scope.region].join(" ");
    const result = (state: RunResult["state"], statuses: string[], commandStatus = "Success"): RunResult => ({
        state,
        commands: [{ commandId: "c-1", status: commandStatus, targetCount: statuses.length, completedCount: statuses.length, errorCount: 0, deliveryTimedOutCount: 0 }],
        invocations: statuses.map((status, i) => ({ commandId: "c-1", instanceId: id(i), status, detail: "" })),
    });
    const cases: Array<[string, Parameters<typeof runReport>[1], number]> = [
        ["every invocation succeeded", [{ scope, value: result("done", ["Success", "Success"]) }], 0],
        ["an invocation failed", [{ scope, value: result("done", ["Success", "Failed"]) }], 1],
        ["an invocation timed out", [{ scope, value: result("done", ["TimedOut"]) }], 1],
        ["the command was cancelled before reaching nodes", [{ scope, value: result("done", [], "Cancelled") }], 1],
        ["waiting timed out", [{ scope, value: result("timeout", ["Success"]) }], 1],
        ["the patch states could not be read", [{ scope, value: { ...result("done", ["Success"]), patchStatesError: new Error("denied") } }], 1],
        ["waiting was interrupted", [{ scope, value: result("interrupted", []) }], 130],
        ["the command was only sent", [{ scope, value: result("sent", []) }], 0],
        ["one account failed and another succeeded", [{ scope, value: result("done", ["Success"]) }, { scope: { region: "eu-west-1", accountId: "222222222222" }, error: new Error("denied") }], 1],
    ];
    for (const [name, outcomes, code] of cases) {
        it(`exits ${code} when ${name}`, () => {
            assert.equal(runReport("scan", outcomes, { multi: true, hint }).exitCode, code);
        });
    }

    it("prints how to resume watching after an interrupt", () => {
        const out = runReport("scan", [{ scope, value: result("interrupted", []) }], { multi: false, hint });
        assert.deepEqual(out.messages, [
            "patchctl: stopped waiting; the command keeps running on AWS: c-1",
            "patchctl: resume with: patchctl watch c-1 --region us-east-1",
            "patchctl: cancel with: patchctl cancel c-1 --region us-east-1",
        ]);
    });
});

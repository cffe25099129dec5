import { useStrictSsmMock } from "./helpers";
import * as assert from "node:assert/strict";
import {
    DescribeAssociationExecutionTargetsCommand,
    DescribeAssociationExecutionsCommand,
    DescribeInstanceInformationCommand,
    DescribeInstancePatchStatesCommand,
    DescribeInstancePatchesCommand,
    ListAssociationsCommand,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    SendCommandCommand,
    SSMClient,
    StartAssociationsOnceCommand,
    type CommandStatus,
    type InstancePatchState,
} from "@aws-sdk/client-ssm";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { matchPolicyAssociation } from "../../patchctl/ssm/policies";
import { complianceStatus, createCompliance, failsGate, type FailOn, type NodeCompliance } from "../../patchctl/commands/compliance";
import { createInstall } from "../../patchctl/commands/install";
import { createPolicyHistory } from "../../patchctl/commands/policy/history";
import { createPolicyRun } from "../../patchctl/commands/policy/run";
import { createScan } from "../../patchctl/commands/scan";
import { createWatch } from "../../patchctl/commands/watch";
import { ConfigError } from "../../patchctl/output/errors";
import { Pacer } from "../../patchctl/aws/pacing";
import { waitForCommands } from "../../patchctl/ssm/runCommand";
import { runInScopes } from "../../patchctl/aws/scopes";
import { parseTargets } from "../../patchctl/ssm/targets";
import type { WaitSettings } from "../../patchctl/aws/wait";

// Created in before() and restored in after(), so other test files get the real client.
let ssmMock: AwsClientStub<SSMClient>;
const client = (): SSMClient => new SSMClient({ region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
/** A request input without NextToken (the SDK paginator reuses and mutates one input object). */
const firstPage = <T extends { NextToken?: string }>(input: T): Omit<T, "NextToken"> => {
    const { NextToken: _token, ...rest } = input;
    return rest;
};
const id = (n: number): string => `i-${n.toString(16).padStart(17, "0")}`;
const fastWait: WaitSettings = { intervalMs: 1, timeoutMs: 5_000 };

function state(instanceId: string, overrides: Partial<InstancePatchState> = {}): InstancePatchState {
    return {
        InstanceId: instanceId,
        PatchGroup: "",
        BaselineId: "pb-0123456789abcdef0",
        OperationStartTime: new Date(0),
        OperationEndTime: new Date(1000),
        Operation: "Scan",
        InstalledCount: 10,
        MissingCount: 0,
        FailedCount: 0,
        ...overrides,
    };
}

describe("patchctl commands (aws-sdk-client-mock)", () => {
    useStrictSsmMock((stub) => (ssmMock = stub));

    describe("compliance", () => {
        it("pages DescribeInstanceInformation by 50 and reads patch states 50 ids a call", async () => {
            const nodes = Array.from({ length: 70 }, (_, i) => ({ InstanceId: id(i), ComputerName: `host-${i}`, PlatformName: "Amazon Linux", PlatformVersion: "2" }));
            ssmMock
                .on(DescribeInstanceInformationCommand)
                .callsFake((input) => (input.NextToken ? { InstanceInformationList: nodes.slice(50) } : { InstanceInformationList: nodes.slice(0, 50), NextToken: "p2" }));
            ssmMock.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds: string[] }) => ({
                // every node but the last has a patch state; node 0 misses a critical patch
                InstancePatchStates: input.InstanceIds.filter((i) => i !== id(69)).map((i) =>
                    state(i, i === id(0) ? { MissingCount: 1, CriticalNonCompliantCount: 1 } : {}),
                ),
            }));

            const result = await createCompliance({ ssm: client() }).nodes(parseTargets({ env: "Development" }));

            const dii = ssmMock.commandCalls(DescribeInstanceInformationCommand);
            assert.equal(dii.length, 2);
            assert.deepEqual(firstPage(dii[0].args[0].input), { Filters: [{ Key: "tag:Environment", Values: ["Development"] }], MaxResults: 50 });
            const dips = ssmMock.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input);
            assert.deepEqual(dips.map((input) => input.InstanceIds?.length).sort(), [20, 50]);
            assert.ok(dips.every((input) => input.MaxResults === 50));
            assert.equal(result.length, 70);
            assert.deepEqual(result.map((n) => n.instanceId), nodes.map((n) => n.InstanceId));
            assert.equal(result[0].status, "NON_COMPLIANT");
            assert.equal(result[0].name, "host-0");
            assert.equal(result[0].platform, "Amazon Linux 2");
            assert.equal(result[1].status, "COMPLIANT");
            assert.equal(result[69].status, "NO_DATA");
        });

        it("reads 120 listed ids in 3 patch-state calls of at most 50 and no instance listing", async () => {
            ssmMock.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds: string[] }) => ({ InstancePatchStates: input.InstanceIds.map((i) => state(i)) }));
            const ids = Array.from({ length: 120 }, (_, i) => id(i));
            const result = await createCompliance({ ssm: client() }).nodes(parseTargets({ instanceIds: ids }));
            const sizes = ssmMock.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input.InstanceIds?.length);
            assert.deepEqual(sizes.sort((a, b) => (a ?? 0) - (b ?? 0)), [20, 50, 50]);
            assert.equal(ssmMock.commandCalls(DescribeInstanceInformationCommand).length, 0);
            assert.equal(result.filter((n) => n.status === "COMPLIANT").length, 120);
        });

        it("lists one node's missing patches with State=Missing across pages", async () => {
            ssmMock.on(DescribeInstancePatchesCommand).callsFake((input) =>
                input.NextToken
                    ? { Patches: [{ Title: "tzdata", KBId: "tzdata.noarch", Classification: "Bugfix", Severity: "None", State: "Missing", InstalledTime: new Date(0) }] }
                    : {
                          Patches: [{ Title: "kernel", KBId: "kernel.x86_64", Classification: "Security", Severity: "Critical", State: "Missing", InstalledTime: new Date(0), CVEIds: "CVE-2024-1,CVE-2024-2" }],
                          NextToken: "n",
                      },
            );
            const patches = await createCompliance({ ssm: client() }).missing(id(1));
            const calls = ssmMock.commandCalls(DescribeInstancePatchesCommand);
            assert.equal(calls.length, 2);
            assert.deepEqual(calls[0].args[0].input.Filters, [{ Key: "State", Values: ["Missing"] }]);
            assert.deepEqual(patches.map((p) => [p.title, p.cves]), [
                ["kernel", ["CVE-2024-1", "CVE-2024-2"]],
                ["tzdata", []],
            ]);
        });

        const statuses: Array<[string, InstancePatchState | undefined, string]> = [
            ["never scanned", undefined, "NO_DATA"],
            ["nothing missing", state("i-1"), "COMPLIANT"],
            ["a missing patch", state("i-1", { MissingCount: 1 }), "NON_COMPLIANT"],
            ["a failed patch", state("i-1", { FailedCount: 1 }), "NON_COMPLIANT"],
            ["a patch waiting for a reboot", state("i-1", { InstalledPendingRebootCount: 1 }), "NON_COMPLIANT"],
            ["an installed rejected patch", state("i-1", { InstalledRejectedCount: 1 }), "NON_COMPLIANT"],
            ["only a security non-compliant count", state("i-1", { SecurityNonCompliantCount: 2 }), "NON_COMPLIANT"],
        ];
        for (const [name, s, expected] of statuses) {
            it(`reports a node with ${name} as ${expected}`, () => assert.equal(complianceStatus(s), expected));
        }

        const node = (overrides: Partial<InstancePatchState> | undefined): NodeCompliance => {
            const s = overrides === undefined ? undefined : state("i-1", overrides);
            return { instanceId: "i-1", state: s, status: complianceStatus(s) };
        };
        const gates: Array<[string, NodeCompliance, Record<FailOn, boolean>]> = [
            ["a compliant node", node({}), { critical: false, security: false, any: false }],
            ["a node with critical patches missing", node({ MissingCount: 1, CriticalNonCompliantCount: 1 }), { critical: true, security: true, any: true }],
            ["a node with security patches missing", node({ MissingCount: 1, SecurityNonCompliantCount: 1 }), { critical: false, security: true, any: true }],
            ["a node with other patches missing", node({ MissingCount: 1, OtherNonCompliantCount: 1 }), { critical: false, security: false, any: true }],
            ["a node never scanned", node(undefined), { critical: false, security: false, any: true }],
        ];
        for (const [name, n, expected] of gates) {
            it(`applies --fail-on to ${name}`, () => {
                for (const level of ["critical", "security", "any"] as FailOn[]) {
                    assert.equal(failsGate(n, level), expected[level], level);
                }
            });
        }
    });

    describe("scan, install and watch", () => {
        const commandWith = (status: CommandStatus, extra: Record<string, unknown> = {}) => ({
            Commands: [{ CommandId: "c-1", Status: status, TargetCount: 60, CompletedCount: status === "Success" ? 60 : 10, ErrorCount: 0, Parameters: { Operation: ["Scan"] }, ...extra }],
        });

        it("scans by tag target, polls until the command ends, then reads invocations with Details 50 a page", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "c-1", Status: "Pending", TargetCount: 60, Parameters: { Operation: ["Scan"] } } });
            ssmMock.on(ListCommandsCommand).resolvesOnce(commandWith("InProgress")).resolves(commandWith("Success"));
            const invocation = (i: number) => ({
                CommandId: "c-1",
                InstanceId: id(i),
                Status: i === 7 ? "Failed" : "Success",
                CommandPlugins: [{ Name: "PatchLinux", Status: "Success", Output: i === 7 ? "Error: no space left" : "Missing: 2\nInstalled: 5" }],
            });
            ssmMock
                .on(ListCommandInvocationsCommand)
                .callsFake((input) =>
                    input.NextToken
                        ? { CommandInvocations: Array.from({ length: 10 }, (_, i) => invocation(50 + i)) }
                        : { CommandInvocations: Array.from({ length: 50 }, (_, i) => invocation(i)), NextToken: "n" },
                );
            ssmMock.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [] });

            const result = await createScan({ ssm: client() })({ targets: parseTargets({ env: "Development" }), maxConcurrency: "50", maxErrors: "0", wait: true }, fastWait);

            const send = ssmMock.commandCalls(SendCommandCommand);
            assert.equal(send.length, 1);
            const sent = send[0].args[0].input;
            // The comment carries a unique marker, so a command whose answer was lost can be found again.
            assert.match(sent.Comment ?? "", /^patchctl scan pc-[0-9a-f]{12}$/);
            assert.deepEqual(sent, {
                DocumentName: "AWS-RunPatchBaseline",
                Parameters: { Operation: ["Scan"] },
                MaxConcurrency: "50",
                MaxErrors: "0",
                Comment: sent.Comment,
                Targets: [{ Key: "tag:Environment", Values: ["Development"] }],
            });
            assert.equal(ssmMock.commandCalls(ListCommandsCommand).length, 2);
            const lci = ssmMock.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input);
            assert.deepEqual(firstPage(lci[0]), { CommandId: "c-1", Details: true, MaxResults: 50 });
            assert.equal(lci.length, 2);
            assert.equal(result.state, "done");
            assert.equal(result.invocations.length, 60);
            const failed = result.invocations.find((inv) => inv.instanceId === id(7));
            assert.equal(failed?.status, "Failed");
            assert.equal(failed?.detail, "Error: no space left");
        });

        it("takes the patch counts from DescribeInstancePatchStates (50 ids a call), never from the plugin output", async () => {
            const requested = new Date(Date.UTC(2025, 0, 6, 1, 0, 0));
            const reported = new Date(requested.getTime() + 90_000);
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "c-1", Status: "Pending", TargetCount: 60, Parameters: { Operation: ["Scan"] } } });
            ssmMock.on(ListCommandsCommand).resolves(commandWith("Failed", { RequestedDateTime: requested, ErrorCount: 1 }));
            const output = (i: number): string =>
                i === 7
                    ? "Running the patch operation\n----------ERROR-------\nError: no space left on device\nTraceback (most recent call last):"
                    : i === 8
                      ? // Count lines the report must not trust.
                        "Installed: 999\nMissing: 42\nFailed: 7"
                      : "Downloading the patch baseline\nScanning installed packages";
            ssmMock.on(ListCommandInvocationsCommand).callsFake((input) => {
                const page = (from: number, n: number) =>
                    Array.from({ length: n }, (_, k) => ({
                        CommandId: "c-1",
                        InstanceId: id(from + k),
                        RequestedDateTime: requested,
                        Status: from + k === 7 ? "Failed" : "Success",
                        CommandPlugins: [{ Name: "PatchLinux", Status: from + k === 7 ? ("Failed" as const) : ("Success" as const), Output: output(from + k) }],
                    }));
                return input.NextToken ? { CommandInvocations: page(50, 10) } : { CommandInvocations: page(0, 50), NextToken: "n" };
            });
            ssmMock.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds: string[] }) => ({
                InstancePatchStates: input.InstanceIds.filter((i) => i !== id(7)).map((i) =>
                    i === id(9)
                        ? // Reported long before this command: not this run's result.
                          state(i, { OperationEndTime: new Date(requested.getTime() - 86_400_000), MissingCount: 5 })
                        : state(i, { OperationEndTime: reported, InstalledCount: 400, MissingCount: i === id(8) ? 3 : 0, InstalledPendingRebootCount: 1 }),
                ),
            }));

            const result = await createScan({ ssm: client() })({ targets: parseTargets({ env: "Development" }), maxConcurrency: "50", maxErrors: "0", wait: true }, fastWait);

            const dips = ssmMock.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input);
            assert.deepEqual(dips.map((input) => input.InstanceIds?.length), [50, 10], "ceil(60/50) calls");
            assert.deepEqual(dips.flatMap((input) => input.InstanceIds ?? []).sort(), Array.from({ length: 60 }, (_, i) => id(i)));
            assert.ok(dips.every((input) => input.MaxResults === 50));
            const byId = new Map(result.invocations.map((inv) => [inv.instanceId, inv]));
            const counts = (i: number) => {
                const s = byId.get(id(i))?.patchState;
                return s ? [s.InstalledCount, s.MissingCount, s.FailedCount, s.InstalledPendingRebootCount] : undefined;
            };
            assert.deepEqual(counts(0), [400, 0, 0, 1], "no count lines in the output, counts all the same");
            assert.deepEqual(counts(8), [400, 3, 0, 1], "the state's counts, not the output's 'Installed: 999'");
            assert.equal(byId.get(id(8))?.patchState?.OperationEndTime?.getTime(), reported.getTime());
            assert.equal(counts(7), undefined, "the failed node reported no patch state");
            assert.equal(counts(9), undefined, "a state older than the command is not this run's");
            assert.equal(byId.get(id(7))?.detail, "Error: no space left on device");
            assert.equal(byId.get(id(0))?.detail, "Scanning installed packages");
            assert.equal(result.patchStatesError, undefined);
        });

        it("asks only for the patch states of ended invocations when waiting times out", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "c-1", Status: "Pending", TargetCount: 3, Parameters: { Operation: ["Scan"] } } });
            ssmMock.on(ListCommandsCommand).resolves(commandWith("InProgress"));
            ssmMock.on(ListCommandInvocationsCommand).resolves({
                CommandInvocations: [
                    { CommandId: "c-1", InstanceId: id(0), Status: "Success" },
                    { CommandId: "c-1", InstanceId: id(1), Status: "InProgress" },
                    { CommandId: "c-1", InstanceId: id(2), Status: "Pending" },
                ],
            });
            ssmMock.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds: string[] }) => ({ InstancePatchStates: input.InstanceIds.map((i) => state(i)) }));
            const result = await createScan({ ssm: client() })(
                { targets: parseTargets({ env: "Development" }), maxConcurrency: "50", maxErrors: "0", wait: true },
                { intervalMs: 5, timeoutMs: 30 },
            );
            assert.equal(result.state, "timeout");
            assert.deepEqual(ssmMock.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input.InstanceIds), [[id(0)]]);
            assert.deepEqual(result.invocations.map((inv) => inv.patchState?.InstalledCount), [10, undefined, undefined]);
        });

        it("keeps the invocations, without counts, when the patch states cannot be read", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "c-1", Status: "Pending", TargetCount: 1, Parameters: { Operation: ["Install"] } } });
            ssmMock.on(ListCommandsCommand).resolves(commandWith("Success"));
            ssmMock.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ CommandId: "c-1", InstanceId: id(0), Status: "Success" }] });
            ssmMock.on(DescribeInstancePatchStatesCommand).rejects(Object.assign(new Error("not authorized to perform: ssm:DescribeInstancePatchStates"), { name: "AccessDeniedException" }));
            const result = await createInstall({ ssm: client() }).install(
                { targets: parseTargets({ env: "Development" }), maxConcurrency: "1", maxErrors: "1", rebootOption: "RebootIfNeeded", wait: true },
                fastWait,
            );
            assert.equal(result.state, "done");
            assert.deepEqual(result.invocations.map((inv) => [inv.instanceId, inv.status, inv.patchState]), [[id(0), "Success", undefined]]);
            assert.match(String(result.patchStatesError), /not authorized/);
        });

        it("returns right after SendCommand with --no-wait", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "c-1", Status: "Pending", TargetCount: 3 } });
            const result = await createScan({ ssm: client() })({ targets: parseTargets({ env: "Development" }), maxConcurrency: "50", maxErrors: "0", wait: false }, fastWait);
            assert.equal(result.state, "sent");
            assert.deepEqual(result.commands.map((c) => c.commandId), ["c-1"]);
            assert.equal(ssmMock.commandCalls(ListCommandsCommand).length, 0);
        });

        it("installs 120 listed nodes as 3 commands of at most 50 ids, with NoReboot for --reboot never", async () => {
            let n = 0;
            ssmMock.on(SendCommandCommand).callsFake(() => ({ Command: { CommandId: `c-${++n}`, Status: "Pending" } }));
            const ids = Array.from({ length: 120 }, (_, i) => id(i));
            const result = await createInstall({ ssm: client() }).install(
                { targets: parseTargets({ instanceIds: ids }), maxConcurrency: "1", maxErrors: "1", rebootOption: "NoReboot", wait: false },
                fastWait,
            );
            const inputs = ssmMock.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
            assert.deepEqual(inputs.map((i) => i.InstanceIds?.length), [50, 50, 20]);
            assert.deepEqual(inputs[0].Parameters, { Operation: ["Install"], RebootOption: ["NoReboot"] });
            assert.equal(inputs[0].MaxConcurrency, "1");
            assert.equal(inputs[0].MaxErrors, "1");
            assert.equal(inputs[0].Targets, undefined);
            assert.deepEqual(result.commands.map((c) => c.commandId), ["c-1", "c-2", "c-3"]);
        });

        it("counts the nodes an install would touch from DescribeInstanceInformation pages", async () => {
            ssmMock
                .on(DescribeInstanceInformationCommand)
                .callsFake((input) =>
                    input.NextToken ? { InstanceInformationList: [{ InstanceId: id(51) }] } : { InstanceInformationList: Array.from({ length: 50 }, (_, i) => ({ InstanceId: id(i) })), NextToken: "t" },
                );
            assert.equal(await createInstall({ ssm: client() }).countNodes(parseTargets({ env: "Development" })), 51);
            assert.equal(await createInstall({ ssm: client() }).countNodes(parseTargets({ instanceIds: [id(1), id(2)] })), 2);
            assert.equal(ssmMock.commandCalls(DescribeInstanceInformationCommand).length, 2);
        });

        it("stops waiting at the timeout and reports the commands as still running", async () => {
            ssmMock.on(ListCommandsCommand).resolves(commandWith("InProgress"));
            ssmMock.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [] });
            const result = await waitForCommands(client(), [{ commandId: "c-1", status: "Pending", targetCount: 60, completedCount: 0, errorCount: 0, deliveryTimedOutCount: 0 }], {
                intervalMs: 5,
                timeoutMs: 40,
            });
            assert.equal(result.state, "timeout");
            // Read at least once (the status was Pending before), however slowly the machine runs.
            assert.equal(result.commands[0].status, "InProgress");
        });

        it("stops waiting at once when interrupted, without another call", async () => {
            ssmMock.on(ListCommandsCommand).resolves(commandWith("InProgress"));
            const controller = new AbortController();
            setTimeout(() => controller.abort(), 30);
            // An interval far beyond the test's timeout: returning at all means waiting stopped on the abort.
            const result = await waitForCommands(client(), [{ commandId: "c-1", status: "Pending", targetCount: 60, completedCount: 0, errorCount: 0, deliveryTimedOutCount: 0 }], {
                intervalMs: 3_600_000,
                timeoutMs: 7_200_000,
                signal: controller.signal,
            });
            assert.equal(result.state, "interrupted");
            assert.equal(ssmMock.commandCalls(ListCommandsCommand).length, 0);
        });

        it("watches a finished command without waiting an interval, and reads its nodes' patch states", async () => {
            ssmMock.on(ListCommandsCommand).resolves(commandWith("Success"));
            ssmMock.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ CommandId: "c-1", InstanceId: id(1), Status: "Success" }] });
            ssmMock.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [state(id(1), { MissingCount: 4 })] });
            const result = await createWatch({ ssm: client() })(["c-1"], { intervalMs: 60_000, timeoutMs: 120_000 });
            assert.equal(result.state, "done");
            assert.equal(result.commands[0].operation, "Scan");
            assert.equal(ssmMock.commandCalls(ListCommandsCommand).length, 1);
            assert.deepEqual(ssmMock.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input.InstanceIds), [[id(1)]]);
            assert.equal(result.invocations[0].patchState?.MissingCount, 4);
        });
    });

    describe("patch policies", () => {
        const names: Array<[string, string, string | undefined]> = [
            ["PatchPolicy-ScanForPatches-patch-policy-workshop", "patch-policy-workshop", "project/Scan"],
            ["PatchPolicy-InstallPatches-patch-policy-workshop", "patch-policy-workshop", "project/Install"],
            ["PatchPolicy-ScanForPatches-patch-policy-workshop-2", "patch-policy-workshop", undefined],
            ["AWS-QuickSetup-PatchPolicy-ScanForPatches-LA-k8dyx", "k8dyx", "quick-setup/Scan"],
            ["AWS-QuickSetup-PatchPolicy-InstallPatches-LA-k8dyx", "LA-k8dyx", "quick-setup/Install"],
            ["AWS-QuickSetup-PatchPolicy-ScanForPatches-k8dyx", "k8dyx", "quick-setup/Scan"],
            ["AWS-QuickSetup-PatchPolicy-ScanForPatches-LA-k8dyxz", "k8dyx", undefined],
            ["AWS-QuickSetup-PatchPolicy-ScanForPatches-LA-k8dyx", "patch-policy-workshop", undefined],
            ["SomethingElse-patch-policy-workshop", "patch-policy-workshop", undefined],
        ];
        for (const [association, policy, expected] of names) {
            it(`${expected ? "matches" : "does not match"} ${association} for '${policy}'`, () => {
                const match = matchPolicyAssociation(policy, association);
                assert.equal(match ? `${match.kind}/${match.operation}` : undefined, expected);
            });
        }

        it("finds associations in one paged listing filtered to AWS-RunPatchBaseline", async () => {
            ssmMock.on(ListAssociationsCommand).callsFake((input) =>
                input.NextToken
                    ? { Associations: [{ AssociationId: "a-2", AssociationName: "PatchPolicy-ScanForPatches-p" }] }
                    : { Associations: [{ AssociationId: "a-1", AssociationName: "PatchPolicy-InstallPatches-p" }, { AssociationId: "a-9", AssociationName: "Other" }], NextToken: "t" },
            );
            const found = await createPolicyRun({ ssm: client() }).find("p", ["Scan", "Install"]);
            assert.deepEqual(found.map((a) => a.associationId), ["a-2", "a-1"]);
            const inputs = ssmMock.commandCalls(ListAssociationsCommand).map((c) => c.args[0].input);
            assert.deepEqual(firstPage(inputs[0]), { AssociationFilterList: [{ key: "Name", value: "AWS-RunPatchBaseline" }], MaxResults: 50 });
            assert.equal(inputs.length, 2);
        });

        it("applies 12 associations in 2 StartAssociationsOnce calls, waits for their executions and reads their targets", async () => {
            const associations = Array.from({ length: 12 }, (_, i) => ({ associationId: `a-${i}`, associationName: `PatchPolicy-ScanForPatches-p${i}`, kind: "project" as const, operation: "Scan" as const }));
            ssmMock.on(StartAssociationsOnceCommand).resolves({});
            const polls = new Map<string, number>();
            ssmMock.on(DescribeAssociationExecutionsCommand).callsFake((input: { AssociationId: string }) => {
                const n = (polls.get(input.AssociationId) ?? 0) + 1;
                polls.set(input.AssociationId, n);
                return { AssociationExecutions: [{ ExecutionId: `e-${input.AssociationId}`, Status: n < 2 ? "InProgress" : "Success", CreatedTime: new Date(), ResourceCountByStatus: "{Success=1}" }] };
            });
            ssmMock.on(DescribeAssociationExecutionTargetsCommand).callsFake((input: { AssociationId: string }) => ({
                AssociationExecutionTargets: [{ ResourceId: id(1), Status: "Success", OutputSource: { OutputSourceId: `cmd-${input.AssociationId}`, OutputSourceType: "RunCommand" } }],
            }));

            const result = await createPolicyRun({ ssm: client() }).run(associations, fastWait);

            assert.deepEqual(ssmMock.commandCalls(StartAssociationsOnceCommand).map((c) => c.args[0].input.AssociationIds?.length), [10, 2]);
            const filter = ssmMock.commandCalls(DescribeAssociationExecutionsCommand)[0].args[0].input.Filters?.[0];
            assert.equal(filter?.Key, "CreatedTime");
            assert.equal(filter?.Type, "GREATER_THAN");
            assert.ok(!Number.isNaN(Date.parse(filter?.Value ?? "")));
            assert.equal(ssmMock.commandCalls(DescribeAssociationExecutionsCommand).length, 24);
            assert.equal(result.state, "done");
            assert.ok(result.runs.every((r) => r.status === "Success" && r.targets.length === 1));
            assert.equal(result.runs[3].targets[0].commandId, "cmd-a-3");
        });

        it("reads at most --limit executions per association", async () => {
            ssmMock.on(DescribeAssociationExecutionsCommand).callsFake((input) => ({
                AssociationExecutions: Array.from({ length: input.MaxResults ?? 50 }, (_, i) => ({ ExecutionId: `e-${i}`, Status: "Success" })),
                NextToken: "more",
            }));
            const history = createPolicyHistory({ ssm: client() });
            const rows = await history.executions([{ associationId: "a-1", associationName: "PatchPolicy-ScanForPatches-p", kind: "project", operation: "Scan" }], 3);
            assert.deepEqual(rows.map((r) => r.executionId), ["e-0", "e-1", "e-2"]);
            const calls = ssmMock.commandCalls(DescribeAssociationExecutionsCommand);
            assert.equal(calls.length, 1);
            assert.equal(calls[0].args[0].input.MaxResults, 3);
        });
    });

    describe("scopes", () => {
        it("reports a failing account without hiding the others", async () => {
            const scopes = [
                { accountId: "111111111111", region: "us-east-1" },
                { accountId: "222222222222", region: "us-east-1" },
                { accountId: "333333333333", region: "eu-west-1" },
            ];
            const outcomes = await runInScopes(scopes, 2, () => client(), async (_ssm, scope) => {
                if (scope.accountId === "222222222222") {
                    throw Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });
                }
                return scope.accountId;
            });
            assert.deepEqual(outcomes.map((o) => o.value ?? (o.error as Error).name), ["111111111111", "AccessDeniedException", "333333333333"]);
        });

        it("turns configuration errors in every scope into one usage error", async () => {
            await assert.rejects(
                runInScopes([{ region: "us-east-1" }], 1, () => client(), async () => {
                    throw new ConfigError("no credentials");
                }),
                ConfigError,
            );
        });
    });

    describe("State Manager pacing", () => {
        it("spaces calls 1/TPS apart without bursting", () => {
            let now = 1_000;
            const pacer = new Pacer(4, () => now);
            assert.deepEqual([pacer.reserve(), pacer.reserve(), pacer.reserve()], [0, 250, 500]);
            now += 2_000;
            assert.equal(pacer.reserve(), 0);
        });
    });
});

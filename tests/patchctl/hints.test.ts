/** The command lines patchctl prints as hints run as printed: how it was started, quoting, and the scope's flags. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { argv, harness, useStrictSsmMock, useTempDir } from "./helpers";
import * as assert from "node:assert/strict";
import {
    DescribeAssociationExecutionsCommand,
    DescribeInstanceInformationCommand,
    DescribeInstancePatchStatesCommand,
    ListAssociationsCommand,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { commandLine, invocation } from "../../patchctl/cli/hints";
import { main } from "../../patchctl/main";

const COMMAND = "0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b";

describe("patchctl hints", () => {
    const starts: Array<[string, NodeJS.ProcessEnv, string[]]> = [
        ["from the PATH", {}, ["patchctl"]],
        ["as npx patchctl or npm exec patchctl", { npm_command: "exec", npm_lifecycle_script: "'patchctl'" }, ["npx", "patchctl"]],
        ["through npx -c 'patchctl ...'", { npm_command: "exec", npm_lifecycle_script: "patchctl scan --env D" }, ["npx", "patchctl"]],
        ["from the PATH by another program npx started (npx mocha)", { npm_command: "exec", npm_lifecycle_script: "'mocha' tests/patchctl" }, ["patchctl"]],
        ["through npm run patchctl --", { npm_command: "run-script", npm_lifecycle_event: "patchctl" }, ["npm", "run", "patchctl", "--"]],
        ["through another npm script", { npm_command: "run-script", npm_lifecycle_event: "nightly-scan" }, ["patchctl"]],
    ];
    for (const [how, env, words] of starts) {
        it(`starts with '${words.join(" ")}' when patchctl was started ${how}`, () => {
            assert.deepEqual(invocation(env), words);
        });
    }

    it("quotes arguments for the shell and adds the flags that reach the same account and Region", () => {
        const scope = { region: "eu-west-1", accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/Patch Ops", externalId: "x-1" };
        assert.equal(
            commandLine({}, ["policy", "history", "it's"], scope, "ops"),
            "patchctl policy history 'it'\\''s' --region eu-west-1 --role-arn 'arn:aws:iam::222222222222:role/Patch Ops' --external-id x-1 --profile ops",
        );
    });

    describe("printed by the commands", () => {
        let ssmMock: AwsClientStub<SSMClient>;
        useStrictSsmMock((stub) => (ssmMock = stub));

        function nonCompliantFleet(): void {
            ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: "i-0a000000000000000" }] });
            ssmMock.on(DescribeInstancePatchStatesCommand).resolves({
                InstancePatchStates: [
                    { InstanceId: "i-0a000000000000000", PatchGroup: "", BaselineId: "pb-0123456789abcdef0", OperationStartTime: new Date(0), OperationEndTime: new Date(0), Operation: "Scan", MissingCount: 2 },
                ],
            });
        }

        const tempDir = useTempDir("patchctl-hints-");

        it("names the Region and profile of the report in the missing-patches hint", async () => {
            nonCompliantFleet();
            // --profile is checked against the shared config files before any call.
            const config = join(tempDir(), "config");
            writeFileSync(config, "[profile ops]\nregion = eu-west-1\n");
            const h = harness({ env: { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(tempDir(), "none") } });
            assert.equal(await main(argv("compliance", "--env", "Development", "--region", "eu-west-1", "--profile", "ops"), h.deps), 0, h.stderr.text);
            assert.match(h.stderr.text, /^patchctl: missing patches of one node: patchctl compliance --instance i-0a000000000000000 --missing --region eu-west-1 --profile ops$/m);
            assert.doesNotMatch(h.stdout.text, /missing patches of one node/i, "hints are not part of the report");
        });

        it("names the role of the report in the missing-patches hint, after npx", async () => {
            nonCompliantFleet();
            const h = harness({ env: { npm_command: "exec", npm_lifecycle_script: "'patchctl'" } });
            const args = ["compliance", "--env", "Development", "--region", "us-east-1", "--role-arn", "arn:aws:iam::222222222222:role/PatchOperator", "--external-id", "ops-2024"];
            assert.equal(await main(argv(...args), h.deps), 0, h.stderr.text);
            assert.match(
                h.stderr.text,
                /^patchctl: missing patches of one node: npx patchctl compliance --instance i-0a000000000000000 --missing --region us-east-1 --role-arn arn:aws:iam::222222222222:role\/PatchOperator --external-id ops-2024$/m,
            );
        });

        it("says how to follow a command sent with --no-wait, as started", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND, Status: "Pending", TargetCount: 3 } });
            const h = harness({ env: { npm_command: "exec", npm_lifecycle_script: "'patchctl'" } });
            assert.equal(await main(argv("scan", "--env", "Development", "--region", "us-east-1", "--no-wait"), h.deps), 0, h.stderr.text);
            assert.match(h.stderr.text, new RegExp(`^patchctl: not waiting; follow with: npx patchctl watch ${COMMAND} --region us-east-1$`, "m"));
            assert.doesNotMatch(h.stdout.text, /follow with/i, "hints are not part of the report");
        });

        it("says how to see one execution's nodes, with the Region", async () => {
            ssmMock.on(ListAssociationsCommand).resolves({ Associations: [{ AssociationId: "a-1", AssociationName: "PatchPolicy-ScanForPatches-p" }] });
            ssmMock.on(DescribeAssociationExecutionsCommand).resolves({ AssociationExecutions: [{ ExecutionId: COMMAND, Status: "Success" }] });
            const h = harness();
            assert.equal(await main(argv("policy", "history", "p", "--region", "us-east-1"), h.deps), 0, h.stderr.text);
            assert.match(h.stderr.text, new RegExp(`^patchctl: per-node results of one execution: patchctl policy history p --execution ${COMMAND} --region us-east-1$`, "m"));
        });
    });
});

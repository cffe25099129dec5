import * as assert from "node:assert/strict";
import { UsageError } from "../../patchctl/output/errors";
import { parseDuration, parseMaxConcurrency, parseMaxErrors, parsePositiveInt } from "../../patchctl/cli/flags";
import { describeTargets, instanceInformationFilters, parseTargets, sendCommandTargets, type TargetOptions } from "../../patchctl/ssm/targets";

const id = (n: number): string => `i-${n.toString(16).padStart(17, "0")}`;

describe("patchctl targeting", () => {
    it("turns --env into the tag:Environment target of one SendCommand", () => {
        const spec = parseTargets({ env: "Development" });
        assert.deepEqual(sendCommandTargets(spec), [{ Targets: [{ Key: "tag:Environment", Values: ["Development"] }] }]);
        assert.deepEqual(instanceInformationFilters(spec as Extract<typeof spec, { kind: "tags" }>), [{ Key: "tag:Environment", Values: ["Development"] }]);
        assert.equal(describeTargets(spec), "environment Development");
    });

    it("ANDs different tag keys and ORs repeated values of one key", () => {
        const spec = parseTargets({ env: "Development", tag: ["Team=payments", "Team=billing", "Environment=Development"] });
        assert.deepEqual(sendCommandTargets(spec), [
            {
                Targets: [
                    { Key: "tag:Environment", Values: ["Development"] },
                    { Key: "tag:Team", Values: ["payments", "billing"] },
                ],
            },
        ]);
        assert.equal(describeTargets(spec), "tag Environment=Development and tag Team=payments|billing");
    });

    it("takes a tag key with + for reading reports (EC2 allows it), not for sending a command (SSM's target keys do not)", () => {
        const spec = parseTargets({ tag: ["Cost+Center=web"], use: "read" });
        assert.deepEqual(instanceInformationFilters(spec as Extract<typeof spec, { kind: "tags" }>), [{ Key: "tag:Cost+Center", Values: ["web"] }]);
        assert.throws(() => parseTargets({ tag: ["Cost+Center=web"] }), /SSM's target key pattern/);
        assert.throws(() => parseTargets({ tag: [`${"k".repeat(129)}=v`], use: "read" }), /the tag key must be 1 to 128 characters/);
    });

    it("sends 120 instance ids as 3 SendCommand batches of at most 50", () => {
        const ids = Array.from({ length: 120 }, (_, i) => id(i));
        const batches = sendCommandTargets(parseTargets({ instanceIds: [ids.slice(0, 70).join(","), ...ids.slice(70)] }));
        assert.deepEqual(
            batches.map((b) => ("InstanceIds" in b ? b.InstanceIds.length : -1)),
            [50, 50, 20],
        );
        assert.deepEqual(
            batches.flatMap((b) => ("InstanceIds" in b ? b.InstanceIds : [])),
            ids,
        );
    });

    it("drops duplicate instance ids", () => {
        const spec = parseTargets({ instanceIds: [`${id(1)},${id(1)}`, id(2)] });
        assert.deepEqual(spec, { kind: "instances", instanceIds: [id(1), id(2)] });
    });

    const invalid: Array<[string, TargetOptions, RegExp]> = [
        ["no target at all", {}, /no targets/],
        ["ids together with --env", { env: "Development", instanceIds: [id(1)] }, /cannot be combined/],
        ["a --tag without '='", { tag: ["Environment"] }, /expected Key=Value/],
        ["a --tag with an empty key", { tag: ["=x"] }, /expected Key=Value/],
        ["a --tag with an empty value", { tag: ["Team="] }, /must be 1 to 256/],
        ["an empty --env", { env: "" }, /must be 1 to 256/],
        ["a malformed instance id", { instanceIds: ["i-123"] }, /not a managed node id/],
        ["only commas as instance ids", { instanceIds: [",,"] }, /at least one instance id/],
        ["six different tag keys", { tag: ["A=1", "B=1", "C=1", "D=1", "E=1", "F=1"] }, /at most 5 different tag keys/],
        ["51 values of one tag", { tag: Array.from({ length: 51 }, (_, i) => `Team=t${i}`) }, /at most 50 values/],
    ];
    for (const [name, options, message] of invalid) {
        it(`refuses ${name}`, () => {
            assert.throws(() => parseTargets(options), (error: unknown) => error instanceof UsageError && message.test(error.message));
        });
    }

    it("accepts mi- ids of hybrid nodes", () => {
        assert.deepEqual(parseTargets({ instanceIds: ["mi-0123456789abcdef0"] }), { kind: "instances", instanceIds: ["mi-0123456789abcdef0"] });
    });
});

describe("patchctl option values", () => {
    const durations: Array<[string, number]> = [
        ["90", 90_000],
        ["90s", 90_000],
        ["15m", 900_000],
        ["2h", 7_200_000],
        ["250ms", 250],
        ["0.5s", 500],
    ];
    for (const [text, ms] of durations) {
        it(`reads the duration ${text} as ${ms} ms`, () => assert.equal(parseDuration(text, "--timeout"), ms));
    }
    for (const bad of ["", "5x", "-1s", "0", "1.5.2s"]) {
        it(`refuses the duration '${bad}'`, () => assert.throws(() => parseDuration(bad, "--timeout"), UsageError));
    }

    it("accepts the rate-control shapes SSM accepts and refuses the others", () => {
        for (const ok of ["1", "50", "10%", "100%"]) {
            assert.equal(parseMaxConcurrency(ok), ok);
        }
        for (const bad of ["0", "0%", "101%", "05", "x"]) {
            assert.throws(() => parseMaxConcurrency(bad), UsageError, bad);
        }
        for (const ok of ["0", "1", "0%", "9%", "100%"]) {
            assert.equal(parseMaxErrors(ok), ok);
        }
        for (const bad of ["-1", "101%", "01", "abc"]) {
            assert.throws(() => parseMaxErrors(bad), UsageError, bad);
        }
    });

    it("bounds whole-number options", () => {
        assert.equal(parsePositiveInt("4", "--max-parallel", 1, 32), 4);
        assert.throws(() => parsePositiveInt("0", "--max-parallel", 1, 32), /between 1 and 32/);
        assert.throws(() => parsePositiveInt("3.5", "--max-parallel", 1, 32), /whole number/);
    });
});

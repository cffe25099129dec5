import { strict as assert } from "assert";
import {
    baselineOverride, buildApprovalRule, buildTargets, REFERENCE_APPROVAL_RULES, resolvePatchBaselineArgs, resolvePatchPolicyArgs,
    resolveMaintenanceWindowArgs, validateRateControl, ValidationError,
} from "../../components";

const fails = (fn: () => unknown, path: string, reason?: RegExp) =>
    assert.throws(fn, (err: Error) => {
        assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${err}`);
        assert.equal(err.path, path);
        if (reason) assert.match(err.reason, reason);
        return true;
    });

describe("rate control", () => {
    for (const [c, e] of [["1", "1"], ["50%", "50%"], ["100%", "0"], ["9%", "0%"], ["250", "10"]]) {
        it(`accepts ${c} / ${e}`, () => assert.doesNotThrow(() => validateRateControl({ maxConcurrency: c, maxErrors: e }, "rate")));
    }
    for (const [c, e, bad] of [["0", "1", "maxConcurrency"], ["101%", "1", "maxConcurrency"], ["50 %", "1", "maxConcurrency"], ["1", "-1", "maxErrors"], ["1", "101%", "maxErrors"], ["1", "05", "maxErrors"]]) {
        it(`refuses ${c} / ${e} at rate.${bad}`, () => fails(() => validateRateControl({ maxConcurrency: c, maxErrors: e }, "rate"), `rate.${bad}`));
    }
});

describe("approval rules", () => {
    it("builds the reference first rule with the filters, 14 days and CRITICAL", () => {
        const rule = buildApprovalRule("AMAZON_LINUX_2", REFERENCE_APPROVAL_RULES[0], "r");
        assert.deepEqual(rule, {
            patchFilters: [
                { key: "PRODUCT", values: ["*"] },
                { key: "CLASSIFICATION", values: ["Security", "Bugfix"] },
                { key: "SEVERITY", values: ["Critical", "Important"] },
            ],
            approveAfterDays: 14,
            complianceLevel: "CRITICAL",
            enableNonSecurity: false,
        });
    });

    it("adds an all-products filter when none is given", () => {
        const rule = buildApprovalRule("UBUNTU", { priorities: ["Required"] }, "r");
        assert.deepEqual(rule.patchFilters, [{ key: "PRODUCT", values: ["*"] }, { key: "PRIORITY", values: ["Required"] }]);
    });

    it("maps severities to MSRC_SEVERITY on Windows", () => {
        const rule = buildApprovalRule("WINDOWS", { severities: ["Critical"], classifications: ["SecurityUpdates"] }, "r");
        assert.deepEqual(rule.patchFilters.map((f) => f.key), ["PRODUCT", "CLASSIFICATION", "MSRC_SEVERITY"]);
    });

    it("refuses a classification filter on Ubuntu", () => fails(() => buildApprovalRule("UBUNTU", { classifications: ["Security"] }, "r"), "r.classifications", /PRODUCT, PRIORITY/));
    it("refuses a severity the OS does not have", () => fails(() => buildApprovalRule("AMAZON_LINUX_2", { severities: ["Severe"] }, "r"), "r.severities[0]", /Critical, Important/));
    it("refuses approveAfterDays above 360", () => fails(() => buildApprovalRule("AMAZON_LINUX_2", { approveAfterDays: 361 }, "r"), "r.approveAfterDays", /0 to 360/));
    it("refuses approveAfterDays with approveUntilDate", () => fails(() => buildApprovalRule("AMAZON_LINUX_2", { approveAfterDays: 1, approveUntilDate: "2027-01-01" }, "r"), "r", /not both/));
    it("refuses an unknown compliance level", () => fails(() => buildApprovalRule("AMAZON_LINUX_2", { complianceLevel: "URGENT" as never }, "r"), "r.complianceLevel"));
    it("refuses more than 20 values in a filter", () => fails(() => buildApprovalRule("AMAZON_LINUX_2", { products: Array.from({ length: 21 }, (_, i) => `p${i}`) }, "r"), "r.products", /at most 20/));
});

describe("patch baseline defaults", () => {
    it("default to the reference baseline for Amazon Linux 2", () => {
        const b = resolvePatchBaselineArgs({});
        assert.equal(b.name, "AmazonLinux2SecAndNonSecBaseline");
        assert.equal(b.operatingSystem, "AMAZON_LINUX_2");
        assert.deepEqual(b.approvalRules.map((r) => [r.approveAfterDays, r.complianceLevel, r.enableNonSecurity]), [[14, "CRITICAL", false], [7, "MEDIUM", true]]);
    });

    it("require rules for other systems", () => fails(() => resolvePatchBaselineArgs({ operatingSystem: "UBUNTU" }), "approvalRules", /required for UBUNTU/));
    it("refuse eleven rules", () => fails(() => resolvePatchBaselineArgs({ approvalRules: Array.from({ length: 11 }, () => ({})) }), "approvalRules", /at most 10/));
    it("refuse a name with spaces", () => fails(() => resolvePatchBaselineArgs({ name: "my baseline" }), "name"));
});

describe("baseline override JSON", () => {
    it("has the GetPatchBaseline shape AWS-RunPatchBaseline reads", () => {
        const o = baselineOverride(resolvePatchBaselineArgs({}), "pb-0123456789abcdef0");
        assert.equal(o.BaselineId, "pb-0123456789abcdef0");
        assert.equal(o.OperatingSystem, "AMAZON_LINUX_2");
        const rules = (o.ApprovalRules as { PatchRules: Record<string, unknown>[] }).PatchRules;
        assert.equal(rules.length, 2);
        assert.deepEqual(rules[0], {
            PatchFilterGroup: { PatchFilters: [
                { Key: "PRODUCT", Values: ["*"] },
                { Key: "CLASSIFICATION", Values: ["Security", "Bugfix"] },
                { Key: "SEVERITY", Values: ["Critical", "Important"] },
            ] },
            ComplianceLevel: "CRITICAL",
            ApproveAfterDays: 14,
            EnableNonSecurity: false,
        });
        assert.equal(rules[1].EnableNonSecurity, true);
        assert.equal(o.RejectedPatchesAction, "ALLOW_AS_DEPENDENCY");
    });
});

describe("targets", () => {
    it("turn tags into tag:<key> targets", () => assert.deepEqual(buildTargets({ tags: { Environment: "Development" } }, "t"), [{ key: "tag:Environment", values: ["Development"] }]));
    it("turn all managed nodes into InstanceIds *", () => assert.deepEqual(buildTargets({ allManagedNodes: true }, "t"), [{ key: "InstanceIds", values: ["*"] }]));
    it("refuse tags and ids together", () => fails(() => buildTargets({ tags: { a: "b" }, instanceIds: ["i-0123456789abcdef0"] }, "t"), "t", /exactly one/));
    it("refuse six tags", () => fails(() => buildTargets({ tags: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, "v"])) }, "t"), "t.tags", /1 to 5/));
    it("refuse a malformed instance id", () => fails(() => buildTargets({ instanceIds: ["web-1"] }, "t"), "t.instanceIds[0]"));
});

describe("patch policy defaults", () => {
    it("reproduce the reference workflow", () => {
        const p = resolvePatchPolicyArgs({});
        assert.equal(p.policyName, "patch-policy-workshop");
        assert.equal(p.operation, "ScanAndInstall");
        assert.equal(p.installSchedule, "cron(30 23 ? * SAT *)");
        assert.equal(p.scanSchedule, "cron(0 1 * * ? *)");
        assert.equal(p.installAtFirstCronInterval, true);
        assert.deepEqual(p.rate, { maxConcurrency: "50%", maxErrors: "50%" });
        assert.deepEqual(p.targets, [{ key: "tag:Environment", values: ["Development"] }]);
        assert.equal(p.rebootOption, "RebootIfNeeded");
    });

    it("refuse wait-for-cron-interval with a rate schedule", () => fails(() => resolvePatchPolicyArgs({ installSchedule: "rate(1 day)" }), "installAtFirstCronInterval", /rate schedule/));
});

describe("maintenance window arguments", () => {
    const base = { schedule: "cron(0 2 ? * SUN *)", targets: { tags: { Environment: "Production" } } };
    it("default to scan then install, one node at a time, reboot if needed", () => {
        const w = resolveMaintenanceWindowArgs("prod", base);
        assert.deepEqual(w.tasks.map((t) => [t.operation, t.priority, t.rate.maxConcurrency, t.rate.maxErrors, t.rebootOption]), [
            ["Scan", 1, "1", "1", "NoReboot"],
            ["Install", 2, "1", "1", "RebootIfNeeded"],
        ]);
    });
    it("refuse a cutoff not below the duration", () => fails(() => resolveMaintenanceWindowArgs("prod", { ...base, duration: 2, cutoff: 2 }), "cutoff", /below the duration/));
    it("refuse a duration of 25 hours", () => fails(() => resolveMaintenanceWindowArgs("prod", { ...base, duration: 25 }), "duration"));
    it("refuse an unknown time zone", () => fails(() => resolveMaintenanceWindowArgs("prod", { ...base, scheduleTimezone: "Mars/Olympus" }), "scheduleTimezone"));
    it("refuse a schedule offset with a rate", () => fails(() => resolveMaintenanceWindowArgs("prod", { ...base, schedule: "rate(7 days)", scheduleOffset: 2 }), "scheduleOffset", /cron/));
});

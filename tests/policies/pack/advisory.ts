// The advisory policies, driven through the real pack over the analyzer protocol.
import * as assert from "assert";
import { PlanBuilder } from "../../../testing/syntheticStacks";
import { Analyze, assertNone, of, UNKNOWN } from "../helpers";
import { PolicyDiagnostic } from "../../../plan/policy";

/** Asserts exactly one advisory violation of a policy about `urn`; returns its message. */
function oneAdvisory(diags: PolicyDiagnostic[], policy: string, urn: string): string {
    const found = of(diags, policy);
    assert.strictEqual(found.length, 1, JSON.stringify(found.map((d) => d.detail), null, 2));
    assert.strictEqual(found[0].enforcementLevel, "advisory");
    assert.strictEqual(found[0].urn, urn);
    return found[0].detail;
}

const SECURITY_CRITICAL = [{ key: "PRODUCT", values: ["*"] }, { key: "CLASSIFICATION", values: ["Security", "Bugfix"] }, { key: "SEVERITY", values: ["Critical", "Important"] }];

/** Declares the suite; tests/policies/pack.test.ts runs it with the pack it started. */
export function advisoryPolicies(analyze: Analyze): void {
    describe("advisory policies (through the pack)", () => {

        describe("patch-baseline-critical-approval", () => {
            const POLICY = "patch-baseline-critical-approval";
            const baseline = (inputs: Record<string, unknown>) => {
                const b = new PlanBuilder();
                const r = b.patchBaseline("al2", inputs);
                return { r, resources: b.resources };
            };

            it("passes a baseline that approves Security/Critical patches after 14 days", async () => {
                assertNone(await analyze(baseline({ approvalRules: [{ approveAfterDays: 14, complianceLevel: "CRITICAL", patchFilters: SECURITY_CRITICAL }] }).resources), POLICY);
            });

            it("flags a baseline that waits 21 days", async () => {
                const { r, resources } = baseline({ approvalRules: [{ approveAfterDays: 21, complianceLevel: "CRITICAL", patchFilters: SECURITY_CRITICAL }] });
                assert.strictEqual(oneAdvisory(await analyze(resources), POLICY, r.urn),
                    "Patch baseline 'al2' must approve critical security patches within 14 days; rule 1 approves them after 21 days. Set approveAfterDays to at most 14.");
            });

            it("accepts 21 days when maxApproveAfterDays is 30", async () => {
                const { resources } = baseline({ approvalRules: [{ approveAfterDays: 21, complianceLevel: "CRITICAL", patchFilters: SECURITY_CRITICAL }] });
                assertNone(await analyze(resources, { policyConfig: { [POLICY]: { maxApproveAfterDays: 30 } } }), POLICY);
            });

            it("flags a baseline none of whose rules selects critical security patches", async () => {
                const { r, resources } = baseline({ approvalRules: [{ approveAfterDays: 0, complianceLevel: "LOW", patchFilters: [{ key: "CLASSIFICATION", values: ["Bugfix"] }] }] });
                assert.match(oneAdvisory(await analyze(resources), POLICY, r.urn), /none of its 1 approval rule\(s\) selects them\. Add a rule that selects CLASSIFICATION Security and SEVERITY Critical/);
            });

            it("reads Windows filters (MSRC_SEVERITY) and the API default operating system (WINDOWS)", async () => {
                const { r, resources } = baseline({
                    operatingSystem: undefined,
                    approvalRules: [{ approveAfterDays: 3, complianceLevel: "CRITICAL", patchFilters: [{ key: "MSRC_SEVERITY", values: ["Important"] }] }],
                });
                assert.match(oneAdvisory(await analyze(resources), POLICY, r.urn), /MSRC_SEVERITY Critical/);
            });

            it("flags approval up to a fixed date", async () => {
                const { r, resources } = baseline({ approvalRules: [{ approveUntilDate: "2024-01-01", complianceLevel: "CRITICAL", patchFilters: SECURITY_CRITICAL }] });
                assert.match(oneAdvisory(await analyze(resources), POLICY, r.urn), /only up to a fixed date \(approveUntilDate 2024-01-01\); use approveAfterDays/);
            });
        });

        describe("patch-baseline-compliance-level", () => {
            const POLICY = "patch-baseline-compliance-level";

            it("passes a baseline whose rules all set a compliance level", async () => {
                const b = new PlanBuilder();
                b.patchBaseline("al2");
                assertNone(await analyze(b.resources), POLICY);
            });

            it("flags a rule left UNSPECIFIED, and approved patches without a level", async () => {
                const b = new PlanBuilder();
                const r = b.patchBaseline("al2", {
                    approvalRules: [
                        { approveAfterDays: 7, complianceLevel: "CRITICAL", patchFilters: SECURITY_CRITICAL },
                        { approveAfterDays: 7, complianceLevel: "UNSPECIFIED", patchFilters: [{ key: "CLASSIFICATION", values: ["*"] }] },
                    ],
                    approvedPatches: ["kernel-5.10.0"],
                });
                assert.match(oneAdvisory(await analyze(b.resources), POLICY, r.urn), /rule 2, its approved patches \(approvedPatchesComplianceLevel\) have UNSPECIFIED\. Set complianceLevel to CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL\./);
            });
        });

        describe("patch-run-rate-control", () => {
            const POLICY = "patch-run-rate-control";

            it("passes an association with maxConcurrency and maxErrors", async () => {
                const b = new PlanBuilder();
                b.association("scan", [{ key: "InstanceIds", values: ["*"] }]);
                assertNone(await analyze(b.resources), POLICY);
            });

            it("flags an association of AWS-RunPatchBaseline without rate control", async () => {
                const b = new PlanBuilder();
                const r = b.association("scan", [{ key: "InstanceIds", values: ["*"] }], { inputs: { maxConcurrency: undefined, maxErrors: undefined } });
                assert.match(oneAdvisory(await analyze(b.resources), POLICY, r.urn), /^Association 'scan' runs AWS-RunPatchBaseline and must set rate control; it has no maxConcurrency and no maxErrors\./);
            });

            it("ignores associations of other documents", async () => {
                const b = new PlanBuilder();
                b.association("shell", [{ key: "InstanceIds", values: ["*"] }], { document: "AWS-RunShellScript", inputs: { maxConcurrency: undefined } });
                assertNone(await analyze(b.resources), POLICY);
            });

            it("flags an Install on 100% of the targets at once", async () => {
                const b = new PlanBuilder();
                const r = b.association("install", [{ key: "InstanceIds", values: ["*"] }], { inputs: { parameters: { Operation: "Install" }, maxConcurrency: "100%" } });
                assert.match(oneAdvisory(await analyze(b.resources), POLICY, r.urn), /maxConcurrency is 100%: every target installs \(and may reboot\) at once/);
            });

            it("flags a maintenance window task that never stops on errors", async () => {
                const b = new PlanBuilder();
                const w = b.maintenanceWindow("sunday");
                const t = b.windowTask("install", w, [b.windowTarget("fleet", w, [{ key: "InstanceIds", values: ["*"] }])], { inputs: { maxErrors: "100%" } });
                assert.match(oneAdvisory(await analyze(b.resources), POLICY, t.urn), /^Maintenance window task 'install' installs patches and must limit its blast radius; maxErrors is 100%/);
            });

            it("cannot decide an association whose document is unknown, and says so as an advisory", async () => {
                const b = new PlanBuilder();
                b.association("scan", [{ key: "InstanceIds", values: ["*"] }], { document: UNKNOWN, inputs: { maxConcurrency: undefined } });
                const found = of(await analyze(b.resources), POLICY);
                assert.deepStrictEqual(found.map((d) => d.enforcementLevel), ["advisory"]);
                assert.match(found[0].message, /can't run policy 'patch-run-rate-control'.* during preview: the document of association 'scan' is unknown/);
            });
        });

        describe("patch-bucket-protection", () => {
            const POLICY = "patch-bucket-protection";
            /** A bucket receiving the output of a patch association (by name), encrypted and private unless told. */
            const outputBucket = (opts: { encrypted?: boolean; blocked?: boolean } = {}) => {
                const b = new PlanBuilder();
                const bucket = b.bucket("patch-output", { bucket: "patch-output-123" });
                if (opts.encrypted !== false) {
                    b.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "patch-output", {
                        bucket: "patch-output-123", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
                    }, { parent: bucket.urn, dependencies: [bucket.urn] });
                }
                if (opts.blocked !== false) {
                    b.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "patch-output", {
                        bucket: "patch-output-123", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
                    }, { parent: bucket.urn, dependencies: [bucket.urn] });
                }
                b.association("scan", [{ key: "InstanceIds", values: ["*"] }], { inputs: { outputLocation: { s3BucketName: "patch-output-123" } } });
                return { bucket, resources: b.resources };
            };

            it("passes an encrypted, private output bucket", async () => {
                assertNone(await analyze(outputBucket().resources), POLICY);
            });

            it("flags an output bucket without default encryption", async () => {
                const { bucket, resources } = outputBucket({ encrypted: false });
                assert.strictEqual(oneAdvisory(await analyze(resources), POLICY, bucket.urn),
                    "S3 bucket 'patch-output' receives patch output or baseline overrides (association 'scan') and must be encrypted and private; it has no default-encryption configuration (aws.s3.BucketServerSideEncryptionConfiguration).");
            });

            it("flags an output bucket that does not block public access", async () => {
                const { bucket, resources } = outputBucket({ blocked: false });
                assert.match(oneAdvisory(await analyze(resources), POLICY, bucket.urn), /it does not block public access/);
            });

            it("finds an autonamed override bucket through the association's dependencies", async () => {
                const b = new PlanBuilder();
                const bucket = b.bucket("overrides");
                b.association("scan", [{ key: "InstanceIds", values: ["*"] }], {
                    inputs: { parameters: { Operation: "Scan", BaselineOverride: "s3://overrides-1a2b3c4/baseline_overrides.json" } },
                    dependencies: [bucket.urn],
                });
                assert.match(oneAdvisory(await analyze(b.resources), POLICY, bucket.urn), /^S3 bucket 'overrides' receives patch output or baseline overrides \(association 'scan'\)/);
            });
        });
    });
}

import { strict as assert } from "assert";
import { planProgram, Plan, PlannedResource } from "../../plan";

// The dev stack's plan, run once under Pulumi's mocks with Pulumi.dev.yaml as the engine would pass it.
describe("the dev stack's plan", () => {
    let plan: Plan;
    const ofType = (type: string) => plan.resources.filter((r) => r.type === type);
    const one = (type: string, name?: string): PlannedResource => {
        const found = ofType(type).filter((r) => name === undefined || r.name === name);
        assert.equal(found.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
        return found[0];
    };

    before(async () => {
        plan = await planProgram({ stack: "dev" });
    });

    it("registers the components under their patching: type tokens", () => {
        const types = new Set(plan.resources.map((r) => r.type));
        for (const t of ["patching:ssm:PatchBaseline", "patching:ssm:PatchPolicy", "patching:demo:Fleet"]) {
            assert.ok(types.has(t), `missing ${t}`);
        }
    });

    it("creates the reference baseline with both rules", () => {
        const b = one("aws:ssm/patchBaseline:PatchBaseline").inputs;
        assert.equal(b.name, "AmazonLinux2SecAndNonSecBaseline");
        assert.equal(b.operatingSystem, "AMAZON_LINUX_2");
        assert.deepEqual(b.approvalRules, [
            {
                patchFilters: [
                    { key: "PRODUCT", values: ["*"] },
                    { key: "CLASSIFICATION", values: ["Security", "Bugfix"] },
                    { key: "SEVERITY", values: ["Critical", "Important"] },
                ],
                approveAfterDays: 14,
                complianceLevel: "CRITICAL",
                enableNonSecurity: false,
            },
            {
                patchFilters: [
                    { key: "PRODUCT", values: ["*"] },
                    { key: "CLASSIFICATION", values: ["*"] },
                    { key: "SEVERITY", values: ["*"] },
                ],
                approveAfterDays: 7,
                complianceLevel: "MEDIUM",
                enableNonSecurity: true,
            },
        ]);
    });

    it("scans daily at 01:00 UTC right away, with the override and no reboot", () => {
        const scan = one("aws:ssm/association:Association", "dev-policy-scan").inputs;
        assert.equal(scan.name, "AWS-RunPatchBaseline");
        assert.equal(scan.associationName, "PatchPolicy-ScanForPatches-patch-policy-workshop");
        assert.equal(scan.scheduleExpression, "cron(0 1 * * ? *)");
        assert.equal(scan.applyOnlyAtCronInterval, false);
        const params = scan.parameters as Record<string, string>;
        assert.equal(params.Operation, "Scan");
        assert.equal(params.RebootOption, "NoReboot");
        const bucket = one("aws:s3/bucket:Bucket");
        assert.equal(params.BaselineOverride, `s3://${plan.outputs.patchPolicy && (plan.outputs.patchPolicy as { bucket: string }).bucket}/baseline_overrides.json`);
        assert.ok(bucket.name.endsWith("-overrides"));
    });

    it("creates the associations after the instance roles can read the override", () => {
        const install = one("aws:ssm/association:Association", "dev-policy-install");
        const needed = plan.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" || r.type === "aws:s3/bucketObjectv2:BucketObjectv2");
        assert.equal(needed.length, 3);
        for (const r of needed) assert.ok(install.dependencies.includes(r.urn), `install does not wait for ${r.urn}`);
    });

    it("installs Saturdays at 23:30 UTC from the first interval, 50%/50%, rebooting if needed", () => {
        const install = one("aws:ssm/association:Association", "dev-policy-install").inputs;
        assert.equal(install.associationName, "PatchPolicy-InstallPatches-patch-policy-workshop");
        assert.equal(install.scheduleExpression, "cron(30 23 ? * SAT *)");
        assert.equal(install.applyOnlyAtCronInterval, true);
        assert.equal(install.maxConcurrency, "50%");
        assert.equal(install.maxErrors, "50%");
        assert.deepEqual(install.targets, [{ key: "tag:Environment", values: ["Development"] }]);
        const params = install.parameters as Record<string, string>;
        assert.equal(params.Operation, "Install");
        assert.equal(params.RebootOption, "RebootIfNeeded");
        assert.equal((install.tags as Record<string, string>).PatchPolicy, "patch-policy-workshop");
    });

    it("writes the baseline override document with the custom baseline", () => {
        const obj = one("aws:s3/bucketObjectv2:BucketObjectv2").inputs;
        assert.equal(obj.key, "baseline_overrides.json");
        const doc = JSON.parse(String(obj.content));
        assert.equal(doc.length, 1);
        assert.equal(doc[0].Name, "AmazonLinux2SecAndNonSecBaseline");
        assert.match(doc[0].BaselineId, /^pb-[0-9a-f]{17}$/);
        assert.deepEqual(doc[0].ApprovalRules.PatchRules.map((r: { ApproveAfterDays: number; ComplianceLevel: string }) => [r.ApproveAfterDays, r.ComplianceLevel]), [[14, "CRITICAL"], [7, "MEDIUM"]]);
    });

    it("protects the override bucket: versioned, encrypted, public access blocked, TLS only", () => {
        assert.equal((one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration as { status: string }).status, "Enabled");
        const sse = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as { applyServerSideEncryptionByDefault: { sseAlgorithm: string } }[];
        assert.equal(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
        const pab = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
        for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
            assert.equal(pab[k], true, k);
        }
        const policy = JSON.parse(String(one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy));
        assert.equal(policy.Statement[0].Condition.Bool["aws:SecureTransport"], "false");
        // Nodes of this account (and no one else) may read the override object, and only it.
        assert.equal(policy.Statement[1].Effect, "Allow");
        assert.equal(policy.Statement[1].Action, "s3:GetObject");
        assert.match(policy.Statement[1].Resource, /^arn:aws:s3:::dev-policy-overrides-[0-9a-f]{7}\/baseline_overrides\.json$/);
        assert.deepEqual(policy.Statement[1].Condition, { StringEquals: { "aws:PrincipalAccount": "111111111111" } });
    });

    it("gives the instance role SSM core and read access to the override object only", () => {
        one("aws:iam/role:Role", "dev-demo-role");
        const core = ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.equal(core.length, 1);
        assert.equal(core[0].inputs.policyArn, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        assert.match(String(core[0].inputs.role), /^dev-demo-role-/);
        const read = JSON.parse(String(one("aws:iam/rolePolicy:RolePolicy").inputs.policy));
        assert.deepEqual(read.Statement.map((s: { Action: string }) => s.Action), ["s3:GetObject"]);
        assert.match(read.Statement[0].Resource, /^arn:aws:s3:::dev-policy-overrides-[0-9a-f]{7}\/baseline_overrides\.json$/);
    });

    it("launches the demo fleet tagged Environment=Development with IMDSv2", () => {
        const instances = ofType("aws:ec2/instance:Instance");
        assert.equal(instances.length, 2);
        for (const i of instances) {
            assert.equal((i.inputs.tags as Record<string, string>).Environment, "Development");
            assert.equal((i.inputs.metadataOptions as { httpTokens: string }).httpTokens, "required");
            assert.match(String(i.inputs.ami), /^ami-[0-9a-f]{17}$/);
        }
    });

    it("parents every resource to a component or the stack", () => {
        const urns = new Set(plan.resources.map((r) => r.urn));
        for (const r of plan.resources) {
            if (r.type === "pulumi:pulumi:Stack") continue;
            assert.ok(r.parent && urns.has(r.parent), `${r.urn} has no registered parent`);
        }
    });

    it("exports the ids and names a user needs next", () => {
        const out = plan.outputs as { baselines: Record<string, { id: string }>; patchPolicy: { scanAssociation: { id: string; name: string }; installAssociation: { name: string }; bucket: string } };
        assert.match(out.baselines.AMAZON_LINUX_2.id, /^pb-/);
        assert.equal(out.patchPolicy.scanAssociation.name, "PatchPolicy-ScanForPatches-patch-policy-workshop");
        assert.equal(out.patchPolicy.installAssociation.name, "PatchPolicy-InstallPatches-patch-policy-workshop");
        assert.match(out.patchPolicy.bucket, /^dev-policy-overrides-/);
    });
});

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ApprovalRuleArgs, buildApprovalRules, COMPLIANCE_LEVELS, ComplianceLevel, OperatingSystem, PatchFilter, validateBaselineName, validateOperatingSystem } from "./baselineRules";
import { baselineOverride, ResolvedBaseline } from "./baselineOverride";
import { check, Resolved, resolved, show } from "./errors";

/** The reference baseline's approval rules (the workshop's AmazonLinux2SecAndNonSecBaseline). */
export const REFERENCE_APPROVAL_RULES: ApprovalRuleArgs[] = [
    {
        products: ["*"],
        classifications: ["Security", "Bugfix"],
        severities: ["Critical", "Important"],
        approveAfterDays: 14,
        complianceLevel: "CRITICAL",
    },
    {
        products: ["*"],
        classifications: ["*"],
        severities: ["*"],
        approveAfterDays: 7,
        complianceLevel: "MEDIUM",
        enableNonSecurity: true,
    },
];

export const REFERENCE_BASELINE_NAME = "AmazonLinux2SecAndNonSecBaseline";

export interface PatchBaselineArgs {
    /** Baseline name, 3-128 characters of letters, digits, `_`, `-`, `.`. Defaults to "AmazonLinux2SecAndNonSecBaseline". */
    name?: string;
    /** Description shown in the console. Defaults to one naming the operating system and rules. */
    description?: string;
    /** Operating system the baseline patches. Defaults to AMAZON_LINUX_2 (the API would default to WINDOWS). */
    operatingSystem?: OperatingSystem;
    /**
     * Approval rules, at most 10. Defaults, for Amazon Linux 2, to the reference rules: Security and
     * Bugfix at Critical and Important severity after 14 days reported CRITICAL; everything,
     * non-security updates included, after 7 days reported MEDIUM. Required for other systems.
     */
    approvalRules?: ApprovalRuleArgs[];
    /** Patches approved whatever the rules say. Defaults to none. */
    approvedPatches?: string[];
    /** Compliance level of missing approved patches. Defaults to UNSPECIFIED. */
    approvedPatchesComplianceLevel?: ComplianceLevel;
    /** Whether approved patches may come from non-security repositories (Linux). Defaults to false. */
    approvedPatchesEnableNonSecurity?: boolean;
    /** Patches never installed. Defaults to none. */
    rejectedPatches?: string[];
    /** What to do with rejected patches other packages depend on. Defaults to ALLOW_AS_DEPENDENCY. */
    rejectedPatchesAction?: "ALLOW_AS_DEPENDENCY" | "BLOCK";
    /** Filters applied before the approval rules, e.g. [{ key: "PRODUCT", values: ["AmazonLinux2"] }]. Defaults to none. */
    globalFilters?: PatchFilter[];
    /** Alternative package repositories (Linux), e.g. a mirror. Defaults to none. */
    sources?: { name: string; products: string[]; configuration: string }[];
    /** Register this baseline as the account's default for its operating system. Defaults to false. */
    registerAsDefault?: boolean;
    /** Tags on the baseline. Defaults to none. */
    tags?: Record<string, string>;
}

/** Validates PatchBaseline arguments and fills in the defaults; throws a ValidationError naming the argument. */
export type ResolvedPatchBaselineArgs = Resolved<ResolvedBaseline & { registerAsDefault: boolean; tags: Record<string, string> }>;

export function resolvePatchBaselineArgs(args: PatchBaselineArgs): ResolvedPatchBaselineArgs {
    const operatingSystem = validateOperatingSystem(args.operatingSystem ?? "AMAZON_LINUX_2", "operatingSystem");
    const name = validateBaselineName(args.name ?? REFERENCE_BASELINE_NAME, "name");
    check(
        args.approvalRules !== undefined || operatingSystem === "AMAZON_LINUX_2",
        "approvalRules",
        `are required for ${operatingSystem}: the default rules are written for AMAZON_LINUX_2`,
    );
    const approvalRules = buildApprovalRules(operatingSystem, args.approvalRules ?? REFERENCE_APPROVAL_RULES, "approvalRules");
    const approvedPatchesComplianceLevel = args.approvedPatchesComplianceLevel ?? "UNSPECIFIED";
    check((COMPLIANCE_LEVELS as readonly string[]).includes(approvedPatchesComplianceLevel), "approvedPatchesComplianceLevel", `must be one of ${COMPLIANCE_LEVELS.join(", ")}; got ${show(approvedPatchesComplianceLevel)}`);
    const rejectedPatchesAction = args.rejectedPatchesAction ?? "ALLOW_AS_DEPENDENCY";
    check(["ALLOW_AS_DEPENDENCY", "BLOCK"].includes(rejectedPatchesAction), "rejectedPatchesAction", `must be ALLOW_AS_DEPENDENCY or BLOCK; got ${show(rejectedPatchesAction)}`);
    for (const field of ["approvedPatches", "rejectedPatches"] as const) {
        const list = args[field] ?? [];
        check(Array.isArray(list) && list.length <= 50, field, "must be a list of at most 50 patch names or ids");
        list.forEach((p, i) => check(typeof p === "string" && p.length > 0 && p.length <= 100, `${field}[${i}]`, `must be a patch name or id of 1-100 characters; got ${show(p)}`));
    }
    const globalFilters = args.globalFilters ?? [];
    check(Array.isArray(globalFilters) && globalFilters.length <= 4, "globalFilters", "must be a list of at most 4 filters");
    globalFilters.forEach((f, i) => {
        check(typeof f?.key === "string" && f.key.length > 0, `globalFilters[${i}].key`, "must be a filter key such as PRODUCT or CLASSIFICATION");
        check(Array.isArray(f.values) && f.values.length > 0 && f.values.length <= 20, `globalFilters[${i}].values`, "must list 1 to 20 values");
    });
    const sources = args.sources ?? [];
    check(Array.isArray(sources) && sources.length <= 20, "sources", "must be a list of at most 20 sources");
    check(sources.length === 0 || !["WINDOWS", "MACOS"].includes(operatingSystem), "sources", `alternative sources are for Linux baselines, not ${operatingSystem}`);
    sources.forEach((s, i) => {
        check(typeof s?.name === "string" && /^[a-zA-Z0-9_\-.]{3,50}$/.test(s.name), `sources[${i}].name`, `must be 3-50 characters of letters, digits, "_", "-", "."; got ${show(s?.name)}`);
        check(Array.isArray(s.products) && s.products.length > 0, `sources[${i}].products`, "must list at least one product, e.g. AmazonLinux2");
        check(typeof s.configuration === "string" && s.configuration.length > 0, `sources[${i}].configuration`, "must be the repository configuration (yum .repo file content)");
    });
    const description = args.description ?? `${operatingSystem} baseline managed by Pulumi: ${approvalRules.length} approval rule(s)`;
    check(typeof description === "string" && description.length <= 1024, "description", "must be at most 1024 characters");
    return resolved({
        name,
        description,
        operatingSystem,
        approvalRules,
        approvedPatches: args.approvedPatches ?? [],
        approvedPatchesComplianceLevel,
        approvedPatchesEnableNonSecurity: args.approvedPatchesEnableNonSecurity ?? false,
        rejectedPatches: args.rejectedPatches ?? [],
        rejectedPatchesAction,
        globalFilters,
        sources,
        registerAsDefault: args.registerAsDefault ?? false,
        tags: args.tags ?? {},
    });
}

/**
 * A Patch Manager patch baseline: which patches are approved for an operating system, when,
 * and at what compliance level. Optionally the account's default baseline for that system.
 */
export class PatchBaseline extends pulumi.ComponentResource {
    /** Baseline id (pb-...). */
    public readonly baselineId: pulumi.Output<string>;
    /** Baseline ARN. */
    public readonly arn: pulumi.Output<string>;
    /** Baseline name. */
    public readonly baselineName: pulumi.Output<string>;
    /** Operating system of the baseline. */
    public readonly operatingSystem: OperatingSystem;
    /** The baseline as GetPatchBaseline returns it, for AWS-RunPatchBaseline's BaselineOverride. */
    public readonly override: pulumi.Output<Record<string, unknown>>;
    /** The same, as JSON text. */
    public readonly overrideJson: pulumi.Output<string>;

    constructor(name: string, args: PatchBaselineArgs | { resolved: ResolvedPatchBaselineArgs } = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("patching:ssm:PatchBaseline", name, {}, opts);
        const b = "resolved" in args ? args.resolved : resolvePatchBaselineArgs(args);

        const baseline = new aws.ssm.PatchBaseline(name, {
            name: b.name,
            description: b.description,
            operatingSystem: b.operatingSystem,
            approvalRules: b.approvalRules.map((r) => ({
                patchFilters: r.patchFilters,
                approveAfterDays: r.approveAfterDays,
                approveUntilDate: r.approveUntilDate,
                complianceLevel: r.complianceLevel,
                enableNonSecurity: r.enableNonSecurity,
            })),
            approvedPatches: b.approvedPatches,
            approvedPatchesComplianceLevel: b.approvedPatchesComplianceLevel,
            approvedPatchesEnableNonSecurity: b.approvedPatchesEnableNonSecurity,
            rejectedPatches: b.rejectedPatches,
            rejectedPatchesAction: b.rejectedPatchesAction,
            globalFilters: b.globalFilters,
            sources: b.sources,
            tags: b.tags,
        }, { parent: this });

        if (b.registerAsDefault) {
            new aws.ssm.DefaultPatchBaseline(`${name}-default`, {
                baselineId: baseline.id,
                operatingSystem: b.operatingSystem,
            }, { parent: baseline });
        }

        this.baselineId = baseline.id;
        this.arn = baseline.arn;
        this.baselineName = baseline.name;
        this.operatingSystem = b.operatingSystem;
        this.override = baseline.id.apply((id) => baselineOverride(b, id));
        this.overrideJson = this.override.apply((o) => JSON.stringify(o));
        this.registerOutputs({
            baselineId: this.baselineId,
            arn: this.arn,
            baselineName: this.baselineName,
            override: this.override,
            overrideJson: this.overrideJson,
        });
    }
}

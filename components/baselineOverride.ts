import { ApprovalRule, ComplianceLevel, OperatingSystem, PatchFilter } from "./baselineRules";

/** Everything a baseline says, resolved: the input of both the PatchBaseline resource and its override JSON. */
export interface ResolvedBaseline {
    name: string;
    description: string;
    operatingSystem: OperatingSystem;
    approvalRules: ApprovalRule[];
    approvedPatches: string[];
    approvedPatchesComplianceLevel: ComplianceLevel;
    approvedPatchesEnableNonSecurity: boolean;
    rejectedPatches: string[];
    rejectedPatchesAction: "ALLOW_AS_DEPENDENCY" | "BLOCK";
    globalFilters: PatchFilter[];
    sources: { name: string; products: string[]; configuration: string }[];
}

const filtersJson = (filters: PatchFilter[]) => ({
    PatchFilters: filters.map((f) => ({ Key: f.key, Values: [...f.values] })),
});

/**
 * The baseline as GetPatchBaseline returns it: the shape AWS-RunPatchBaseline's BaselineOverride
 * parameter reads (a JSON list of these, one per operating system, in an S3 object).
 */
export function baselineOverride(b: ResolvedBaseline, baselineId: string): Record<string, unknown> {
    return {
        BaselineId: baselineId,
        Name: b.name,
        OperatingSystem: b.operatingSystem,
        Description: b.description,
        GlobalFilters: filtersJson(b.globalFilters),
        ApprovalRules: {
            PatchRules: b.approvalRules.map((r) => ({
                PatchFilterGroup: filtersJson(r.patchFilters),
                ComplianceLevel: r.complianceLevel,
                ...(r.approveAfterDays !== undefined ? { ApproveAfterDays: r.approveAfterDays } : {}),
                ...(r.approveUntilDate !== undefined ? { ApproveUntilDate: r.approveUntilDate } : {}),
                EnableNonSecurity: r.enableNonSecurity,
            })),
        },
        ApprovedPatches: [...b.approvedPatches],
        ApprovedPatchesComplianceLevel: b.approvedPatchesComplianceLevel,
        ApprovedPatchesEnableNonSecurity: b.approvedPatchesEnableNonSecurity,
        RejectedPatches: [...b.rejectedPatches],
        RejectedPatchesAction: b.rejectedPatchesAction,
        Sources: b.sources.map((s) => ({ Name: s.name, Products: [...s.products], Configuration: s.configuration })),
    };
}

/** The override document of a patch policy: one baseline per operating system, at most one each. */
export function baselineOverrideDocument(baselines: Record<string, unknown>[]): string {
    return JSON.stringify(baselines, null, 2);
}

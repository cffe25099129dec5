/**
 * The input of the compliance dashboard (`patchctl report --html/--markdown`): what was read, from
 * where, and when. Node fields are the compliance report's own (`patchctl compliance --json`,
 * `nodes[]`, built in commands/compliance.ts), so its rows can be passed as they are: `null` where
 * the report has no value, `status` "NO_DATA" for a node that never reported a patch state, and
 * `operationEndTime` as the report's Date or its ISO string.
 *
 * Nothing here talks to AWS; summary.ts computes the numbers, html.ts and markdown.ts render them.
 */

/** A node's compliance as the compliance report states it. */
export type ComplianceStatus = "COMPLIANT" | "NON_COMPLIANT" | "NO_DATA";

/** One account-Region the report was asked to read, and whether reading it worked. */
export interface DashboardScope {
    /** Account id; absent or null for the caller's own account (no --accounts). */
    account?: string | null;
    region: string;
    /** "failed": nothing could be read there. Shown as failed, never as an empty fleet. */
    status: "ok" | "failed";
    /** Why it failed, one line (the compliance report's `errors[].error`). */
    error?: string;
}

/** One missing or failed patch of a node (DescribeInstancePatches). */
export interface DashboardPatch {
    title: string;
    classification: string;
    severity: string;
    state: "Missing" | "Failed";
    cveIds: string[];
}

/** One managed node: a row of the compliance report's `nodes`, optionally with its patches. */
export interface DashboardNode {
    account?: string | null;
    region: string;
    instanceId: string;
    name?: string | null;
    platform?: string | null;
    pingStatus?: string | null;
    /** COMPLIANT or NON_COMPLIANT; undefined, null or "NO_DATA" when the node never reported a patch state. */
    status?: ComplianceStatus | null;
    installed?: number | null;
    installedOther?: number | null;
    missing?: number | null;
    failed?: number | null;
    installedPendingReboot?: number | null;
    installedRejected?: number | null;
    notApplicable?: number | null;
    /** Patches the baseline reports as Critical for compliance that are not installed. */
    criticalNonCompliant?: number | null;
    /** Patches a patch advisory marks Security that are not installed. */
    securityNonCompliant?: number | null;
    /** Non-compliant patches that are neither Critical nor Security. */
    otherNonCompliant?: number | null;
    /** The last patch operation: "Scan" or "Install". */
    operation?: string | null;
    /** When that operation ended: a Date or an ISO 8601 string. */
    operationEndTime?: string | Date | null;
    baselineId?: string | null;
    /** The node's missing and failed patches, when they were read; absent means not read (not "none"). */
    patches?: DashboardPatch[];
}

/** One Inspector finding, as `patchctl findings --compare` matches them. */
export interface FindingRef {
    findingArn: string;
    severity: string;
    instanceId: string;
    vulnerabilityId: string;
}

/** The Inspector view of `patchctl findings`, when it was read. */
export interface DashboardFindings {
    /** Active findings by Inspector severity (CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNTRIAGED). */
    bySeverity: Record<string, number>;
    /** The vulnerabilities affecting the most instances. */
    topVulnerabilities: Array<{ id: string; title: string; severity: string; instances: number }>;
    /** Inspector coverage of each node: scanned or not, and why not. */
    coverage: Array<{ instanceId: string; scanned: boolean; reason?: string }>;
    /** With --compare SNAPSHOT: findings closed since the snapshot, still open, and new. */
    comparison?: {
        /** When the snapshot was taken, if known. */
        snapshotAt?: string | Date;
        closed: FindingRef[];
        stillOpen: FindingRef[];
        new: FindingRef[];
    };
}

export interface DashboardData {
    /** When the data was read; the age of every report is measured from here. */
    generatedAt: string | Date;
    /** Every account-Region the report was asked to read, the failed ones included. */
    scopes: DashboardScope[];
    nodes: DashboardNode[];
    /** A node whose last report is older than this many days is stale. Defaults to 7. */
    staleAfterDays?: number;
    /** The Inspector view, when `patchctl findings` data is available. */
    findings?: DashboardFindings;
    /** What was selected, in words (e.g. "tag Environment=Development"); shown under the title. */
    targets?: string;
    /** The page title. Defaults to "Patch compliance". */
    title?: string;
}

export const DEFAULT_STALE_AFTER_DAYS = 7;

/** The part of `patchctl compliance --json` the dashboard reads. */
export interface ComplianceReportJson {
    nodes: DashboardNode[];
    /** Failed account-Regions: `{ account, region, error }`. */
    errors?: Array<{ account?: string | null; region: string; error: string }>;
}

/**
 * DashboardData from a compliance report (its --json document or the same object in memory).
 * The report lists failed scopes but not the scopes that worked, so pass `scopes` (every
 * account-Region that was asked) to show a scope that worked and has no node; without it, the
 * scopes that worked are those the nodes are in.
 */
export function dashboardDataFromCompliance(
    report: ComplianceReportJson,
    options: {
        generatedAt: string | Date;
        scopes?: Array<{ account?: string | null; region: string }>;
        staleAfterDays?: number;
        /** The missing and failed patches of a node, when they were read. */
        patchesOf?: (node: DashboardNode) => DashboardPatch[] | undefined;
        findings?: DashboardFindings;
        targets?: string;
        title?: string;
    },
): DashboardData {
    const scopes = new Map<string, DashboardScope>();
    const add = (scope: DashboardScope) => {
        const key = scopeKey(scope);
        if (!scopes.has(key) || scope.status === "failed") scopes.set(key, scope);
    };
    for (const s of options.scopes ?? []) add({ account: s.account ?? null, region: s.region, status: "ok" });
    for (const node of report.nodes) add({ account: node.account ?? null, region: node.region, status: "ok" });
    for (const e of report.errors ?? []) add({ account: e.account ?? null, region: e.region, status: "failed", error: e.error });
    return {
        generatedAt: options.generatedAt,
        scopes: [...scopes.values()],
        nodes: report.nodes.map((node) => {
            const patches = options.patchesOf?.(node);
            return patches ? { ...node, patches } : node;
        }),
        staleAfterDays: options.staleAfterDays,
        findings: options.findings,
        targets: options.targets,
        title: options.title,
    };
}

/**
 * A DashboardPatch from a patch as patchctl's `compliance --missing` reads it (`cves`) or as
 * DescribeInstancePatches returns it (`State` MISSING / FAILED). Other states (installed, not
 * applicable) are not shown on the dashboard: undefined.
 */
export function toDashboardPatch(patch: { title?: string; classification?: string; severity?: string; state?: string; cves?: string[] }): DashboardPatch | undefined {
    const state = (patch.state ?? "").toUpperCase();
    if (state !== "MISSING" && state !== "FAILED") return undefined;
    return {
        title: patch.title ?? "",
        classification: patch.classification ?? "",
        severity: patch.severity ?? "",
        state: state === "MISSING" ? "Missing" : "Failed",
        cveIds: patch.cves ?? [],
    };
}

/** "account/region" ("/region" without an account): identifies a scope and the nodes in it. */
export function scopeKey(scope: { account?: string | null; region: string }): string {
    return `${scope.account ?? ""}/${scope.region}`;
}

/** "222222222222 us-east-1", or "us-east-1" without an account. */
export function scopeLabel(scope: { account?: string | null; region: string }): string {
    return scope.account ? `${scope.account} ${scope.region}` : scope.region;
}

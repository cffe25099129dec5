/**
 * The findings report's pure logic: counting Inspector findings by severity, the vulnerabilities
 * affecting the most instances, and what patching would close: the CVE ids of each instance's
 * missing and failed patches (DescribeInstancePatches' CVEIds) matched against the vulnerability
 * ids of its active findings, and what the findings no patch resolves need instead.
 *
 * No AWS here: fetch.ts turns API responses into these records.
 */

/** Inspector's severities, most severe first. */
export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SeverityCounts {
    critical: number;
    high: number;
    medium: number;
    low: number;
    informational: number;
    untriaged: number;
    total: number;
}

/** One Inspector finding, as the report and the snapshot keep it. */
export interface FindingRecord {
    arn: string;
    instanceId: string;
    severity: Severity;
    /** ACTIVE, SUPPRESSED or CLOSED. */
    status: string;
    /** PACKAGE_VULNERABILITY, NETWORK_REACHABILITY, CODE_VULNERABILITY. */
    type: string;
    /** The CVE (or other vulnerability) id of a package finding; undefined for network findings. */
    vulnerabilityId?: string;
    title: string;
    /** YES, NO or PARTIAL. */
    fixAvailable?: string;
    /** The vulnerable packages: name and package manager (OS, PIP, NPM, JAR, ...). */
    packages: Array<{ name: string; packageManager?: string }>;
}

/** A missing or failed patch of a node, with the CVE ids DescribeInstancePatches reports for it. */
export interface PatchRecord {
    title: string;
    /** Missing or Failed (compared case-insensitively: the model spells them MISSING, FAILED). */
    state: string;
    severity: string;
    classification: string;
    cves: string[];
}

/** The patches of one node, or why they could not be read (e.g. not a managed node). */
export interface NodePatches {
    patches: PatchRecord[];
    error?: string;
}

export function emptyCounts(): SeverityCounts {
    return { critical: 0, high: 0, medium: 0, low: 0, informational: 0, untriaged: 0, total: 0 };
}

/** Inspector's severity string as one of SEVERITIES (anything unknown is UNTRIAGED). */
export function severityOf(value: string | undefined): Severity {
    const upper = (value ?? "").toUpperCase();
    return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : "UNTRIAGED";
}

export function countSeverities(findings: readonly Pick<FindingRecord, "severity">[]): SeverityCounts {
    const counts = emptyCounts();
    for (const f of findings) {
        counts[f.severity.toLowerCase() as Lowercase<Severity>]++;
        counts.total++;
    }
    return counts;
}

export function addCounts(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
    const sum = emptyCounts();
    for (const key of Object.keys(sum) as Array<keyof SeverityCounts>) {
        sum[key] = a[key] + b[key];
    }
    return sum;
}

/** "2 critical, 1 high": the non-zero counts, most severe first ("none" when all are zero). */
export function describeCounts(counts: SeverityCounts): string {
    const parts = SEVERITIES.map((s) => [counts[s.toLowerCase() as Lowercase<Severity>], s.toLowerCase()] as const)
        .filter(([n]) => n > 0)
        .map(([n, s]) => `${n} ${s}`);
    return parts.length > 0 ? parts.join(", ") : "none";
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/** The key a finding is grouped under: its vulnerability id, else its title (network findings). */
export function vulnerabilityKey(f: Pick<FindingRecord, "vulnerabilityId" | "title">): string {
    return f.vulnerabilityId ?? f.title;
}

export interface Vulnerability {
    /** The CVE id, or the title of a finding without one (network reachability). */
    vulnerability: string;
    /** The CVE (or other) id; null for findings without one (network reachability). */
    vulnerabilityId: string | null;
    title: string;
    severity: Severity;
    /** Distinct instances with an active finding of it. */
    instances: number;
    findings: number;
    fixAvailable: string | null;
}

/** Vulnerabilities by the number of instances they affect (then severity, then id), at most `limit`. */
export function topVulnerabilities(findings: readonly FindingRecord[], limit = 10): Vulnerability[] {
    const groups = new Map<string, { first: FindingRecord; severity: Severity; instances: Set<string>; findings: number }>();
    for (const f of findings) {
        const key = vulnerabilityKey(f);
        const group = groups.get(key) ?? { first: f, severity: f.severity, instances: new Set<string>(), findings: 0 };
        group.instances.add(f.instanceId);
        group.findings++;
        if (rank(f.severity) < rank(group.severity)) {
            group.severity = f.severity;
        }
        groups.set(key, group);
    }
    return [...groups]
        .map(([key, g]) => ({ vulnerability: key, vulnerabilityId: g.first.vulnerabilityId ?? null, title: g.first.title, severity: g.severity, instances: g.instances.size, findings: g.findings, fixAvailable: g.first.fixAvailable ?? null }))
        .sort((a, b) => b.instances - a.instances || rank(a.severity) - rank(b.severity) || a.vulnerability.localeCompare(b.vulnerability))
        .slice(0, limit);
}

/** Comma- or space-separated CVE ids (DescribeInstancePatches' CVEIds) as a list. */
export function parseCveIds(value: string | undefined): string[] {
    return [...new Set((value ?? "").split(/[,\s]+/).map((c) => c.trim()).filter((c) => c !== ""))];
}

/** What installing an instance's missing and failed patches would do to its active findings. */
export interface PatchingEffect {
    instanceId: string;
    /** Active findings on the instance. */
    findings: number;
    missingPatches: number;
    failedPatches: number;
    /** Missing or failed patches that list no CVE id (bug fixes, or CVEs the vendor did not map). */
    patchesWithoutCves: number;
    /** Active findings whose vulnerability id is among those patches' CVE ids. */
    closes: number;
    closesBySeverity: SeverityCounts;
    /** The ARNs of those findings. */
    closedFindings: string[];
    /** Why the patches could not be read (e.g. the instance is not a managed node); nothing closes then. */
    error?: string;
}

const isPending = (p: PatchRecord): boolean => /^(missing|failed)$/i.test(p.state);

/**
 * Matches each instance's active findings against its missing and failed patches' CVE ids. A
 * finding closes when its vulnerability id is one of them and Inspector knows a fix (fixAvailable
 * is not NO): a patch that lists a CVE without a fixed package does not close the finding.
 * Instances without findings are left out; an instance whose patches were not read closes nothing.
 */
export function patchingEffects(findings: readonly FindingRecord[], patches: ReadonlyMap<string, NodePatches>): PatchingEffect[] {
    const byInstance = new Map<string, FindingRecord[]>();
    for (const f of findings) {
        byInstance.set(f.instanceId, [...(byInstance.get(f.instanceId) ?? []), f]);
    }
    return [...byInstance]
        .map(([instanceId, own]) => {
            const node = patches.get(instanceId);
            const pending = (node?.patches ?? []).filter(isPending);
            const cves = new Set(pending.flatMap((p) => p.cves));
            const closed = node?.error !== undefined ? [] : own.filter((f) => f.vulnerabilityId !== undefined && cves.has(f.vulnerabilityId) && f.fixAvailable !== "NO");
            return {
                instanceId,
                findings: own.length,
                missingPatches: pending.filter((p) => /^missing$/i.test(p.state)).length,
                failedPatches: pending.filter((p) => /^failed$/i.test(p.state)).length,
                patchesWithoutCves: pending.filter((p) => p.cves.length === 0).length,
                closes: closed.length,
                closesBySeverity: countSeverities(closed),
                closedFindings: closed.map((f) => f.arn),
                ...(node?.error !== undefined ? { error: node.error } : {}),
            };
        })
        .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

/** "installing the 3 missing patches on i-... closes 2 of its 4 findings (1 critical, 1 high)". */
export function describeEffect(e: PatchingEffect): string {
    if (e.error !== undefined) {
        return `${e.instanceId}: its patches could not be read (${e.error}); none of its ${e.findings} findings is matched`;
    }
    const patches = [e.missingPatches > 0 ? `${e.missingPatches} missing` : "", e.failedPatches > 0 ? `${e.failedPatches} failed` : ""].filter(Boolean).join(" and ");
    const total = e.missingPatches + e.failedPatches;
    if (total === 0) {
        return `${e.instanceId} misses no patch: none of its ${e.findings} findings closes by patching`;
    }
    const detail = e.closes > 0 ? ` (${describeCounts(e.closesBySeverity)})` : "";
    return `installing the ${patches} patch${total === 1 ? "" : "es"} on ${e.instanceId} closes ${e.closes} of its ${e.findings} finding${e.findings === 1 ? "" : "s"}${detail}`;
}

/** What a finding no missing patch resolves needs instead. */
export type Remedy = "network-change" | "no-fix-yet" | "application-update" | "os-package-not-in-baseline" | "not-a-managed-node";

export const REMEDY_TEXT: Readonly<Record<Remedy, string>> = {
    "network-change": "a network change (security group or network ACL)",
    "no-fix-yet": "no fix published yet: mitigate, or wait for one",
    "application-update": "an application update (not an OS package)",
    "os-package-not-in-baseline": "an OS package the baseline does not approve: a baseline change, a new AMI or an OS upgrade",
    "not-a-managed-node": "the instance is not a managed node: a new AMI, or manage it with SSM",
};

export function remedyOf(f: FindingRecord, node: NodePatches | undefined): Remedy {
    if (f.type === "NETWORK_REACHABILITY" || f.vulnerabilityId === undefined) {
        return "network-change";
    }
    if (f.fixAvailable === "NO") {
        return "no-fix-yet";
    }
    if (f.packages.length > 0 && f.packages.every((p) => p.packageManager !== undefined && p.packageManager !== "OS")) {
        return "application-update";
    }
    if (node?.error !== undefined) {
        return "not-a-managed-node";
    }
    return "os-package-not-in-baseline";
}

/** A vulnerability no missing or failed patch closes, and what it needs instead. */
export interface Unresolved extends Vulnerability {
    remedy: Remedy;
    needs: string;
}

/** The active findings no missing or failed patch closes, grouped by vulnerability and remedy, most instances first. */
export function unresolvedFindings(findings: readonly FindingRecord[], effects: readonly PatchingEffect[], patches: ReadonlyMap<string, NodePatches>): Unresolved[] {
    const closed = new Set(effects.flatMap((e) => e.closedFindings));
    const open = findings.filter((f) => !closed.has(f.arn));
    const groups = new Map<string, { remedy: Remedy; findings: FindingRecord[] }>();
    for (const f of open) {
        const remedy = remedyOf(f, patches.get(f.instanceId));
        const key = `${vulnerabilityKey(f)}\u0000${remedy}`;
        const group = groups.get(key) ?? { remedy, findings: [] };
        group.findings.push(f);
        groups.set(key, group);
    }
    return [...groups.values()].flatMap(({ remedy, findings: members }) =>
        topVulnerabilities(members, 1).map((v) => ({ ...v, remedy, needs: REMEDY_TEXT[remedy] })),
    ).sort((a, b) => b.instances - a.instances || rank(a.severity) - rank(b.severity) || a.vulnerability.localeCompare(b.vulnerability));
}

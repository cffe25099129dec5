/**
 * The dashboard's numbers, computed once from DashboardData and rendered by html.ts and
 * markdown.ts: totals per account-Region and overall, report age and staleness, the console's
 * non-compliance counts by severity, each node's last patch operation and its result, and the
 * Inspector findings view. Pure functions: no I/O, no clock (ages are measured from generatedAt).
 */
import { byText } from "../output/report";
import { DEFAULT_STALE_AFTER_DAYS, scopeKey, scopeLabel, type DashboardData, type DashboardNode, type DashboardScope, type FindingRef } from "./model";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A node's compliance: reported compliant, reported non-compliant, or never reported a patch state. */
export type NodeState = "compliant" | "non-compliant" | "never-reported";

/**
 * What a node's last patch operation left, as its patch state reports it (the state has no
 * invocation status: a run that failed before reporting leaves the previous state in place).
 */
export type OperationResult = "install-failed" | "failed-patches" | "pending-reboot" | "non-compliant" | "compliant" | "none";

export interface NodeView {
    node: DashboardNode;
    /** scopeKey() of the node's account and Region. */
    scope: string;
    state: NodeState;
    /** The report is older than staleAfterDays (reported nodes only). */
    stale: boolean;
    /** When the last operation ended; undefined when the node never reported or the time is unknown. */
    endTime?: Date;
    /** Days from endTime to generatedAt (fractional, never negative). */
    ageDays?: number;
    result: OperationResult;
    /** The result in words, e.g. "Failed: 2 patches failed to install". */
    resultLabel: string;
    critical: number;
    security: number;
    other: number;
    missing: number;
    failed: number;
    pendingReboot: number;
}

/** Nodes by the age of their last patch report. */
export interface ReportAge {
    /** Reported within the last day. */
    withinDay: number;
    /** Reported more than a day and at most staleAfterDays ago. */
    withinStale: number;
    /** Reported more than staleAfterDays ago. */
    stale: number;
    /** Reported, but without an operation end time. */
    unknown: number;
    neverReported: number;
}

export interface Totals {
    nodes: number;
    compliant: number;
    nonCompliant: number;
    /** Never reported a patch state (the compliance report's NO_DATA). */
    neverReported: number;
    /** Reported more than staleAfterDays before generatedAt. */
    stale: number;
    /** Age in whole days of the oldest report, or null when no node reported a time. */
    oldestReportDays: number | null;
    reportAge: ReportAge;
    /** Nodes with at least one critical non-compliant patch (the console's count; see severityCounts). */
    nodesWithCritical: number;
    nodesWithSecurity: number;
    nodesWithOther: number;
    criticalPatches: number;
    securityPatches: number;
    otherPatches: number;
    missingPatches: number;
    failedPatches: number;
    pendingRebootPatches: number;
    /** Nodes whose last operation was an install that left failed patches. */
    failedInstalls: number;
}

export interface ScopeSummary {
    scope: DashboardScope;
    key: string;
    label: string;
    /** Undefined for a failed scope: nothing is known about its nodes. */
    totals?: Totals;
}

export interface OperationCount {
    operation: string;
    result: OperationResult;
    label: string;
    nodes: number;
}

/** Findings of one vulnerability in a list (closed, still open or new). */
export interface VulnerabilityGroup {
    vulnerabilityId: string;
    severity: string;
    findings: number;
    instanceIds: string[];
}

export interface FindingsSummary {
    /** [severity, count] in Inspector's order (CRITICAL first), then any other severity. */
    bySeverity: Array<[string, number]>;
    total: number;
    topVulnerabilities: Array<{ id: string; title: string; severity: string; instances: number }>;
    coverage: { nodes: number; scanned: number; notScanned: number; notScannedNodes: Array<{ instanceId: string; reason: string }> };
    comparison?: {
        snapshotAt?: Date;
        closed: VulnerabilityGroup[];
        stillOpen: VulnerabilityGroup[];
        new: VulnerabilityGroup[];
        counts: { closed: number; stillOpen: number; new: number };
    };
}

export interface DashboardSummary {
    generatedAt: Date;
    staleAfterDays: number;
    overall: Totals;
    /** Every scope, in the order given (nodes' scopes that were not listed are added as ok). */
    scopes: ScopeSummary[];
    failedScopes: ScopeSummary[];
    accounts: string[];
    regions: string[];
    /** Every node, worst first (see worstFirst). */
    nodes: NodeView[];
    /** Every node, failed installs first (see lastOperationOrder). */
    lastOperations: NodeView[];
    operationCounts: OperationCount[];
    findings?: FindingsSummary;
}

const count = (n: number | null | undefined): number => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0);

/** A Date from the report's Date or ISO string; undefined when absent or unparseable. */
export function toDate(value: string | Date | null | undefined): Date | undefined {
    if (value === null || value === undefined || value === "") return undefined;
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
}

/** COMPLIANT and NON_COMPLIANT are reported states; anything else (undefined, null, NO_DATA) is never reported. */
export function nodeState(node: DashboardNode): NodeState {
    if (node.status === "COMPLIANT") return "compliant";
    if (node.status === "NON_COMPLIANT") return "non-compliant";
    return "never-reported";
}

/** The result of a node's last patch operation, from its patch state, in a code and in words. */
export function operationResult(node: DashboardNode): { result: OperationResult; label: string } {
    const state = nodeState(node);
    if (state === "never-reported" || !node.operation) return { result: "none", label: "No patch operation reported" };
    const install = node.operation === "Install";
    const failed = count(node.failed);
    const pending = count(node.installedPendingReboot);
    const missing = count(node.missing);
    const patches = (n: number) => `${n} patch${n === 1 ? "" : "es"}`;
    if (failed > 0 && install) return { result: "install-failed", label: `Failed: ${patches(failed)} failed to install` };
    if (failed > 0) return { result: "failed-patches", label: `${patches(failed)} failed in an earlier install` };
    if (pending > 0) return { result: "pending-reboot", label: `Reboot pending for ${patches(pending)}` };
    if (state === "non-compliant") {
        return { result: "non-compliant", label: install ? `Installed; ${missing} still missing` : `Non-compliant: ${missing} missing` };
    }
    return { result: "compliant", label: install ? "Succeeded" : "Compliant" };
}

export function nodeView(node: DashboardNode, generatedAt: Date, staleAfterDays: number): NodeView {
    const state = nodeState(node);
    const endTime = state === "never-reported" ? undefined : toDate(node.operationEndTime);
    const ageDays = endTime ? Math.max(0, (generatedAt.getTime() - endTime.getTime()) / DAY_MS) : undefined;
    const { result, label } = operationResult(node);
    return {
        node,
        scope: scopeKey(node),
        state,
        stale: ageDays !== undefined && ageDays > staleAfterDays,
        endTime,
        ageDays,
        result,
        resultLabel: label,
        critical: count(node.criticalNonCompliant),
        security: count(node.securityNonCompliant),
        other: count(node.otherNonCompliant),
        missing: count(node.missing),
        failed: count(node.failed),
        pendingReboot: count(node.installedPendingReboot),
    };
}

/**
 * Totals of a set of nodes.
 *
 * Non-compliance by severity is counted the way the Patch Manager console's dashboard counts it:
 * in nodes, not patches. Its "Noncompliance counts" section is "a linked count of how many
 * noncompliant managed nodes there are for each of the most common reasons for noncompliance"
 * (AWS Systems Manager User Guide, "Viewing patch Dashboard summaries",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-view-dashboard-summaries.html),
 * and the API's aggregate of the three severities, DescribePatchGroupState's
 * InstancesWithCriticalNonCompliantPatches / InstancesWithSecurityNonCompliantPatches /
 * InstancesWithOtherNonCompliantPatches, is "the number of managed nodes where" such patches are
 * not installed (missing, failed, rejected or installed pending reboot) (AWS Systems Manager API
 * Reference, DescribePatchGroupState). So a node counts once under every severity for which its
 * patch state's CriticalNonCompliantCount, SecurityNonCompliantCount or OtherNonCompliantCount
 * is above zero. The three counts overlap (a critical patch is usually a security patch too) and
 * need not add up to the non-compliant nodes. patchctl compliance's summary
 * (withCriticalNonCompliant, withSecurityNonCompliant) counts the same way. The patch sums are
 * kept beside them (criticalPatches, ...) and always labelled as patches.
 */
export function totalsOf(views: readonly NodeView[]): Totals {
    const t: Totals = {
        nodes: views.length,
        compliant: 0,
        nonCompliant: 0,
        neverReported: 0,
        stale: 0,
        oldestReportDays: null,
        reportAge: { withinDay: 0, withinStale: 0, stale: 0, unknown: 0, neverReported: 0 },
        nodesWithCritical: 0,
        nodesWithSecurity: 0,
        nodesWithOther: 0,
        criticalPatches: 0,
        securityPatches: 0,
        otherPatches: 0,
        missingPatches: 0,
        failedPatches: 0,
        pendingRebootPatches: 0,
        failedInstalls: 0,
    };
    let oldest = -1;
    for (const v of views) {
        if (v.state === "compliant") t.compliant++;
        else if (v.state === "non-compliant") t.nonCompliant++;
        else t.neverReported++;
        if (v.state === "never-reported") t.reportAge.neverReported++;
        else if (v.ageDays === undefined) t.reportAge.unknown++;
        else if (v.stale) t.reportAge.stale++;
        else if (v.ageDays <= 1) t.reportAge.withinDay++;
        else t.reportAge.withinStale++;
        if (v.stale) t.stale++;
        if (v.ageDays !== undefined && v.ageDays > oldest) oldest = v.ageDays;
        if (v.critical > 0) t.nodesWithCritical++;
        if (v.security > 0) t.nodesWithSecurity++;
        if (v.other > 0) t.nodesWithOther++;
        t.criticalPatches += v.critical;
        t.securityPatches += v.security;
        t.otherPatches += v.other;
        t.missingPatches += v.missing;
        t.failedPatches += v.failed;
        t.pendingRebootPatches += v.pendingReboot;
        if (v.result === "install-failed") t.failedInstalls++;
    }
    t.oldestReportDays = oldest < 0 ? null : Math.floor(oldest);
    return t;
}

const byNode = (a: NodeView, b: NodeView) => byText(a.scope, b.scope) || byText(a.node.instanceId, b.node.instanceId);

/** Worst first: most critical, then security, then missing non-compliant patches, then failed ones. */
export function worstFirst(a: NodeView, b: NodeView): number {
    return b.critical - a.critical || b.security - a.security || b.missing - a.missing || b.failed - a.failed || byNode(a, b);
}

const OPERATION_RANK: Record<OperationResult, number> = { "install-failed": 0, "failed-patches": 1, "pending-reboot": 2, "non-compliant": 2, compliant: 2, none: 3 };

/**
 * Last operations: failed installs first, then nodes still carrying failed patches, then every
 * other node with an operation; newest first within each; nodes that never reported last.
 */
export function lastOperationOrder(a: NodeView, b: NodeView): number {
    const rank = OPERATION_RANK[a.result] - OPERATION_RANK[b.result];
    if (rank !== 0) return rank;
    const at = a.endTime?.getTime() ?? -Infinity;
    const bt = b.endTime?.getTime() ?? -Infinity;
    return bt > at ? 1 : bt < at ? -1 : byNode(a, b);
}

const INSPECTOR_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"];

/** Rank of an Inspector severity (CRITICAL 0 ... UNTRIAGED 5, anything else after). */
export function severityRank(severity: string): number {
    const i = INSPECTOR_SEVERITIES.indexOf(severity.toUpperCase());
    return i < 0 ? INSPECTOR_SEVERITIES.length : i;
}

function groupByVulnerability(findings: readonly FindingRef[]): VulnerabilityGroup[] {
    const groups = new Map<string, { severity: string; findings: number; instances: Set<string> }>();
    for (const f of findings) {
        const g = groups.get(f.vulnerabilityId) ?? { severity: f.severity, findings: 0, instances: new Set<string>() };
        if (severityRank(f.severity) < severityRank(g.severity)) g.severity = f.severity;
        g.findings++;
        g.instances.add(f.instanceId);
        groups.set(f.vulnerabilityId, g);
    }
    return [...groups.entries()]
        .map(([vulnerabilityId, g]) => ({ vulnerabilityId, severity: g.severity, findings: g.findings, instanceIds: [...g.instances].sort() }))
        .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.instanceIds.length - a.instanceIds.length || byText(a.vulnerabilityId, b.vulnerabilityId));
}

export function summarizeFindings(findings: NonNullable<DashboardData["findings"]>): FindingsSummary {
    const bySeverity = Object.entries(findings.bySeverity)
        .filter(([, n]) => typeof n === "number")
        .sort(([a], [b]) => severityRank(a) - severityRank(b) || byText(a, b));
    const notScannedNodes = findings.coverage
        .filter((c) => !c.scanned)
        .map((c) => ({ instanceId: c.instanceId, reason: c.reason ?? "" }))
        .sort((a, b) => byText(a.reason, b.reason) || byText(a.instanceId, b.instanceId));
    const comparison = findings.comparison;
    return {
        bySeverity,
        total: bySeverity.reduce((sum, [, n]) => sum + n, 0),
        topVulnerabilities: [...findings.topVulnerabilities].sort((a, b) => b.instances - a.instances || severityRank(a.severity) - severityRank(b.severity) || byText(a.id, b.id)),
        coverage: { nodes: findings.coverage.length, scanned: findings.coverage.length - notScannedNodes.length, notScanned: notScannedNodes.length, notScannedNodes },
        comparison: comparison && {
            snapshotAt: toDate(comparison.snapshotAt),
            closed: groupByVulnerability(comparison.closed),
            stillOpen: groupByVulnerability(comparison.stillOpen),
            new: groupByVulnerability(comparison.new),
            counts: { closed: comparison.closed.length, stillOpen: comparison.stillOpen.length, new: comparison.new.length },
        },
    };
}

/** Everything the dashboard shows, computed from its input. */
export function summarize(data: DashboardData): DashboardSummary {
    const generatedAt = toDate(data.generatedAt);
    if (!generatedAt) throw new Error(`dashboard: generatedAt is not a time: ${String(data.generatedAt)}`);
    const staleAfterDays = data.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
    if (!(staleAfterDays >= 0)) throw new Error(`dashboard: staleAfterDays must be a number of days from 0; got ${staleAfterDays}`);

    const views = data.nodes.map((node) => nodeView(node, generatedAt, staleAfterDays));
    const byScope = new Map<string, NodeView[]>();
    for (const v of views) {
        const list = byScope.get(v.scope);
        if (list) list.push(v);
        else byScope.set(v.scope, [v]);
    }

    const scopes: ScopeSummary[] = [];
    const seen = new Set<string>();
    for (const scope of data.scopes) {
        const key = scopeKey(scope);
        if (seen.has(key)) continue;
        seen.add(key);
        scopes.push({ scope, key, label: scopeLabel(scope) });
    }
    for (const v of views) {
        if (!seen.has(v.scope)) {
            seen.add(v.scope);
            const scope: DashboardScope = { account: v.node.account ?? null, region: v.node.region, status: "ok" };
            scopes.push({ scope, key: v.scope, label: scopeLabel(scope) });
        }
    }
    for (const s of scopes) {
        // A failed scope has no totals even if nodes claim to be in it: it was not read.
        if (s.scope.status !== "failed") s.totals = totalsOf(byScope.get(s.key) ?? []);
    }
    const okKeys = new Set(scopes.filter((s) => s.scope.status !== "failed").map((s) => s.key));
    const shown = views.filter((v) => okKeys.has(v.scope));

    const operationCounts = new Map<string, OperationCount>();
    for (const v of shown) {
        const operation = v.result === "none" ? "None" : String(v.node.operation);
        const key = `${operation}\u0000${v.result}`;
        const label = v.result === "none" ? "No patch operation reported" : operationCountLabel(v.result, operation === "Install");
        const c = operationCounts.get(key) ?? { operation, result: v.result, label, nodes: 0 };
        c.nodes++;
        operationCounts.set(key, c);
    }

    const unique = (values: Array<string | null | undefined>) => [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
    return {
        generatedAt,
        staleAfterDays,
        overall: totalsOf(shown),
        scopes,
        failedScopes: scopes.filter((s) => s.scope.status === "failed"),
        accounts: unique(scopes.map((s) => s.scope.account)),
        regions: unique(scopes.map((s) => s.scope.region)),
        nodes: [...shown].sort(worstFirst),
        lastOperations: [...shown].sort(lastOperationOrder),
        operationCounts: [...operationCounts.values()].sort((a, b) => OPERATION_RANK[a.result] - OPERATION_RANK[b.result] || byText(a.operation, b.operation) || byText(a.result, b.result)),
        findings: data.findings && summarizeFindings(data.findings),
    };
}

function operationCountLabel(result: OperationResult, install: boolean): string {
    switch (result) {
        case "install-failed":
            return "Failed: patches failed to install";
        case "failed-patches":
            return "Failed patches left by an earlier install";
        case "pending-reboot":
            return "Reboot pending";
        case "non-compliant":
            return install ? "Installed; patches still missing" : "Non-compliant";
        case "compliant":
            return install ? "Succeeded" : "Compliant";
        case "none":
            return "No patch operation reported";
    }
}

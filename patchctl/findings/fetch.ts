/**
 * Fetching a findings report for one account and Region: Security Hub's findings by product (one
 * GetInsightResults of the managed insight the workflow opens), the selection's active Inspector
 * findings (ListFindings), Inspector's scan coverage of the selection (ListCoverageStatistics and
 * ListCoverage), the nodes' patch states (as `compliance` reads them) and the missing and failed
 * patches, with their CVE ids, of the nodes whose findings patching could close
 * (DescribeInstancePatches).
 *
 * API calls for N selected instances, F active findings on them and U of them not scanned:
 * - GetInsightResults: 1.
 * - ListFindings: ceil(F/25) pages (a page holds at most 25 findings whatever maxResults says);
 *   by --instance-ids, one listing per 10 ids (a filter list holds at most 10 entries). The
 *   listing is the lower bound: the vulnerabilities affecting the most instances of a selection,
 *   the CVE ids to match and the snapshot's ARNs come from no other API (ListFindingAggregations
 *   takes no filterCriteria, and its TITLE request cannot be narrowed to tagged instances), and
 *   each instance's counts by severity come with it, so AWS_EC2_INSTANCE aggregations would only
 *   add calls.
 * - Coverage by tag: 1 ListCoverageStatistics (how many instances Inspector covers) and
 *   ceil(U/200) ListCoverage pages (only the instances not scanned successfully, with their
 *   reason) instead of ceil(N/200) pages of every instance. By --instance-ids: one ListCoverage a
 *   10 ids. With several tag keys (the map filter ORs its entries): ceil(N/200) pages, the other
 *   keys matched here.
 * - SSM: ceil(N/50) DescribeInstanceInformation (tag selections) + ceil(N/50)
 *   DescribeInstancePatchStates, then one DescribeInstancePatches (100 a page) per instance that
 *   has an active finding with a vulnerability id and missing or failed patches: an instance the
 *   patch states show up to date needs none.
 *
 * Every operation is paced at --api-rate per account and Region (Security Hub at most at its
 * quotas), and runs alongside the others: the time bound is the busiest operation's calls / rate.
 */
import type { FilterCriteria, Finding, Inspector2Client, CoverageFilterCriteria, CoveredResource } from "@aws-sdk/client-inspector2";
import type { SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { createCompliance, type NodeCompliance } from "../commands/compliance";
import { chunk, limiter } from "../aws/concurrency";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { ssmSdk } from "../aws/sdk";
import { describeError } from "../output/errors";
import type { TargetSpec } from "../ssm/targets";
import { findingsClients } from "./clients";
import { parseCveIds, severityOf, type FindingRecord, type NodePatches, type PatchRecord } from "./model";

/**
 * The managed insight "Top products by counts of findings" the workflow's step 1 opens
 * (.../securityhub/home#/insights/arn:aws:securityhub:::insight/securityhub/default/28).
 */
export const TOP_PRODUCTS_INSIGHT_ARN = "arn:aws:securityhub:::insight/securityhub/default/28";

/** Inspector's page and filter limits (botocore inspector2 model). */
export const INSPECTOR_LIMITS = {
    /** A ListFindings page holds at most 25 findings, whatever maxResults says (1-100). */
    findingsPage: 25,
    findingsMaxResults: 100,
    coverageMaxResults: 200,
    /** Entries of one filter list. */
    filterEntries: 10,
} as const;

/**
 * Pages one ListFindings listing may take: 20,000 pages of 25 are 500,000 active findings on one
 * selection in one account and Region, past any real fleet (about 2,400 managed nodes an account
 * and Region); a listing that would go on is stopped and its account-Region fails (aws/pagination.ts).
 */
export const LIST_FINDINGS_MAX_PAGES = 20_000;

/** DescribeInstancePatches calls in flight at once within one account and Region (each is paced at --api-rate). */
export const DESCRIBE_PATCHES_PARALLEL = 8;

export interface SecurityHubProducts {
    enabled: boolean;
    insightArn: string;
    /** Active findings by product, most first (the insight's result values). */
    products: Array<{ product: string; count: number }>;
    /** Why the products are not shown: Security Hub not enabled here, or the error. */
    message?: string;
    /** Set when Security Hub failed for another reason than not being enabled (the scope fails). */
    error?: string;
}

export interface CoverageRecord {
    instanceId: string;
    /** ACTIVE or INACTIVE; null when Inspector has no coverage record of the instance. */
    statusCode: string | null;
    /** The scan status reason (UNMANAGED_EC2_INSTANCE, NO_INVENTORY, ...); null without a record. */
    reason: string | null;
}

export interface Coverage {
    /** Selected instances Inspector covers (scanned or not). */
    covered: number;
    /** Those scanned successfully (reason SUCCESSFUL). */
    scanned: number;
    /** The selected instances not scanned successfully, with why. */
    notScanned: CoverageRecord[];
}

export interface ComplianceSummary {
    nodes: number;
    compliant: number;
    nonCompliant: number;
    noData: number;
    missingPatches: number;
    failedPatches: number;
}

/** What one account and Region holds for the report. */
export interface ScopeFindings {
    securityHub: SecurityHubProducts;
    /** Active findings on the selected EC2 instances. */
    findings: FindingRecord[];
    coverage: Coverage;
    /** Missing and failed patches of the instances whose findings patching could close. */
    patches: Map<string, NodePatches>;
    /** The selected managed nodes (patch states). */
    nodes: NodeCompliance[];
    compliance: ComplianceSummary;
}

export interface FetchOptions {
    /** --api-rate: calls per second per operation. */
    apiRate: number;
    /** Skip Security Hub (compare, install --snapshot). */
    securityHub?: boolean;
}

/** The Inspector tag filter of a tag selection: the first key's values (OR); the other keys are matched here. */
function tagParts(targets: Extract<TargetSpec, { kind: "tags" }>): { first: Array<{ key: string; value: string }>; rest: Array<{ key: string; values: string[] }> } {
    const [first, ...rest] = targets.tags;
    return { first: first.values.map((value) => ({ key: first.key, value })), rest };
}

function matchesTags(tags: Record<string, string> | undefined, rest: Array<{ key: string; values: string[] }>): boolean {
    return rest.every((t) => tags?.[t.key] !== undefined && t.values.includes(tags[t.key]));
}

function toRecord(f: Finding): FindingRecord | undefined {
    const resource = f.resources?.find((r) => r.type === "AWS_EC2_INSTANCE");
    if (!resource?.id || !f.findingArn) {
        return undefined;
    }
    const vuln = f.packageVulnerabilityDetails;
    return {
        arn: f.findingArn,
        instanceId: resource.id,
        severity: severityOf(f.severity),
        status: f.status ?? "ACTIVE",
        type: f.type ?? "PACKAGE_VULNERABILITY",
        ...(vuln?.vulnerabilityId ? { vulnerabilityId: vuln.vulnerabilityId } : {}),
        title: f.title ?? vuln?.vulnerabilityId ?? "",
        ...(f.fixAvailable ? { fixAvailable: f.fixAvailable } : {}),
        packages: (vuln?.vulnerablePackages ?? []).map((p) => ({ name: p.name ?? "", ...(p.packageManager ? { packageManager: p.packageManager } : {}) })),
    };
}

/** The selection's active findings on EC2 instances: ceil(F/25) ListFindings pages (per 10 ids with --instance-ids). */
export async function listActiveFindings(inspector: Inspector2Client, targets: TargetSpec): Promise<FindingRecord[]> {
    const { paginateListFindings } = await import("@aws-sdk/client-inspector2");
    const base: FilterCriteria = {
        findingStatus: [{ comparison: "EQUALS", value: "ACTIVE" }],
        resourceType: [{ comparison: "EQUALS", value: "AWS_EC2_INSTANCE" }],
    };
    const listings: Array<{ filter: FilterCriteria; keep: (f: Finding) => boolean }> = [];
    if (targets.kind === "instances") {
        for (const ids of chunk(targets.instanceIds, INSPECTOR_LIMITS.filterEntries)) {
            listings.push({ filter: { ...base, resourceId: ids.map((value) => ({ comparison: "EQUALS", value })) }, keep: () => true });
        }
    } else {
        const { first, rest } = tagParts(targets);
        listings.push({
            filter: { ...base, resourceTags: first.map(({ key, value }) => ({ comparison: "EQUALS", key, value })) },
            keep: (f) => matchesTags(f.resources?.find((r) => r.type === "AWS_EC2_INSTANCE")?.tags, rest),
        });
    }
    const all: FindingRecord[] = [];
    for (const { filter, keep } of listings) {
        const pages = paginateListFindings({ client: inspector, pageSize: INSPECTOR_LIMITS.findingsMaxResults }, { filterCriteria: filter });
        const found = await collectPages(pages, (page) => page.findings, { operation: "ListFindings", maxPages: LIST_FINDINGS_MAX_PAGES, keyOf: (f) => f.findingArn });
        for (const f of found) {
            const record = keep(f) ? toRecord(f) : undefined;
            if (record) {
                all.push(record);
            }
        }
    }
    return all;
}

function coverageRecord(c: CoveredResource): CoverageRecord {
    return { instanceId: c.resourceId ?? "", statusCode: c.scanStatus?.statusCode ?? null, reason: c.scanStatus?.reason ?? null };
}

/** Which selected instances Inspector scans, and which it does not and why. */
export async function scanCoverage(inspector: Inspector2Client, targets: TargetSpec): Promise<Coverage> {
    const sdk = await import("@aws-sdk/client-inspector2");
    const ec2: CoverageFilterCriteria = { resourceType: [{ comparison: "EQUALS", value: "AWS_EC2_INSTANCE" }] };
    const list = async (filterCriteria: CoverageFilterCriteria): Promise<CoveredResource[]> =>
        collectPages(sdk.paginateListCoverage({ client: inspector, pageSize: INSPECTOR_LIMITS.coverageMaxResults }, { filterCriteria }), (page) => page.coveredResources, { operation: "ListCoverage" });
    const summarise = (records: CoverageRecord[], covered: number): Coverage => {
        const notScanned = records.filter((r) => r.reason !== "SUCCESSFUL").sort((a, b) => a.instanceId.localeCompare(b.instanceId));
        return { covered, scanned: covered - notScanned.filter((r) => r.statusCode !== null).length, notScanned };
    };
    if (targets.kind === "instances") {
        const records: CoverageRecord[] = [];
        for (const ids of chunk(targets.instanceIds, INSPECTOR_LIMITS.filterEntries)) {
            const found = await list({ ...ec2, resourceId: ids.map((value) => ({ comparison: "EQUALS", value })) });
            const byId = new Map(found.map((c) => [c.resourceId ?? "", coverageRecord(c)]));
            records.push(...ids.map((id) => byId.get(id) ?? { instanceId: id, statusCode: null, reason: null }));
        }
        return summarise(records, records.filter((r) => r.statusCode !== null).length);
    }
    const { first, rest } = tagParts(targets);
    const tagged: CoverageFilterCriteria = { ...ec2, ec2InstanceTags: first.map(({ key, value }) => ({ comparison: "EQUALS", key, value })) };
    if (rest.length > 0) {
        const found = (await list(tagged)).filter((c) => matchesTags(c.resourceMetadata?.ec2?.tags, rest)).map(coverageRecord);
        return summarise(found, found.length);
    }
    const [statistics, unscanned] = await Promise.all([
        inspector.send(new sdk.ListCoverageStatisticsCommand({ filterCriteria: tagged })),
        list({ ...tagged, scanStatusReason: [{ comparison: "NOT_EQUALS", value: "SUCCESSFUL" }] }),
    ]);
    return summarise(unscanned.map(coverageRecord), statistics.totalCounts ?? 0);
}

/** Active findings by product, from the managed insight the workflow opens: one GetInsightResults. */
export async function securityHubProducts(hub: SecurityHubClient, region: string, account: string | undefined): Promise<SecurityHubProducts> {
    const { GetInsightResultsCommand } = await import("@aws-sdk/client-securityhub");
    const insightArn = TOP_PRODUCTS_INSIGHT_ARN;
    try {
        const result = await hub.send(new GetInsightResultsCommand({ InsightArn: insightArn }));
        const products = (result.InsightResults?.ResultValues ?? [])
            .map((v) => ({ product: v.GroupByAttributeValue ?? "", count: v.Count ?? 0 }))
            .sort((a, b) => b.count - a.count || a.product.localeCompare(b.product));
        return { enabled: true, insightArn, products };
    } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === "InvalidAccessException") {
            const where = account ? `account ${account} in ${region}` : region;
            return { enabled: false, insightArn, products: [], message: `Security Hub is not enabled in ${where}: enable it there to see findings by product (${describeError(error)})` };
        }
        return { enabled: true, insightArn, products: [], message: `Security Hub: ${describeError(error)}`, error: describeError(error) };
    }
}

/** The missing and failed patches of one node, with their CVE ids (DescribeInstancePatches, 100 a page). */
export async function nodePatches(ssm: SSMClient, instanceId: string): Promise<PatchRecord[]> {
    const { paginateDescribeInstancePatches } = await ssmSdk();
    const pages = paginateDescribeInstancePatches(
        { client: ssm, pageSize: PAGE_SIZE.DescribeInstancePatches },
        { InstanceId: instanceId, Filters: [{ Key: "State", Values: ["Missing", "Failed"] }] },
    );
    return collectPages(
        pages,
        (page) => (page.Patches ?? []).map((p) => ({ title: p.Title ?? "", state: p.State ?? "", severity: p.Severity ?? "", classification: p.Classification ?? "", cves: parseCveIds(p.CVEIds) })),
        { operation: "DescribeInstancePatches" },
    );
}

export function complianceSummary(nodes: readonly NodeCompliance[]): ComplianceSummary {
    return {
        nodes: nodes.length,
        compliant: nodes.filter((n) => n.status === "COMPLIANT").length,
        nonCompliant: nodes.filter((n) => n.status === "NON_COMPLIANT").length,
        noData: nodes.filter((n) => n.status === "NO_DATA").length,
        missingPatches: nodes.reduce((sum, n) => sum + (n.state?.MissingCount ?? 0), 0),
        failedPatches: nodes.reduce((sum, n) => sum + (n.state?.FailedCount ?? 0), 0),
    };
}

/**
 * Reads the patches of the instances whose findings patching could close: those with an active
 * finding that has a vulnerability id and whose patch state counts missing or failed patches.
 * An instance with findings but no patch state is not a managed node (tag selections list managed
 * nodes only) or was never scanned: it is recorded as such, without a call.
 */
export async function patchesOfFindings(ssm: SSMClient, findings: readonly FindingRecord[], nodes: readonly NodeCompliance[]): Promise<Map<string, NodePatches>> {
    const states = new Map(nodes.map((n) => [n.instanceId, n]));
    const withCves = [...new Set(findings.filter((f) => f.vulnerabilityId !== undefined).map((f) => f.instanceId))].sort();
    const result = new Map<string, NodePatches>();
    const run = limiter(DESCRIBE_PATCHES_PARALLEL);
    await Promise.all(
        withCves.map(async (instanceId) => {
            const node = states.get(instanceId);
            if (!node?.state) {
                result.set(instanceId, { patches: [], error: node ? "no patch state: never scanned by Patch Manager" : "not a managed node in SSM" });
                return;
            }
            if ((node.state.MissingCount ?? 0) + (node.state.FailedCount ?? 0) === 0) {
                result.set(instanceId, { patches: [] });
                return;
            }
            result.set(instanceId, { patches: await run(() => nodePatches(ssm, instanceId)) });
        }),
    );
    return result;
}

/** Everything the report needs from one account and Region (see the module comment for the calls). */
export async function fetchScopeFindings(ssm: SSMClient, scope: { region: string; accountId?: string }, targets: TargetSpec, options: FetchOptions): Promise<ScopeFindings> {
    const { inspector, hub } = await findingsClients(ssm, options.apiRate);
    const noHub: SecurityHubProducts = { enabled: false, insightArn: TOP_PRODUCTS_INSIGHT_ARN, products: [], message: "Security Hub not read" };
    const [securityHub, findings, coverage, nodes] = await Promise.all([
        options.securityHub === false ? Promise.resolve(noHub) : securityHubProducts(hub, scope.region, scope.accountId),
        listActiveFindings(inspector, targets),
        scanCoverage(inspector, targets),
        createCompliance({ ssm }).nodes(targets),
    ]);
    const patches = await patchesOfFindings(ssm, findings, nodes);
    return { securityHub, findings, coverage, patches, nodes, compliance: complianceSummary(nodes) };
}

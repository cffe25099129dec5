/**
 * The findings model behind the fake Amazon Inspector (fakeInspector.ts) and the fake AWS Security
 * Hub (fakeSecurityHub.ts), served together by fakeFindings.ts: Inspector findings and coverage per
 * EC2 instance, Security Hub findings from other products, and how both follow a fake SSM fleet.
 *
 * Stored records use the real SDK's types (`Finding`, `CoveredResource`, `AwsSecurityFinding`), so
 * the compiler keeps them in the shapes the clients read. Inspector findings are mirrored into
 * Security Hub as the Inspector integration does (ProductName "Inspector", the instance ARN as the
 * resource id, CLOSED or SUPPRESSED findings ARCHIVED), computed on every request so a finding that
 * closes is archived in Security Hub at once.
 *
 * A finding closes when the patch that fixes it is installed: findingsForFleet() builds findings from
 * a fake SSM fleet's missing patches (same CVE ids) and keeps a reference to the fleet; before each
 * request the server calls syncWithFleet(), which closes every finding whose patch the node no longer
 * misses (what fakeSsm's Install does). closeFindingsFixedBy() does the same explicitly.
 */
import { createHash } from "node:crypto";
import type { CoveredResource, Finding, Resource as InspectorResource, ScanStatusReason, Severity, VulnerablePackage } from "@aws-sdk/client-inspector2";
import type { AwsSecurityFinding, AwsSecurityFindingFilters, SeverityLabel } from "@aws-sdk/client-securityhub";
import type { FakeFleet, FakeNode, FakePatch } from "./fakeSsm";

/** An Inspector finding as the fake stores it: the wire shape plus what only the fake knows. */
export interface FakeInspectorFinding extends Finding {
    /**
     * Fake only, never sent: title of the SSM patch (FakePatch.title) whose install fixes this
     * finding. syncWithFleet() closes the finding once its node no longer misses a patch with its CVE.
     */
    fixedByPatch?: string;
}

/** A Security Hub insight: managed (MANAGED_INSIGHTS) or custom (FindingsData.securityHub.insights). */
export interface FakeInsight {
    arn: string;
    name: string;
    /** A string attribute of AwsSecurityFindingFilters, e.g. "ProductName", "ResourceId". */
    groupByAttribute: string;
    filters: AwsSecurityFindingFilters;
}

/** What one account and Region holds. */
export interface FindingsData {
    inspector: {
        findings: FakeInspectorFinding[];
        /** One entry per scanned (or unscannable) resource. */
        coverage: CoveredResource[];
    };
    securityHub: {
        /** false: every Security Hub call answers InvalidAccessException (not subscribed). */
        enabled: boolean;
        /** Findings of products other than Inspector (GuardDuty, Config, Security Hub controls, ...). */
        findings: AwsSecurityFinding[];
        /** Mirror the Inspector findings into Security Hub. Defaults to true. */
        inspectorIntegration?: boolean;
        /** Custom insights, besides MANAGED_INSIGHTS. */
        insights?: FakeInsight[];
        /** When the account subscribed (DescribeHub). Defaults to 2024-11-04. */
        subscribedAt?: Date;
    };
    /** The fake SSM fleet the findings follow (see syncWithFleet). */
    fleet?: FakeFleet;
    /**
     * Bumped whenever a finding changes, so the fake can keep a query's filtered, sorted result for
     * its following pages (a 100,000-finding listing is 4,000 pages). Set by the functions here;
     * code that edits findings directly bumps it too.
     */
    revision?: number;
    /** The fleet's missing-patch count at the last syncWithFleet, to skip a sync that cannot close anything. */
    syncedMissing?: number;
}

/** Marks `data`'s findings as changed (see FindingsData.revision). */
export function touch(data: FindingsData): void {
    data.revision = (data.revision ?? 0) + 1;
}

/** An error answered with an HTTP status; `extra` members are added to the JSON body. */
export class FakeServiceError extends Error {
    constructor(
        readonly type: string,
        message: string,
        readonly status = errorStatus(type),
        readonly extra: Record<string, unknown> = {},
    ) {
        super(message);
    }
}

/** The HTTP status AWS answers an error code with (per the services' models). */
export function errorStatus(type: string): number {
    switch (type) {
        case "AccessDeniedException":
            return 403;
        case "InvalidAccessException":
            return 401;
        case "ResourceNotFoundException":
            return 404;
        case "ThrottlingException":
        case "TooManyRequestsException":
        case "LimitExceededException":
            return 429;
        case "InternalServerException":
        case "InternalException":
        case "InternalServerError":
            return 500;
        default:
            return 400;
    }
}

// ---- managed insights -------------------------------------------------------------------------

/**
 * The managed insight "Top products by counts of findings" that the workshop's step 1 links to
 * (shared/workshop: .../insights/arn:aws:securityhub:::insight/securityhub/default/28; the console
 * lists it as number 23).
 */
export const TOP_PRODUCTS_INSIGHT_ARN = "arn:aws:securityhub:::insight/securityhub/default/28";

/** The managed insights the fake knows. Counts active findings (RecordState ACTIVE). */
export const MANAGED_INSIGHTS: readonly FakeInsight[] = [
    {
        arn: TOP_PRODUCTS_INSIGHT_ARN,
        name: "Top products by counts of findings",
        groupByAttribute: "ProductName",
        filters: { RecordState: [{ Comparison: "EQUALS", Value: "ACTIVE" }] },
    },
];

// ---- identifiers ------------------------------------------------------------------------------

/** Hex digits derived from a seed, stable across runs. */
export function stableHex(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) {
        out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
    }
    return out.slice(0, length);
}

/** The ARN Security Hub uses as an EC2 instance's resource id. */
export function instanceArn(account: string, region: string, instanceId: string): string {
    return `arn:aws:ec2:${region}:${account}:instance/${instanceId}`;
}

/** An Inspector finding ARN: arn:aws:inspector2:<region>:<account>:finding/<32 hex>. */
export function findingArn(account: string, region: string, seed: string): string {
    return `arn:aws:inspector2:${region}:${account}:finding/${stableHex(`${account}/${region}/${seed}`, 32)}`;
}

// ---- coverage ---------------------------------------------------------------------------------

const ACTIVE_REASONS = new Set<string>(["SUCCESSFUL", "PENDING_INITIAL_SCAN", "PENDING_REVIVAL_SCAN", "SCAN_IN_PROGRESS"]);

/** The scan status code that goes with a reason: ACTIVE while Inspector scans, INACTIVE otherwise. */
export function scanStatusCode(reason: string): "ACTIVE" | "INACTIVE" {
    return ACTIVE_REASONS.has(reason) ? "ACTIVE" : "INACTIVE";
}

// ---- paging -----------------------------------------------------------------------------------

/**
 * maxResults as the models constrain it: absent gives `fallback`; outside min..max (or not an
 * integer) throws `invalid(message)`.
 */
export function pageSize(value: unknown, min: number, max: number, fallback: number, field: string, invalid: (field: string, constraint: string, value: unknown) => FakeServiceError): number {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw invalid(field, `Member must have value between ${min} and ${max}`, value);
    }
    return value;
}

/**
 * One page of `items` from the offset an opaque token carries. Tokens are bound to `query` (the
 * request's filters and sort): a token from another query is refused, as a token from a changed
 * query would make the listing skip or repeat items.
 */
export function paginate<T>(items: readonly T[], size: number, token: unknown, query: string, invalid: (message: string) => FakeServiceError): { items: T[]; nextToken?: string } {
    const digest = stableHex(query, 16);
    let offset = 0;
    if (token !== undefined && token !== null && token !== "") {
        let parsed: { o?: unknown; q?: unknown } | undefined;
        try {
            parsed = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8")) as { o?: unknown; q?: unknown };
        } catch {
            parsed = undefined;
        }
        if (!parsed || typeof parsed.o !== "number" || !Number.isInteger(parsed.o) || parsed.o < 0 || parsed.q !== digest) {
            throw invalid("The nextToken is not valid for this request.");
        }
        offset = parsed.o;
    }
    const page = items.slice(offset, offset + size);
    const next = offset + size < items.length ? Buffer.from(JSON.stringify({ o: offset + size, q: digest })).toString("base64url") : undefined;
    return { items: page, nextToken: next };
}

// ---- the fleet and its findings ---------------------------------------------------------------

export interface FindingsForFleetOptions {
    /** The fleet's account. Defaults to 111111111111. */
    account?: string;
    /** The fleet's Region. Defaults to us-east-1. */
    region?: string;
    /** Clock (ms): findings were first observed 20 days before, last observed an hour before. Defaults to 2025-01-06 02:00 UTC. */
    now?: number;
    /**
     * Scan status reasons of EC2 instances in the account that the SSM fleet lacks, one instance
     * each: Inspector cannot scan their packages (network findings still exist for unmanaged ones).
     * Defaults to ["UNMANAGED_EC2_INSTANCE", "UNMANAGED_EC2_INSTANCE", "NO_INVENTORY"].
     */
    uncovered?: ScanStatusReason[];
    /** Instance id prefix (hex) of those instances. Defaults to "0e". */
    uncoveredPrefix?: string;
    /** Add findings no patch fixes, network findings, and suppressed and closed findings. Defaults to true. */
    extras?: boolean;
    /** Is Security Hub enabled? Defaults to true. */
    securityHub?: boolean;
    /** Add Security Hub findings from GuardDuty, Config and Security Hub's own controls. Defaults to true. */
    otherProducts?: boolean;
}

const DAY = 86_400_000;
const AMI = "ami-0a1b2c3d4e5f60718";

const SEVERITY_OF_PATCH: Record<string, Severity> = { Critical: "CRITICAL", Important: "HIGH", Medium: "MEDIUM", Moderate: "MEDIUM", Low: "LOW" };
const SCORE_OF_SEVERITY: Record<string, number> = { CRITICAL: 9.8, HIGH: 7.5, MEDIUM: 5.5, LOW: 3.3, INFORMATIONAL: 0, UNTRIAGED: 0 };
const VECTOR_OF_SEVERITY: Record<string, string> = {
    CRITICAL: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    HIGH: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    MEDIUM: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H",
    LOW: "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:L",
};

/** Vulnerabilities no approved patch fixes, used for the extra findings. */
const UNPATCHED = {
    // A CVE without a fix: every scan finds it again.
    noFix: { cve: "CVE-2023-45853", pkg: "zlib", version: "1.2.7", release: "19.amzn2.0.3", severity: "CRITICAL" as Severity, fixAvailable: "NO" as const },
    // Fixed upstream, but in a package the baseline does not approve: no missing patch lists it.
    notInBaseline: { cve: "CVE-2023-5752", pkg: "python3-pip", version: "9.0.3", release: "8.amzn2.0.4", severity: "MEDIUM" as Severity, fixAvailable: "YES" as const },
    // Closed long ago (an older install).
    closed: { cve: "CVE-2023-38408", pkg: "openssh", version: "7.4p1", release: "22.amzn2.0.4", severity: "HIGH" as Severity, fixAvailable: "YES" as const },
    // Suppressed by a rule.
    suppressed: { cve: "CVE-2021-3997", pkg: "systemd", version: "219", release: "78.amzn2.0.21", severity: "LOW" as Severity, fixAvailable: "YES" as const },
};

/** "kernel.x86_64:0:5.10.234-225.910.amzn2" → the package a patch installs. */
export function parsePatchTitle(title: string): { name: string; arch?: string; epoch: number; version: string; release: string } {
    const match = /^(.+)\.([A-Za-z0-9_]+):(\d+):([^-]+)-(.+)$/.exec(title);
    if (!match) {
        return { name: title, epoch: 0, version: "0", release: "0" };
    }
    return { name: match[1], arch: match[2], epoch: Number(match[3]), version: match[4], release: match[5] };
}

/** A version just below `version` (its last number decremented), standing in for the installed one. */
function olderVersion(version: string): string {
    const match = /^(.*?)(\d+)(\D*)$/.exec(version);
    if (!match || Number(match[2]) === 0) {
        return version;
    }
    return `${match[1]}${Number(match[2]) - 1}${match[3]}`;
}

interface Host {
    instanceId: string;
    tags: Record<string, string>;
    index: number;
}

function ec2Resource(host: Host, account: string, region: string, launchedAt: Date): InspectorResource {
    const h = stableHex(host.instanceId, 24);
    return {
        type: "AWS_EC2_INSTANCE",
        id: host.instanceId,
        partition: "aws",
        region,
        tags: { ...host.tags },
        details: {
            awsEc2Instance: {
                type: "t3.micro",
                imageId: AMI,
                ipV4Addresses: [`10.0.${Math.floor(host.index / 250)}.${(host.index % 250) + 4}`],
                iamInstanceProfileArn: `arn:aws:iam::${account}:instance-profile/SSMInstanceProfile`,
                vpcId: `vpc-${h.slice(0, 17)}`,
                subnetId: `subnet-${h.slice(7, 24)}`,
                launchedAt,
                platform: "AMAZON_LINUX_2",
            },
        },
    };
}

interface PackageFindingSpec {
    cve: string;
    pkg: { name: string; arch?: string; epoch: number; version: string; release: string; fixedIn?: string };
    severity: Severity;
    vendorSeverity: string;
    fixAvailable: "YES" | "NO" | "PARTIAL";
    status: "ACTIVE" | "SUPPRESSED" | "CLOSED";
    fixedByPatch?: string;
}

function packageFinding(host: Host, spec: PackageFindingSpec, account: string, region: string, now: number): FakeInspectorFinding {
    const observed = new Date(now - 3_600_000);
    const first = new Date(now - 20 * DAY);
    const closedAt = new Date(now - 9 * DAY);
    const p = spec.pkg;
    const vulnerable: VulnerablePackage = {
        name: p.name,
        version: olderVersion(p.version),
        epoch: p.epoch,
        release: p.release,
        arch: p.arch ?? "x86_64",
        packageManager: "OS",
        fixedInVersion: spec.fixAvailable === "NO" ? "NotAvailable" : (p.fixedIn ?? `${p.epoch}:${p.version}-${p.release}.${p.arch ?? "x86_64"}`),
        remediation: spec.fixAvailable === "NO" ? "None Provided" : `yum update ${p.name}`,
    };
    const score = SCORE_OF_SEVERITY[spec.severity] ?? 5;
    return {
        findingArn: findingArn(account, region, `${host.instanceId}/${spec.cve}`),
        awsAccountId: account,
        type: "PACKAGE_VULNERABILITY",
        title: `${spec.cve} - ${p.name}`,
        description: `${p.name} ${vulnerable.version} on ${host.instanceId} is affected by ${spec.cve}.`,
        remediation: { recommendation: { text: "None Provided" } },
        severity: spec.severity,
        firstObservedAt: first,
        lastObservedAt: spec.status === "CLOSED" ? closedAt : observed,
        updatedAt: spec.status === "CLOSED" ? closedAt : observed,
        status: spec.status,
        resources: [ec2Resource(host, account, region, new Date(now - 90 * DAY))],
        inspectorScore: score,
        inspectorScoreDetails: {
            adjustedCvss: { scoreSource: "NVD", version: "3.1", score, scoringVector: VECTOR_OF_SEVERITY[spec.severity] ?? VECTOR_OF_SEVERITY.MEDIUM, adjustments: [] },
        },
        packageVulnerabilityDetails: {
            vulnerabilityId: spec.cve,
            source: "AMAZON_CVE",
            sourceUrl: `https://alas.aws.amazon.com/cve/html/${spec.cve}.html`,
            vendorSeverity: spec.vendorSeverity,
            vendorCreatedAt: new Date(now - 40 * DAY),
            vulnerablePackages: [vulnerable],
            cvss: [{ baseScore: score, scoringVector: VECTOR_OF_SEVERITY[spec.severity] ?? VECTOR_OF_SEVERITY.MEDIUM, version: "3.1", source: "NVD" }],
            relatedVulnerabilities: [],
            referenceUrls: [`https://nvd.nist.gov/vuln/detail/${spec.cve}`],
        },
        fixAvailable: spec.fixAvailable,
        exploitAvailable: "NO",
        fixedByPatch: spec.fixedByPatch,
    };
}

function networkFinding(host: Host, account: string, region: string, now: number): FakeInspectorFinding {
    const h = stableHex(`net/${host.instanceId}`, 40);
    const steps = [
        { componentId: `igw-${h.slice(0, 17)}`, componentType: "AWS::EC2::InternetGateway" },
        { componentId: `acl-${h.slice(5, 22)}`, componentType: "AWS::EC2::NetworkAcl" },
        { componentId: `sg-${h.slice(10, 27)}`, componentType: "AWS::EC2::SecurityGroup" },
        { componentId: `eni-${h.slice(20, 37)}`, componentType: "AWS::EC2::NetworkInterface" },
    ];
    const observed = new Date(now - 3_600_000);
    return {
        findingArn: findingArn(account, region, `${host.instanceId}/network/22`),
        awsAccountId: account,
        type: "NETWORK_REACHABILITY",
        title: "Port 22 is reachable from an Internet Gateway - TCP",
        description: `On the instance ${host.instanceId}, the port range 22 - 22 is reachable from the InternetGateway ${steps[0].componentId} from an attached ENI ${steps[3].componentId}.`,
        remediation: { recommendation: { text: "You can restrict access to your instance by modifying the Security Groups or ACLs in the network path." } },
        severity: "MEDIUM",
        firstObservedAt: new Date(now - 20 * DAY),
        lastObservedAt: observed,
        updatedAt: observed,
        status: "ACTIVE",
        resources: [ec2Resource(host, account, region, new Date(now - 90 * DAY))],
        networkReachabilityDetails: { openPortRange: { begin: 22, end: 22 }, protocol: "TCP", networkPath: { steps } },
    };
}

function coverage(host: Host, reason: ScanStatusReason, account: string, now: number): CoveredResource {
    return {
        resourceType: "AWS_EC2_INSTANCE",
        resourceId: host.instanceId,
        accountId: account,
        scanType: "PACKAGE",
        scanStatus: { statusCode: scanStatusCode(reason), reason },
        resourceMetadata: { ec2: { tags: { ...host.tags }, amiId: AMI, platform: "LINUX" } },
        lastScannedAt: reason === "SUCCESSFUL" ? new Date(now - 2 * 3_600_000) : undefined,
        scanMode: "EC2_SSM_AGENT_BASED",
    };
}

/**
 * Findings, coverage and Security Hub findings consistent with a fake SSM fleet:
 * - every node is covered (ACTIVE, SUCCESSFUL); `uncovered` adds instances Inspector cannot scan;
 * - for each CVE a node's missing patches list, one ACTIVE package finding with that CVE id
 *   (severity from the patch's: Critical → CRITICAL, Important → HIGH, ...), fixable, linked to
 *   the patch (closes when the patch is installed);
 * - with `extras`, by node index: a CRITICAL finding without a fix (i % 3 == 0), a fixable MEDIUM
 *   one no missing patch lists (i % 3 == 1), an open port 22 (i odd, and every unmanaged
 *   instance), a CLOSED finding (i % 4 == 3) and a SUPPRESSED one (i % 5 == 2);
 * - Security Hub findings from GuardDuty, Config and Security Hub's controls, fewer than
 *   Inspector's, so the top-products insight puts Inspector first.
 */
export function findingsForFleet(fleet: FakeFleet, options: FindingsForFleetOptions = {}): FindingsData {
    const account = options.account ?? "111111111111";
    const region = options.region ?? "us-east-1";
    const now = options.now ?? Date.UTC(2025, 0, 6, 2, 0, 0);
    const extras = options.extras ?? true;
    const findings: FakeInspectorFinding[] = [];
    const covered: CoveredResource[] = [];
    const hosts: Host[] = fleet.nodes.map((node, index) => ({ instanceId: node.instanceId, tags: node.tags, index }));

    fleet.nodes.forEach((node, i) => {
        const host = hosts[i];
        covered.push(coverage(host, "SUCCESSFUL", account, now));
        const seen = new Set<string>();
        for (const patch of node.missingPatches ?? []) {
            for (const cve of patch.cves ?? []) {
                if (seen.has(cve)) {
                    continue;
                }
                seen.add(cve);
                findings.push(
                    packageFinding(
                        host,
                        { cve, pkg: parsePatchTitle(patch.title), severity: SEVERITY_OF_PATCH[patch.severity] ?? "MEDIUM", vendorSeverity: patch.severity, fixAvailable: "YES", status: "ACTIVE", fixedByPatch: patch.title },
                        account,
                        region,
                        now,
                    ),
                );
            }
        }
        if (!extras) {
            return;
        }
        const extra = (u: (typeof UNPATCHED)[keyof typeof UNPATCHED], status: PackageFindingSpec["status"]): FakeInspectorFinding =>
            packageFinding(host, { cve: u.cve, pkg: { name: u.pkg, epoch: 0, version: u.version, release: u.release }, severity: u.severity, vendorSeverity: u.severity, fixAvailable: u.fixAvailable, status }, account, region, now);
        if (i % 3 === 0) {
            findings.push(extra(UNPATCHED.noFix, "ACTIVE"));
        }
        if (i % 3 === 1) {
            findings.push(extra(UNPATCHED.notInBaseline, "ACTIVE"));
        }
        if (i % 2 === 1) {
            findings.push(networkFinding(host, account, region, now));
        }
        if (i % 4 === 3) {
            findings.push(extra(UNPATCHED.closed, "CLOSED"));
        }
        if (i % 5 === 2) {
            findings.push(extra(UNPATCHED.suppressed, "SUPPRESSED"));
        }
    });

    const reasons = options.uncovered ?? ["UNMANAGED_EC2_INSTANCE", "UNMANAGED_EC2_INSTANCE", "NO_INVENTORY"];
    const prefix = options.uncoveredPrefix ?? "0e";
    const uncoveredHosts: Host[] = reasons.map((_reason, k) => ({
        instanceId: `i-${prefix}${k.toString(16).padStart(17 - prefix.length, "0")}`,
        tags: { ...(fleet.nodes[k % Math.max(fleet.nodes.length, 1)]?.tags ?? { Environment: "Development" }) },
        index: fleet.nodes.length + k,
    }));
    uncoveredHosts.forEach((host, k) => {
        covered.push(coverage(host, reasons[k], account, now));
        if (extras && reasons[k] === "UNMANAGED_EC2_INSTANCE") {
            findings.push(networkFinding(host, account, region, now));
        }
    });

    const other = options.otherProducts ?? true ? otherProductFindings(hosts, uncoveredHosts, account, region, now) : [];
    return { inspector: { findings, coverage: covered }, securityHub: { enabled: options.securityHub ?? true, findings: other }, fleet };
}

function product(region: string, name: "GuardDuty" | "Config" | "Security Hub"): Pick<AwsSecurityFinding, "ProductArn" | "ProductName" | "CompanyName"> {
    const id = name === "GuardDuty" ? "guardduty" : name === "Config" ? "config" : "securityhub";
    return { ProductArn: `arn:aws:securityhub:${region}::product/aws/${id}`, ProductName: name, CompanyName: name === "GuardDuty" ? "Amazon" : "AWS" };
}

const NORMALIZED: Record<string, number> = { CRITICAL: 90, HIGH: 70, MEDIUM: 40, LOW: 1, INFORMATIONAL: 0 };

function hubResource(host: Host, account: string, region: string): NonNullable<AwsSecurityFinding["Resources"]>[number] {
    return { Type: "AwsEc2Instance", Id: instanceArn(account, region, host.instanceId), Partition: "aws", Region: region, Tags: { ...host.tags } };
}

function otherProductFindings(managed: Host[], unmanaged: Host[], account: string, region: string, now: number): AwsSecurityFinding[] {
    const iso = (ms: number): string => new Date(ms).toISOString();
    const base = (id: string, label: SeverityLabel, title: string, host: Host, types: string[]): AwsSecurityFinding => ({
        SchemaVersion: "2018-10-08",
        Id: id,
        ProductArn: "",
        GeneratorId: "",
        AwsAccountId: account,
        Region: region,
        Types: types,
        FirstObservedAt: iso(now - 10 * DAY),
        LastObservedAt: iso(now - 2 * 3_600_000),
        CreatedAt: iso(now - 10 * DAY),
        UpdatedAt: iso(now - 2 * 3_600_000),
        Severity: { Label: label, Normalized: NORMALIZED[label], Original: label },
        Title: title,
        Description: title,
        Resources: [hubResource(host, account, region)],
        Workflow: { Status: "NEW" },
        RecordState: "ACTIVE",
        FindingProviderFields: { Severity: { Label: label, Original: label }, Types: types },
    });
    const out: AwsSecurityFinding[] = [];
    const detector = stableHex(`${account}/${region}/detector`, 32);
    const bruteForced = [managed[0], unmanaged[0]].filter((h): h is Host => h !== undefined);
    for (const host of bruteForced) {
        out.push({
            ...base(
                `arn:aws:guardduty:${region}:${account}:detector/${detector}/finding/${stableHex(`gd/${host.instanceId}`, 32)}`,
                "MEDIUM",
                `198.51.100.7 is performing SSH brute force attacks against ${host.instanceId}.`,
                host,
                ["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"],
            ),
            ...product(region, "GuardDuty"),
            GeneratorId: `arn:aws:guardduty:${region}:${account}:detector/${detector}`,
        });
    }
    for (const host of unmanaged) {
        out.push({
            ...base(
                `arn:aws:config:${region}:${account}:config-rule/config-rule-ssm01/finding/${stableHex(`cfg/${host.instanceId}`, 40)}`,
                "MEDIUM",
                "ec2-instance-managed-by-systems-manager",
                host,
                ["Software and Configuration Checks"],
            ),
            ...product(region, "Config"),
            GeneratorId: "arn:aws:config:config-rule/ec2-instance-managed-by-systems-manager",
            Compliance: { Status: "FAILED" },
        });
        out.push({
            ...base(
                `arn:aws:securityhub:${region}:${account}:security-control/SSM.1/finding/${stableHex(`ssm1/${host.instanceId}`, 32)}`,
                "MEDIUM",
                "EC2 instances should be managed by AWS Systems Manager",
                host,
                ["Software and Configuration Checks/Industry and Regulatory Standards"],
            ),
            ...product(region, "Security Hub"),
            GeneratorId: "security-control/SSM.1",
            Compliance: { Status: "FAILED", SecurityControlId: "SSM.1" },
        });
    }
    managed.slice(0, 2).forEach((host, k) => {
        out.push({
            ...base(
                `arn:aws:securityhub:${region}:${account}:security-control/EC2.8/finding/${stableHex(`ec28/${host.instanceId}`, 32)}`,
                "HIGH",
                "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
                host,
                ["Software and Configuration Checks/Industry and Regulatory Standards"],
            ),
            ...product(region, "Security Hub"),
            GeneratorId: "security-control/EC2.8",
            Compliance: { Status: "FAILED", SecurityControlId: "EC2.8" },
            // The second one's instance was replaced: archived.
            ...(k === 1 ? { RecordState: "ARCHIVED" as const, Workflow: { Status: "RESOLVED" as const } } : {}),
        });
    });
    return out;
}

// ---- closing findings -------------------------------------------------------------------------

function close(finding: FakeInspectorFinding, at: Date): void {
    finding.status = "CLOSED";
    finding.updatedAt = at;
}

/**
 * The install hook: closes the ACTIVE package findings on `instanceId` whose CVE is among
 * `installedCveIds` and that have a fix (fixAvailable YES or PARTIAL), as Inspector does on its
 * next scan after the install. Returns the findings it closed.
 */
export function closeFindingsFixedBy(data: FindingsData, instanceId: string, installedCveIds: readonly string[], at: Date): FakeInspectorFinding[] {
    const cves = new Set(installedCveIds);
    const closed: FakeInspectorFinding[] = [];
    for (const f of data.inspector.findings) {
        const cve = f.packageVulnerabilityDetails?.vulnerabilityId;
        if (f.status === "ACTIVE" && cve !== undefined && cves.has(cve) && f.fixAvailable !== "NO" && f.resources?.some((r) => r.id === instanceId)) {
            close(f, at);
            closed.push(f);
        }
    }
    if (closed.length > 0) touch(data);
    return closed;
}

/** closeFindingsFixedBy for the CVEs of the patches an install put on `node`. */
export function onInstall(data: FindingsData, node: FakeNode, installed: readonly FakePatch[], at: Date): FakeInspectorFinding[] {
    return closeFindingsFixedBy(
        data,
        node.instanceId,
        installed.flatMap((p) => p.cves ?? []),
        at,
    );
}

/**
 * Follows `data.fleet`: closes every ACTIVE finding linked to a patch (fixedByPatch) whose node no
 * longer misses a patch listing its CVE — fakeSsm's Install empties a node's missing patches.
 * Returns the findings it closed. A no-op without a fleet.
 */
export function syncWithFleet(data: FindingsData, at: Date): FakeInspectorFinding[] {
    if (!data.fleet) {
        return [];
    }
    // An install only ever removes missing patches: an unchanged count means nothing to close.
    const missingNow = data.fleet.nodes.reduce((sum, node) => sum + (node.missingPatches?.length ?? 0), 0);
    if (data.syncedMissing === missingNow) {
        return [];
    }
    data.syncedMissing = missingNow;
    const missing = new Map<string, Set<string>>();
    for (const node of data.fleet.nodes) {
        missing.set(node.instanceId, new Set((node.missingPatches ?? []).flatMap((p) => p.cves ?? [])));
    }
    const closed: FakeInspectorFinding[] = [];
    for (const f of data.inspector.findings) {
        const instanceId = f.resources?.[0]?.id;
        const cve = f.packageVulnerabilityDetails?.vulnerabilityId;
        const stillMissing = instanceId === undefined ? undefined : missing.get(instanceId);
        if (f.status === "ACTIVE" && f.fixedByPatch !== undefined && cve !== undefined && stillMissing !== undefined && !stillMissing.has(cve)) {
            close(f, at);
            closed.push(f);
        }
    }
    if (closed.length > 0) touch(data);
    return closed;
}

// ---- Security Hub's view of Inspector findings ------------------------------------------------

const LABEL_OF_SEVERITY: Record<string, SeverityLabel> = { CRITICAL: "CRITICAL", HIGH: "HIGH", MEDIUM: "MEDIUM", LOW: "LOW", INFORMATIONAL: "INFORMATIONAL", UNTRIAGED: "INFORMATIONAL" };

/**
 * An Inspector finding as the Inspector integration imports it into Security Hub (ASFF): its ARN
 * as Id, ProductName "Inspector", the instance ARN as resource id; ACTIVE → RecordState ACTIVE /
 * Workflow NEW, SUPPRESSED → ARCHIVED / SUPPRESSED, CLOSED → ARCHIVED / RESOLVED.
 */
export function inspectorToSecurityHub(f: Finding): AwsSecurityFinding {
    const account = f.awsAccountId ?? "";
    const resource = f.resources?.[0];
    const region = resource?.region ?? "us-east-1";
    const iso = (d: Date | undefined): string | undefined => d?.toISOString();
    const label = LABEL_OF_SEVERITY[f.severity ?? "INFORMATIONAL"] ?? "INFORMATIONAL";
    const types = f.type === "NETWORK_REACHABILITY" ? ["Software and Configuration Checks/AWS Security Best Practices/Network Reachability"] : ["Software and Configuration Checks/Vulnerabilities/CVE"];
    const ec2 = resource?.details?.awsEc2Instance;
    const vuln = f.packageVulnerabilityDetails;
    const status = f.status === "CLOSED" ? { RecordState: "ARCHIVED" as const, Workflow: { Status: "RESOLVED" as const } } : f.status === "SUPPRESSED" ? { RecordState: "ARCHIVED" as const, Workflow: { Status: "SUPPRESSED" as const } } : { RecordState: "ACTIVE" as const, Workflow: { Status: "NEW" as const } };
    return {
        SchemaVersion: "2018-10-08",
        Id: f.findingArn ?? "",
        ProductArn: `arn:aws:securityhub:${region}::product/aws/inspector`,
        ProductName: "Inspector",
        CompanyName: "Amazon",
        Region: region,
        GeneratorId: "AWSInspector",
        AwsAccountId: account,
        Types: types,
        FirstObservedAt: iso(f.firstObservedAt),
        LastObservedAt: iso(f.lastObservedAt),
        CreatedAt: iso(f.firstObservedAt) ?? "",
        UpdatedAt: iso(f.updatedAt ?? f.lastObservedAt) ?? "",
        Severity: { Label: label, Normalized: NORMALIZED[label], Original: f.severity },
        Title: f.title ?? "",
        Description: f.description ?? "",
        Remediation: { Recommendation: { Text: f.remediation?.recommendation?.text } },
        ProductFields: {
            "aws/inspector/FindingStatus": f.status ?? "ACTIVE",
            "aws/inspector/ProductVersion": "2",
            ...(f.inspectorScore !== undefined ? { "aws/inspector/inspectorScore": String(f.inspectorScore) } : {}),
            "aws/securityhub/FindingId": `arn:aws:securityhub:${region}::product/aws/inspector/${f.findingArn ?? ""}`,
            "aws/securityhub/ProductName": "Inspector",
            "aws/securityhub/CompanyName": "Amazon",
        },
        Resources:
            resource === undefined
                ? []
                : [
                      {
                          Type: resource.type === "AWS_EC2_INSTANCE" ? "AwsEc2Instance" : String(resource.type),
                          Id: resource.type === "AWS_EC2_INSTANCE" ? instanceArn(account, region, resource.id ?? "") : (resource.id ?? ""),
                          Partition: "aws",
                          Region: region,
                          Tags: resource.tags,
                          Details: ec2
                              ? {
                                    AwsEc2Instance: {
                                        Type: ec2.type,
                                        ImageId: ec2.imageId,
                                        IpV4Addresses: ec2.ipV4Addresses,
                                        IamInstanceProfileArn: ec2.iamInstanceProfileArn,
                                        VpcId: ec2.vpcId,
                                        SubnetId: ec2.subnetId,
                                        LaunchedAt: iso(ec2.launchedAt),
                                    },
                                }
                              : undefined,
                      },
                  ],
        ...status,
        Vulnerabilities: vuln
            ? [
                  {
                      Id: vuln.vulnerabilityId ?? "",
                      VulnerablePackages: vuln.vulnerablePackages?.map((p) => ({
                          Name: p.name,
                          Version: p.version,
                          Epoch: p.epoch === undefined ? undefined : String(p.epoch),
                          Release: p.release,
                          Architecture: p.arch,
                          PackageManager: p.packageManager,
                          FixedInVersion: p.fixedInVersion,
                          Remediation: p.remediation,
                      })),
                      Cvss: vuln.cvss?.map((c) => ({ Version: c.version, BaseScore: c.baseScore, BaseVector: c.scoringVector, Source: c.source })),
                      Vendor: { Name: vuln.source ?? "", Url: vuln.sourceUrl, VendorSeverity: vuln.vendorSeverity, VendorCreatedAt: iso(vuln.vendorCreatedAt) },
                      ReferenceUrls: vuln.referenceUrls,
                      FixAvailable: f.fixAvailable,
                      ExploitAvailable: f.exploitAvailable,
                  },
              ]
            : undefined,
        FindingProviderFields: { Severity: { Label: label, Original: f.severity }, Types: types },
    };
}

/** Everything Security Hub holds for an account and Region: Inspector's mirrored findings, then the other products'. */
export function securityHubFindings(data: FindingsData): AwsSecurityFinding[] {
    const mirrored = data.securityHub.inspectorIntegration === false ? [] : data.inspector.findings.map(inspectorToSecurityHub);
    return [...mirrored, ...data.securityHub.findings];
}

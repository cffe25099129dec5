/**
 * AWS Security Hub (securityhub, REST-JSON) operations over the findings model, for the loopback
 * server in fakeFindings.ts. Members, enums and limits follow AWS's model (botocore
 * data/securityhub/2018-10-26/service-2.json):
 *
 * - POST /findings GetFindings: MaxResults 1-100 (default 100), NextToken, Filters
 *   (AwsSecurityFindingFilters: at most 10 attributes, 20 values each, as the model's
 *   documentation says), SortCriteria [{Field, SortOrder asc|desc}].
 *   String filters: EQUALS, PREFIX, CONTAINS OR'ed; NOT_EQUALS, PREFIX_NOT_EQUALS, NOT_CONTAINS
 *   AND'ed; the combinations the documentation forbids answer InvalidInputException.
 * - GET /insights/results/{InsightArn+} GetInsightResults: the managed insight the workshop opens
 *   (TOP_PRODUCTS_INSIGHT_ARN, grouped by ProductName, active findings) and custom ones.
 * - POST /insights/get GetInsights; GET /accounts DescribeHub.
 *
 * An account where Security Hub is not enabled gets InvalidAccessException (HTTP 401, "Account
 * <id> is not subscribed to AWS Security Hub") from every operation, as AWS answers.
 */
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { FakeServiceError, MANAGED_INSIGHTS, pageSize, paginate, securityHubFindings, type FakeInsight, type FindingsData } from "./findingsModel";

export type SecurityHubOperation = "GetFindings" | "GetInsightResults" | "GetInsights" | "DescribeHub";

export interface SecurityHubContext {
    account: string;
    region: string;
    /** The server's clock, ms (DateRange filters count days back from it). */
    now: number;
}

type Input = Record<string, unknown>;
type H = AwsSecurityFinding;

/** Filter attributes a GetFindings request may use, and values a filter attribute may list. */
export const SECURITY_HUB_FILTER_LIMITS = { attributes: 10, values: 20 } as const;

/** Whether a route is Security Hub's; `params` carries the path label. */
export function securityHubRoute(method: string, path: string): { operation: SecurityHubOperation; params: Input } | undefined {
    if (method === "POST" && path === "/findings") {
        return { operation: "GetFindings", params: {} };
    }
    if (method === "POST" && path === "/insights/get") {
        return { operation: "GetInsights", params: {} };
    }
    if (method === "GET" && path === "/accounts") {
        return { operation: "DescribeHub", params: {} };
    }
    const prefix = "/insights/results/";
    if (method === "GET" && path.startsWith(prefix) && path.length > prefix.length) {
        // A greedy label: each segment percent-encoded, the slashes kept.
        const arn = path
            .slice(prefix.length)
            .split("/")
            .map((segment) => decodeURIComponent(segment))
            .join("/");
        return { operation: "GetInsightResults", params: { InsightArn: arn } };
    }
    return undefined;
}

function invalidInput(message: string): FakeServiceError {
    return new FakeServiceError("InvalidInputException", message, 400);
}

/** Runs one Security Hub operation for the caller. */
export function securityHubOperation(operation: SecurityHubOperation, input: Input, data: FindingsData | undefined, ctx: SecurityHubContext): unknown {
    if (!data || !data.securityHub.enabled) {
        throw new FakeServiceError("InvalidAccessException", `Account ${ctx.account} is not subscribed to AWS Security Hub`, 401);
    }
    switch (operation) {
        case "GetFindings":
            return getFindings(input, data, ctx);
        case "GetInsightResults":
            return getInsightResults(input, data, ctx);
        case "GetInsights":
            return getInsights(input, data);
        case "DescribeHub":
            return {
                HubArn: `arn:aws:securityhub:${ctx.region}:${ctx.account}:hub/default`,
                SubscribedAt: (data.securityHub.subscribedAt ?? new Date(Date.UTC(2024, 10, 4))).toISOString(),
                AutoEnableControls: true,
                ControlFindingGenerator: "SECURITY_CONTROL",
            };
    }
}

// ---- attributes -------------------------------------------------------------------------------

type Attribute =
    | { kind: "string"; get: (h: H) => Array<string | undefined> }
    | { kind: "date"; get: (h: H) => Array<string | undefined> }
    | { kind: "number"; get: (h: H) => Array<number | undefined> }
    | { kind: "map"; get: (h: H) => Array<Record<string, string> | undefined> }
    | { kind: "ip"; get: (h: H) => string[] }
    | { kind: "boolean"; get: (h: H) => boolean | undefined }
    | { kind: "keyword"; get: (h: H) => string[] };

const one = <T>(v: T | undefined): Array<T | undefined> => [v];
const str = (get: (h: H) => Array<string | undefined>): Attribute => ({ kind: "string", get });
const date = (get: (h: H) => Array<string | undefined>): Attribute => ({ kind: "date", get });
const num = (get: (h: H) => Array<number | undefined>): Attribute => ({ kind: "number", get });
const res = (h: H) => h.Resources ?? [];
const inst = (h: H) => res(h).map((r) => r.Details?.AwsEc2Instance);

/** The attributes the fake can read from its findings. */
const ATTRIBUTES: Record<string, Attribute> = {
    ProductArn: str((h) => one(h.ProductArn)),
    AwsAccountId: str((h) => one(h.AwsAccountId)),
    AwsAccountName: str((h) => one(h.AwsAccountName)),
    Id: str((h) => one(h.Id)),
    GeneratorId: str((h) => one(h.GeneratorId)),
    Region: str((h) => one(h.Region)),
    Type: str((h) => h.Types ?? []),
    SeverityLabel: str((h) => one(h.Severity?.Label)),
    Title: str((h) => one(h.Title)),
    Description: str((h) => one(h.Description)),
    RecommendationText: str((h) => one(h.Remediation?.Recommendation?.Text)),
    SourceUrl: str((h) => one(h.SourceUrl)),
    ProductName: str((h) => one(h.ProductName)),
    CompanyName: str((h) => one(h.CompanyName)),
    ResourceType: str((h) => res(h).map((r) => r.Type)),
    ResourceId: str((h) => res(h).map((r) => r.Id)),
    ResourcePartition: str((h) => res(h).map((r) => r.Partition)),
    ResourceRegion: str((h) => res(h).map((r) => r.Region)),
    ResourceAwsEc2InstanceType: str((h) => inst(h).map((d) => d?.Type)),
    ResourceAwsEc2InstanceImageId: str((h) => inst(h).map((d) => d?.ImageId)),
    ResourceAwsEc2InstanceKeyName: str((h) => inst(h).map((d) => d?.KeyName)),
    ResourceAwsEc2InstanceIamInstanceProfileArn: str((h) => inst(h).map((d) => d?.IamInstanceProfileArn)),
    ResourceAwsEc2InstanceVpcId: str((h) => inst(h).map((d) => d?.VpcId)),
    ResourceAwsEc2InstanceSubnetId: str((h) => inst(h).map((d) => d?.SubnetId)),
    ComplianceStatus: str((h) => one(h.Compliance?.Status)),
    ComplianceSecurityControlId: str((h) => one(h.Compliance?.SecurityControlId)),
    VerificationState: str((h) => one(h.VerificationState)),
    WorkflowState: str((h) => one(h.WorkflowState)),
    WorkflowStatus: str((h) => one(h.Workflow?.Status)),
    RecordState: str((h) => one(h.RecordState)),
    NoteText: str((h) => one(h.Note?.Text)),
    NoteUpdatedBy: str((h) => one(h.Note?.UpdatedBy)),
    FindingProviderFieldsSeverityLabel: str((h) => one(h.FindingProviderFields?.Severity?.Label)),
    FindingProviderFieldsSeverityOriginal: str((h) => one(h.FindingProviderFields?.Severity?.Original)),
    FindingProviderFieldsTypes: str((h) => h.FindingProviderFields?.Types ?? []),
    VulnerabilitiesExploitAvailable: str((h) => (h.Vulnerabilities ?? []).map((v) => v.ExploitAvailable)),
    VulnerabilitiesFixAvailable: str((h) => (h.Vulnerabilities ?? []).map((v) => v.FixAvailable)),
    FirstObservedAt: date((h) => one(h.FirstObservedAt)),
    LastObservedAt: date((h) => one(h.LastObservedAt)),
    CreatedAt: date((h) => one(h.CreatedAt)),
    UpdatedAt: date((h) => one(h.UpdatedAt)),
    ResourceAwsEc2InstanceLaunchedAt: date((h) => inst(h).map((d) => d?.LaunchedAt)),
    NoteUpdatedAt: date((h) => one(h.Note?.UpdatedAt)),
    SeverityProduct: num((h) => one(h.Severity?.Product)),
    SeverityNormalized: num((h) => one(h.Severity?.Normalized)),
    Confidence: num((h) => one(h.Confidence)),
    Criticality: num((h) => one(h.Criticality)),
    FindingProviderFieldsConfidence: num((h) => one(h.FindingProviderFields?.Confidence)),
    FindingProviderFieldsCriticality: num((h) => one(h.FindingProviderFields?.Criticality)),
    ProductFields: { kind: "map", get: (h) => [h.ProductFields] },
    UserDefinedFields: { kind: "map", get: (h) => [h.UserDefinedFields] },
    ResourceTags: { kind: "map", get: (h) => res(h).map((r) => r.Tags) },
    ResourceDetailsOther: { kind: "map", get: (h) => res(h).map((r) => r.Details?.Other) },
    ResourceAwsEc2InstanceIpV4Addresses: { kind: "ip", get: (h) => inst(h).flatMap((d) => d?.IpV4Addresses ?? []) },
    Sample: { kind: "boolean", get: (h) => h.Sample ?? false },
};

/** The model's other AwsSecurityFindingFilters members: the fake's findings never carry them. */
const ABSENT: Record<Attribute["kind"], string> = {
    string:
        "MalwareName MalwareType MalwarePath MalwareState NetworkDirection NetworkProtocol NetworkSourceDomain NetworkSourceMac NetworkDestinationDomain ProcessName ProcessPath ThreatIntelIndicatorType ThreatIntelIndicatorValue ThreatIntelIndicatorCategory ThreatIntelIndicatorSource ThreatIntelIndicatorSourceUrl ResourceAwsS3BucketOwnerId ResourceAwsS3BucketOwnerName ResourceAwsIamAccessKeyUserName ResourceAwsIamAccessKeyPrincipalName ResourceAwsIamAccessKeyStatus ResourceAwsIamUserUserName ResourceContainerName ResourceContainerImageId ResourceContainerImageName RelatedFindingsProductArn RelatedFindingsId FindingProviderFieldsRelatedFindingsId FindingProviderFieldsRelatedFindingsProductArn ComplianceAssociatedStandardsId ComplianceSecurityControlParametersName ComplianceSecurityControlParametersValue ResourceApplicationName ResourceApplicationArn",
    date: "ProcessLaunchedAt ProcessTerminatedAt ThreatIntelIndicatorLastObservedAt ResourceAwsIamAccessKeyCreatedAt ResourceContainerLaunchedAt",
    number: "NetworkSourcePort NetworkDestinationPort ProcessPid ProcessParentPid",
    map: "",
    ip: "NetworkSourceIpV4 NetworkSourceIpV6 NetworkDestinationIpV4 NetworkDestinationIpV6 ResourceAwsEc2InstanceIpV6Addresses",
    boolean: "",
    keyword: "Keyword",
};
for (const [kind, names] of Object.entries(ABSENT) as Array<[Attribute["kind"], string]>) {
    for (const name of names.split(" ").filter((n) => n !== "")) {
        ATTRIBUTES[name] = { kind, get: () => [] } as Attribute;
    }
}

// ---- filters ----------------------------------------------------------------------------------

const POSITIVE = new Set(["EQUALS", "PREFIX", "CONTAINS"]);
const NEGATIVE = new Set(["NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"]);

function list(value: unknown, name: string): Input[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "object" || v === null)) {
        throw invalidInput(`Filters.${name} must be a list of filters.`);
    }
    if (value.length > SECURITY_HUB_FILTER_LIMITS.values) {
        throw invalidInput(`Filters.${name} has ${value.length} values; a filter attribute can have at most ${SECURITY_HUB_FILTER_LIMITS.values}.`);
    }
    return value as Input[];
}

function textTest(comparison: string, value: string): (v: string) => boolean {
    switch (comparison) {
        case "EQUALS":
        case "NOT_EQUALS":
            return (v) => v === value;
        case "PREFIX":
        case "PREFIX_NOT_EQUALS":
            return (v) => v.startsWith(value);
        default:
            return (v) => v.includes(value);
    }
}

/** String filters on one attribute, with the documented combination rules. */
function stringTest(filters: Input[], name: string): (values: Array<string | undefined>) => boolean {
    const parsed = filters.map((f) => {
        const comparison = String(f.Comparison ?? "");
        if (!POSITIVE.has(comparison) && !NEGATIVE.has(comparison)) {
            throw invalidInput(`Filters.${name}: comparison ${comparison || "(missing)"} is not valid for GetFindings${comparison === "CONTAINS_WORD" ? " (CONTAINS_WORD works only in the V2 APIs)" : ""}.`);
        }
        if (typeof f.Value !== "string" || !/\S/.test(f.Value)) {
            throw invalidInput(`Filters.${name}: Value must be a non-empty string.`);
        }
        return { comparison, test: textTest(comparison, f.Value) };
    });
    const has = (c: string): boolean => parsed.some((p) => p.comparison === c);
    if ((has("CONTAINS") && parsed.some((p) => p.comparison !== "CONTAINS")) || (has("NOT_CONTAINS") && parsed.some((p) => p.comparison !== "NOT_CONTAINS")) || (has("EQUALS") && (has("NOT_EQUALS") || has("PREFIX_NOT_EQUALS")))) {
        throw invalidInput(`Filters.${name}: these comparisons cannot be combined on one attribute: ${[...new Set(parsed.map((p) => p.comparison))].join(", ")}.`);
    }
    const positive = parsed.filter((p) => POSITIVE.has(p.comparison));
    const negative = parsed.filter((p) => NEGATIVE.has(p.comparison));
    return (values) => {
        const present = values.filter((v): v is string => v !== undefined);
        const hit = positive.length === 0 || present.some((v) => positive.some((p) => p.test(v)));
        return hit && negative.every((n) => present.every((v) => !n.test(v)));
    };
}

function mapTest(filters: Input[], name: string): (maps: Array<Record<string, string> | undefined>) => boolean {
    const parsed = filters.map((f) => {
        const comparison = String(f.Comparison ?? "");
        if (!["EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"].includes(comparison) || typeof f.Key !== "string" || typeof f.Value !== "string") {
            throw invalidInput(`Filters.${name}: a map filter needs Key, Value and Comparison EQUALS, NOT_EQUALS, CONTAINS or NOT_CONTAINS.`);
        }
        return { comparison, key: f.Key, test: textTest(comparison, f.Value) };
    });
    const positive = parsed.filter((p) => POSITIVE.has(p.comparison));
    const negative = parsed.filter((p) => NEGATIVE.has(p.comparison));
    return (maps) => {
        const present = maps.filter((m): m is Record<string, string> => m !== undefined);
        const value = (m: Record<string, string>, key: string): string | undefined => (Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined);
        const hit = positive.length === 0 || present.some((m) => positive.some((p) => value(m, p.key) !== undefined && p.test(value(m, p.key) as string)));
        return hit && negative.every((n) => present.every((m) => value(m, n.key) === undefined || !n.test(value(m, n.key) as string)));
    };
}

function numberTest(filters: Input[], name: string): (values: Array<number | undefined>) => boolean {
    const parsed = filters.map((f) => {
        for (const key of ["Gte", "Lte", "Eq", "Gt", "Lt"]) {
            if (f[key] !== undefined && typeof f[key] !== "number") {
                throw invalidInput(`Filters.${name}.${key} must be a number.`);
            }
        }
        return f as { Gte?: number; Lte?: number; Eq?: number; Gt?: number; Lt?: number };
    });
    const ok = (n: number, f: (typeof parsed)[number]): boolean =>
        (f.Gte === undefined || n >= f.Gte) && (f.Lte === undefined || n <= f.Lte) && (f.Eq === undefined || n === f.Eq) && (f.Gt === undefined || n > f.Gt) && (f.Lt === undefined || n < f.Lt);
    return (values) => values.some((n) => n !== undefined && parsed.some((f) => ok(n, f)));
}

function dateTest(filters: Input[], name: string, now: number): (values: Array<string | undefined>) => boolean {
    const parsed = filters.map((f) => {
        const start = f.Start === undefined ? undefined : Date.parse(String(f.Start));
        const end = f.End === undefined ? undefined : Date.parse(String(f.End));
        if (Number.isNaN(start) || Number.isNaN(end)) {
            throw invalidInput(`Filters.${name}: Start and End must be ISO 8601 timestamps.`);
        }
        const range = f.DateRange as { Value?: unknown; Unit?: unknown; Comparison?: unknown } | undefined;
        if (range !== undefined && (typeof range.Value !== "number" || range.Unit !== "DAYS" || (range.Comparison !== undefined && range.Comparison !== "WITHIN" && range.Comparison !== "OLDER_THAN"))) {
            throw invalidInput(`Filters.${name}.DateRange needs a Value and the Unit DAYS.`);
        }
        return { start, end, range: range as { Value: number; Comparison?: string } | undefined };
    });
    return (values) =>
        values.some((v) => {
            const t = v === undefined ? NaN : Date.parse(v);
            if (Number.isNaN(t)) {
                return false;
            }
            return parsed.some((f) => {
                if (f.range) {
                    const edge = now - f.range.Value * 86_400_000;
                    return f.range.Comparison === "OLDER_THAN" ? t < edge : t >= edge;
                }
                return (f.start === undefined || t >= f.start) && (f.end === undefined || t <= f.end);
            });
        });
}

function ipv4(text: string): number | undefined {
    const parts = text.split(".").map(Number);
    return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts.reduce((a, p) => a * 256 + p, 0) : undefined;
}

function ipTest(filters: Input[], name: string): (values: string[]) => boolean {
    const ranges = filters.map((f) => {
        const [address, bits = "32"] = String(f.Cidr ?? "").split("/");
        const base = ipv4(address);
        const n = Number(bits);
        if (base === undefined || !Number.isInteger(n) || n < 0 || n > 32) {
            throw invalidInput(`Filters.${name}: Cidr must be an IPv4 CIDR block.`);
        }
        const size = 2 ** (32 - n);
        return { low: Math.floor(base / size) * size, size };
    });
    return (values) => values.some((v) => {
        const a = ipv4(v);
        return a !== undefined && ranges.some((r) => a >= r.low && a < r.low + r.size);
    });
}

/** Validates AwsSecurityFindingFilters and compiles it into a predicate (attributes AND'ed). */
export function compileFilters(filters: unknown, now: number): (h: H) => boolean {
    if (filters === undefined || filters === null) {
        return () => true;
    }
    if (typeof filters !== "object" || Array.isArray(filters)) {
        throw invalidInput("Filters must be a structure.");
    }
    const entries = Object.entries(filters as Input).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0));
    if (entries.length > SECURITY_HUB_FILTER_LIMITS.attributes) {
        throw invalidInput(`Filters use ${entries.length} attributes; you can filter by at most ${SECURITY_HUB_FILTER_LIMITS.attributes}.`);
    }
    const tests = entries.map(([name, value]): ((h: H) => boolean) => {
        const attribute = ATTRIBUTES[name];
        if (!attribute) {
            throw invalidInput(`Filters.${name} is not a finding filter attribute.`);
        }
        const filterList = list(value, name);
        switch (attribute.kind) {
            case "string": {
                const test = stringTest(filterList, name);
                return (h) => test(attribute.get(h));
            }
            case "date": {
                const test = dateTest(filterList, name, now);
                return (h) => test(attribute.get(h));
            }
            case "number": {
                const test = numberTest(filterList, name);
                return (h) => test(attribute.get(h));
            }
            case "map": {
                const test = mapTest(filterList, name);
                return (h) => test(attribute.get(h));
            }
            case "ip": {
                const test = ipTest(filterList, name);
                return (h) => test(attribute.get(h));
            }
            case "boolean": {
                const wanted = filterList.map((f) => f.Value === true);
                return (h) => wanted.includes(attribute.get(h) === true);
            }
            case "keyword":
                // Deprecated; the fake's findings carry no keywords.
                return () => false;
        }
    });
    return (h) => tests.every((t) => t(h));
}

// ---- operations -------------------------------------------------------------------------------

function sortFindings(findings: H[], criteria: unknown): H[] {
    if (criteria === undefined || criteria === null) {
        return findings;
    }
    if (!Array.isArray(criteria)) {
        throw invalidInput("SortCriteria must be a list.");
    }
    const keys = criteria.map((c: Input) => {
        const attribute = ATTRIBUTES[String(c?.Field)];
        if (!attribute || (attribute.kind !== "string" && attribute.kind !== "date" && attribute.kind !== "number")) {
            throw invalidInput(`SortCriteria: ${String(c?.Field)} is not a field findings can be sorted by.`);
        }
        if (c.SortOrder !== undefined && c.SortOrder !== "asc" && c.SortOrder !== "desc") {
            throw invalidInput("SortCriteria: SortOrder must be asc or desc.");
        }
        const get = attribute.get as (h: H) => Array<string | number | undefined>;
        return { get: (h: H) => get(h)[0], descending: c.SortOrder === "desc" };
    });
    return [...findings].sort((a, b) => {
        for (const key of keys) {
            const x = key.get(a);
            const y = key.get(b);
            if (x === y) {
                continue;
            }
            if (x === undefined || y === undefined) {
                return x === undefined ? 1 : -1;
            }
            const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
            return key.descending ? -order : order;
        }
        return 0;
    });
}

function getFindings(input: Input, data: FindingsData, ctx: SecurityHubContext): unknown {
    const size = pageSize(input.MaxResults, 1, 100, 100, "MaxResults", (field, constraint) => invalidInput(`${field}: ${constraint}`));
    const match = compileFilters(input.Filters, ctx.now);
    const findings = sortFindings(securityHubFindings(data).filter(match), input.SortCriteria);
    const page = paginate(findings, size, input.NextToken, JSON.stringify(["GetFindings", input.Filters ?? null, input.SortCriteria ?? null]), invalidInput);
    return { Findings: page.items, NextToken: page.nextToken };
}

function insights(data: FindingsData): FakeInsight[] {
    return [...MANAGED_INSIGHTS, ...(data.securityHub.insights ?? [])];
}

function getInsightResults(input: Input, data: FindingsData, ctx: SecurityHubContext): unknown {
    const arn = String(input.InsightArn ?? "");
    const insight = insights(data).find((i) => i.arn === arn);
    if (!insight) {
        throw new FakeServiceError("ResourceNotFoundException", `Insight ${arn} not found`, 404);
    }
    const attribute = ATTRIBUTES[insight.groupByAttribute];
    if (!attribute || attribute.kind !== "string") {
        throw invalidInput(`GroupByAttribute ${insight.groupByAttribute} is not supported by the fake.`);
    }
    const counts = new Map<string, number>();
    for (const h of securityHubFindings(data).filter(compileFilters(insight.filters, ctx.now))) {
        for (const value of new Set(attribute.get(h))) {
            if (value !== undefined) {
                counts.set(value, (counts.get(value) ?? 0) + 1);
            }
        }
    }
    const values = [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).slice(0, 100);
    return {
        InsightResults: {
            InsightArn: insight.arn,
            GroupByAttribute: insight.groupByAttribute,
            ResultValues: values.map(([GroupByAttributeValue, Count]) => ({ GroupByAttributeValue, Count })),
        },
    };
}

function getInsights(input: Input, data: FindingsData): unknown {
    const size = pageSize(input.MaxResults, 1, 100, 100, "MaxResults", (field, constraint) => invalidInput(`${field}: ${constraint}`));
    let selected = insights(data);
    if (Array.isArray(input.InsightArns) && input.InsightArns.length > 0) {
        const wanted = input.InsightArns.map(String);
        const unknown = wanted.filter((arn) => !selected.some((i) => i.arn === arn));
        if (unknown.length > 0) {
            throw new FakeServiceError("ResourceNotFoundException", `Insights not found: ${unknown.join(", ")}`, 404);
        }
        selected = selected.filter((i) => wanted.includes(i.arn));
    }
    const page = paginate(selected, size, input.NextToken, JSON.stringify(["GetInsights", input.InsightArns ?? null]), invalidInput);
    return { Insights: page.items.map((i) => ({ InsightArn: i.arn, Name: i.name, Filters: i.filters, GroupByAttribute: i.groupByAttribute })), NextToken: page.nextToken };
}

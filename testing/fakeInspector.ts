/**
 * Amazon Inspector (inspector2, REST-JSON) operations over the findings model, for the loopback
 * server in fakeFindings.ts. Request and response members, enums and limits follow AWS's model
 * (botocore data/inspector2/2020-06-08/service-2.json):
 *
 * - POST /findings/list ListFindings: maxResults 1-100, but a page holds at most 25 findings
 *   (FindingList max 25); filterCriteria lists hold 1-10 entries; StringFilter EQUALS, PREFIX,
 *   NOT_EQUALS (the positive ones OR'ed, NOT_EQUALS AND'ed); MapFilter EQUALS (entries OR'ed);
 *   filters on different members AND'ed; sortCriteria {field, sortOrder}.
 * - POST /findings/aggregation/list ListFindingAggregations: maxResults 1-100; no filterCriteria;
 *   AWS_EC2_INSTANCE (amis, operatingSystems, instanceIds, instanceTags), TITLE (titles,
 *   vulnerabilityIds, resourceType, findingType), ACCOUNT, FINDING_TYPE, PACKAGE, AMI; counts
 *   ACTIVE findings only. ECR, Lambda and code-repository types answer no rows (the fake holds EC2
 *   instances only).
 * - POST /coverage/list ListCoverage: maxResults 1-200; CoverageStringFilter EQUALS, NOT_EQUALS.
 * - POST /coverage/statistics/list ListCoverageStatistics: groupBy, at most 5 groups a page.
 *
 * Errors: ValidationException (400, with reason and fields), like AWS's. Filters on ECR, Lambda or
 * code-repository members are accepted and see no value (the fake has none of those resources).
 */
import type { CoveredResource, PortRange, VulnerablePackage } from "@aws-sdk/client-inspector2";
import { FakeServiceError, pageSize, paginate, type FakeInspectorFinding, type FindingsData } from "./findingsModel";

export type InspectorOperation = "ListFindings" | "ListFindingAggregations" | "ListCoverage" | "ListCoverageStatistics";

/** The REST routes (all POST) of the Inspector operations the fake serves. */
export const INSPECTOR_ROUTES: Readonly<Record<string, InspectorOperation>> = {
    "/findings/list": "ListFindings",
    "/findings/aggregation/list": "ListFindingAggregations",
    "/coverage/list": "ListCoverage",
    "/coverage/statistics/list": "ListCoverageStatistics",
};

/** A ListFindings page never holds more findings than this, whatever maxResults says. */
export const LIST_FINDINGS_PAGE_LIMIT = 25;
/** Entries a filter list may hold (StringFilterList, MapFilterList, ... max 10). */
export const FILTER_LIST_LIMIT = 10;
/** ListCoverageStatistics groups a page (CountsList max 5). */
export const COVERAGE_STATISTICS_PAGE = 5;

/** Page sizes when maxResults is absent (AWS does not document them; the fake's choice: the most a page may hold). */
export const DEFAULT_PAGE_SIZE = { ListFindings: LIST_FINDINGS_PAGE_LIMIT, ListFindingAggregations: 100, ListCoverage: 200 } as const;

type Input = Record<string, unknown>;

/** Runs one Inspector operation. `data` undefined: nothing configured for the caller (empty results). */
export function inspectorOperation(operation: InspectorOperation, input: Input, data: FindingsData | undefined): unknown {
    switch (operation) {
        case "ListFindings":
            return listFindings(input, data);
        case "ListFindingAggregations":
            return listFindingAggregations(input, data);
        case "ListCoverage":
            return listCoverage(input, data);
        case "ListCoverageStatistics":
            return listCoverageStatistics(input, data);
    }
}

/** The finding as sent: without the fake's own members. */
export function wireFinding(f: FakeInspectorFinding): Input {
    const { fixedByPatch: _fixedByPatch, ...wire } = f;
    return wire as Input;
}

// ---- validation -------------------------------------------------------------------------------

export function validationError(field: string, constraint: string, value?: unknown): FakeServiceError {
    const shown = value === undefined ? "" : ` '${typeof value === "string" ? value : JSON.stringify(value)}'`;
    return new FakeServiceError("ValidationException", `1 validation error detected: Value${shown} at '${field}' failed to satisfy constraint: ${constraint}`, 400, {
        reason: "FIELD_VALIDATION_FAILED",
        fields: [{ name: field, message: constraint }],
    });
}

function otherError(message: string): FakeServiceError {
    return new FakeServiceError("ValidationException", message, 400, { reason: "OTHER" });
}

function isObject(value: unknown): value is Input {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function filterList(value: unknown, field: string): Input[] {
    if (!Array.isArray(value) || value.length < 1 || value.length > FILTER_LIST_LIMIT) {
        const n = Array.isArray(value) ? value.length : 0;
        throw validationError(field, n > FILTER_LIST_LIMIT ? `Member must have length less than or equal to ${FILTER_LIST_LIMIT}` : "Member must have length greater than or equal to 1", Array.isArray(value) ? `[${n} entries]` : value);
    }
    value.forEach((entry, i) => {
        if (!isObject(entry)) {
            throw validationError(`${field}.${i + 1}`, "Member must be a structure", entry);
        }
    });
    return value as Input[];
}

function checkString(value: unknown, field: string, min: number, max: number): string {
    if (typeof value !== "string" || value.length < min || value.length > max) {
        throw validationError(field, `Member must have length between ${min} and ${max}`, value);
    }
    return value;
}

function checkEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        throw validationError(field, `Member must satisfy enum value set: [${allowed.join(", ")}]`, value);
    }
    return value as T;
}

/** A timestamp as the SDK sends it in JSON (epoch seconds), or an ISO string. */
function timestamp(value: unknown, field: string): number | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const ms = typeof value === "number" ? value * 1000 : typeof value === "string" ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) {
        throw validationError(field, "Member must be a timestamp", value);
    }
    return ms;
}

function number(value: unknown, field: string): number | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (typeof value !== "number") {
        throw validationError(field, "Member must be a number", value);
    }
    return value;
}

// ---- filters ----------------------------------------------------------------------------------

type Field<T> =
    | { kind: "string"; get: (x: T) => Array<string | undefined> }
    | { kind: "map"; get: (x: T) => Array<Record<string, string> | undefined> }
    | { kind: "date"; get: (x: T) => Date | undefined }
    | { kind: "number"; get: (x: T) => number | undefined }
    | { kind: "package"; get: (x: T) => VulnerablePackage[] }
    | { kind: "port"; get: (x: T) => PortRange | undefined };

const none = {
    string: { kind: "string" as const, get: (): Array<string | undefined> => [] },
    map: { kind: "map" as const, get: (): Array<Record<string, string> | undefined> => [] },
    date: { kind: "date" as const, get: (): undefined => undefined },
    number: { kind: "number" as const, get: (): undefined => undefined },
};

const str = <T>(get: (x: T) => string | number | undefined | Array<string | undefined>): Field<T> => ({
    kind: "string",
    get: (x) => {
        const v = get(x);
        return Array.isArray(v) ? v : [v === undefined ? undefined : String(v)];
    },
});

type F = FakeInspectorFinding;
const ec2 = (f: F) => f.resources?.map((r) => r.details?.awsEc2Instance) ?? [];
const steps = (f: F) => f.networkReachabilityDetails?.networkPath?.steps ?? [];

/** Every FilterCriteria member of the model; those the fake's EC2-only data never has see no value. */
const FINDING_FIELDS: Record<string, Field<F>> = {
    findingArn: str((f) => f.findingArn),
    awsAccountId: str((f) => f.awsAccountId),
    findingType: str((f) => f.type),
    severity: str((f) => f.severity),
    firstObservedAt: { kind: "date", get: (f) => f.firstObservedAt },
    lastObservedAt: { kind: "date", get: (f) => f.lastObservedAt },
    updatedAt: { kind: "date", get: (f) => f.updatedAt },
    findingStatus: str((f) => f.status),
    title: str((f) => f.title),
    inspectorScore: { kind: "number", get: (f) => f.inspectorScore },
    resourceType: str((f) => f.resources?.map((r) => r.type) ?? []),
    resourceId: str((f) => f.resources?.map((r) => r.id) ?? []),
    resourceTags: { kind: "map", get: (f) => f.resources?.map((r) => r.tags) ?? [] },
    ec2InstanceImageId: str((f) => ec2(f).map((d) => d?.imageId)),
    ec2InstanceVpcId: str((f) => ec2(f).map((d) => d?.vpcId)),
    ec2InstanceSubnetId: str((f) => ec2(f).map((d) => d?.subnetId)),
    ecrImagePushedAt: none.date,
    ecrImageArchitecture: none.string,
    ecrImageRegistry: none.string,
    ecrImageRepositoryName: none.string,
    ecrImageTags: none.string,
    ecrImageHash: none.string,
    ecrImageLastInUseAt: none.date,
    ecrImageInUseCount: none.number,
    portRange: { kind: "port", get: (f) => f.networkReachabilityDetails?.openPortRange },
    networkProtocol: str((f) => f.networkReachabilityDetails?.protocol),
    componentId: str((f) => steps(f).map((s) => s.componentId)),
    componentType: str((f) => steps(f).map((s) => s.componentType)),
    vulnerabilityId: str((f) => f.packageVulnerabilityDetails?.vulnerabilityId),
    vulnerabilitySource: str((f) => f.packageVulnerabilityDetails?.source),
    vendorSeverity: str((f) => f.packageVulnerabilityDetails?.vendorSeverity),
    vulnerablePackages: { kind: "package", get: (f) => f.packageVulnerabilityDetails?.vulnerablePackages ?? [] },
    relatedVulnerabilities: str((f) => f.packageVulnerabilityDetails?.relatedVulnerabilities ?? []),
    fixAvailable: str((f) => f.fixAvailable),
    lambdaFunctionName: none.string,
    lambdaFunctionLayers: none.string,
    lambdaFunctionRuntime: none.string,
    lambdaFunctionLastModifiedAt: none.date,
    lambdaFunctionExecutionRoleArn: none.string,
    exploitAvailable: str((f) => f.exploitAvailable),
    codeVulnerabilityDetectorName: none.string,
    codeVulnerabilityDetectorTags: none.string,
    codeVulnerabilityFilePath: none.string,
    epssScore: { kind: "number", get: (f) => f.epss?.score },
    codeRepositoryProjectName: none.string,
    codeRepositoryProviderType: none.string,
};

type C = CoveredResource;

/** Every CoverageFilterCriteria member of the model. */
const COVERAGE_FIELDS: Record<string, Field<C>> = {
    scanStatusCode: str((c) => c.scanStatus?.statusCode),
    scanStatusReason: str((c) => c.scanStatus?.reason),
    accountId: str((c) => c.accountId),
    resourceId: str((c) => c.resourceId),
    resourceType: str((c) => c.resourceType),
    scanType: str((c) => c.scanType),
    ecrRepositoryName: none.string,
    ecrImageTags: none.string,
    ec2InstanceTags: { kind: "map", get: (c) => [c.resourceMetadata?.ec2?.tags] },
    lambdaFunctionName: none.string,
    lambdaFunctionTags: none.map,
    lambdaFunctionRuntime: none.string,
    lastScannedAt: { kind: "date", get: (c) => c.lastScannedAt },
    scanMode: str((c) => c.scanMode),
    imagePulledAt: none.date,
    ecrImageLastInUseAt: none.date,
    ecrImageInUseCount: none.number,
    codeRepositoryProjectName: none.string,
    codeRepositoryProviderType: none.string,
    codeRepositoryProviderTypeVisibility: none.string,
    lastScannedCommitId: none.string,
};

const FINDING_COMPARISONS = ["EQUALS", "PREFIX", "NOT_EQUALS"] as const;
const COVERAGE_COMPARISONS = ["EQUALS", "NOT_EQUALS"] as const;

/** A StringFilterList as a predicate over the values an item has. */
function stringPredicate(list: unknown, field: string, comparisons: readonly string[]): (values: Array<string | undefined>) => boolean {
    const filters = filterList(list, field).map((f, i) => ({
        comparison: checkEnum(f.comparison, `${field}.${i + 1}.comparison`, comparisons),
        value: checkString(f.value, `${field}.${i + 1}.value`, 1, 1024),
    }));
    const positive = filters.filter((f) => f.comparison !== "NOT_EQUALS");
    const negative = filters.filter((f) => f.comparison === "NOT_EQUALS");
    return (values) => {
        const present = values.filter((v): v is string => v !== undefined);
        const hit = positive.length === 0 || present.some((v) => positive.some((p) => (p.comparison === "EQUALS" ? v === p.value : v.startsWith(p.value))));
        return hit && negative.every((n) => !present.includes(n.value));
    };
}

function mapPredicate(list: unknown, field: string): (maps: Array<Record<string, string> | undefined>) => boolean {
    const filters = filterList(list, field).map((f, i) => {
        checkEnum(f.comparison, `${field}.${i + 1}.comparison`, ["EQUALS"]);
        const key = checkString(f.key, `${field}.${i + 1}.key`, 1, 128);
        const value = f.value === undefined || f.value === null ? undefined : checkString(f.value, `${field}.${i + 1}.value`, 0, 256);
        return { key, value };
    });
    return (maps) => maps.some((m) => m !== undefined && filters.some((f) => (f.value === undefined ? f.key in m : m[f.key] === f.value)));
}

function datePredicate(list: unknown, field: string): (d: Date | undefined) => boolean {
    const filters = filterList(list, field).map((f, i) => ({ start: timestamp(f.startInclusive, `${field}.${i + 1}.startInclusive`), end: timestamp(f.endInclusive, `${field}.${i + 1}.endInclusive`) }));
    return (d) => d !== undefined && filters.some((f) => (f.start === undefined || d.getTime() >= f.start) && (f.end === undefined || d.getTime() <= f.end));
}

function numberPredicate(list: unknown, field: string): (n: number | undefined) => boolean {
    const filters = filterList(list, field).map((f, i) => ({ low: number(f.lowerInclusive, `${field}.${i + 1}.lowerInclusive`), high: number(f.upperInclusive, `${field}.${i + 1}.upperInclusive`) }));
    return (n) => n !== undefined && filters.some((f) => (f.low === undefined || n >= f.low) && (f.high === undefined || n <= f.high));
}

function portPredicate(list: unknown, field: string): (r: PortRange | undefined) => boolean {
    const filters = filterList(list, field).map((f, i) => ({ begin: number(f.beginInclusive, `${field}.${i + 1}.beginInclusive`), end: number(f.endInclusive, `${field}.${i + 1}.endInclusive`) }));
    // A finding's open range matches when it overlaps the filter's range.
    return (r) => r?.begin !== undefined && r.end !== undefined && filters.some((f) => (f.begin === undefined || (r.end as number) >= f.begin) && (f.end === undefined || (r.begin as number) <= f.end));
}

function packagePredicate(list: unknown, field: string): (packages: VulnerablePackage[]) => boolean {
    const sub = (value: unknown, name: string): ((v: string | undefined) => boolean) | undefined => {
        if (value === undefined || value === null) {
            return undefined;
        }
        const predicate = stringPredicate([value], name, FINDING_COMPARISONS);
        return (v) => predicate([v]);
    };
    const filters = filterList(list, field).map((f, i) => {
        const at = `${field}.${i + 1}`;
        const epoch = f.epoch === undefined ? undefined : numberPredicate([f.epoch], `${at}.epoch`);
        const strings: Array<[(p: VulnerablePackage) => string | undefined, ((v: string | undefined) => boolean) | undefined]> = [
            [(p) => p.name, sub(f.name, `${at}.name`)],
            [(p) => p.version, sub(f.version, `${at}.version`)],
            [(p) => p.release, sub(f.release, `${at}.release`)],
            [(p) => p.arch, sub(f.architecture, `${at}.architecture`)],
            [(p) => p.sourceLayerHash, sub(f.sourceLayerHash, `${at}.sourceLayerHash`)],
            [(p) => p.sourceLambdaLayerArn, sub(f.sourceLambdaLayerArn, `${at}.sourceLambdaLayerArn`)],
            [(p) => p.filePath, sub(f.filePath, `${at}.filePath`)],
        ];
        return (p: VulnerablePackage) => strings.every(([get, test]) => test === undefined || test(get(p))) && (epoch === undefined || epoch(p.epoch));
    });
    return (packages) => packages.some((p) => filters.some((test) => test(p)));
}

/**
 * Validates a FilterCriteria-shaped object and compiles it into a predicate: every member given
 * must match (AND). Unknown members are refused, so a misspelt filter cannot match everything.
 */
export function compileCriteria<T>(criteria: unknown, fields: Record<string, Field<T>>, path: string, comparisons: readonly string[]): (x: T) => boolean {
    if (criteria === undefined || criteria === null) {
        return () => true;
    }
    if (!isObject(criteria)) {
        throw validationError(path, "Member must be a structure", criteria);
    }
    const tests: Array<(x: T) => boolean> = [];
    for (const [key, list] of Object.entries(criteria)) {
        if (list === undefined || list === null) {
            continue;
        }
        const field = fields[key];
        const at = `${path}.${key}`;
        if (!field) {
            throw otherError(`Unknown member '${at}' (not in the model, or not modelled by the fake).`);
        }
        switch (field.kind) {
            case "string": {
                const p = stringPredicate(list, at, comparisons);
                tests.push((x) => p(field.get(x)));
                break;
            }
            case "map": {
                const p = mapPredicate(list, at);
                tests.push((x) => p(field.get(x)));
                break;
            }
            case "date": {
                const p = datePredicate(list, at);
                tests.push((x) => p(field.get(x)));
                break;
            }
            case "number": {
                const p = numberPredicate(list, at);
                tests.push((x) => p(field.get(x)));
                break;
            }
            case "package": {
                const p = packagePredicate(list, at);
                tests.push((x) => p(field.get(x)));
                break;
            }
            case "port": {
                const p = portPredicate(list, at);
                tests.push((x) => p(field.get(x)));
                break;
            }
        }
    }
    return (x) => tests.every((t) => t(x));
}

/** Whether a finding passes ListFindings' filterCriteria (throws ValidationException as AWS would). */
export function matchesFindingCriteria(finding: FakeInspectorFinding, criteria: unknown): boolean {
    return compileCriteria(criteria, FINDING_FIELDS, "filterCriteria", FINDING_COMPARISONS)(finding);
}

// ---- ListFindings -----------------------------------------------------------------------------

const SEVERITY_RANK: Record<string, number> = { UNTRIAGED: 0, INFORMATIONAL: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };

const SORT_FIELDS: Record<string, (f: F) => string | number | undefined> = {
    AWS_ACCOUNT_ID: (f) => f.awsAccountId,
    FINDING_TYPE: (f) => f.type,
    SEVERITY: (f) => (f.severity === undefined ? undefined : SEVERITY_RANK[f.severity]),
    FIRST_OBSERVED_AT: (f) => f.firstObservedAt?.getTime(),
    LAST_OBSERVED_AT: (f) => f.lastObservedAt?.getTime(),
    FINDING_STATUS: (f) => f.status,
    RESOURCE_TYPE: (f) => f.resources?.[0]?.type,
    ECR_IMAGE_PUSHED_AT: () => undefined,
    ECR_IMAGE_REPOSITORY_NAME: () => undefined,
    ECR_IMAGE_REGISTRY: () => undefined,
    NETWORK_PROTOCOL: (f) => f.networkReachabilityDetails?.protocol,
    COMPONENT_TYPE: (f) => steps(f)[0]?.componentType,
    VULNERABILITY_ID: (f) => f.packageVulnerabilityDetails?.vulnerabilityId,
    VULNERABILITY_SOURCE: (f) => f.packageVulnerabilityDetails?.source,
    INSPECTOR_SCORE: (f) => f.inspectorScore,
    VENDOR_SEVERITY: (f) => f.packageVulnerabilityDetails?.vendorSeverity,
    EPSS_SCORE: (f) => f.epss?.score,
};

function compare(a: string | number | undefined, b: string | number | undefined, descending: boolean): number {
    // Items without the value go last either way.
    if (a === undefined || b === undefined) {
        return a === b ? 0 : a === undefined ? 1 : -1;
    }
    const order = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
    return descending ? -order : order;
}

function sortFindings(findings: F[], sortCriteria: unknown): F[] {
    if (sortCriteria === undefined || sortCriteria === null) {
        return findings;
    }
    if (!isObject(sortCriteria)) {
        throw validationError("sortCriteria", "Member must be a structure", sortCriteria);
    }
    const field = checkEnum(sortCriteria.field, "sortCriteria.field", Object.keys(SORT_FIELDS));
    const order = checkEnum(sortCriteria.sortOrder, "sortCriteria.sortOrder", ["ASC", "DESC"]);
    const get = SORT_FIELDS[field];
    return [...findings].sort((a, b) => compare(get(a), get(b), order === "DESC"));
}

/** A query's filtered, sorted findings, kept for its next pages while the data is unchanged. */
const listings = new WeakMap<FindingsData, { revision: number; findings: number; byQuery: Map<string, FakeInspectorFinding[]> }>();

function listFindings(input: Input, data: FindingsData | undefined): unknown {
    const size = Math.min(pageSize(input.maxResults, 1, 100, DEFAULT_PAGE_SIZE.ListFindings, "maxResults", validationError), LIST_FINDINGS_PAGE_LIMIT);
    const match = compileCriteria(input.filterCriteria, FINDING_FIELDS, "filterCriteria", FINDING_COMPARISONS);
    const query = JSON.stringify(["ListFindings", input.filterCriteria ?? null, input.sortCriteria ?? null]);
    let sorted: FakeInspectorFinding[];
    if (data) {
        let cache = listings.get(data);
        if (!cache || cache.revision !== (data.revision ?? 0) || cache.findings !== data.inspector.findings.length) {
            cache = { revision: data.revision ?? 0, findings: data.inspector.findings.length, byQuery: new Map() };
            listings.set(data, cache);
        }
        sorted = cache.byQuery.get(query) ?? sortFindings(data.inspector.findings.filter(match), input.sortCriteria);
        cache.byQuery.set(query, sorted);
    } else {
        sorted = [];
    }
    const page = paginate(sorted, size, input.nextToken, query, otherError);
    return { findings: page.items.map(wireFinding), nextToken: page.nextToken };
}

// ---- ListFindingAggregations ------------------------------------------------------------------

const AGGREGATION_MEMBERS: Record<string, string> = {
    FINDING_TYPE: "findingTypeAggregation",
    PACKAGE: "packageAggregation",
    TITLE: "titleAggregation",
    REPOSITORY: "repositoryAggregation",
    AMI: "amiAggregation",
    AWS_EC2_INSTANCE: "ec2InstanceAggregation",
    AWS_ECR_CONTAINER: "awsEcrContainerAggregation",
    IMAGE_LAYER: "imageLayerAggregation",
    ACCOUNT: "accountAggregation",
    AWS_LAMBDA_FUNCTION: "lambdaFunctionAggregation",
    LAMBDA_LAYER: "lambdaLayerAggregation",
    CODE_REPOSITORY: "codeRepositoryAggregation",
};

/** Sub-filters and sort keys each aggregation request structure has in the model. */
const AGGREGATION_SHAPES: Record<string, { strings: string[]; maps: string[]; enums: Record<string, readonly string[]>; sortBy: readonly string[] }> = {
    ec2InstanceAggregation: { strings: ["amis", "operatingSystems", "instanceIds"], maps: ["instanceTags"], enums: {}, sortBy: ["NETWORK_FINDINGS", "CRITICAL", "HIGH", "ALL"] },
    titleAggregation: {
        strings: ["titles", "vulnerabilityIds"],
        maps: [],
        enums: { resourceType: ["AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_LAMBDA_FUNCTION", "CODE_REPOSITORY"], findingType: ["NETWORK_REACHABILITY", "PACKAGE_VULNERABILITY", "CODE_VULNERABILITY"] },
        sortBy: ["CRITICAL", "HIGH", "ALL"],
    },
    accountAggregation: {
        strings: [],
        maps: [],
        enums: { findingType: ["NETWORK_REACHABILITY", "PACKAGE_VULNERABILITY", "CODE_VULNERABILITY"], resourceType: ["AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_LAMBDA_FUNCTION", "CODE_REPOSITORY"] },
        sortBy: ["CRITICAL", "HIGH", "ALL"],
    },
    findingTypeAggregation: {
        strings: [],
        maps: [],
        enums: { findingType: ["NETWORK_REACHABILITY", "PACKAGE_VULNERABILITY", "CODE_VULNERABILITY"], resourceType: ["AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_LAMBDA_FUNCTION", "CODE_REPOSITORY"] },
        sortBy: ["CRITICAL", "HIGH", "ALL"],
    },
    packageAggregation: { strings: ["packageNames"], maps: [], enums: {}, sortBy: ["CRITICAL", "HIGH", "ALL"] },
    amiAggregation: { strings: ["amis"], maps: [], enums: {}, sortBy: ["CRITICAL", "HIGH", "ALL", "AFFECTED_INSTANCES"] },
};

interface SeverityCounts {
    all: number;
    medium: number;
    high: number;
    critical: number;
}

/** Counts by severity as the aggregations report them (all, medium, high, critical). */
export function severityCounts(findings: readonly FakeInspectorFinding[]): SeverityCounts {
    return {
        all: findings.length,
        medium: findings.filter((f) => f.severity === "MEDIUM").length,
        high: findings.filter((f) => f.severity === "HIGH").length,
        critical: findings.filter((f) => f.severity === "CRITICAL").length,
    };
}

interface Row {
    key: string;
    body: Input;
    sort: Record<string, number>;
}

function groupBy(findings: readonly F[], keys: (f: F) => string[]): Map<string, F[]> {
    const groups = new Map<string, F[]>();
    for (const f of findings) {
        for (const key of new Set(keys(f))) {
            groups.set(key, [...(groups.get(key) ?? []), f]);
        }
    }
    return groups;
}

function countsRow(key: string, body: Input, members: F[], extra: Record<string, number> = {}): Row {
    const counts = severityCounts(members);
    return { key, body: { ...body, severityCounts: counts }, sort: { ALL: counts.all, HIGH: counts.high, CRITICAL: counts.critical, ...extra } };
}

function listFindingAggregations(input: Input, data: FindingsData | undefined): unknown {
    if (input.filterCriteria !== undefined) {
        throw otherError("ListFindingAggregations takes no filterCriteria: narrow it with aggregationRequest's own filters, or use ListFindings.");
    }
    const type = checkEnum(input.aggregationType, "aggregationType", Object.keys(AGGREGATION_MEMBERS));
    const member = AGGREGATION_MEMBERS[type];
    const size = pageSize(input.maxResults, 1, 100, DEFAULT_PAGE_SIZE.ListFindingAggregations, "maxResults", validationError);
    const accountTest = input.accountIds === undefined ? () => true : stringPredicate(input.accountIds, "accountIds", FINDING_COMPARISONS);

    let request: Input = {};
    if (input.aggregationRequest !== undefined) {
        const union = input.aggregationRequest;
        const keys = isObject(union) ? Object.keys(union).filter((k) => union[k] !== undefined && union[k] !== null) : [];
        if (!isObject(union) || keys.length !== 1) {
            throw validationError("aggregationRequest", "Member must set exactly one member of the union", union);
        }
        if (keys[0] !== member) {
            throw otherError(`aggregationRequest.${keys[0]} does not match aggregationType ${type} (expected aggregationRequest.${member}).`);
        }
        const value = union[member];
        if (!isObject(value)) {
            throw validationError(`aggregationRequest.${member}`, "Member must be a structure", value);
        }
        request = value;
    }
    const shape = AGGREGATION_SHAPES[member];
    const active = (data?.inspector.findings ?? []).filter((f) => f.status === "ACTIVE" && accountTest([f.awsAccountId]));
    if (!shape) {
        // ECR images, Lambda functions, code repositories: the fake holds none.
        return { aggregationType: type, responses: [] };
    }
    const at = `aggregationRequest.${member}`;
    const known = new Set([...shape.strings, ...shape.maps, ...Object.keys(shape.enums), "sortBy", "sortOrder"]);
    for (const key of Object.keys(request)) {
        if (!known.has(key)) {
            throw otherError(`Unknown member '${at}.${key}'.`);
        }
    }
    const strings: Record<string, (values: Array<string | undefined>) => boolean> = {};
    for (const key of shape.strings) {
        strings[key] = request[key] === undefined ? () => true : stringPredicate(request[key], `${at}.${key}`, FINDING_COMPARISONS);
    }
    const maps: Record<string, (maps: Array<Record<string, string> | undefined>) => boolean> = {};
    for (const key of shape.maps) {
        maps[key] = request[key] === undefined ? () => true : mapPredicate(request[key], `${at}.${key}`);
    }
    const enums: Record<string, string | undefined> = {};
    for (const [key, allowed] of Object.entries(shape.enums)) {
        enums[key] = request[key] === undefined ? undefined : checkEnum(request[key], `${at}.${key}`, allowed);
    }
    const sortBy = request.sortBy === undefined ? "ALL" : checkEnum(request.sortBy, `${at}.sortBy`, shape.sortBy);
    const sortOrder = request.sortOrder === undefined ? "DESC" : checkEnum(request.sortOrder, `${at}.sortOrder`, ["ASC", "DESC"]);
    const byType = (f: F): boolean => (enums.findingType === undefined || f.type === enums.findingType) && (enums.resourceType === undefined || (f.resources ?? []).some((r) => r.type === enums.resourceType));

    let rows: Row[] = [];
    switch (member) {
        case "ec2InstanceAggregation": {
            const onInstances = active.filter((f) => (f.resources ?? []).some((r) => r.type === "AWS_EC2_INSTANCE"));
            const groups = groupBy(onInstances, (f) => (f.resources ?? []).filter((r) => r.type === "AWS_EC2_INSTANCE").map((r) => r.id ?? ""));
            for (const [instanceId, members] of groups) {
                const resource = members[0].resources?.find((r) => r.id === instanceId);
                const details = resource?.details?.awsEc2Instance;
                if (!strings.instanceIds([instanceId]) || !strings.amis([details?.imageId]) || !strings.operatingSystems([details?.platform]) || !maps.instanceTags([resource?.tags])) {
                    continue;
                }
                const network = members.filter((f) => f.type === "NETWORK_REACHABILITY").length;
                rows.push(
                    countsRow(instanceId, { instanceId, ami: details?.imageId, operatingSystem: details?.platform, instanceTags: resource?.tags, accountId: members[0].awsAccountId, networkFindings: network }, members, { NETWORK_FINDINGS: network }),
                );
            }
            break;
        }
        case "titleAggregation": {
            const groups = groupBy(active.filter(byType), (f) => [JSON.stringify([f.title ?? "", f.packageVulnerabilityDetails?.vulnerabilityId ?? null, f.awsAccountId])]);
            for (const [key, members] of groups) {
                const [title, vulnerabilityId, accountId] = JSON.parse(key) as [string, string | null, string];
                if (!strings.titles([title]) || !strings.vulnerabilityIds([vulnerabilityId ?? undefined])) {
                    continue;
                }
                rows.push(countsRow(key, { title, vulnerabilityId: vulnerabilityId ?? undefined, accountId }, members));
            }
            break;
        }
        case "accountAggregation":
        case "findingTypeAggregation": {
            const groups = groupBy(active.filter(byType), (f) => [f.awsAccountId ?? ""]);
            for (const [accountId, members] of groups) {
                rows.push(
                    countsRow(accountId, {
                        accountId,
                        exploitAvailableCount: members.filter((f) => f.exploitAvailable === "YES").length,
                        fixAvailableCount: members.filter((f) => f.fixAvailable === "YES").length,
                    }, members),
                );
            }
            break;
        }
        case "packageAggregation": {
            const groups = groupBy(active, (f) => (f.packageVulnerabilityDetails?.vulnerablePackages ?? []).map((p) => JSON.stringify([p.name, f.awsAccountId])));
            for (const [key, members] of groups) {
                const [packageName, accountId] = JSON.parse(key) as [string, string];
                if (strings.packageNames([packageName])) {
                    rows.push(countsRow(key, { packageName, accountId }, members));
                }
            }
            break;
        }
        case "amiAggregation": {
            const groups = groupBy(active, (f) => (f.resources ?? []).flatMap((r) => (r.details?.awsEc2Instance?.imageId ? [JSON.stringify([r.details.awsEc2Instance.imageId, f.awsAccountId])] : [])));
            for (const [key, members] of groups) {
                const [ami, accountId] = JSON.parse(key) as [string, string];
                const instances = new Set(members.flatMap((f) => (f.resources ?? []).map((r) => r.id))).size;
                if (strings.amis([ami])) {
                    rows.push(countsRow(key, { ami, accountId, affectedInstances: instances }, members, { AFFECTED_INSTANCES: instances }));
                }
            }
            break;
        }
    }
    rows = rows.sort((a, b) => compare(a.sort[sortBy] ?? 0, b.sort[sortBy] ?? 0, sortOrder === "DESC") || a.key.localeCompare(b.key));
    const page = paginate(rows, size, input.nextToken, JSON.stringify(["ListFindingAggregations", type, input.accountIds ?? null, input.aggregationRequest ?? null]), otherError);
    return { aggregationType: type, responses: page.items.map((r) => ({ [member]: r.body })), nextToken: page.nextToken };
}

// ---- coverage ---------------------------------------------------------------------------------

function coverageMatches(input: Input, data: FindingsData | undefined): CoveredResource[] {
    const match = compileCriteria(input.filterCriteria, COVERAGE_FIELDS, "filterCriteria", COVERAGE_COMPARISONS);
    return (data?.inspector.coverage ?? []).filter(match);
}

function listCoverage(input: Input, data: FindingsData | undefined): unknown {
    const size = pageSize(input.maxResults, 1, 200, DEFAULT_PAGE_SIZE.ListCoverage, "maxResults", validationError);
    const covered = coverageMatches(input, data);
    const page = paginate(covered, size, input.nextToken, JSON.stringify(["ListCoverage", input.filterCriteria ?? null]), otherError);
    return { coveredResources: page.items, nextToken: page.nextToken };
}

const GROUP_KEYS: Record<string, (c: C) => string | undefined> = {
    SCAN_STATUS_CODE: (c) => c.scanStatus?.statusCode,
    SCAN_STATUS_REASON: (c) => c.scanStatus?.reason,
    ACCOUNT_ID: (c) => c.accountId,
    RESOURCE_TYPE: (c) => c.resourceType,
    ECR_REPOSITORY_NAME: () => undefined,
};

function listCoverageStatistics(input: Input, data: FindingsData | undefined): unknown {
    const covered = coverageMatches(input, data);
    if (input.groupBy === undefined) {
        return { totalCounts: covered.length };
    }
    const group = GROUP_KEYS[checkEnum(input.groupBy, "groupBy", Object.keys(GROUP_KEYS))];
    const counts = new Map<string, number>();
    for (const c of covered) {
        const key = group(c);
        if (key !== undefined) {
            counts.set(key, (counts.get(key) ?? 0) + 1);
        }
    }
    const groups = [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([groupKey, count]) => ({ groupKey, count }));
    const page = paginate(groups, COVERAGE_STATISTICS_PAGE, input.nextToken, JSON.stringify(["ListCoverageStatistics", input.filterCriteria ?? null, input.groupBy]), otherError);
    return { countsByGroup: page.items.length > 0 ? page.items : undefined, totalCounts: covered.length, nextToken: page.nextToken };
}

/**
 * The fake Inspector and Security Hub (testing/fakeFindings.ts) driven by the real SDK clients
 * over loopback HTTP: pages, limits, filters, aggregations, coverage, insights, errors,
 * throttling, and findings that close when fakeSsm installs their patches.
 */
import * as assert from "node:assert/strict";
import {
    Inspector2Client,
    ListCoverageCommand,
    ListCoverageStatisticsCommand,
    ListFindingAggregationsCommand,
    ListFindingsCommand,
    paginateListFindings,
    type Finding,
    type FilterCriteria,
    type ListFindingAggregationsCommandInput,
} from "@aws-sdk/client-inspector2";
import { DescribeHubCommand, GetFindingsCommand, GetInsightResultsCommand, paginateGetFindings, SecurityHubClient, type AwsSecurityFinding, type AwsSecurityFindingFilters } from "@aws-sdk/client-securityhub";
import { ListCommandsCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { FakeFindings, startFakeFindings, type FakeFindingsOptions } from "../../testing/fakeFindings";
import { FakeSsm, makeFleet, type FakeFleet } from "../../testing/fakeSsm";
import { closeFindingsFixedBy, findingsForFleet, TOP_PRODUCTS_INSIGHT_ARN, type FindingsData } from "../../testing/findingsModel";

// The SDK's notice about future Node.js versions is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const KERNEL_CVE = "CVE-2024-53104";
const OPENSSL_CVE = "CVE-2024-5535";
const NO_FIX_CVE = "CVE-2023-45853";

/** Six Development nodes (0, 2 and 4 miss patches) and two compliant Production nodes. */
function workshop(): FakeFleet {
    return {
        nodes: [...makeFleet(6, { env: "Development", prefix: "0a", nonCompliantEvery: 2 }), ...makeFleet(2, { env: "Production", prefix: "0af", nonCompliantEvery: 0 })],
    };
}

interface ServiceError {
    name: string;
    message: string;
    $metadata: { httpStatusCode?: number; attempts?: number };
    fields?: Array<{ name: string; message: string }>;
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
    try {
        await promise;
    } catch (error) {
        return error as ServiceError;
    }
    assert.fail("expected the call to fail");
}

const instanceOf = (f: Finding): string => f.resources?.[0]?.id ?? "";

describe("fake Inspector and Security Hub against the real SDK clients", function () {
    let fake: FakeFindings | undefined;
    const cleanups: Array<() => void | Promise<void>> = [];

    async function start(options: FakeFindingsOptions): Promise<FakeFindings> {
        fake = await startFakeFindings(options);
        return fake;
    }

    function clients(options: { account?: string; region?: string; maxAttempts?: number } = {}): { inspector: Inspector2Client; hub: SecurityHubClient } {
        const config = {
            endpoint: fake!.url,
            region: options.region ?? "us-east-1",
            credentials: { accessKeyId: options.account ? `ASIAFAKE${options.account}` : "AKIDTEST", secretAccessKey: "test", sessionToken: options.account ? "token" : undefined },
            maxAttempts: options.maxAttempts,
        };
        const inspector = new Inspector2Client(config);
        const hub = new SecurityHubClient(config);
        cleanups.push(() => inspector.destroy(), () => hub.destroy());
        return { inspector, hub };
    }

    async function listFindings(inspector: Inspector2Client, filterCriteria?: FilterCriteria): Promise<Finding[]> {
        const all: Finding[] = [];
        for await (const page of paginateListFindings({ client: inspector, pageSize: 100 }, { filterCriteria })) {
            all.push(...(page.findings ?? []));
        }
        return all;
    }

    async function hubFindings(hub: SecurityHubClient, Filters?: AwsSecurityFindingFilters, pageSize = 100): Promise<AwsSecurityFinding[]> {
        const all: AwsSecurityFinding[] = [];
        for await (const page of paginateGetFindings({ client: hub, pageSize }, { Filters })) {
            all.push(...(page.Findings ?? []));
        }
        return all;
    }

    afterEach(async () => {
        for (const cleanup of cleanups.splice(0).reverse()) {
            await cleanup();
        }
        await fake?.close();
        fake = undefined;
    });

    describe("Inspector ListFindings", () => {
        it("holds at most 25 findings a page although maxResults is 100, and follows nextToken to the end", async () => {
            const data = findingsForFleet({ nodes: makeFleet(40, { nonCompliantEvery: 1 }) });
            await start({ data: { "*": data } });
            const { inspector } = clients();
            const sizes: number[] = [];
            const arns: string[] = [];
            for await (const page of paginateListFindings({ client: inspector, pageSize: 100 }, {})) {
                sizes.push(page.findings?.length ?? 0);
                arns.push(...(page.findings ?? []).map((f) => f.findingArn ?? ""));
            }
            const total = data.inspector.findings.length;
            assert.ok(total > 100, `fixture too small: ${total}`);
            assert.equal(sizes.length, Math.ceil(total / 25));
            assert.ok(sizes.slice(0, -1).every((n) => n === 25), sizes.join(","));
            assert.equal(new Set(arns).size, total);
            const calls = fake!.calls.filter((c) => c.operation === "ListFindings");
            assert.ok(calls.every((c) => c.input.maxResults === 100));
            assert.deepEqual(
                calls.map((c) => c.input.nextToken === undefined),
                sizes.map((_, i) => i === 0),
            );
        });

        for (const maxResults of [0, 101]) {
            it(`refuses maxResults ${maxResults} with ValidationException (HTTP 400)`, async () => {
                await start({ data: { "*": findingsForFleet(workshop()) } });
                const { inspector } = clients();
                const error = await failure(inspector.send(new ListFindingsCommand({ maxResults })));
                assert.equal(error.name, "ValidationException");
                assert.equal(error.$metadata.httpStatusCode, 400);
                assert.deepEqual(error.fields?.map((f) => f.name), ["maxResults"]);
            });
        }

        it("refuses a filter list of 11 entries as AWS does, and applies one of 10", async () => {
            const data = findingsForFleet({ nodes: makeFleet(12, { nonCompliantEvery: 1 }) });
            await start({ data: { "*": data } });
            const { inspector } = clients();
            const ids = data.fleet!.nodes.map((n) => n.instanceId);
            const filter = (n: number): FilterCriteria => ({ resourceId: ids.slice(0, n).map((value) => ({ comparison: "EQUALS" as const, value })) });

            const error = await failure(inspector.send(new ListFindingsCommand({ filterCriteria: filter(11) })));
            assert.equal(error.name, "ValidationException");
            assert.equal(error.$metadata.httpStatusCode, 400);
            assert.match(error.message, /filterCriteria\.resourceId.*less than or equal to 10/);

            const found = await listFindings(inspector, filter(10));
            const expected = data.inspector.findings.filter((f) => ids.slice(0, 10).includes(instanceOf(f)));
            assert.equal(found.length, expected.length);
            assert.ok(found.every((f) => ids.slice(0, 10).includes(instanceOf(f))));
            assert.ok(!found.some((f) => ids.slice(10).includes(instanceOf(f))));
        });

        it("filters by tags, status, severity, CVE id, fix availability and account", async () => {
            const data = findingsForFleet(workshop());
            await start({ data: { "*": data } });
            const { inspector } = clients();

            const production = await listFindings(inspector, { resourceTags: [{ comparison: "EQUALS", key: "Environment", value: "Production" }], findingStatus: [{ comparison: "EQUALS", value: "ACTIVE" }] });
            const expected = data.inspector.findings.filter((f) => f.resources?.[0]?.tags?.Environment === "Production" && f.status === "ACTIVE");
            assert.ok(expected.length > 0);
            assert.deepEqual(production.map((f) => f.findingArn).sort(), expected.map((f) => f.findingArn).sort());

            // The CVE's findings are on exactly the nodes whose missing patches list it.
            const kernel = await listFindings(inspector, { vulnerabilityId: [{ comparison: "EQUALS", value: KERNEL_CVE }] });
            const missing = data.fleet!.nodes.filter((n) => (n.missingPatches ?? []).some((p) => p.cves?.includes(KERNEL_CVE))).map((n) => n.instanceId);
            assert.equal(missing.length, 3);
            assert.deepEqual(kernel.map(instanceOf).sort(), missing.sort());
            assert.ok(kernel.every((f) => f.severity === "CRITICAL" && f.fixAvailable === "YES" && f.packageVulnerabilityDetails?.vulnerablePackages?.[0]?.name === "kernel"));

            const unfixable = await listFindings(inspector, { fixAvailable: [{ comparison: "EQUALS", value: "NO" }] });
            assert.ok(unfixable.length > 0);
            assert.ok(unfixable.every((f) => f.packageVulnerabilityDetails?.vulnerabilityId === NO_FIX_CVE));

            const network = await listFindings(inspector, { findingType: [{ comparison: "EQUALS", value: "NETWORK_REACHABILITY" }] });
            assert.ok(network.length > 0);
            assert.ok(network.every((f) => f.packageVulnerabilityDetails === undefined && f.networkReachabilityDetails?.openPortRange?.begin === 22));

            const notCritical = await listFindings(inspector, { severity: [{ comparison: "NOT_EQUALS", value: "CRITICAL" }, { comparison: "NOT_EQUALS", value: "HIGH" }] });
            assert.equal(notCritical.length, data.inspector.findings.filter((f) => f.severity !== "CRITICAL" && f.severity !== "HIGH").length);

            assert.equal((await listFindings(inspector, { awsAccountId: [{ comparison: "EQUALS", value: "999999999999" }] })).length, 0);
            assert.equal((await listFindings(inspector, { awsAccountId: [{ comparison: "EQUALS", value: "111111111111" }] })).length, data.inspector.findings.length);
        });

        it("sorts by severity and refuses a nextToken from another query", async () => {
            await start({ data: { "*": findingsForFleet(workshop()) } });
            const { inspector } = clients();
            const rank = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
            const page = await inspector.send(new ListFindingsCommand({ maxResults: 25, sortCriteria: { field: "SEVERITY", sortOrder: "DESC" } }));
            const ranks = (page.findings ?? []).map((f) => rank.indexOf(f.severity ?? ""));
            assert.deepEqual(ranks, [...ranks].sort((a, b) => b - a));
            assert.equal(page.findings?.[0]?.severity, "CRITICAL");

            const first = await inspector.send(new ListFindingsCommand({ maxResults: 5 }));
            assert.ok(first.nextToken);
            const error = await failure(inspector.send(new ListFindingsCommand({ maxResults: 5, nextToken: first.nextToken, filterCriteria: { severity: [{ comparison: "EQUALS", value: "LOW" }] } })));
            assert.equal(error.name, "ValidationException");
        });
    });

    describe("Inspector ListFindingAggregations", () => {
        async function aggregate(inspector: Inspector2Client, input: ListFindingAggregationsCommandInput): Promise<Array<Record<string, unknown>>> {
            const rows: Array<Record<string, unknown>> = [];
            let nextToken: string | undefined;
            do {
                const page = await inspector.send(new ListFindingAggregationsCommand({ ...input, maxResults: 3, nextToken }));
                rows.push(...(page.responses ?? []).map((r) => Object.values(r).find((v) => v !== undefined) as Record<string, unknown>));
                nextToken = page.nextToken;
            } while (nextToken);
            return rows;
        }

        function tally(findings: Finding[], key: (f: Finding) => string): Map<string, { all: number; critical: number; high: number; medium: number; network: number }> {
            const out = new Map<string, { all: number; critical: number; high: number; medium: number; network: number }>();
            for (const f of findings) {
                const t = out.get(key(f)) ?? { all: 0, critical: 0, high: 0, medium: 0, network: 0 };
                t.all++;
                t.critical += f.severity === "CRITICAL" ? 1 : 0;
                t.high += f.severity === "HIGH" ? 1 : 0;
                t.medium += f.severity === "MEDIUM" ? 1 : 0;
                t.network += f.type === "NETWORK_REACHABILITY" ? 1 : 0;
                out.set(key(f), t);
            }
            return out;
        }

        it("counts per instance and per title what listing every active finding gives", async () => {
            await start({ data: { "*": findingsForFleet(workshop()) } });
            const { inspector } = clients();
            const active = await listFindings(inspector, { findingStatus: [{ comparison: "EQUALS", value: "ACTIVE" }] });
            assert.ok(active.length > 0);

            const byInstance = tally(active, instanceOf);
            const instances = await aggregate(inspector, { aggregationType: "AWS_EC2_INSTANCE" });
            assert.equal(instances.length, byInstance.size);
            for (const row of instances) {
                const counts = row.severityCounts as Record<string, number>;
                const expected = byInstance.get(row.instanceId as string);
                assert.ok(expected, `unexpected instance ${String(row.instanceId)}`);
                assert.deepEqual({ all: counts.all, critical: counts.critical, high: counts.high, medium: counts.medium, network: row.networkFindings }, expected);
            }

            const byTitle = tally(active, (f) => f.title ?? "");
            const titles = await aggregate(inspector, { aggregationType: "TITLE" });
            assert.equal(titles.length, byTitle.size);
            for (const row of titles) {
                const counts = row.severityCounts as Record<string, number>;
                const expected = byTitle.get(row.title as string)!;
                assert.deepEqual({ all: counts.all, critical: counts.critical, high: counts.high, medium: counts.medium }, { all: expected.all, critical: expected.critical, high: expected.high, medium: expected.medium });
            }
            // Sorted by all findings, most first.
            const alls = titles.map((r) => (r.severityCounts as Record<string, number>).all);
            assert.deepEqual(alls, [...alls].sort((a, b) => b - a));
            const kernel = titles.find((r) => r.vulnerabilityId === KERNEL_CVE);
            assert.equal((kernel?.severityCounts as Record<string, number>).all, 3);
        });

        it("narrows instances by tag and titles by CVE id with the request's own filters", async () => {
            const data = findingsForFleet(workshop());
            await start({ data: { "*": data } });
            const { inspector } = clients();
            const production = await aggregate(inspector, { aggregationType: "AWS_EC2_INSTANCE", aggregationRequest: { ec2InstanceAggregation: { instanceTags: [{ comparison: "EQUALS", key: "Environment", value: "Production" }] } } });
            const productionIds = data.fleet!.nodes.filter((n) => n.tags.Environment === "Production").map((n) => n.instanceId);
            assert.ok(production.length > 0);
            assert.ok(production.every((r) => productionIds.includes(r.instanceId as string)));

            const openssl = await aggregate(inspector, { aggregationType: "TITLE", aggregationRequest: { titleAggregation: { vulnerabilityIds: [{ comparison: "EQUALS", value: OPENSSL_CVE }] } } });
            assert.deepEqual(
                openssl.map((r) => [r.title, (r.severityCounts as Record<string, number>).high]),
                [[`${OPENSSL_CVE} - openssl-libs`, 3]],
            );
        });

        it("takes no filterCriteria, and no sub-request of another aggregation type", async () => {
            await start({ data: { "*": findingsForFleet(workshop()) } });
            const response = await fetch(`${fake!.url}/findings/aggregation/list`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ aggregationType: "TITLE", filterCriteria: { resourceTags: [{ comparison: "EQUALS", key: "Environment", value: "Development" }] } }),
            });
            assert.equal(response.status, 400);
            assert.equal(response.headers.get("x-amzn-errortype"), "ValidationException");
            assert.match(((await response.json()) as { message: string }).message, /filterCriteria/);

            const { inspector } = clients();
            const error = await failure(inspector.send(new ListFindingAggregationsCommand({ aggregationType: "TITLE", aggregationRequest: { ec2InstanceAggregation: {} } })));
            assert.equal(error.name, "ValidationException");
        });
    });

    describe("Inspector coverage", () => {
        it("lists the instances Inspector cannot scan with their reasons, and counts by reason", async () => {
            const data = findingsForFleet(workshop());
            await start({ data: { "*": data } });
            const { inspector } = clients();
            const inactive = await inspector.send(
                new ListCoverageCommand({
                    filterCriteria: { ec2InstanceTags: [{ comparison: "EQUALS", key: "Environment", value: "Development" }], scanStatusCode: [{ comparison: "EQUALS", value: "INACTIVE" }] },
                }),
            );
            assert.deepEqual((inactive.coveredResources ?? []).map((c) => c.scanStatus?.reason).sort(), ["NO_INVENTORY", "UNMANAGED_EC2_INSTANCE", "UNMANAGED_EC2_INSTANCE"]);
            const managed = new Set(data.fleet!.nodes.map((n) => n.instanceId));
            assert.ok((inactive.coveredResources ?? []).every((c) => !managed.has(c.resourceId ?? "") && c.resourceType === "AWS_EC2_INSTANCE"));

            const active = await inspector.send(new ListCoverageCommand({ maxResults: 200, filterCriteria: { scanStatusCode: [{ comparison: "EQUALS", value: "ACTIVE" }] } }));
            assert.deepEqual(new Set((active.coveredResources ?? []).map((c) => c.resourceId)), managed);
            assert.ok((active.coveredResources ?? []).every((c) => c.scanStatus?.reason === "SUCCESSFUL" && c.lastScannedAt instanceof Date));

            const stats = await inspector.send(new ListCoverageStatisticsCommand({ groupBy: "SCAN_STATUS_REASON" }));
            assert.equal(stats.totalCounts, data.inspector.coverage.length);
            assert.deepEqual(
                Object.fromEntries((stats.countsByGroup ?? []).map((c) => [c.groupKey, c.count])),
                { SUCCESSFUL: managed.size, UNMANAGED_EC2_INSTANCE: 2, NO_INVENTORY: 1 },
            );

            // Coverage string filters know EQUALS and NOT_EQUALS only; maxResults goes to 200.
            const prefix = await failure(inspector.send(new ListCoverageCommand({ filterCriteria: { resourceId: [{ comparison: "PREFIX" as "EQUALS", value: "i-0e" }] } })));
            assert.equal(prefix.name, "ValidationException");
            assert.equal((await failure(inspector.send(new ListCoverageCommand({ maxResults: 201 })))).name, "ValidationException");
        });
    });

    describe("Security Hub", () => {
        it("pages GetFindings, with Inspector's findings on instance ARNs and closed ones archived", async () => {
            const data = findingsForFleet(workshop());
            await start({ data: { "*": data } });
            const { hub } = clients();
            const all = await hubFindings(hub, undefined, 7);
            assert.equal(all.length, data.inspector.findings.length + data.securityHub.findings.length);
            assert.equal(new Set(all.map((f) => f.Id)).size, all.length);
            const calls = fake!.calls.filter((c) => c.operation === "GetFindings");
            assert.equal(calls.length, Math.ceil(all.length / 7));

            const inspector = all.filter((f) => f.ProductName === "Inspector");
            assert.equal(inspector.length, data.inspector.findings.length);
            assert.ok(inspector.every((f) => /^arn:aws:ec2:us-east-1:111111111111:instance\/i-[0-9a-f]{17}$/.test(f.Resources?.[0]?.Id ?? "") && f.Resources?.[0]?.Type === "AwsEc2Instance"));
            const closed = data.inspector.findings.filter((f) => f.status !== "ACTIVE").map((f) => f.findingArn);
            assert.ok(closed.length > 0);
            assert.ok(inspector.filter((f) => closed.includes(f.Id)).every((f) => f.RecordState === "ARCHIVED"));
            assert.ok(new Set(all.map((f) => f.ProductName)).size >= 4);

            const node = data.fleet!.nodes[0].instanceId;
            const onNode = await hubFindings(hub, { ResourceId: [{ Comparison: "EQUALS", Value: `arn:aws:ec2:us-east-1:111111111111:instance/${node}` }] });
            assert.ok(onNode.length > 0);
            assert.ok(onNode.every((f) => f.Resources?.[0]?.Id?.endsWith(node)));
        });

        it("refuses MaxResults 101, more than 20 values for an attribute and more than 10 attributes", async () => {
            await start({ data: { "*": findingsForFleet(workshop()) } });
            const { hub } = clients();
            assert.equal((await failure(hub.send(new GetFindingsCommand({ MaxResults: 101 })))).name, "InvalidInputException");
            const values = Array.from({ length: 21 }, (_, i) => ({ Comparison: "EQUALS" as const, Value: `arn:aws:ec2:us-east-1:111111111111:instance/i-${i}` }));
            assert.equal((await failure(hub.send(new GetFindingsCommand({ Filters: { ResourceId: values } })))).name, "InvalidInputException");
            const eleven: AwsSecurityFindingFilters = {};
            for (const key of ["ProductName", "CompanyName", "Region", "Title", "Id", "GeneratorId", "AwsAccountId", "SeverityLabel", "RecordState", "WorkflowStatus", "ResourceType"] as const) {
                eleven[key] = [{ Comparison: "NOT_EQUALS", Value: "x" }];
            }
            assert.equal((await failure(hub.send(new GetFindingsCommand({ Filters: eleven })))).name, "InvalidInputException");
            const ten = { ...eleven, ResourceType: undefined };
            assert.ok(((await hub.send(new GetFindingsCommand({ Filters: ten }))).Findings ?? []).length > 0);
        });

        it("counts active findings by product in the workshop's insight, Inspector first", async () => {
            await start({ data: { "*": findingsForFleet(workshop()) } });
            const { hub } = clients();
            const result = await hub.send(new GetInsightResultsCommand({ InsightArn: TOP_PRODUCTS_INSIGHT_ARN }));
            assert.equal(result.InsightResults?.GroupByAttribute, "ProductName");
            const values = result.InsightResults?.ResultValues ?? [];
            assert.equal(values[0]?.GroupByAttributeValue, "Inspector");
            const active = await hubFindings(hub, { RecordState: [{ Comparison: "EQUALS", Value: "ACTIVE" }] });
            const expected = new Map<string, number>();
            for (const f of active) {
                expected.set(f.ProductName ?? "", (expected.get(f.ProductName ?? "") ?? 0) + 1);
            }
            assert.deepEqual(new Map(values.map((v) => [v.GroupByAttributeValue, v.Count])), expected);
            assert.ok((expected.get("Inspector") ?? 0) > active.length / 2);

            const missing = await failure(hub.send(new GetInsightResultsCommand({ InsightArn: "arn:aws:securityhub:us-east-1:111111111111:insight/111111111111/custom/nope" })));
            assert.equal(missing.name, "ResourceNotFoundException");
            assert.equal(missing.$metadata.httpStatusCode, 404);
        });

        it("answers InvalidAccessException (HTTP 401) where Security Hub is not enabled", async () => {
            await start({
                data: {
                    "111111111111": findingsForFleet(workshop()),
                    "222222222222": findingsForFleet(workshop(), { account: "222222222222", securityHub: false }),
                },
            });
            const disabled = clients({ account: "222222222222" });
            const calls = [
                () => disabled.hub.send(new GetFindingsCommand({})),
                () => disabled.hub.send(new GetInsightResultsCommand({ InsightArn: TOP_PRODUCTS_INSIGHT_ARN })),
                () => disabled.hub.send(new DescribeHubCommand({})),
            ];
            for (const call of calls) {
                const error = await failure(call());
                assert.equal(error.name, "InvalidAccessException");
                assert.equal(error.$metadata.httpStatusCode, 401);
                assert.match(error.message, /Account 222222222222 is not subscribed to AWS Security Hub/);
            }
            // Inspector still answers there; an account with nothing configured has no findings.
            assert.ok(((await disabled.inspector.send(new ListFindingsCommand({}))).findings ?? []).length > 0);
            const unknown = clients({ account: "333333333333" });
            assert.equal((await failure(unknown.hub.send(new GetFindingsCommand({})))).name, "InvalidAccessException");
            assert.deepEqual((await unknown.inspector.send(new ListFindingsCommand({}))).findings, []);
            // The enabled account is served.
            assert.equal((await clients().hub.send(new DescribeHubCommand({}))).HubArn, "arn:aws:securityhub:us-east-1:111111111111:hub/default");
        });
    });

    describe("accounts, Regions, errors and throttling", () => {
        it("serves each account and Region its own data", async () => {
            const west = findingsForFleet({ nodes: makeFleet(3, { prefix: "0d", nonCompliantEvery: 1 }) }, { account: "222222222222", region: "eu-west-1" });
            await start({ data: { "111111111111/us-east-1": findingsForFleet(workshop()), "222222222222/eu-west-1": west } });
            const { inspector, hub } = clients({ account: "222222222222", region: "eu-west-1" });
            const findings = await listFindings(inspector);
            assert.equal(findings.length, west.inspector.findings.length);
            assert.ok(findings.every((f) => f.awsAccountId === "222222222222" && (instanceOf(f).startsWith("i-0d") || instanceOf(f).startsWith("i-0e"))));
            const asff = await hubFindings(hub);
            assert.ok(asff.length > 0);
            assert.ok(asff.every((f) => (f.Resources?.[0]?.Id ?? "").startsWith("arn:aws:ec2:eu-west-1:222222222222:instance/i-")));
            assert.equal(fake!.count("ListFindings", { account: "222222222222", region: "eu-west-1" }), 1);
            assert.equal(fake!.count(undefined, { account: "111111111111" }), 0);
        });

        it("answers ThrottlingException and TooManyRequestsException with HTTP 429, which the SDK retries", async () => {
            await start({
                data: { "*": findingsForFleet(workshop()) },
                faults: [
                    { operation: "ListFindings", first: 2, type: "ThrottlingException" },
                    { operation: "GetFindings", first: 1, type: "TooManyRequestsException" },
                ],
            });
            const { inspector, hub } = clients();
            const listed = await inspector.send(new ListFindingsCommand({ maxResults: 10 }));
            assert.equal(listed.findings?.length, 10);
            assert.equal(listed.$metadata.attempts, 3);
            const got = await hub.send(new GetFindingsCommand({ MaxResults: 10 }));
            assert.equal(got.Findings?.length, 10);
            assert.equal(got.$metadata.attempts, 2);
            assert.deepEqual(fake!.summary(), { ListFindings: 1, GetFindings: 1 });
            assert.deepEqual(fake!.summary(true), { ListFindings: 3, GetFindings: 2 });
            assert.equal(fake!.count("ListFindings", { outcome: "ThrottlingException" }), 2);
            assert.equal(fake!.count("GetFindings", { outcome: "TooManyRequestsException" }), 1);
        });

        it("keeps a token bucket per operation, account and Region", async () => {
            let clock = Date.UTC(2025, 0, 6, 3, 0, 0);
            await start({ data: { "*": findingsForFleet(workshop()) }, rps: { ListFindings: 1, GetFindings: 1 }, now: () => clock });
            const { inspector, hub } = clients({ maxAttempts: 1 });
            await inspector.send(new ListFindingsCommand({ maxResults: 1 }));
            const throttled = await failure(inspector.send(new ListFindingsCommand({ maxResults: 1 })));
            assert.equal(throttled.name, "ThrottlingException");
            assert.equal(throttled.$metadata.httpStatusCode, 429);
            // Another operation, and another account, have buckets of their own.
            await inspector.send(new ListCoverageCommand({}));
            await clients({ account: "222222222222", maxAttempts: 1 }).inspector.send(new ListFindingsCommand({ maxResults: 1 }));
            await hub.send(new GetFindingsCommand({ MaxResults: 1 }));
            const hubThrottled = await failure(hub.send(new GetFindingsCommand({ MaxResults: 1 })));
            assert.equal(hubThrottled.name, "TooManyRequestsException");
            assert.equal(hubThrottled.$metadata.httpStatusCode, 429);
            // A second later the bucket holds a token again.
            clock += 1000;
            assert.equal((await inspector.send(new ListFindingsCommand({ maxResults: 1 }))).findings?.length, 1);
            assert.equal(fake!.count("ListFindings", { outcome: "ok" }), 3);
        });

        it("fails an account's calls with AccessDeniedException (403, not retried) and retries InternalServerException (500)", async () => {
            await start({
                data: { "*": findingsForFleet(workshop()) },
                faults: [
                    { account: "222222222222", type: "AccessDeniedException", every: 1 },
                    { operation: "ListCoverage", first: 1, type: "InternalServerException" },
                ],
            });
            const denied = await failure(clients({ account: "222222222222" }).inspector.send(new ListFindingsCommand({})));
            assert.equal(denied.name, "AccessDeniedException");
            assert.equal(denied.$metadata.httpStatusCode, 403);
            assert.equal(fake!.count("ListFindings", { account: "222222222222", outcome: "AccessDeniedException" }), 1);
            const covered = await clients().inspector.send(new ListCoverageCommand({}));
            assert.ok((covered.coveredResources ?? []).length > 0);
            assert.equal(covered.$metadata.attempts, 2);
            assert.equal(fake!.count("ListCoverage", { outcome: "InternalServerException" }), 1);
        });
    });

    describe("findings that close after an install", () => {
        it("closes the findings of the patches fakeSsm installs, in Inspector and in Security Hub", async () => {
            const fleet = workshop();
            const data = findingsForFleet(fleet);
            const ssm = new FakeSsm({ fleets: { "*": fleet } });
            const ssmUrl = await ssm.start();
            cleanups.push(() => ssm.close());
            await start({ data: { "*": data } });
            const { inspector, hub } = clients();
            const ssmClient = new SSMClient({ endpoint: ssmUrl, region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
            cleanups.push(() => ssmClient.destroy());

            const before = await hub.send(new GetInsightResultsCommand({ InsightArn: TOP_PRODUCTS_INSIGHT_ARN }));
            const inspectorBefore = before.InsightResults?.ResultValues?.find((v) => v.GroupByAttributeValue === "Inspector")?.Count ?? 0;
            const patchCves = [KERNEL_CVE, OPENSSL_CVE];
            const fixable = await listFindings(inspector, { vulnerabilityId: patchCves.map((value) => ({ comparison: "EQUALS" as const, value })), findingStatus: [{ comparison: "EQUALS", value: "ACTIVE" }] });
            assert.equal(fixable.length, 6);

            const sent = await ssmClient.send(
                new SendCommandCommand({ DocumentName: "AWS-RunPatchBaseline", Targets: [{ Key: "tag:Environment", Values: ["Development"] }], Parameters: { Operation: ["Install"] }, MaxConcurrency: "1", MaxErrors: "1" }),
            );
            const listed = await ssmClient.send(new ListCommandsCommand({ CommandId: sent.Command?.CommandId }));
            assert.equal(listed.Commands?.[0]?.Status, "Success");
            assert.ok(fleet.nodes.every((n) => (n.missingPatches ?? []).length === 0));

            const after = await listFindings(inspector, { vulnerabilityId: patchCves.map((value) => ({ comparison: "EQUALS" as const, value })) });
            assert.deepEqual(after.map((f) => f.findingArn).sort(), fixable.map((f) => f.findingArn).sort());
            assert.ok(after.every((f) => f.status === "CLOSED" && (f.updatedAt?.getTime() ?? 0) > (f.lastObservedAt?.getTime() ?? Infinity)));
            // What no patch fixes stays open.
            const open = await listFindings(inspector, { findingStatus: [{ comparison: "EQUALS", value: "ACTIVE" }] });
            assert.ok(open.some((f) => f.packageVulnerabilityDetails?.vulnerabilityId === NO_FIX_CVE));
            assert.ok(open.some((f) => f.type === "NETWORK_REACHABILITY"));
            assert.ok(!open.some((f) => patchCves.includes(f.packageVulnerabilityDetails?.vulnerabilityId ?? "")));

            const archived = await hubFindings(hub, { Id: fixable.map((f) => ({ Comparison: "EQUALS" as const, Value: f.findingArn })) });
            assert.equal(archived.length, 6);
            assert.ok(archived.every((f) => f.RecordState === "ARCHIVED" && f.Workflow?.Status === "RESOLVED"));
            const insight = await hub.send(new GetInsightResultsCommand({ InsightArn: TOP_PRODUCTS_INSIGHT_ARN }));
            assert.equal(insight.InsightResults?.ResultValues?.find((v) => v.GroupByAttributeValue === "Inspector")?.Count, inspectorBefore - 6);
        });

        it("closeFindingsFixedBy closes only that instance's fixable active findings of those CVEs", () => {
            const data: FindingsData = findingsForFleet(workshop());
            const node = data.fleet!.nodes[0].instanceId;
            const at = new Date(Date.UTC(2025, 0, 7));
            const closed = closeFindingsFixedBy(data, node, [KERNEL_CVE, NO_FIX_CVE], at);
            assert.deepEqual(closed.map((f) => f.packageVulnerabilityDetails?.vulnerabilityId), [KERNEL_CVE]);
            assert.equal(closed[0].status, "CLOSED");
            assert.deepEqual(closed[0].updatedAt, at);
            const stillOpen = data.inspector.findings.filter((f) => f.status === "ACTIVE" && f.packageVulnerabilityDetails?.vulnerabilityId === KERNEL_CVE);
            assert.equal(stillOpen.length, 2);
            assert.ok(stillOpen.every((f) => f.resources?.[0]?.id !== node));
            assert.deepEqual(closeFindingsFixedBy(data, node, [KERNEL_CVE], at), []);
        });

        it("closes findings through the server's onInstall hook", async () => {
            const data = findingsForFleet(workshop(), { extras: false });
            data.fleet = undefined; // no automatic sync: the hook alone closes
            await start({ data: { "*": data } });
            const node = workshop().nodes[2];
            const closed = fake!.onInstall(node, node.missingPatches ?? []);
            assert.equal(closed.length, 2);
            const { inspector } = clients();
            const onNode = await listFindings(inspector, { resourceId: [{ comparison: "EQUALS", value: node.instanceId }] });
            assert.deepEqual(onNode.map((f) => f.status), ["CLOSED", "CLOSED"]);
        });
    });

    describe("serving with another fake", () => {
        it("answers Inspector and Security Hub paths and passes every other request to its fallback", async () => {
            const findings = new FakeFindings({ data: { "*": findingsForFleet(workshop()) } }, (req, res) => {
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                res.end(JSON.stringify({ fallback: req.headers["x-amz-target"] }));
            });
            const url = await findings.start();
            cleanups.push(() => findings.close());

            const ssmStyle = await fetch(url, { method: "POST", headers: { "x-amz-target": "AmazonSSM.DescribeInstanceInformation" }, body: "{}" });
            assert.deepEqual(await ssmStyle.json(), { fallback: "AmazonSSM.DescribeInstanceInformation" });
            const inspector = new Inspector2Client({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
            const hub = new SecurityHubClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
            cleanups.push(() => inspector.destroy(), () => hub.destroy());
            assert.ok(((await inspector.send(new ListFindingsCommand({}))).findings ?? []).length > 0);
            assert.equal((await hub.send(new GetInsightResultsCommand({ InsightArn: TOP_PRODUCTS_INSIGHT_ARN }))).InsightResults?.ResultValues?.[0]?.GroupByAttributeValue, "Inspector");
            assert.deepEqual(findings.summary(), { ListFindings: 1, GetInsightResults: 1 });
        });
    });
});

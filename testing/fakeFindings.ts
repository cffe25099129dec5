/**
 * A fake Amazon Inspector and AWS Security Hub on loopback, for tests and benchmarks of
 * `patchctl findings`: both speak REST-JSON (routes by method and path, JSON bodies, errors as
 * HTTP 4xx/5xx with an `x-amzn-ErrorType` header and a JSON message) well enough for the real
 * @aws-sdk/client-inspector2 and @aws-sdk/client-securityhub with `endpoint: http://127.0.0.1:<port>`.
 * The operations live in fakeInspector.ts and fakeSecurityHub.ts, the data in findingsModel.ts.
 *
 * Like fakeSsm.ts: the caller's account comes from the SigV4 access key (`ASIAFAKE<account>` keys,
 * as the fake AssumeRole issues them, else `baseAccount`), the Region from the credential scope;
 * data is looked up by "account/region", "account", "region" or "*"; per-operation latency,
 * requests-per-second quotas per account and Region (a token bucket; Inspector answers
 * ThrottlingException, Security Hub TooManyRequestsException, both HTTP 429), deterministic fault
 * injection, and a record of every call.
 *
 * One loopback server can serve SSM and these services: SSM is POST / with X-Amz-Target, these
 * are routed by path, so the findings fake answers its own paths and hands every other request to
 * its fallback listener (a FakeSsm's, see mountFindings.ts).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { forScope, LoopbackFake, TokenBuckets } from "./calls";
import type { FakeNode, FakePatch } from "./fakeSsm";
import { INSPECTOR_ROUTES, inspectorOperation, type InspectorOperation } from "./fakeInspector";
import { securityHubOperation, securityHubRoute, type SecurityHubOperation } from "./fakeSecurityHub";
import { closeFindingsFixedBy, FakeServiceError, errorStatus, syncWithFleet, type FakeInspectorFinding, type FindingsData } from "./findingsModel";

export type FindingsOperation = InspectorOperation | SecurityHubOperation;
export type FindingsService = "inspector2" | "securityhub";

export interface FindingsFaultRule {
    /** Operation to fail; all when omitted. */
    operation?: FindingsOperation;
    account?: string;
    region?: string;
    /** Fail the first N matching requests. */
    first?: number;
    /** Fail every Nth matching request (N, 2N, ...). */
    every?: number;
    /** Error code, e.g. AccessDeniedException, InternalServerException, ThrottlingException. */
    type: string;
    /** HTTP status. Defaults to the code's (AccessDeniedException 403, InternalServerException 500, ...). */
    status?: number;
    message?: string;
}

export interface FakeFindingsOptions {
    /** Data by "account/region", "account", "region" or "*" (looked up in that order). */
    data: Record<string, FindingsData>;
    /** Milliseconds before answering: one number for all operations, or per operation. */
    latencyMs?: number | Partial<Record<FindingsOperation, number>>;
    /** Requests per second allowed per operation, per account and Region; over it: throttled. */
    rps?: Partial<Record<FindingsOperation, number>>;
    /** Bucket size per operation (requests allowed at once). Defaults to the operation's rps. */
    burst?: Partial<Record<FindingsOperation, number>>;
    faults?: FindingsFaultRule[];
    /** Account of callers whose key was not issued by the fake AssumeRole. Default 111111111111. */
    baseAccount?: string;
    /** Clock (ms). Defaults to Date.now. */
    now?: () => number;
}

/**
 * Security Hub's documented quotas (API reference, "Welcome"): GetFindings 3 requests per second
 * with bursts of 6; most other operations 10 and 30. For `rps` and `burst` when a benchmark wants them.
 */
export const SECURITY_HUB_QUOTAS = {
    rps: { GetFindings: 3, GetInsightResults: 10, GetInsights: 10, DescribeHub: 10 },
    burst: { GetFindings: 6, GetInsightResults: 30, GetInsights: 30, DescribeHub: 30 },
} as const;

export interface FindingsCallRecord {
    service: FindingsService;
    operation: string;
    account: string;
    region: string;
    /** "ok", or the error code returned. */
    outcome: string;
    input: Record<string, unknown>;
}

interface Route {
    service: FindingsService;
    operation: FindingsOperation;
    params: Record<string, unknown>;
}

/** The operation a request is for, or undefined when it is not Inspector's or Security Hub's. */
export function findingsRoute(method: string | undefined, url: string | undefined): Route | undefined {
    const path = new URL(url ?? "/", "http://fake").pathname;
    const inspector = method === "POST" ? INSPECTOR_ROUTES[path] : undefined;
    if (inspector) {
        return { service: "inspector2", operation: inspector, params: {} };
    }
    const hub = securityHubRoute(method ?? "", path);
    return hub ? { service: "securityhub", ...hub } : undefined;
}

export class FakeFindings extends LoopbackFake<FindingsCallRecord> {
    private readonly buckets = new TokenBuckets();
    private readonly faultHits = new Map<FindingsFaultRule, number>();
    private sequence = 0;
    private readonly now: () => number;

    /** `fallback` answers what is not Inspector's or Security Hub's (e.g. a FakeSsm's listener()). */
    constructor(
        readonly options: FakeFindingsOptions,
        private readonly fallback?: RequestListener,
    ) {
        super();
        this.now = options.now ?? Date.now;
    }

    /** Whether `req` is for Inspector or Security Hub (by method and path; reads nothing). */
    private handles(req: IncomingMessage): boolean {
        return findingsRoute(req.method, req.url) !== undefined;
    }

    /**
     * The request listener: Inspector and Security Hub requests are answered here, the rest go to
     * the fallback, or get 404 UnknownOperationException without one.
     */
    listener(): RequestListener {
        const fallback = this.fallback;
        return (req, res) => {
            if (!this.handles(req) && fallback) {
                fallback(req, res);
                return;
            }
            this.handle(req, res).catch((error: unknown) => {
                if (!res.headersSent) {
                    res.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" });
                }
                res.end(JSON.stringify({ message: String(error) }));
            });
        };
    }

    /** Answers one Inspector or Security Hub request (404 UnknownOperationException for any other). */
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) {
            chunks.push(chunk as Buffer);
        }
        const body = Buffer.concat(chunks).toString("utf8");
        const { account, region } = this.caller(req);
        const route = findingsRoute(req.method, req.url);
        if (!route) {
            this.sendError(res, "inspector2", new FakeServiceError("UnknownOperationException", `no operation at ${req.method} ${req.url}`, 404));
            return;
        }
        let input: Record<string, unknown> = { ...route.params };
        const query = new URL(req.url ?? "/", "http://fake").searchParams;
        for (const [key, value] of query) {
            input[key] = value;
        }
        const record: FindingsCallRecord = { service: route.service, operation: route.operation, account, region, outcome: "ok", input };
        if (body !== "") {
            try {
                const parsed = JSON.parse(body) as unknown;
                if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                    throw new Error("not an object");
                }
                input = { ...input, ...(parsed as Record<string, unknown>) };
                record.input = input;
            } catch {
                this.recordAndSendError(res, record, new FakeServiceError("SerializationException", "The request body is not a JSON object.", 400));
                return;
            }
        }
        await this.delay(route.operation);
        try {
            this.injectFaults(route.operation, account, region);
            this.throttle(route, account, region);
            const data = this.data(account, region);
            const now = this.now();
            if (data) {
                syncWithFleet(data, new Date(now));
            }
            const output =
                route.service === "inspector2"
                    ? inspectorOperation(route.operation as InspectorOperation, input, data)
                    : securityHubOperation(route.operation as SecurityHubOperation, input, data, { account, region, now });
            this.calls.push(record);
            this.send(res, route.service, 200, output);
        } catch (error) {
            this.recordAndSendError(res, record, error instanceof FakeServiceError ? error : new FakeServiceError(route.service === "inspector2" ? "InternalServerException" : "InternalException", String(error), 500));
        }
    }

    /** The data serving an account and Region. */
    data(account: string, region: string): FindingsData | undefined {
        return forScope(this.options.data, account, region);
    }

    /**
     * The install hook: closes, in every data set, the active findings on `instanceId` whose CVE an
     * install fixed (see closeFindingsFixedBy in findingsModel.ts). Returns the findings closed.
     */
    closeFindingsFixedBy(instanceId: string, installedCveIds: readonly string[]): FakeInspectorFinding[] {
        const at = new Date(this.now());
        return [...new Set(Object.values(this.options.data))].flatMap((data) => closeFindingsFixedBy(data, instanceId, installedCveIds, at));
    }

    /** closeFindingsFixedBy for the patches an install put on `node` (what fakeSsm's Install can call). */
    onInstall(node: FakeNode, installed: readonly FakePatch[]): FakeInspectorFinding[] {
        return this.closeFindingsFixedBy(
            node.instanceId,
            installed.flatMap((p) => p.cves ?? []),
        );
    }

    // ---- transport ---------------------------------------------------------------------------

    private caller(req: IncomingMessage): { account: string; region: string } {
        const auth = String(req.headers.authorization ?? "");
        const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
        const key = match?.[1] ?? "";
        const account = key.startsWith("ASIAFAKE") ? key.slice(8, 20) : (this.options.baseAccount ?? "111111111111");
        return { account, region: match?.[2] ?? "us-east-1" };
    }

    private async delay(operation: FindingsOperation): Promise<void> {
        const latency = this.options.latencyMs;
        const ms = typeof latency === "number" ? latency : (latency?.[operation] ?? 0);
        if (ms > 0) {
            await new Promise((resolve) => setTimeout(resolve, ms));
        }
    }

    private injectFaults(operation: FindingsOperation, account: string, region: string): void {
        for (const rule of this.options.faults ?? []) {
            if ((rule.operation && rule.operation !== operation) || (rule.account && rule.account !== account) || (rule.region && rule.region !== region)) {
                continue;
            }
            const n = (this.faultHits.get(rule) ?? 0) + 1;
            this.faultHits.set(rule, n);
            if ((rule.first !== undefined && n <= rule.first) || (rule.every !== undefined && n % rule.every === 0)) {
                const throttling = rule.type === "ThrottlingException" || rule.type === "TooManyRequestsException";
                throw new FakeServiceError(rule.type, rule.message ?? (throttling ? "Rate exceeded" : `injected ${rule.type}`), rule.status ?? errorStatus(rule.type));
            }
        }
    }

    private throttle(route: Route, account: string, region: string): void {
        const rps = this.options.rps?.[route.operation];
        if (!rps) {
            return;
        }
        const burst = this.options.burst?.[route.operation] ?? rps;
        if (!this.buckets.take(`${account}/${region}/${route.operation}`, rps, burst, this.now())) {
            throw route.service === "inspector2" ? new FakeServiceError("ThrottlingException", "Rate exceeded", 429) : new FakeServiceError("TooManyRequestsException", "Too Many Requests", 429);
        }
    }

    private recordAndSendError(res: ServerResponse, record: FindingsCallRecord, error: FakeServiceError): void {
        this.calls.push({ ...record, outcome: error.type });
        this.sendError(res, record.service, error);
    }

    private sendError(res: ServerResponse, service: FindingsService, error: FakeServiceError): void {
        // Inspector's errors carry `message` (and ValidationException's reason and fields);
        // Security Hub's carry `Code` and `Message`. Both name the code in x-amzn-ErrorType.
        const body = service === "securityhub" && error.type !== "TooManyRequestsException" ? { Code: error.type, Message: error.message, ...error.extra } : { message: error.message, ...error.extra };
        this.send(res, service, error.status, body, error.type);
    }

    private send(res: ServerResponse, service: FindingsService, status: number, body: unknown, errorType?: string): void {
        // Inspector's timestamps are epoch seconds (REST-JSON's default); Security Hub's are ISO
        // strings in the model already. (Date#toJSON runs before a replacer sees the value, so the
        // replacer reads the raw property from its holder.)
        const text = JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
            const raw = this[key];
            if (raw instanceof Date) {
                return service === "inspector2" ? raw.getTime() / 1000 : raw.toISOString();
            }
            return value;
        });
        const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-requestid": `req-${++this.sequence}` };
        if (errorType) {
            headers["x-amzn-errortype"] = errorType;
        }
        res.writeHead(status, headers);
        res.end(text);
    }
}

/** A started FakeFindings (close it when done). */
export async function startFakeFindings(options: FakeFindingsOptions): Promise<FakeFindings> {
    const fake = new FakeFindings(options);
    await fake.start();
    return fake;
}

/**
 * A fake AWS Systems Manager endpoint on loopback, speaking SSM's JSON 1.1 protocol (POST /,
 * `X-Amz-Target: AmazonSSM.<Operation>`, JSON bodies, errors as HTTP 4xx/5xx with
 * `{"__type": "...", "message": "..."}`) and STS's AssumeRole (Query protocol, XML), for tests and
 * benchmarks of patchctl. Not an emulator of SSM: it models just what patchctl calls, enforces the
 * API limits patchctl must respect (page sizes, 50 ids a call, 10 associations a call, rate-control
 * shapes) and counts every request. `serveSsm.ts` runs it as a process.
 *
 * The caller's account comes from the SigV4 access key: keys issued by the fake AssumeRole are
 * `ASIAFAKE<account id>`; any other key is `baseAccount`. The Region comes from the credential scope.
 *
 * Knobs for tests and benchmarks: per-operation latency, per-operation requests-per-second quotas
 * (ThrottlingException when exceeded, per account and Region, like AWS), deterministic fault
 * injection (first N / every Nth call), how many polls a command or an association execution takes.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { forScope, LoopbackFake, TokenBuckets } from "./calls";

export type FakeOperation =
    | "DescribeInstanceInformation"
    | "DescribeInstancePatchStates"
    | "DescribeInstancePatches"
    | "SendCommand"
    | "ListCommands"
    | "ListCommandInvocations"
    | "ListAssociations"
    | "StartAssociationsOnce"
    | "DescribeAssociationExecutions"
    | "DescribeAssociationExecutionTargets"
    | "CancelCommand"
    | "AssumeRole";

export interface FakePatchState {
    installed: number;
    installedOther: number;
    installedPendingReboot: number;
    installedRejected: number;
    missing: number;
    failed: number;
    notApplicable: number;
    critical: number;
    security: number;
    other: number;
    operation: "Scan" | "Install";
    operationEndTime: Date;
    baselineId: string;
}

export interface FakePatch {
    title: string;
    kbId: string;
    classification: string;
    severity: string;
    cves?: string[];
    /** Counts toward the critical non-compliant count (compliance level CRITICAL). */
    critical?: boolean;
    /** Counts toward the security non-compliant count. */
    security?: boolean;
}

export interface FakeNode {
    instanceId: string;
    name?: string;
    platformName?: string;
    platformVersion?: string;
    pingStatus?: "Online" | "ConnectionLost";
    tags: Record<string, string>;
    /** Patch state as last reported; undefined: never scanned. */
    patchState?: FakePatchState;
    /** Patches the baseline approves that the node lacks. */
    missingPatches?: FakePatch[];
    /**
     * How a Run Command invocation or association run on this node ends. Defaults to Success.
     * `output` / `stderr`: the patch plugin's standard output and error (defaults: a made-up line or
     * two, without patch counts: the counts are in the node's patch state, as on AWS).
     */
    outcome?: { status?: "Success" | "Failed" | "TimedOut"; output?: string; stderr?: string; responseCode?: number; statusDetails?: string };
}

export interface FakeExecutionTarget {
    resourceId: string;
    status: string;
    detailedStatus?: string;
    commandId?: string;
    lastExecutionDate: Date;
}

export interface FakeExecution {
    executionId: string;
    status: string;
    detailedStatus?: string;
    createdTime: Date;
    lastExecutionDate?: Date;
    targets: FakeExecutionTarget[];
    /** Internal: polls seen while running. */
    polls?: number;
}

export interface FakeAssociation {
    associationId: string;
    associationName: string;
    /** Defaults to AWS-RunPatchBaseline. */
    documentName?: string;
    /** e.g. [{ Key: "tag:Environment", Values: ["Development"] }]. */
    targets: Array<{ Key: string; Values: string[] }>;
    operation: "Scan" | "Install";
    scheduleExpression?: string;
    /** Execution history, newest first. */
    executions?: FakeExecution[];
}

export interface FakeFleet {
    nodes: FakeNode[];
    associations?: FakeAssociation[];
}

export interface FaultRule {
    /** Operation to fail; all when omitted. */
    operation?: FakeOperation;
    account?: string;
    region?: string;
    /** Leave the first N matching requests alone; the rule counts (first/every) from the one after. */
    after?: number;
    /** Fail the first N matching requests (after `after`). All of them when neither first nor every is set. */
    first?: number;
    /** Fail every Nth matching request (N, 2N, ...). */
    every?: number;
    /**
     * What the fault does (default "error"):
     * - "error": answer with the error `type`;
     * - "stall": never answer (the request hangs until the client gives up or the fake closes);
     * - "lose": process the request (a SendCommand creates its command), then drop the connection
     *   without an answer: the response is lost after the service acted;
     * - "truncate": process the request, then send half of the response body;
     * - "repeatToken": answer normally but hand back the NextToken the request carried (the first
     *   page gets a token), so a client that follows tokens loops on one page;
     * - "alternateTokens": answer normally, but from the third page on hand back the second page's
     *   token, so the tokens of pages 2 and 3 alternate for ever.
     */
    mode?: "error" | "stall" | "lose" | "truncate" | "repeatToken" | "alternateTokens";
    /** Error code for mode "error", e.g. ThrottlingException, AccessDeniedException, InternalServerError. */
    type?: string;
    /** HTTP status. Defaults to 400 (500 for InternalServerError). */
    status?: number;
    message?: string;
}

export interface FakeSsmOptions {
    /** Fleets by "account/region", "account", "region" or "*" (looked up in that order). */
    fleets: Record<string, FakeFleet>;
    /** Milliseconds before answering: one number for all operations, or per operation. */
    latencyMs?: number | Partial<Record<FakeOperation, number>>;
    /** Requests per second allowed per operation, per account and Region; over it: ThrottlingException. */
    rps?: Partial<Record<FakeOperation, number>>;
    faults?: FaultRule[];
    /** ListCommands polls of a command before it finishes (default 1; Infinity: never). */
    commandPolls?: number;
    /** DescribeAssociationExecutions polls of an execution before it finishes (default 1; Infinity: never). */
    executionPolls?: number;
    /** Account of callers whose key was not issued by the fake AssumeRole. Default 111111111111. */
    baseAccount?: string;
    /** Role ARNs whose AssumeRole is denied. */
    denyRoles?: string[];
    /** Clock. Defaults to Date.now. */
    now?: () => number;
}

export interface CallRecord {
    operation: string;
    account: string;
    region: string;
    /** "ok", or the error code returned. */
    outcome: string;
    input: Record<string, unknown>;
}

interface FakeCommand {
    commandId: string;
    account: string;
    region: string;
    operation: "Scan" | "Install";
    parameters: Record<string, string[]>;
    comment: string;
    cancelled: boolean;
    instanceIds?: string[];
    targets?: Array<{ Key: string; Values: string[] }>;
    nodes: FakeNode[];
    maxConcurrency: string;
    maxErrors: string;
    requestedAt: number;
    polls: number;
    finished: boolean;
    statuses: Map<string, string>;
}

class FakeError extends Error {
    constructor(
        readonly type: string,
        message: string,
        readonly status = 400,
    ) {
        super(message);
    }
}

// SendCommand's own constraints (1-7 characters of these shapes), kept apart from lib/aws on purpose:
// the fake stands in for AWS, so it checks what patchctl sends independently of patchctl's rules.
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** Builds a fleet of `count` Amazon Linux 2 nodes tagged Environment=<env>, some non-compliant. */
export function makeFleet(count: number, options: { env?: string; prefix?: string; nonCompliantEvery?: number; now?: number } = {}): FakeNode[] {
    const env = options.env ?? "Development";
    const prefix = options.prefix ?? "0";
    const every = options.nonCompliantEvery ?? 4;
    const time = new Date(options.now ?? Date.UTC(2025, 0, 6, 1, 0, 0));
    return Array.from({ length: count }, (_, i) => {
        const nonCompliant = every > 0 && i % every === 0;
        const missingPatches: FakePatch[] = nonCompliant
            ? [
                  { title: "kernel.x86_64:0:5.10.234-225.910.amzn2", kbId: "kernel.x86_64", classification: "Security", severity: "Critical", cves: ["CVE-2024-53104"], critical: true, security: true },
                  { title: "openssl-libs.x86_64:1:1.0.2k-24.amzn2.0.14", kbId: "openssl-libs.x86_64", classification: "Security", severity: "Important", cves: ["CVE-2024-5535"], security: true },
                  { title: "tzdata.noarch:0:2025a-1.amzn2", kbId: "tzdata.noarch", classification: "Bugfix", severity: "None" },
              ]
            : [];
        const node: FakeNode = {
            instanceId: `i-${prefix}${i.toString(16).padStart(17 - prefix.length, "0")}`,
            name: `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal`,
            platformName: "Amazon Linux",
            platformVersion: "2",
            pingStatus: "Online",
            tags: { Environment: env },
            missingPatches,
        };
        node.patchState = stateFromPatches(node, "Scan", time);
        return node;
    });
}

/** The patch state a scan of `node` would report. */
export function stateFromPatches(node: FakeNode, operation: "Scan" | "Install", time: Date, previous?: FakePatchState): FakePatchState {
    const missing = node.missingPatches ?? [];
    return {
        installed: previous?.installed ?? 412,
        installedOther: previous?.installedOther ?? 17,
        installedPendingReboot: previous?.installedPendingReboot ?? 0,
        installedRejected: 0,
        missing: missing.length,
        failed: 0,
        notApplicable: previous?.notApplicable ?? 1380,
        critical: missing.filter((p) => p.critical).length,
        security: missing.filter((p) => p.security).length,
        other: missing.filter((p) => !p.critical && !p.security).length,
        operation,
        operationEndTime: time,
        baselineId: previous?.baselineId ?? "pb-0123456789abcdef0",
    };
}

export class FakeSsm extends LoopbackFake<CallRecord> {
    private readonly commands = new Map<string, FakeCommand>();
    private readonly buckets = new TokenBuckets();
    private readonly faultHits = new Map<FaultRule, number>();
    private sequence = 0;
    private idSequence = 0;
    private readonly now: () => number;

    constructor(readonly options: FakeSsmOptions) {
        super();
        this.now = options.now ?? Date.now;
    }

    /** Answers SSM and STS requests (a fault or an unknown operation as AWS would answer it). */
    listener(): RequestListener {
        return (req, res) => {
            this.handle(req, res).catch((error: unknown) => {
                if (!res.headersSent) {
                    res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
                }
                res.end(JSON.stringify({ __type: "InternalServerError", message: String(error) }));
            });
        };
    }

    /** The fleet serving an account and Region. */
    fleet(account: string, region: string): FakeFleet | undefined {
        return forScope(this.options.fleets, account, region);
    }

    // ---- transport ---------------------------------------------------------------------------

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) {
            chunks.push(chunk as Buffer);
        }
        const body = Buffer.concat(chunks).toString("utf8");
        const { account, region } = this.caller(req);
        const target = String(req.headers["x-amz-target"] ?? "");

        if (!target.startsWith("AmazonSSM.")) {
            const form = new URLSearchParams(body);
            if (form.get("Action") === "AssumeRole") {
                await this.assumeRole(form, account, region, res);
                return;
            }
            this.sendJson(res, 400, { __type: "UnknownOperationException", message: `unsupported request ${target || form.get("Action")}` });
            return;
        }
        const operation = target.slice("AmazonSSM.".length);
        let input: Record<string, unknown> = {};
        try {
            input = body === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
        } catch {
            this.recordAndSendError(res, { operation, account, region, input, outcome: "ok" }, new FakeError("SerializationException", "body is not JSON"));
            return;
        }
        const record: CallRecord = { operation, account, region, outcome: "ok", input };
        await this.delay(operation);
        try {
            const mode = this.injectFaults(operation as FakeOperation, account, region);
            if (mode === "stall") {
                this.calls.push({ ...record, outcome: "stalled" });
                return; // never answered: the socket stays open until the client aborts or the fake closes
            }
            this.throttle(operation as FakeOperation, account, region);
            const output = this.dispatch(operation, input, account, region) as Record<string, unknown>;
            if (mode === "lose") {
                this.calls.push({ ...record, outcome: "lost" });
                res.socket?.destroy();
                return;
            }
            if (mode === "repeatToken" || mode === "alternateTokens") {
                this.bendToken(operation, mode, input, output);
            }
            this.calls.push(record);
            if (mode === "truncate") {
                const text = JSON.stringify(output);
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                res.end(text.slice(0, Math.floor(text.length / 2)));
                this.calls[this.calls.length - 1] = { ...record, outcome: "truncated" };
                return;
            }
            this.sendJson(res, 200, output);
        } catch (error) {
            this.recordAndSendError(res, record, error instanceof FakeError ? error : new FakeError("InternalServerError", String(error), 500));
        }
    }

    private recordAndSendError(res: ServerResponse, record: CallRecord, error: FakeError): void {
        this.calls.push({ ...record, outcome: error.type });
        this.sendJson(res, error.status, { __type: error.type, message: error.message });
    }

    private sendJson(res: ServerResponse, status: number, body: unknown): void {
        // JSON 1.1 timestamps are epoch seconds. (Date#toJSON runs before a replacer sees the value,
        // so the replacer reads the raw property from its holder.)
        const text = JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
            const raw = this[key];
            return raw instanceof Date ? raw.getTime() / 1000 : value;
        });
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${++this.sequence}` });
        res.end(text);
    }

    private caller(req: IncomingMessage): { account: string; region: string } {
        const auth = String(req.headers.authorization ?? "");
        const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
        const key = match?.[1] ?? "";
        const account = key.startsWith("ASIAFAKE") ? key.slice(8, 20) : (this.options.baseAccount ?? "111111111111");
        return { account, region: match?.[2] ?? "us-east-1" };
    }

    private async delay(operation: string): Promise<void> {
        const latency = this.options.latencyMs;
        const ms = typeof latency === "number" ? latency : (latency?.[operation as FakeOperation] ?? 0);
        if (ms > 0) {
            await new Promise((resolve) => setTimeout(resolve, ms));
        }
    }

    /** Applies the first matching fault rule: throws its error, or returns its mode (stall, lose, ...). */
    private injectFaults(operation: FakeOperation, account: string, region: string): FaultRule["mode"] | undefined {
        for (const rule of this.options.faults ?? []) {
            if ((rule.operation && rule.operation !== operation) || (rule.account && rule.account !== account) || (rule.region && rule.region !== region)) {
                continue;
            }
            const seen = (this.faultHits.get(rule) ?? 0) + 1;
            this.faultHits.set(rule, seen);
            const n = seen - (rule.after ?? 0);
            if (n <= 0) {
                continue;
            }
            const always = rule.first === undefined && rule.every === undefined;
            if (always || (rule.first !== undefined && n <= rule.first) || (rule.every !== undefined && n % rule.every === 0)) {
                const mode = rule.mode ?? "error";
                if (mode !== "error") {
                    return mode;
                }
                const type = rule.type ?? "InternalServerError";
                const status = rule.status ?? (type === "InternalServerError" ? 500 : 400);
                throw new FakeError(type, rule.message ?? (type === "ThrottlingException" ? "Rate exceeded" : `injected ${type}`), status);
            }
        }
        return undefined;
    }

    /** First tokens handed out per operation, for the token faults. */
    private readonly tokens = new Map<string, string[]>();

    /**
     * Rewrites a page's NextToken for the "repeatToken" and "alternateTokens" faults. Tokens made up
     * here point past the end of the list (their pages are empty), so a client that stops at the
     * first repeated token sees every item once.
     */
    private bendToken(operation: string, mode: "repeatToken" | "alternateTokens", input: Record<string, unknown>, output: Record<string, unknown>): void {
        const beyond = (n: number): string => Buffer.from(`page:${1_000_000 + n}`).toString("base64");
        const asked = typeof input.NextToken === "string" ? input.NextToken : undefined;
        if (mode === "repeatToken") {
            output.NextToken = asked ?? output.NextToken ?? beyond(0);
            return;
        }
        const seen = this.tokens.get(operation) ?? [];
        this.tokens.set(operation, seen);
        if (asked === undefined) {
            output.NextToken ??= beyond(0);
            seen.splice(0, seen.length, String(output.NextToken));
        } else if (seen.length === 1) {
            if (output.NextToken === undefined || output.NextToken === asked) output.NextToken = beyond(1);
            seen.push(String(output.NextToken));
        } else {
            output.NextToken = asked === seen[1] ? seen[0] : seen[1];
        }
    }

    private throttle(operation: FakeOperation, account: string, region: string): void {
        const rps = this.options.rps?.[operation];
        if (!rps) {
            return;
        }
        if (!this.buckets.take(`${account}/${region}/${operation}`, rps, rps, this.now())) {
            throw new FakeError("ThrottlingException", "Rate exceeded");
        }
    }

    // ---- STS ---------------------------------------------------------------------------------

    private async assumeRole(form: URLSearchParams, callerAccount: string, region: string, res: ServerResponse): Promise<void> {
        const roleArn = form.get("RoleArn") ?? "";
        const input = { RoleArn: roleArn, RoleSessionName: form.get("RoleSessionName"), ExternalId: form.get("ExternalId") };
        await this.delay("AssumeRole");
        const xml = (status: number, text: string): void => {
            res.writeHead(status, { "content-type": "text/xml" });
            res.end(text);
        };
        try {
            this.injectFaults("AssumeRole", callerAccount, region);
        } catch (error) {
            const e = error as FakeError;
            this.calls.push({ operation: "AssumeRole", account: callerAccount, region, outcome: e.type, input });
            xml(e.status, `<ErrorResponse><Error><Type>Sender</Type><Code>${e.type}</Code><Message>${e.message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
            return;
        }
        const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
        if (!account || (this.options.denyRoles ?? []).includes(roleArn)) {
            this.calls.push({ operation: "AssumeRole", account: callerAccount, region, outcome: "AccessDenied", input });
            xml(
                403,
                `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::${callerAccount}:user/patchctl is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
            );
            return;
        }
        this.calls.push({ operation: "AssumeRole", account: callerAccount, region, outcome: "ok", input });
        const expiration = new Date(this.now() + 3600_000).toISOString();
        xml(
            200,
            `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
                `<AccessKeyId>ASIAFAKE${account}</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-token</SessionToken>` +
                `<Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/x/patchctl</Arn>` +
                `<AssumedRoleId>AROAFAKE:patchctl</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
    }

    // ---- SSM operations ----------------------------------------------------------------------

    private dispatch(operation: string, input: Record<string, unknown>, account: string, region: string): unknown {
        const fleet = this.fleet(account, region);
        if (!fleet) {
            throw new FakeError("AccessDeniedException", `no fleet configured for account ${account} in ${region}`);
        }
        switch (operation) {
            case "DescribeInstanceInformation":
                return this.describeInstanceInformation(fleet, input);
            case "DescribeInstancePatchStates":
                return this.describeInstancePatchStates(fleet, input);
            case "DescribeInstancePatches":
                return this.describeInstancePatches(fleet, input);
            case "SendCommand":
                return this.sendCommand(fleet, input, account, region);
            case "ListCommands":
                return this.listCommands(input, account, region);
            case "CancelCommand":
                return this.cancelCommand(input, account, region);
            case "ListCommandInvocations":
                return this.listCommandInvocations(input, account, region);
            case "ListAssociations":
                return this.listAssociations(fleet, input);
            case "StartAssociationsOnce":
                return this.startAssociationsOnce(fleet, input);
            case "DescribeAssociationExecutions":
                return this.describeAssociationExecutions(fleet, input);
            case "DescribeAssociationExecutionTargets":
                return this.describeAssociationExecutionTargets(fleet, input);
            default:
                throw new FakeError("UnknownOperationException", `operation ${operation} is not supported by the fake`);
        }
    }

    private page<T>(items: T[], input: Record<string, unknown>, min: number, max: number, defaultSize: number): { items: T[]; NextToken?: string } {
        const size = input.MaxResults === undefined ? defaultSize : Number(input.MaxResults);
        if (!Number.isInteger(size) || size < min || size > max) {
            throw new FakeError("ValidationException", `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
        }
        let offset = 0;
        if (input.NextToken !== undefined) {
            const match = /^page:(\d+)$/.exec(Buffer.from(String(input.NextToken), "base64").toString("utf8"));
            if (!match) {
                throw new FakeError("InvalidNextToken", "The specified token isn't valid.");
            }
            offset = Number(match[1]);
        }
        const slice = items.slice(offset, offset + size);
        const next = offset + size < items.length ? Buffer.from(`page:${offset + size}`).toString("base64") : undefined;
        return { items: slice, NextToken: next };
    }

    private matchesTargets(node: FakeNode, targets: Array<{ Key: string; Values: string[] }>): boolean {
        return targets.every((t) => {
            if (t.Key.startsWith("tag:")) {
                const value = node.tags[t.Key.slice(4)];
                return value !== undefined && t.Values.includes(value);
            }
            if (t.Key === "InstanceIds") {
                return t.Values.includes(node.instanceId);
            }
            if (t.Key === "tag-key") {
                return t.Values.some((k) => k in node.tags);
            }
            return false;
        });
    }

    private describeInstanceInformation(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const filters = (input.Filters as Array<{ Key: string; Values: string[] }> | undefined) ?? [];
        for (const f of filters) {
            if (!Array.isArray(f.Values) || f.Values.length === 0) {
                throw new FakeError("InvalidInstanceInformationFilterValue", `filter ${f.Key} needs values`);
            }
        }
        const nodes = fleet.nodes.filter((n) => this.matchesTargets(n, filters));
        const { items, NextToken } = this.page(nodes, input, 5, 50, 10);
        return {
            InstanceInformationList: items.map((n) => ({
                InstanceId: n.instanceId,
                PingStatus: n.pingStatus ?? "Online",
                LastPingDateTime: new Date(this.now()),
                AgentVersion: "3.3.1142.0",
                IsLatestVersion: true,
                PlatformType: "Linux",
                PlatformName: n.platformName ?? "Amazon Linux",
                PlatformVersion: n.platformVersion ?? "2",
                ResourceType: "EC2Instance",
                ComputerName: n.name,
            })),
            NextToken,
        };
    }

    private describeInstancePatchStates(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const ids = input.InstanceIds;
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 50) {
            throw new FakeError("ValidationException", `1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length between 1 and 50 (got ${Array.isArray(ids) ? ids.length : 0})`);
        }
        const byId = new Map(fleet.nodes.map((n) => [n.instanceId, n]));
        const states = (ids as string[]).flatMap((id) => {
            const node = byId.get(id);
            const s = node?.patchState;
            if (!s) {
                return [];
            }
            return [
                {
                    InstanceId: id,
                    PatchGroup: "",
                    BaselineId: s.baselineId,
                    InstalledCount: s.installed,
                    InstalledOtherCount: s.installedOther,
                    InstalledPendingRebootCount: s.installedPendingReboot,
                    InstalledRejectedCount: s.installedRejected,
                    MissingCount: s.missing,
                    FailedCount: s.failed,
                    NotApplicableCount: s.notApplicable,
                    UnreportedNotApplicableCount: 0,
                    OperationStartTime: new Date(s.operationEndTime.getTime() - 40_000),
                    OperationEndTime: s.operationEndTime,
                    Operation: s.operation,
                    RebootOption: "RebootIfNeeded",
                    CriticalNonCompliantCount: s.critical,
                    SecurityNonCompliantCount: s.security,
                    OtherNonCompliantCount: s.other,
                },
            ];
        });
        const { items, NextToken } = this.page(states, input, 10, 100, 10);
        return { InstancePatchStates: items, NextToken };
    }

    private describeInstancePatches(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const node = fleet.nodes.find((n) => n.instanceId === input.InstanceId);
        if (!node) {
            throw new FakeError("InvalidInstanceId", `Instance ${String(input.InstanceId)} is not a managed node in this account and Region.`);
        }
        const filters = (input.Filters as Array<{ Key: string; Values: string[] }> | undefined) ?? [];
        const wantsMissing = filters.some((f) => f.Key === "State" && f.Values.includes("Missing"));
        const patches = wantsMissing || filters.length === 0 ? (node.missingPatches ?? []) : [];
        const { items, NextToken } = this.page(patches, input, 10, 100, 10);
        return {
            Patches: items.map((p) => ({
                Title: p.title,
                KBId: p.kbId,
                Classification: p.classification,
                Severity: p.severity,
                State: "Missing",
                InstalledTime: new Date(0),
                CVEIds: (p.cves ?? []).join(","),
            })),
            NextToken,
        };
    }

    private sendCommand(fleet: FakeFleet, input: Record<string, unknown>, account: string, region: string): unknown {
        if (input.DocumentName !== "AWS-RunPatchBaseline") {
            throw new FakeError("InvalidDocument", `document ${String(input.DocumentName)} is not known to the fake`);
        }
        const ids = input.InstanceIds as string[] | undefined;
        const targets = input.Targets as Array<{ Key: string; Values: string[] }> | undefined;
        if ((ids && targets) || (!ids && !targets)) {
            throw new FakeError("ValidationException", "Exactly one of InstanceIds and Targets must be specified");
        }
        if (ids && (ids.length === 0 || ids.length > 50)) {
            throw new FakeError("ValidationException", `Value at 'instanceIds' failed to satisfy constraint: Member must have length between 0 and 50 (got ${ids.length})`);
        }
        if (targets && (targets.length === 0 || targets.length > 5 || targets.some((t) => !Array.isArray(t.Values) || t.Values.length > 50))) {
            throw new FakeError("ValidationException", "Value at 'targets' failed to satisfy constraint: at most 5 targets with at most 50 values each");
        }
        const maxConcurrency = String(input.MaxConcurrency ?? "50");
        const maxErrors = String(input.MaxErrors ?? "0");
        if (!MAX_CONCURRENCY.test(maxConcurrency) || !MAX_ERRORS.test(maxErrors) || maxConcurrency.length > 7 || maxErrors.length > 7) {
            throw new FakeError("ValidationException", "MaxConcurrency or MaxErrors does not have a valid shape");
        }
        const parameters = (input.Parameters as Record<string, string[]> | undefined) ?? {};
        const operation = parameters.Operation?.[0];
        if (operation !== "Scan" && operation !== "Install") {
            throw new FakeError("InvalidParameters", "Operation must be Scan or Install");
        }
        let nodes: FakeNode[];
        if (ids) {
            const byId = new Map(fleet.nodes.map((n) => [n.instanceId, n]));
            const unknown = ids.filter((id) => !byId.has(id));
            if (unknown.length > 0) {
                throw new FakeError("InvalidInstanceId", `Instances [[${unknown.join(", ")}]] not in a valid state for account ${account}`);
            }
            nodes = ids.map((id) => byId.get(id) as FakeNode);
        } else {
            nodes = fleet.nodes.filter((n) => this.matchesTargets(n, targets ?? []));
        }
        const commandId = this.newId();
        const command: FakeCommand = {
            commandId,
            account,
            region,
            operation,
            parameters,
            comment: typeof input.Comment === "string" ? input.Comment : "",
            cancelled: false,
            instanceIds: ids,
            targets,
            nodes,
            maxConcurrency,
            maxErrors,
            requestedAt: this.now(),
            polls: 0,
            finished: false,
            statuses: new Map(nodes.map((n) => [n.instanceId, "Pending"])),
        };
        this.commands.set(commandId, command);
        return { Command: this.commandJson(command) };
    }

    private commandJson(c: FakeCommand): Record<string, unknown> {
        const statuses = [...c.statuses.values()];
        const completed = statuses.filter((s) => s !== "Pending" && s !== "InProgress").length;
        const errors = statuses.filter((s) => s === "Failed" || s === "TimedOut").length;
        return {
            CommandId: c.commandId,
            DocumentName: "AWS-RunPatchBaseline",
            DocumentVersion: "$DEFAULT",
            Comment: c.comment,
            Parameters: c.parameters,
            InstanceIds: c.instanceIds ?? [],
            Targets: c.targets ?? [],
            RequestedDateTime: new Date(c.requestedAt),
            Status: c.cancelled ? "Cancelled" : c.finished ? (errors > 0 ? "Failed" : "Success") : c.polls > 0 ? "InProgress" : "Pending",
            StatusDetails: c.cancelled ? "Cancelled" : c.finished ? (errors > 0 ? "Failed" : "Success") : c.polls > 0 ? "InProgress" : "Pending",
            MaxConcurrency: c.maxConcurrency,
            MaxErrors: c.maxErrors,
            TargetCount: c.nodes.length,
            CompletedCount: completed,
            ErrorCount: errors,
            DeliveryTimedOutCount: 0,
            TimeoutSeconds: 3600,
        };
    }

    private command(input: Record<string, unknown>, account: string, region: string): FakeCommand {
        const c = this.commands.get(String(input.CommandId));
        if (!c || c.account !== account || c.region !== region) {
            throw new FakeError("InvalidCommandId", "");
        }
        return c;
    }

    /** CancelCommand: a command not finished yet ends Cancelled; its unfinished invocations too. */
    private cancelCommand(input: Record<string, unknown>, account: string, region: string): unknown {
        const c = this.command(input, account, region);
        if (!c.finished) {
            c.cancelled = true;
            c.finished = true;
            for (const [id, status] of c.statuses) {
                if (status === "Pending" || status === "InProgress") c.statuses.set(id, "Cancelled");
            }
        }
        return {};
    }

    /** Moves a command on by one poll; finishes it after `commandPolls` polls. */
    private advance(c: FakeCommand): void {
        if (c.finished) {
            return;
        }
        c.polls++;
        const needed = this.options.commandPolls ?? 1;
        const total = c.nodes.length;
        if (c.polls >= needed) {
            for (const node of c.nodes) {
                this.finishInvocation(c, node);
            }
            c.finished = true;
            return;
        }
        const done = Math.floor((total * c.polls) / needed);
        c.nodes.forEach((node, i) => {
            if (i < done) {
                this.finishInvocation(c, node);
            } else {
                c.statuses.set(node.instanceId, "InProgress");
            }
        });
    }

    private finishInvocation(c: FakeCommand, node: FakeNode): void {
        const current = c.statuses.get(node.instanceId);
        if (current !== "Pending" && current !== "InProgress") {
            return;
        }
        const status = node.outcome?.status ?? "Success";
        c.statuses.set(node.instanceId, status);
        if (status !== "Success") {
            return;
        }
        const time = new Date(this.now());
        if (c.operation === "Install") {
            const before = node.patchState ?? stateFromPatches(node, "Scan", time);
            const noReboot = c.parameters.RebootOption?.[0] === "NoReboot";
            node.missingPatches = [];
            node.patchState = {
                ...stateFromPatches(node, "Install", time, before),
                installed: before.installed + (noReboot ? 0 : before.missing),
                installedPendingReboot: before.installedPendingReboot + (noReboot ? before.missing : 0),
            };
        } else {
            node.patchState = stateFromPatches(node, "Scan", time, node.patchState);
        }
    }

    private listCommands(input: Record<string, unknown>, account: string, region: string): unknown {
        if (input.CommandId !== undefined) {
            const c = this.command(input, account, region);
            this.advance(c);
            return { Commands: [this.commandJson(c)] };
        }
        const filters = (input.Filters as Array<{ key: string; value: string }> | undefined) ?? [];
        const all = [...this.commands.values()].filter(
            (c) =>
                c.account === account &&
                c.region === region &&
                filters.every((f) => (f.key === "InvokedAfter" ? c.requestedAt >= Date.parse(f.value) : f.key === "DocumentName" ? f.value === "AWS-RunPatchBaseline" : true)),
        );
        const { items, NextToken } = this.page(all, input, 1, 50, 50);
        return { Commands: items.map((c) => this.commandJson(c)), NextToken };
    }

    /**
     * The patch plugin's output as the agent reports it. A made-up text by default, which carries no
     * patch counts: a scan or install reports those through the node's patch state (finishInvocation),
     * read with DescribeInstancePatchStates.
     */
    private pluginOutput(c: FakeCommand, node: FakeNode, status: string): string {
        const header = `AWS-RunPatchBaseline Operation=${c.operation} on ${node.instanceId} (fake SSM endpoint)`;
        const stdout = node.outcome?.output ?? (status === "Success" ? `${header}\n${c.operation} finished` : header);
        const stderr = node.outcome?.stderr ?? (status !== "Success" && node.outcome?.output === undefined ? `Error: patch baseline operation failed on ${node.instanceId}` : "");
        return agentOutput(stdout, stderr);
    }

    private listCommandInvocations(input: Record<string, unknown>, account: string, region: string): unknown {
        const c = this.command(input, account, region);
        const { items, NextToken } = this.page(c.nodes, input, 1, 50, 50);
        return {
            CommandInvocations: items.map((node) => {
                const status = c.statuses.get(node.instanceId) ?? "Pending";
                const ended = status !== "Pending" && status !== "InProgress";
                return {
                    CommandId: c.commandId,
                    InstanceId: node.instanceId,
                    InstanceName: node.name ?? "",
                    DocumentName: "AWS-RunPatchBaseline",
                    RequestedDateTime: new Date(c.requestedAt),
                    Status: status,
                    StatusDetails: node.outcome?.statusDetails ?? status,
                    CommandPlugins: input.Details
                        ? [
                              {
                                  Name: "PatchWindows",
                                  Status: ended ? "Success" : "Pending",
                                  StatusDetails: ended ? "Skipped" : "Pending",
                                  ResponseCode: 0,
                                  Output: ended ? "Step execution skipped due to unsatisfied preconditions: '{\"StringEquals\":[\"platformType\",\"Windows\"]}'." : "",
                              },
                              {
                                  Name: "PatchLinux",
                                  Status: status,
                                  StatusDetails: status,
                                  ResponseCode: ended ? (node.outcome?.responseCode ?? (status === "Success" ? 0 : 1)) : -1,
                                  Output: ended ? this.pluginOutput(c, node, status) : "",
                              },
                          ]
                        : [],
                };
            }),
            NextToken,
        };
    }

    private listAssociations(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const filters = (input.AssociationFilterList as Array<{ key: string; value: string }> | undefined) ?? [];
        const associations = (fleet.associations ?? []).filter((a) =>
            filters.every((f) =>
                f.key === "Name" ? (a.documentName ?? "AWS-RunPatchBaseline") === f.value : f.key === "AssociationName" ? a.associationName === f.value : true,
            ),
        );
        const { items, NextToken } = this.page(associations, input, 1, 50, 50);
        return {
            Associations: items.map((a) => ({
                Name: a.documentName ?? "AWS-RunPatchBaseline",
                AssociationId: a.associationId,
                AssociationVersion: "1",
                AssociationName: a.associationName,
                Targets: a.targets,
                ScheduleExpression: a.scheduleExpression,
                LastExecutionDate: a.executions?.[0]?.createdTime,
                Overview: { Status: a.executions?.[0]?.status ?? "Pending" },
            })),
            NextToken,
        };
    }

    private association(fleet: FakeFleet, id: unknown): FakeAssociation {
        const a = (fleet.associations ?? []).find((x) => x.associationId === id);
        if (!a) {
            throw new FakeError("AssociationDoesNotExist", `association ${String(id)} does not exist`);
        }
        return a;
    }

    private startAssociationsOnce(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const ids = input.AssociationIds;
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 10) {
            throw new FakeError("ValidationException", "Value at 'associationIds' failed to satisfy constraint: Member must have length between 1 and 10");
        }
        const associations = ids.map((id) => {
            try {
                return this.association(fleet, id);
            } catch {
                throw new FakeError("InvalidAssociation", `association ${String(id)} does not exist`);
            }
        });
        for (const a of associations) {
            a.executions = [{ executionId: this.newId(), status: "Pending", createdTime: new Date(this.now()), targets: [], polls: 0 }, ...(a.executions ?? [])];
        }
        return {};
    }

    private advanceExecution(fleet: FakeFleet, a: FakeAssociation, e: FakeExecution): void {
        if (e.status !== "Pending" && e.status !== "InProgress") {
            return;
        }
        e.polls = (e.polls ?? 0) + 1;
        if (e.polls < (this.options.executionPolls ?? 1)) {
            e.status = "InProgress";
            e.detailedStatus = "InProgress";
            return;
        }
        const time = new Date(this.now());
        const nodes = fleet.nodes.filter((n) => this.matchesTargets(n, a.targets));
        const commandId = this.newId();
        e.targets = nodes.map((n) => {
            const status = n.outcome?.status ?? "Success";
            if (status === "Success") {
                n.patchState = a.operation === "Install" ? stateFromPatches({ ...n, missingPatches: [] }, "Install", time, n.patchState) : stateFromPatches(n, "Scan", time, n.patchState);
                if (a.operation === "Install") {
                    n.missingPatches = [];
                }
            }
            return { resourceId: n.instanceId, status, detailedStatus: status, commandId, lastExecutionDate: time };
        });
        const failed = e.targets.filter((t) => t.status !== "Success").length;
        e.status = failed > 0 ? "Failed" : "Success";
        e.detailedStatus = e.status;
        e.lastExecutionDate = time;
    }

    private describeAssociationExecutions(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const a = this.association(fleet, input.AssociationId);
        const filters = (input.Filters as Array<{ Key: string; Value: string; Type: string }> | undefined) ?? [];
        for (const e of a.executions ?? []) {
            this.advanceExecution(fleet, a, e);
        }
        const executions = (a.executions ?? []).filter((e) =>
            filters.every((f) => {
                if (f.Key === "CreatedTime") {
                    const t = Date.parse(f.Value);
                    if (Number.isNaN(t)) {
                        throw new FakeError("InvalidFilterValue", `CreatedTime filter value ${f.Value} is not a timestamp`);
                    }
                    return f.Type === "GREATER_THAN" ? e.createdTime.getTime() > t : f.Type === "LESS_THAN" ? e.createdTime.getTime() < t : e.createdTime.getTime() === t;
                }
                if (f.Key === "Status") {
                    return e.status === f.Value;
                }
                if (f.Key === "ExecutionId") {
                    return e.executionId === f.Value;
                }
                return true;
            }),
        );
        const { items, NextToken } = this.page(executions, input, 1, 50, 50);
        return {
            AssociationExecutions: items.map((e) => ({
                AssociationId: a.associationId,
                AssociationVersion: "1",
                ExecutionId: e.executionId,
                Status: e.status,
                DetailedStatus: e.detailedStatus ?? e.status,
                CreatedTime: e.createdTime,
                LastExecutionDate: e.lastExecutionDate,
                ResourceCountByStatus: resourceCounts(e.targets),
            })),
            NextToken,
        };
    }

    private describeAssociationExecutionTargets(fleet: FakeFleet, input: Record<string, unknown>): unknown {
        const a = this.association(fleet, input.AssociationId);
        const e = (a.executions ?? []).find((x) => x.executionId === input.ExecutionId);
        if (!e) {
            throw new FakeError("AssociationExecutionDoesNotExist", `execution ${String(input.ExecutionId)} does not exist`);
        }
        const { items, NextToken } = this.page(e.targets, input, 1, 50, 50);
        return {
            AssociationExecutionTargets: items.map((t) => ({
                AssociationId: a.associationId,
                AssociationVersion: "1",
                ExecutionId: e.executionId,
                ResourceId: t.resourceId,
                ResourceType: "ManagedInstance",
                Status: t.status,
                DetailedStatus: t.detailedStatus ?? t.status,
                LastExecutionDate: t.lastExecutionDate,
                OutputSource: t.commandId ? { OutputSourceId: t.commandId, OutputSourceType: "RunCommand" } : undefined,
            })),
            NextToken,
        };
    }

    private newId(): string {
        const n = ++this.idSequence;
        const hex = n.toString(16).padStart(12, "0");
        return `${hex.slice(0, 8)}-0000-4000-8000-${hex}`;
    }
}

/** The SSM Agent's limit on a plugin's reported output. */
export const AGENT_OUTPUT_CAPACITY = 2400;

/**
 * A plugin's output as the SSM Agent reports it: standard output, then "----------ERROR-------" and
 * standard error when there is any, each cut with a marker when the whole does not fit
 * AGENT_OUTPUT_CAPACITY characters (the longer part is cut first, both in half when both are long).
 */
export function agentOutput(stdout: string, stderr: string, capacity = AGENT_OUTPUT_CAPACITY): string {
    const title = stderr === "" ? "" : "\n----------ERROR-------\n";
    const cutOut = "\n---Output truncated---";
    const cutErr = "\n---Error truncated----";
    const room = capacity - title.length;
    if (stdout.length + stderr.length < room) {
        return `${stdout}${title}${stderr}`;
    }
    if (stdout.length > room / 2 && stderr.length > room / 2) {
        const half = Math.floor((room - cutOut.length - cutErr.length) / 2);
        return `${stdout.slice(0, half)}${cutOut}${title}${stderr.slice(0, half)}${cutErr}`;
    }
    if (stdout.length < room / 2) {
        return `${stdout}${title}${stderr.slice(0, room - cutErr.length - stdout.length)}${cutErr}`;
    }
    return `${stdout.slice(0, room - cutOut.length - stderr.length)}${cutOut}${title}${stderr}`;
}

function resourceCounts(targets: FakeExecutionTarget[]): string {
    if (targets.length === 0) {
        return "{}";
    }
    const counts = new Map<string, number>();
    for (const t of targets) {
        counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    }
    return `{${[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}=${n}`).join(", ")}}`;
}

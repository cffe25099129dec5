/**
 * Inspector and Security Hub clients for a scope, made from that scope's SSM client: the same
 * Region, credentials (the assumed role's, cached), endpoint (`--endpoint` / PATCHCTL_ENDPOINT),
 * retry policy and HTTP handler (so the client pool's sockets serve them and are closed with it),
 * plus the pacing of the describe calls (`--api-rate` per operation), capped by Security Hub's
 * documented quotas (GetFindings 3/s, GetInsightResults 10/s).
 *
 * The SDKs are loaded here, when the findings command runs, not when main.ts loads.
 */
import type { Inspector2Client } from "@aws-sdk/client-inspector2";
import type { SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { Pacer } from "../aws/pacing";

export interface FindingsClients {
    inspector: Inspector2Client;
    hub: SecurityHubClient;
}

/** Inspector operations patchctl calls, paced at --api-rate each. */
export const INSPECTOR_OPERATIONS = ["ListFindings", "ListCoverage", "ListCoverageStatistics", "ListFindingAggregations"] as const;

/** Security Hub's documented request quotas (API reference, "Welcome"), per account and Region. */
export const SECURITY_HUB_TPS: Readonly<Record<string, number>> = { GetFindings: 3, GetInsightResults: 10 };

/** The per-operation pace of the findings clients for an --api-rate. */
export function findingsTpsLimits(apiRate: number): Record<string, number> {
    return {
        ...Object.fromEntries(INSPECTOR_OPERATIONS.map((op) => [op, apiRate])),
        ...Object.fromEntries(Object.entries(SECURITY_HUB_TPS).map(([op, tps]) => [op, Math.min(tps, apiRate)])),
    };
}

interface StackClient {
    middlewareStack: { add: (mw: never, options: { step: "deserialize"; name: string; override: boolean }) => void };
}

/** Paces the listed operations of `client`, every attempt included (as aws/pacing.ts does for SSM). */
function pace(client: StackClient, limits: Readonly<Record<string, number>>): void {
    const pacers = new Map(Object.entries(limits).map(([op, tps]) => [op, new Pacer(tps)]));
    const middleware =
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown): Promise<unknown> => {
            await pacers.get(String(context.commandName ?? "").replace(/Command$/, ""))?.take();
            return next(args);
        };
    client.middlewareStack.add(middleware as never, { step: "deserialize", name: "patchctlFindingsTpsLimit", override: true });
}

const cache = new WeakMap<SSMClient, Promise<FindingsClients>>();

/** The Inspector and Security Hub clients of the scope `ssm` serves (created once per SSM client). */
export function findingsClients(ssm: SSMClient, apiRate: number): Promise<FindingsClients> {
    let clients = cache.get(ssm);
    if (!clients) {
        clients = create(ssm, apiRate);
        cache.set(ssm, clients);
    }
    return clients;
}

async function create(ssm: SSMClient, apiRate: number): Promise<FindingsClients> {
    const [{ Inspector2Client }, { SecurityHubClient }] = await Promise.all([import("@aws-sdk/client-inspector2"), import("@aws-sdk/client-securityhub")]);
    const resolved = ssm.config;
    const endpoint = resolved.isCustomEndpoint && resolved.endpoint ? await resolved.endpoint() : undefined;
    const config = {
        region: await resolved.region(),
        credentials: resolved.credentials,
        maxAttempts: await resolved.maxAttempts(),
        retryMode: typeof resolved.retryMode === "function" ? await resolved.retryMode() : resolved.retryMode,
        requestHandler: resolved.requestHandler,
        ...(endpoint ? { endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ""}${endpoint.path === "/" ? "" : endpoint.path}` } : {}),
    };
    const inspector = new Inspector2Client(config as NonNullable<ConstructorParameters<typeof Inspector2Client>[0]>);
    const hub = new SecurityHubClient(config as NonNullable<ConstructorParameters<typeof SecurityHubClient>[0]>);
    const limits = findingsTpsLimits(apiRate);
    pace(inspector as unknown as StackClient, limits);
    pace(hub as unknown as StackClient, limits);
    return { inspector, hub };
}

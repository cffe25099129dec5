// What the loopback fakes (fakeSsm.ts, fakeFindings.ts) share: their call records, counted the same
// way, data looked up by account and Region the same way, throttling, and the server itself.
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The part of a call record the counts read. */
export interface CountedCall {
    operation: string;
    /** "ok", or the error type answered ("ThrottlingException", ...). */
    outcome: string;
    account?: string;
    region?: string;
}

/** Requests of an operation, optionally only those with this outcome, account or Region. */
export function countCalls(calls: readonly CountedCall[], operation?: string, filter: { outcome?: string; account?: string; region?: string } = {}): number {
    return calls.filter(
        (c) =>
            (operation === undefined || c.operation === operation) &&
            (filter.outcome === undefined || c.outcome === filter.outcome) &&
            (filter.account === undefined || c.account === filter.account) &&
            (filter.region === undefined || c.region === filter.region),
    ).length;
}

/** Per-operation request counts ("ok" only unless `all`). */
export function summarizeCalls(calls: readonly CountedCall[], all = false): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of calls) {
        if (all || call.outcome === "ok") {
            counts[call.operation] = (counts[call.operation] ?? 0) + 1;
        }
    }
    return counts;
}

/** The entry serving an account and Region: keyed `account/region`, `account`, `region` or `*`, most specific first. */
export function forScope<T>(entries: Readonly<Record<string, T>>, account: string, region: string): T | undefined {
    return entries[`${account}/${region}`] ?? entries[account] ?? entries[region] ?? entries["*"];
}

/**
 * Token buckets per key (account/Region/operation), as AWS throttles: `rps` tokens a second, at
 * most `burst` held, one taken per request. A request finding none is throttled.
 */
export class TokenBuckets {
    private readonly buckets = new Map<string, { tokens: number; at: number }>();

    /** Takes a token for `key` at time `now` (ms); false when the request must be throttled. */
    take(key: string, rps: number, burst: number, now: number): boolean {
        const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
        bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rps);
        bucket.at = now;
        this.buckets.set(key, bucket);
        if (bucket.tokens < 1) return false;
        bucket.tokens -= 1;
        return true;
    }
}

/**
 * A loopback fake of AWS endpoints: an HTTP server on 127.0.0.1 at a random port (closed with its
 * open connections), serving `listener()`, with the record of the calls it answered.
 */
export abstract class LoopbackFake<C extends CountedCall> {
    readonly calls: C[] = [];
    private server?: Server;

    /** What answers requests. */
    abstract listener(): RequestListener;

    /** Starts listening on 127.0.0.1 (random port); resolves to the endpoint URL. */
    async start(): Promise<string> {
        const server = createServer(this.listener());
        server.keepAliveTimeout = 2_000;
        this.server = server;
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return this.url;
    }

    get url(): string {
        const address = this.server?.address() as AddressInfo | null;
        if (!address) {
            throw new Error(`${this.constructor.name} is not started`);
        }
        return `http://127.0.0.1:${address.port}`;
    }

    async close(): Promise<void> {
        const server = this.server;
        if (!server) {
            return;
        }
        this.server = undefined;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    /** Requests of an operation, optionally only those with this outcome ("ok", "ThrottlingException", ...), account or Region. */
    count(operation?: string, filter: { outcome?: string; account?: string; region?: string } = {}): number {
        return countCalls(this.calls, operation, filter);
    }

    /** Per-operation request counts ("ok" only unless `all`). */
    summary(all = false): Record<string, number> {
        return summarizeCalls(this.calls, all);
    }
}

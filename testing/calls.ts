// What the loopback fakes (fakeSsm.ts, fakeFindings.ts) share: their call records, counted the same
// way, and data looked up by account and Region the same way.

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

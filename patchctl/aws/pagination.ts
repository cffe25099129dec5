/**
 * Pagination: every list call goes through the SDK's paginators at the largest page size its API
 * accepts (REFERENCE.md), so N items take ceil(N / page size) calls, and every listing is bounded.
 *
 * AWS's pagination contract: a response's NextToken, passed back, returns the next page; a response
 * without one is the last page (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeInstanceInformation.html,
 * "NextToken: The token to use when requesting the next set of items. If there are no additional
 * items to return, the string is empty."). The SDK paginators follow NextToken for as long as one
 * comes back (`stopOnSameToken` is off by default), so a service (or proxy) that hands back a token
 * it already gave, or two that alternate, would make them loop for ever. collectPages therefore
 * refuses any token it has already seen, and any listing longer than a page cap, with a
 * PaginationError that names the operation: that account-Region fails, the others are reported.
 */

/** The largest page (or id batch) of each operation patchctl lists with. */
export const PAGE_SIZE = {
    DescribeInstanceInformation: 50,
    /** Also the most instance ids one call accepts. */
    DescribeInstancePatchStates: 50,
    DescribeInstancePatches: 100,
    ListCommandInvocations: 50,
    ListCommands: 50,
    ListAssociations: 50,
    DescribeAssociationExecutions: 50,
    DescribeAssociationExecutionTargets: 50,
} as const;

/**
 * Pages one listing may take. 1,000 pages of 50 are 50,000 items: twenty times the ~2,400 managed
 * nodes an account and Region holds (REFERENCE.md), so no real listing reaches it, and a broken one
 * ends after at most 1,000 calls instead of never.
 */
export const MAX_PAGES = 1000;

/** A listing that cannot end: a NextToken seen before, or more than the page cap. */
export class PaginationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PaginationError";
    }
}

export interface CollectOptions<T> {
    /** Gets each page's items as they arrive, so callers can start work while the next page loads. */
    onPage?: (items: T[]) => void;
    /** Stop reading pages once this many (distinct, with `keyOf`) items are in. */
    limit?: number;
    /** The operation, for error messages ("ListCommandInvocations"). */
    operation?: string;
    /** Page cap (default MAX_PAGES). */
    maxPages?: number;
    /** An item's identity: an item seen before is dropped, so `limit` counts entries, never duplicates. */
    keyOf?: (item: T) => string | undefined;
}

/** The continuation token of a page: SSM's NextToken, or nextToken (Inspector, Security Hub). */
function tokenOf(page: unknown): string | undefined {
    if (typeof page !== "object" || page === null) {
        return undefined;
    }
    const p = page as { NextToken?: unknown; nextToken?: unknown };
    const token = p.NextToken ?? p.nextToken;
    return typeof token === "string" && token !== "" ? token : undefined;
}

/**
 * Every item of every page, in order, with the bounds of the module comment. `onPage` gets each
 * page's items as they arrive; `limit` stops reading pages once that many items are in.
 */
export async function collectPages<P, T>(pages: AsyncIterable<P>, itemsOf: (page: P) => readonly T[] | undefined, options: CollectOptions<T> = {}): Promise<T[]> {
    const all: T[] = [];
    const limit = options.limit ?? Infinity;
    const maxPages = options.maxPages ?? MAX_PAGES;
    const what = options.operation ?? "a listing";
    const tokens = new Set<string>();
    const keys = new Set<string>();
    let count = 0;
    for await (const page of pages) {
        count++;
        let items = [...(itemsOf(page) ?? [])];
        if (options.keyOf) {
            items = items.filter((item) => {
                const key = options.keyOf?.(item);
                if (key === undefined) return true;
                if (keys.has(key)) return false;
                keys.add(key);
                return true;
            });
        }
        items = items.slice(0, limit - all.length);
        all.push(...items);
        options.onPage?.(items);
        if (all.length >= limit) {
            break;
        }
        const token = tokenOf(page);
        if (token === undefined) {
            continue; // the last page: the paginator ends here
        }
        if (tokens.has(token)) {
            throw new PaginationError(
                `${what} returned a NextToken it had already returned (page ${count}): stopped after ${count} pages so the listing cannot loop for ever; the service or a proxy in between is misbehaving`,
            );
        }
        tokens.add(token);
        if (count >= maxPages) {
            throw new PaginationError(`${what} still had more pages after ${maxPages} (the page cap): stopped so the listing cannot run for ever`);
        }
    }
    return all;
}

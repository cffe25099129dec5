/**
 * patchctl's one concurrency pool, and the batching and sleeping around it: splitting lists into
 * API-sized batches, at most N calls in flight (`limiter`), and work over many items that reports
 * each item's failure instead of stopping at the first (`mapSettled`, used for account-Regions).
 */

/** Splits `items` into consecutive batches of at most `size` items (the last may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
    if (!Number.isInteger(size) || size < 1) {
        throw new RangeError(`batch size must be a positive integer, got ${size}`);
    }
    const batches: T[][] = [];
    for (let i = 0; i < items.length; i += size) {
        batches.push(items.slice(i, i + size));
    }
    return batches;
}

/** A pool: `run(fn)` starts `fn` when fewer than `limit` runs are in flight, queueing the rest in order. */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
    if (!Number.isInteger(limit) || limit < 1) {
        throw new RangeError(`limit must be a positive integer, got ${limit}`);
    }
    let active = 0;
    const queue: Array<() => void> = [];
    const release = () => {
        active--;
        queue.shift()?.();
    };
    return <R>(fn: () => Promise<R>) =>
        new Promise<R>((resolve, reject) => {
            const start = () => {
                active++;
                fn().then(resolve, reject).finally(release);
            };
            if (active < limit) start();
            else queue.push(start);
        });
}

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Maps `items` through `fn`, at most `limit` at a time, in input order; never rejects: each item is its value or its error. */
export async function mapSettled<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<Array<Settled<R>>> {
    const run = limiter(limit);
    return Promise.all(
        items.map((item, index) =>
            run(() => fn(item, index)).then(
                (value): Settled<R> => ({ ok: true, value }),
                (error: unknown): Settled<R> => ({ ok: false, error }),
            ),
        ),
    );
}

/** Resolves after `ms` milliseconds, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(abortError());
            return;
        }
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        const onAbort = (): void => {
            clearTimeout(timer);
            reject(abortError());
        };
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

function abortError(): Error {
    const error = new Error("The operation was aborted");
    error.name = "AbortError";
    return error;
}

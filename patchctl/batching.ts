/** Splitting lists into API-sized batches and running work with bounded parallelism. */

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

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order.
 * Rejects with the first error (the calls already started still run to completion).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    let failed = false;
    let firstError: unknown;
    const worker = async (): Promise<void> => {
        while (!failed && next < items.length) {
            const index = next++;
            try {
                results[index] = await fn(items[index], index);
            } catch (error) {
                if (!failed) {
                    failed = true;
                    firstError = error;
                }
            }
        }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
    await Promise.all(workers);
    if (failed) {
        throw firstError;
    }
    return results;
}

/** Like `mapLimit`, but never rejects: each item yields `{ ok: true, value }` or `{ ok: false, error }`. */
export async function mapSettledLimit<T, R>(
    items: readonly T[],
    limit: number,
    fn: (item: T, index: number) => Promise<R>,
): Promise<Array<{ ok: true; value: R } | { ok: false; error: unknown }>> {
    return mapLimit(items, limit, async (item, index) => {
        try {
            return { ok: true as const, value: await fn(item, index) };
        } catch (error) {
            return { ok: false as const, error };
        }
    });
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

/** A limiter: `run(fn)` starts `fn` when fewer than `limit` runs are in flight, queueing the rest in order. */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
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

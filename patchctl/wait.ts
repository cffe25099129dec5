/** Waiting with a timeout, an abort signal (Ctrl-C) and progress. */
import { sleep } from "./batching";
import { isAbortError } from "./errors";
import type { ProgressSink } from "./progress";

export interface WaitSettings {
    /** Time between polls. */
    intervalMs: number;
    /** Give up waiting after this long (the work keeps running on AWS). */
    timeoutMs: number;
    /** Aborted on Ctrl-C / SIGTERM: waiting stops, the work keeps running on AWS. */
    signal?: AbortSignal;
    /** Progress display (stderr, terminals only). */
    progress?: ProgressSink;
    /** Progress key of this unit of work (e.g. "111122223333 us-east-1"). */
    progressKey?: string;
}

export type WaitState = "done" | "timeout" | "interrupted";

/**
 * Calls `check` every `intervalMs` (first after one interval when `delayFirst`) until it reports
 * done, the timeout passes or the signal aborts. Errors other than aborts propagate.
 */
export async function pollUntil<T>(
    check: () => Promise<{ done: boolean; value: T }>,
    settings: WaitSettings,
    delayFirst = true,
): Promise<{ state: WaitState; value?: T }> {
    const deadline = Date.now() + settings.timeoutMs;
    let last: T | undefined;
    let first = true;
    for (;;) {
        if (!first || delayFirst) {
            const remaining = deadline - Date.now();
            if (remaining <= 0) {
                return { state: "timeout", value: last };
            }
            try {
                await sleep(Math.min(settings.intervalMs, remaining), settings.signal);
            } catch (error) {
                if (isAbortError(error)) {
                    return { state: "interrupted", value: last };
                }
                throw error;
            }
        }
        first = false;
        if (settings.signal?.aborted) {
            return { state: "interrupted", value: last };
        }
        try {
            const result = await check();
            last = result.value;
            if (result.done) {
                return { state: "done", value: result.value };
            }
        } catch (error) {
            if (isAbortError(error) || settings.signal?.aborted) {
                return { state: "interrupted", value: last };
            }
            throw error;
        }
        if (Date.now() >= deadline) {
            return { state: "timeout", value: last };
        }
    }
}

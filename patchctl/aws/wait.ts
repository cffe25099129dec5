/** Waiting with a timeout, an abort signal (Ctrl-C) and progress. */
import type { ProgressSink } from "../cli/progress";
import type { CommandInfo } from "../ssm/runCommand";
import { isAbortError } from "../output/errors";
import { sleep } from "./concurrency";

export interface WaitSettings {
    /** Time between polls, once the first short ones (see pollDelay) have passed. */
    intervalMs: number;
    /** Give up waiting after this long (the work keeps running on AWS). */
    timeoutMs: number;
    /** Aborted on Ctrl-C / SIGTERM: waiting stops, the work keeps running on AWS. */
    signal?: AbortSignal;
    /** Progress display (stderr, terminals only). */
    progress?: ProgressSink;
    /** Progress key of this unit of work (e.g. "111122223333 us-east-1"). */
    progressKey?: string;
    /** Hears of each command the moment AWS accepted it (`recovered`: found again after a lost answer). */
    onSent?: (command: CommandInfo, recovered: boolean) => void;
}

/** Work that outlived its time bound (see withDeadline). */
export class DeadlineError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DeadlineError";
    }
}

/**
 * Settles like `work`, but rejects with DeadlineError after `ms` and with an AbortError when
 * `signal` aborts, whichever comes first: a stalled call cannot hold the caller past its bound.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined, message: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => done(() => reject(new DeadlineError(message))), Math.max(0, ms));
        const onAbort = (): void =>
            done(() => {
                const error = new Error("The operation was aborted");
                error.name = "AbortError";
                reject(error);
            });
        let settled = false;
        const done = (fn: () => void): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            fn();
        };
        if (signal?.aborted) {
            onAbort();
            return;
        }
        signal?.addEventListener("abort", onAbort, { once: true });
        work.then(
            (value) => done(() => resolve(value)),
            (error: unknown) => done(() => reject(error)),
        );
    });
}

export type WaitState = "done" | "timeout" | "interrupted";

/** The first wait of a poll loop; each next one doubles, up to the interval. */
export const FIRST_POLL_MS = 1000;

/**
 * The wait before poll `n` (0-based): 1 s, 2 s, 4 s, then every `intervalMs` (never more than it).
 * A short command (a scan of a few nodes) is seen ending in seconds, and a long one costs a poll
 * every interval, as the AWS CLI's `aws ssm wait command-executed` does (every 5 s).
 */
export function pollDelay(n: number, intervalMs: number): number {
    return Math.min(intervalMs, FIRST_POLL_MS * 2 ** Math.min(n, 30));
}

/**
 * Calls `check` after each pollDelay (at once first unless `delayFirst`) until it reports
 * done, the timeout passes or the signal aborts. A check still running at the timeout (a stalled
 * call) ends the wait with "timeout" too. Errors other than aborts propagate.
 */
export async function pollUntil<T>(
    check: () => Promise<{ done: boolean; value: T }>,
    settings: WaitSettings,
    delayFirst = true,
): Promise<{ state: WaitState; value?: T }> {
    const deadline = Date.now() + settings.timeoutMs;
    let last: T | undefined;
    let first = true;
    let waits = 0;
    for (;;) {
        if (!first || delayFirst) {
            const remaining = deadline - Date.now();
            if (remaining <= 0) {
                return { state: "timeout", value: last };
            }
            try {
                await sleep(Math.min(pollDelay(waits++, settings.intervalMs), remaining), settings.signal);
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
            const result = await withDeadline(check(), deadline - Date.now(), settings.signal, "timeout");
            last = result.value;
            if (result.done) {
                return { state: "done", value: result.value };
            }
        } catch (error) {
            if (isAbortError(error) || settings.signal?.aborted) {
                return { state: "interrupted", value: last };
            }
            if (error instanceof DeadlineError) {
                return { state: "timeout", value: last };
            }
            throw error;
        }
        if (Date.now() >= deadline) {
            return { state: "timeout", value: last };
        }
    }
}

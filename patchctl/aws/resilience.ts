/**
 * What keeps every SDK call bounded in time and stoppable at once:
 * - `BoundedRetryStrategy`: the SDK's standard retry rules (throttling, transient and 5xx errors
 *   are retried with full-jitter exponential backoff: 500 ms base for throttling, 100 ms otherwise,
 *   20 s cap) within `maxAttempts` AND a total time budget per call, and at most one retry when the
 *   endpoint cannot be reached at all (connection refused, unknown host): a wrong endpoint or a
 *   network without a route says so in about a second instead of after 10-16 s of retries.
 * - `abortableSend`: every call of a client also ends the moment the run's signal aborts (Ctrl-C,
 *   SIGTERM): the HTTP request is aborted and the caller gets an AbortError at once, even while the
 *   SDK sleeps between retries.
 * - errors carry the operation that failed (`operationOf`), so messages can name it.
 */
import type { Logger, RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from "@smithy/types";

/** Total time one call may spend on attempts and backoff before its last error is final. */
export const RETRY_BUDGET_MS = 90_000;

/** Error codes that mean the endpoint was never reached: one retry, then the error. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

class Token implements StandardRetryToken {
    constructor(
        private readonly count: number,
        private readonly delay: number,
        readonly startedAt: number,
    ) {}
    getRetryCount(): number {
        return this.count;
    }
    getRetryDelay(): number {
        return this.delay;
    }
    getRetryCost(): number | undefined {
        return undefined;
    }
    hasRetryTokens(): boolean {
        return true;
    }
    releaseRetryTokens(): void {
        // no retry quota: the time budget bounds retries instead
    }
    isLongPoll(): boolean {
        return false;
    }
}

/** The retry code of an error: its Node.js `code` (ECONNREFUSED, ...) or name. */
export function errorCode(error: unknown): string | undefined {
    if (typeof error !== "object" || error === null) return undefined;
    const e = error as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof e.code === "string") return e.code;
    const cause = e.cause as { code?: unknown } | undefined;
    if (cause && typeof cause.code === "string") return cause.code;
    return typeof e.name === "string" ? e.name : undefined;
}

/** See the module comment. */
export class BoundedRetryStrategy implements RetryStrategyV2 {
    readonly mode = "standard";

    constructor(
        private readonly maxAttempts: number,
        private readonly budgetMs: number = RETRY_BUDGET_MS,
        private readonly random: () => number = Math.random,
    ) {}

    async acquireInitialRetryToken(): Promise<StandardRetryToken> {
        return new Token(0, 0, Date.now());
    }

    async refreshRetryTokenForRetry(token: StandardRetryToken, info: RetryErrorInfo): Promise<StandardRetryToken> {
        const previous = token as Token;
        const retries = previous.getRetryCount();
        const refuse = (why: string): never => {
            throw new Error(`not retried: ${why}`);
        };
        if (info.errorType === "CLIENT_ERROR") refuse("client error");
        if (retries + 1 >= this.maxAttempts) refuse("attempts exhausted");
        const code = errorCode((info as { error?: unknown }).error);
        if (code !== undefined && UNREACHABLE_CODES.has(code) && retries >= 1) refuse("endpoint unreachable");
        const base = info.errorType === "THROTTLING" ? 500 : 100;
        const delay = Math.floor(this.random() * Math.min(20_000, base * 2 ** retries));
        if (Date.now() + delay - previous.startedAt > this.budgetMs) refuse("retry time budget spent");
        return new Token(retries + 1, delay, previous.startedAt);
    }

    recordSuccess(): void {
        // nothing to refill: no retry quota
    }
}

/** A logger that drops the SDK's warnings (its notices are not the operator's business); errors reach the caller as exceptions. */
export const quietLogger: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const OPERATION = Symbol.for("patchctl.operation");

/** The operation a failed call was ("ListCommands"), when the error came through an abortable client. */
export function operationOf(error: unknown): string | undefined {
    return typeof error === "object" && error !== null ? ((error as Record<symbol, string | undefined>)[OPERATION] ?? undefined) : undefined;
}

function abortError(): Error {
    const error = new Error("The operation was aborted");
    error.name = "AbortError";
    return error;
}

type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;

/**
 * Makes `client.send` abort with `signal` (besides any per-call abortSignal), resolve or reject
 * promptly on abort, and tag its errors with the operation. Works on mocked clients too: it wraps
 * whatever `send` the client has.
 */
export function abortableSend<C extends { send: unknown }>(client: C, signal?: AbortSignal): C {
    const target = client as unknown as { send: Send };
    const original = target.send.bind(client) as Send;
    // Promise.resolve: a stubbed send (tests) may hand back a bare thenable.
    const send: Send = (command, options) => Promise.resolve().then(() => original(command, options));
    target.send = (command, options = {}) => {
        const operation = String((command as { constructor?: { name?: string } })?.constructor?.name ?? "").replace(/Command$/, "") || undefined;
        const tag = (error: unknown): never => {
            if (typeof error === "object" && error !== null && operation !== undefined && !(OPERATION in error)) {
                Object.defineProperty(error, OPERATION, { value: operation, enumerable: false });
            }
            throw error;
        };
        const signals = [signal, options.abortSignal].filter((s): s is AbortSignal => s !== undefined);
        if (signals.length === 0) {
            return send(command, options).catch(tag);
        }
        const abortSignal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
        if (abortSignal.aborted) {
            return Promise.reject(abortError());
        }
        return new Promise((resolve, reject) => {
            const onAbort = (): void => reject(abortError());
            abortSignal.addEventListener("abort", onAbort, { once: true });
            send(command, { ...options, abortSignal })
                .catch(tag)
                .then(resolve, reject)
                .finally(() => abortSignal.removeEventListener("abort", onAbort));
        });
    };
    return client;
}

/** Pure parsers for option values shared by several commands (durations, counts, rate controls). */
import { UsageError } from "./errors";

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Parses "90", "90s", "15m", "1h", "500ms" into milliseconds (a bare number is seconds). */
export function parseDuration(value: string, flag: string): number {
    const match = DURATION.exec(value.trim());
    if (!match) {
        throw new UsageError(`${flag} '${value}': expected a duration like 90s, 15m or 1h`);
    }
    const amount = Number(match[1]);
    const unit = match[2] ?? "s";
    const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
    const ms = Math.round(amount * factor);
    if (ms <= 0) {
        throw new UsageError(`${flag} '${value}': must be greater than zero`);
    }
    return ms;
}

/** Parses a positive integer option within [min, max]. */
export function parsePositiveInt(value: string, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
    if (!/^\d+$/.test(value.trim())) {
        throw new UsageError(`${flag} '${value}': expected a whole number`);
    }
    const n = Number(value);
    if (n < min || n > max) {
        throw new UsageError(`${flag} '${value}': must be between ${min} and ${max}`);
    }
    return n;
}

/** SSM MaxConcurrency shape (REFERENCE.md): 1.., 1%..100%. */
export const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
/** SSM MaxErrors shape (REFERENCE.md): 0.., 0%..100%. */
export const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

export function parseMaxConcurrency(value: string): string {
    if (!MAX_CONCURRENCY.test(value)) {
        throw new UsageError(`--concurrency '${value}': expected a node count (1, 10) or a percentage (10%, 100%)`);
    }
    return value;
}

export function parseMaxErrors(value: string): string {
    if (!MAX_ERRORS.test(value)) {
        throw new UsageError(`--max-errors '${value}': expected an error count (0, 1, 5) or a percentage (0%, 10%, 100%)`);
    }
    return value;
}

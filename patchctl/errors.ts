/**
 * Error classes and the mapping from any thrown value to one line of text and an exit code.
 *
 * Exit codes: 0 success; 1 failed invocations, a --fail-on hit, a failed account or a timeout;
 * 2 usage or configuration errors; 130 interrupted (Ctrl-C) while waiting.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A wrong flag, argument or combination of them. Exit code 2. */
export class UsageError extends Error {
    readonly exitCode = EXIT_USAGE;
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** A configuration problem: accounts file, missing Region or credentials. Exit code 2. */
export class ConfigError extends Error {
    readonly exitCode = EXIT_USAGE;
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** Names of SDK / provider errors that mean "this machine is not configured", not "AWS said no". */
const CONFIG_ERROR_NAMES = new Set(["CredentialsProviderError", "ProviderError", "TokenProviderError"]);

/** True when an error means the local configuration (Region, credentials, profile) is missing or wrong. */
export function isConfigError(error: unknown): boolean {
    if (error instanceof ConfigError || error instanceof UsageError) {
        return true;
    }
    if (!(error instanceof Error)) {
        return false;
    }
    if (CONFIG_ERROR_NAMES.has(error.name)) {
        return true;
    }
    return /^Region is missing/i.test(error.message) || /Could not load credentials/i.test(error.message);
}

/** True for an abort raised by an AbortSignal (SDK calls or our own sleeps). */
export function isAbortError(error: unknown): boolean {
    return error instanceof Error && error.name === "AbortError";
}

/** One line describing an error: "AccessDeniedException: User ... is not authorized". */
export function describeError(error: unknown): string {
    if (error instanceof UsageError || error instanceof ConfigError) {
        return oneLine(error.message);
    }
    if (error instanceof Error) {
        const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
        const message = error.message || "(no message)";
        return oneLine(message.startsWith(name) ? message : `${name}${message}`);
    }
    return oneLine(String(error));
}

function oneLine(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").trim();
}

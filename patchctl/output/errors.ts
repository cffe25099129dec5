/**
 * Error classes and the mapping from any thrown value to one line of text and an exit code.
 *
 * Exit codes (one table: EXIT_CODES_HELP in cli/flags.ts, docs/patchctl.md "Exit codes"):
 * 0 success; 1 something failed (invocations, a --fail-on hit, an account-Region whose calls
 * failed, a timeout); 2 usage or configuration errors; 3 no managed node matched the targets;
 * 130 interrupted (Ctrl-C, SIGTERM).
 */
import { operationOf } from "../aws/resilience";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** No managed node matched the targets: scan and install sent nothing useful; compliance --fail-on without --allow-empty. */
export const EXIT_EMPTY = 3;
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

/** What an SDK error without a message of its own means, by error name or Node.js code. */
const EXPLAINED: Record<string, string> = {
    ECONNREFUSED: "connection refused: nothing listens at the endpoint (check --region, the endpoint and the network)",
    ENOTFOUND: "the endpoint's host name does not resolve (check --region, the endpoint, DNS and the network)",
    EAI_AGAIN: "DNS lookup failed (temporary): check the network",
    ECONNRESET: "the connection was reset before a response arrived",
    ETIMEDOUT: "no response in time (the request was aborted)",
    TimeoutError: "no response in time (the request was aborted)",
    ExpiredTokenException: "the credentials have expired: refresh them (e.g. aws sso login) and run again",
    ExpiredToken: "the credentials have expired: refresh them (e.g. aws sso login) and run again",
};

/**
 * One line describing an error: "AccessDeniedException: User ... is not authorized (ListCommands)".
 * SDK errors name the operation that failed; messages AWS left empty ("UnknownError") and the
 * SDK's unreadable-response text are replaced by what they mean.
 */
export function describeError(error: unknown): string {
    if (error instanceof UsageError || error instanceof ConfigError) {
        return oneLine(error.message);
    }
    if (error instanceof Error) {
        const code = (error as { code?: unknown }).code;
        const name = error.name && error.name !== "Error" ? error.name : typeof code === "string" ? code : "";
        let message = error.message || "";
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (/Deserialization error/i.test(message) || (error.name === "SyntaxError" && status !== undefined)) {
            message = `the response${status !== undefined ? ` (HTTP ${status})` : ""} could not be read: truncated or not the service's JSON (a proxy in between?)`;
        } else if (message === "" || message === "UnknownError" || /^(socket hang up|read ECONNRESET|connect ECONNREFUSED.*|getaddrinfo ENOTFOUND.*)$/.test(message)) {
            const key = typeof code === "string" && EXPLAINED[code] ? code : name;
            message = EXPLAINED[key] ?? (message || "(no message)");
        }
        const operation = operationOf(error);
        const prefix = name !== "" && !message.startsWith(name) ? `${name}: ` : "";
        return oneLine(`${prefix}${message}${operation !== undefined ? ` (${operation})` : ""}`);
    }
    return oneLine(String(error));
}

function oneLine(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").trim();
}

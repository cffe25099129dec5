/**
 * SDK clients and credentials. Every client gets the same retry policy, keep-alive sockets, the
 * State Manager TPS pacing, and optionally a loopback endpoint for tests (`--endpoint` /
 * PATCHCTL_ENDPOINT).
 *
 * Retries: the standard mode's rules with 10 attempts (BoundedRetryStrategy, resilience.ts).
 * Throttling errors back off exponentially (500 ms base, full jitter, 20 s cap), so a burst of
 * ThrottlingException is ridden out and the report ends with the same result; every call's retries
 * end within RETRY_BUDGET_MS, and an unreachable endpoint is retried once. "adaptive" mode is not the
 * default: its client-side limiter drops a fresh client to 0.5 requests/s after the first throttle
 * (its measured rate starts at 0), which turns a short report into minutes. Set
 * AWS_RETRY_MODE=adaptive / AWS_MAX_ATTEMPTS to override.
 *
 * Time: each attempt has a connect timeout (CONNECT_TIMEOUT_MS) and a request timeout
 * (REQUEST_TIMEOUT_MS) that aborts it (`throwOnRequestTimeout`: without it the SDK only logs a
 * warning and a server that never answers hangs the call for ever). Every call also aborts with the
 * run's signal (Ctrl-C, SIGTERM), see resilience.ts. SendCommand is never retried by the SDK (see
 * ssm/runCommand.ts).
 *
 * Role assumption: one AssumeRole per role (not per Region), its credentials cached until five
 * minutes before they expire. This module loads the SDK, so the CLI loads it only when a command
 * runs (see sdk.ts).
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { ConfigError } from "../output/errors";
import { applyTpsLimits, tpsLimits } from "./pacing";
import { abortableSend, BoundedRetryStrategy, quietLogger, RETRY_BUDGET_MS } from "./resilience";
import type { Scope } from "./scopes";

/** Default number of attempts per API call (first try included). */
export const DEFAULT_MAX_ATTEMPTS = 10;
/** Default SDK retry mode (see the module comment). */
export const DEFAULT_RETRY_MODE = "standard";
/** Time to open a connection before the attempt fails. */
export const CONNECT_TIMEOUT_MS = 3_000;
/** Time one attempt may take, from sending the request to the last byte of the response. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface ConnectionSettings {
    /** Named profile (credentials and default Region) from the shared AWS config files. */
    profile?: string;
    /** Endpoint URL for every SSM and STS call (loopback tests). */
    endpoint?: string;
    /** Attempts per call. Defaults to AWS_MAX_ATTEMPTS, else 10. */
    maxAttempts?: number;
    /** "standard" or "adaptive". Defaults to AWS_RETRY_MODE, else "standard". */
    retryMode?: string;
    /** Base credentials instead of the SDK's default chain (tests). */
    credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** Environment to read AWS_MAX_ATTEMPTS / AWS_RETRY_MODE from. Defaults to process.env. */
    env?: NodeJS.ProcessEnv;
    /** Describe calls per second per operation (--api-rate). Defaults to 10. */
    apiRate?: number;
    /** Aborts every call of every client (Ctrl-C / SIGTERM). */
    signal?: AbortSignal;
    /** Per-attempt request timeout. Defaults to REQUEST_TIMEOUT_MS. */
    requestTimeoutMs?: number;
    /** Total retry time of one call. Defaults to RETRY_BUDGET_MS. */
    retryBudgetMs?: number;
    /** Keep the SDK's own warnings (--debug). */
    sdkLogs?: boolean;
}

/** Validates an endpoint URL given by flag or environment. */
export function parseEndpoint(value: string | undefined, source: string): string | undefined {
    if (value === undefined || value === "") {
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new ConfigError(`${source} '${value}': not a URL like http://127.0.0.1:4566`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new ConfigError(`${source} '${value}': must be an http or https URL`);
    }
    return value;
}

/** Creates and caches one SSM client per (account, Region), sharing one credential cache per role. */
export class ClientPool {
    private readonly clients = new Map<string, SSMClient>();
    private readonly roleCredentials = new Map<string, AwsCredentialIdentityProvider>();
    private baseCredentials?: AwsCredentialIdentityProvider;
    /** Sockets per agent: --max-parallel account-Regions x 5 calls in flight each, with room to spare. */
    private readonly agentOptions = { keepAlive: true, maxSockets: 128 };
    private readonly httpAgent = new HttpAgent(this.agentOptions);
    private readonly httpsAgent = new HttpsAgent(this.agentOptions);

    constructor(private readonly settings: ConnectionSettings = {}) {}

    /** The SSM client for a scope (created on first use). */
    ssm(scope: Scope): SSMClient {
        const key = `${scope.roleArn ?? ""}|${scope.externalId ?? ""}|${scope.region ?? ""}`;
        let client = this.clients.get(key);
        if (!client) {
            client = abortableSend(createSsmClient(this.clientConfig(scope), tpsLimits(this.settings.apiRate)), this.settings.signal);
            this.clients.set(key, client);
        }
        return client;
    }

    /** Closes every client's sockets. */
    destroy(): void {
        for (const client of this.clients.values()) {
            client.destroy();
        }
        this.clients.clear();
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
    }

    private clientConfig(scope: Scope): SSMClientConfig {
        const env = this.settings.env ?? process.env;
        const maxAttempts = this.settings.maxAttempts ?? positiveInt(env.AWS_MAX_ATTEMPTS) ?? DEFAULT_MAX_ATTEMPTS;
        const retryMode = this.settings.retryMode ?? env.AWS_RETRY_MODE ?? DEFAULT_RETRY_MODE;
        const config: SSMClientConfig = {
            region: scope.region,
            maxAttempts,
            retryMode,
            requestHandler: this.requestHandler(),
        };
        if (retryMode === DEFAULT_RETRY_MODE) {
            config.retryStrategy = new BoundedRetryStrategy(maxAttempts, this.settings.retryBudgetMs ?? RETRY_BUDGET_MS);
        }
        if (!this.settings.sdkLogs) {
            config.logger = quietLogger;
        }
        if (this.settings.endpoint) {
            config.endpoint = this.settings.endpoint;
        }
        if (scope.roleArn) {
            config.credentials = this.assumedRole(scope);
        } else if (this.settings.credentials) {
            config.credentials = this.settings.credentials;
        } else if (this.settings.profile) {
            config.profile = this.settings.profile;
        }
        return config;
    }

    /** Connect and request timeouts that abort the attempt (see the module comment). */
    private requestHandler(): NodeHttpHandler {
        return new NodeHttpHandler({
            connectionTimeout: CONNECT_TIMEOUT_MS,
            requestTimeout: this.settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
            throwOnRequestTimeout: true,
            httpAgent: this.httpAgent,
            httpsAgent: this.httpsAgent,
            ...(this.settings.sdkLogs ? {} : { logger: quietLogger }),
        });
    }

    private base(): AwsCredentialIdentityProvider {
        if (!this.baseCredentials) {
            const given = this.settings.credentials;
            this.baseCredentials =
                given === undefined
                    ? memoizeCredentials(fromNodeProviderChain({ ...(this.settings.profile ? { profile: this.settings.profile } : {}), ...(this.settings.sdkLogs ? {} : { logger: quietLogger }) }))
                    : typeof given === "function"
                      ? given
                      : async () => given;
        }
        return this.baseCredentials;
    }

    /** One AssumeRole per role (not per Region): the temporary credentials are cached until 5 min before expiry. */
    private assumedRole(scope: Scope): AwsCredentialIdentityProvider {
        const key = `${scope.roleArn}|${scope.externalId ?? ""}|${scope.sessionName ?? ""}`;
        let provider = this.roleCredentials.get(key);
        if (!provider) {
            provider = memoizeCredentials(
                fromTemporaryCredentials({
                    params: {
                        RoleArn: scope.roleArn,
                        RoleSessionName: scope.sessionName ?? "patchctl",
                        ExternalId: scope.externalId,
                        DurationSeconds: 3600,
                    },
                    masterCredentials: this.base(),
                    clientConfig: {
                        region: scope.region,
                        maxAttempts: this.settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
                        requestHandler: this.requestHandler(),
                        ...(this.settings.sdkLogs ? {} : { logger: quietLogger }),
                        ...(this.settings.endpoint ? { endpoint: this.settings.endpoint } : {}),
                    },
                }),
            );
            this.roleCredentials.set(key, provider);
        }
        return provider;
    }
}

/** An SSM client with patchctl's State Manager pacing applied. */
export function createSsmClient(config: SSMClientConfig, limits: Readonly<Record<string, number>> = tpsLimits()): SSMClient {
    const client = new SSMClient(config);
    applyTpsLimits(client, limits);
    return client;
}

/** Caches credentials until five minutes before they expire; a failed fetch is retried on the next call. */
export function memoizeCredentials(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
    let cached: Promise<AwsCredentialIdentity> | undefined;
    const fresh = (identity: AwsCredentialIdentity): boolean =>
        identity.expiration === undefined || identity.expiration.getTime() - Date.now() > 5 * 60_000;
    return async () => {
        if (cached) {
            try {
                const identity = await cached;
                if (fresh(identity)) {
                    return identity;
                }
            } catch {
                // fetch again below
            }
        }
        cached = provider();
        return cached;
    };
}

function positiveInt(value: string | undefined): number | undefined {
    const n = Number(value);
    return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Scopes: the (account, Region) pairs a command runs in, and running a command in each with
 * bounded parallelism so that one failing account is reported without hiding the others.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { AccountRegion } from "../../lib/accounts";
import { roleArnAccount } from "../../lib/aws/iam";
import { ConfigError, isConfigError } from "../output/errors";
import { mapSettled } from "./concurrency";

/**
 * Account-Regions worked on at once with --accounts (--max-parallel). SSM's quotas are per account
 * and Region, so pairs side by side do not throttle each other: the bound is patchctl's own CPU.
 * Each SDK call costs patchctl a few ms of CPU (signing, middleware, parsing; profiled with
 * `npm run bench -- --only accounts` and node --cpu-prof), and a pair at the default --api-rate
 * makes up to 20 calls a second (10 listing pages and 10 patch-state calls): 100 pairs of 500 nodes
 * report within 1.06x of ceil(100/8) pair-times, where 16 pairs saturate the core and finish no
 * sooner. Each pair holds at most 5 calls in flight (40 sockets;
 * the pool allows 128) and one page of 50 nodes at a time, and roles are assumed once each.
 */
export const DEFAULT_MAX_PARALLEL = 8;

export interface Scope {
    /** Account id, known in --accounts mode (or with --role-arn). */
    accountId?: string;
    /** Region; undefined means "the SDK's default resolution" (env, profile). */
    region?: string;
    /** Role to assume in the account. */
    roleArn?: string;
    externalId?: string;
    sessionName?: string;
}

/** A scope whose Region has been resolved. */
export interface ResolvedScope extends Scope {
    region: string;
}

export interface ScopeOutcome<T> {
    scope: ResolvedScope;
    value?: T;
    error?: unknown;
}

export interface ScopeOptions {
    /** The account-Regions of an accounts file (see accounts.ts). */
    accounts?: readonly AccountRegion[];
    region?: string;
    roleArn?: string;
    externalId?: string;
}

/** Builds the scope list: every account × Region of the accounts file (filtered by --region), or one scope. */
export function buildScopes(options: ScopeOptions): Scope[] {
    if (options.accounts) {
        const scopes = options.accounts
            .filter((pair) => options.region === undefined || pair.region === options.region)
            .map((pair) => ({
                accountId: pair.accountId,
                region: pair.region,
                roleArn: pair.roleArn,
                externalId: pair.externalId,
                sessionName: pair.sessionName,
            }));
        if (scopes.length === 0) {
            throw new ConfigError(`no account in the accounts file lists Region ${options.region}`);
        }
        return scopes;
    }
    return [{ region: options.region, roleArn: options.roleArn, externalId: options.externalId, accountId: roleArnAccount(options.roleArn) }];
}

/** "111122223333 us-east-1" or "us-east-1". */
export function scopeLabel(scope: Scope): string {
    return [scope.accountId, scope.region ?? "(default Region)"].filter(Boolean).join(" ");
}

/**
 * Runs `fn` in every scope, at most `parallel` at a time. Each scope's error is captured in its
 * outcome. When every scope failed with a configuration error (no Region, no credentials), the first
 * is rethrown: that is a usage problem (exit 2), not an account failure.
 */
export async function runInScopes<T>(
    scopes: readonly Scope[],
    parallel: number,
    clientFor: (scope: Scope) => SSMClient,
    fn: (ssm: SSMClient, scope: ResolvedScope) => Promise<T>,
): Promise<Array<ScopeOutcome<T>>> {
    const settled = await mapSettled(scopes, parallel, async (scope) => {
        const ssm = clientFor(scope);
        let region = scope.region;
        if (region === undefined) {
            try {
                region = await ssm.config.region();
            } catch (error) {
                throw new ConfigError(`no AWS Region: pass --region or set AWS_REGION (${(error as Error).message})`);
            }
        }
        const resolved: ResolvedScope = { ...scope, region };
        try {
            return { scope: resolved, value: await fn(ssm, resolved) };
        } catch (error) {
            return { scope: resolved, error };
        }
    });
    const outcomes: Array<ScopeOutcome<T>> = settled.map((result, i) =>
        result.ok ? result.value : { scope: { ...scopes[i], region: scopes[i].region ?? "?" }, error: result.error },
    );
    if (outcomes.length > 0 && outcomes.every((outcome) => outcome.error !== undefined && isConfigError(outcome.error))) {
        throw outcomes[0].error;
    }
    return outcomes;
}

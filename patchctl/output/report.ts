/**
 * The parts every command's report shares: what a command hands back (a Report, the lines for stderr
 * and the exit code), the ACCOUNT and REGION columns of --accounts runs, and the lines of failed
 * account-Regions. Each command builds its own report from these (see commands/).
 */
import type { ResolvedScope, ScopeOutcome } from "../aws/scopes";
import { describeError } from "./errors";
import type { Column, Report } from "./format";

export interface Outcome {
    report: Report;
    exitCode: number;
    /** Lines for stderr (errors, gate failures, resume hints), printed in every output format. */
    messages: string[];
}

export interface ReportContext {
    /** True with --accounts: account and Region columns are shown. */
    multi: boolean;
}

/**
 * A patchctl command line the user can run as printed to go on in `scope`, e.g.
 * `patchctl watch <id> --region us-east-1` (see cli/hints.ts).
 */
export type CommandHint = (args: string[], scope: ResolvedScope) => string;

const SCOPE_COLUMNS: Column[] = [
    { key: "account", header: "ACCOUNT" },
    { key: "region", header: "REGION" },
];

/** `columns`, after ACCOUNT and REGION with --accounts. */
export function scopeColumns(ctx: ReportContext, columns: Column[]): Column[] {
    return ctx.multi ? [...SCOPE_COLUMNS, ...columns] : columns;
}

export function scopeFields(scope: ResolvedScope): { account: string | null; region: string } {
    return { account: scope.accountId ?? null, region: scope.region };
}

/** "account 111122223333 us-east-1" or "us-east-1". */
export function scopeName(scope: ResolvedScope): string {
    return scope.accountId ? `account ${scope.accountId} ${scope.region}` : scope.region;
}

/** The failed scopes, for --json's `errors` and as stderr lines. */
export function errorsOf<T>(outcomes: Array<ScopeOutcome<T>>): { json: Array<Record<string, unknown>>; messages: string[] } {
    const failed = outcomes.filter((o) => o.error !== undefined);
    return {
        json: failed.map((o) => ({ ...scopeFields(o.scope), error: describeError(o.error) })),
        messages: failed.map((o) => `patchctl: ${scopeName(o.scope)}: ${describeError(o.error)}`),
    };
}

/**
 * Orders strings by code unit, the cheap comparison for ids and names that are ASCII (instance
 * ids, CVE ids, Regions): no locale rules, which cost most of a sort at 50,000 nodes.
 */
export function byText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const item of items) {
        counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    }
    return counts;
}

/** "1 Failed, 15 Success". */
export function formatCounts(counts: Record<string, number>): string {
    return Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
}

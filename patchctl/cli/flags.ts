/**
 * Flags several commands share: the option groups (targets, waiting), the exit-code help, and the
 * parsers of option values. A wrong value is one UsageError line naming the flag and the value:
 * `--concurrency '12345678': must be ...`. The AWS rules behind them are lib/aws's.
 */
import type { Command } from "commander";
import { maxConcurrencyProblem, maxErrorsProblem } from "../../lib/aws/rateControl";
import { parseTargets, type TargetSpec } from "../ssm/targets";
import { UsageError } from "../output/errors";

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    something failed: an invocation or execution, a --fail-on hit, an account or Region whose
       calls failed (never reported as zero nodes), a timeout, a declined confirmation
  2    usage or configuration error (one line on stderr), checked before any AWS call
  3    no managed node matched the targets (scan, install; compliance --fail-on unless --allow-empty)
  130  interrupted (Ctrl-C, SIGTERM); commands already sent keep running on AWS: the hints say
       how to watch or cancel them`;

export interface TargetFlags {
    env?: string;
    tag: string[];
    instanceIds: string[];
}

export interface WaitFlags {
    wait: boolean;
    timeout: string;
    interval: string;
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

/** --env, --tag and --instance-ids (scan, install, compliance). */
export function addTargetOptions(command: Command): Command {
    return command
        .option("--env <name>", "nodes whose Environment tag is <name> (targets tag:Environment)")
        .option("--tag <Key=Value>", "nodes with this tag; repeat for more (different keys must all match, one key repeated matches any value)", collect, [])
        .option("--instance-ids <ids>", "comma-separated managed node ids (i-..., mi-...); repeatable", collect, []);
}

/** --timeout and --interval, and --no-wait unless `noWait` is false (watch). */
export function addWaitOptions(command: Command, noWait = true): Command {
    if (noWait) {
        command.option("--no-wait", "print the command id and return without waiting");
    }
    return command
        .option("--timeout <duration>", "stop waiting after this long (e.g. 90s, 30m, 2h); the work keeps running on AWS", "30m")
        .option("--interval <duration>", "time between status checks while waiting (the first come after 1s, 2s and 4s)", "5s");
}

/** The targets of --env / --tag / --instance-ids, to send a command to or to read reports of (see TargetOptions.use). */
export function targetsOf(flags: TargetFlags, use: "send" | "read"): TargetSpec {
    return parseTargets({ env: flags.env, tag: flags.tag, instanceIds: flags.instanceIds, use });
}

/** Run Command command ids and association execution ids. */
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

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

/** Throws `<flag> '<value>': <problem>` when lib/aws's rule finds a problem (its "; got ..." is the quoted value already shown). */
function refuse(flag: string, value: string, problem: string | undefined): void {
    if (problem !== undefined) {
        throw new UsageError(`${flag} '${value}': ${problem.replace(/; got .*$/, "")}`);
    }
}

/** SendCommand's MaxConcurrency: 1.., 1%..100%, at most 7 characters. */
export function parseMaxConcurrency(value: string, flag = "--concurrency"): string {
    refuse(flag, value, maxConcurrencyProblem(value));
    return value;
}

/** SendCommand's MaxErrors: 0.., 0%..100%, at most 7 characters. */
export function parseMaxErrors(value: string, flag = "--max-errors"): string {
    refuse(flag, value, maxErrorsProblem(value));
    return value;
}

/** A Region the installed AWS SDK knows (us-mars-1 is refused). Loads the SDK's partition data, so only when a command runs. */
export async function parseRegion(value: string, flag = "--region"): Promise<string> {
    const { regionProblem } = await import("../../lib/aws/regions");
    refuse(flag, value, regionProblem(value));
    return value;
}

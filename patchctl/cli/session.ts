/**
 * What every command's action shares: the run's streams, prompter and signals (`Cli`), and, once a
 * command runs, its `Session`: the validated global flags, the (account, Region) scopes, the SDK
 * clients, printing a report, Ctrl-C while waiting, and runnable hints.
 *
 * The SDK clients, the accounts file reader and the Region list are loaded here, when a command
 * runs, not when main.ts loads: `patchctl --help` and usage errors stay fast.
 */
import { setMaxListeners } from "node:events";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { EXTERNAL_ID, parseRoleArn } from "../../lib/aws/iam";
import type { ClientPool, ConnectionSettings } from "../aws/clients";
import { buildScopes, runInScopes, scopeLabel, type ResolvedScope, type Scope, type ScopeOutcome } from "../aws/scopes";
import type { WaitSettings } from "../aws/wait";
import type { CommandInfo } from "../ssm/runCommand";
import { ConfigError, EXIT_INTERRUPTED, EXIT_OK, UsageError } from "../output/errors";
import { render, type Format } from "../output/format";
import type { CommandHint, Outcome } from "../output/report";
import { parseDuration, parsePositiveInt, parseRegion, type WaitFlags } from "./flags";
import { commandLine } from "./hints";
import { createProgress, type ProgressSink } from "./progress";
import { terminalPrompter, type Prompter } from "./prompt";

export interface OutputStream {
    write(text: string): boolean;
    isTTY?: boolean;
}

/** What main() needs from the outside world; tests replace any of it. */
export interface MainDeps {
    env?: NodeJS.ProcessEnv;
    stdout?: OutputStream;
    stderr?: OutputStream;
    prompter?: Prompter;
    /** Creates the client pool (tests pass static credentials or use aws-sdk-client-mock). */
    clientPool?: (settings: ConnectionSettings) => ClientPool;
    /** Where SIGINT/SIGTERM come from. Defaults to the process. */
    signals?: Pick<NodeJS.Process, "on" | "off">;
}

/** The global flags (main.ts declares them). */
export interface GlobalOptions {
    region?: string;
    profile?: string;
    roleArn?: string;
    externalId?: string;
    accounts?: string;
    maxParallel: string;
    apiRate: string;
    json?: boolean;
    csv?: boolean;
    debug?: boolean;
    endpoint?: string;
}

/**
 * A command: adds itself under `parent` (name, arguments, flags, help with examples) with an action
 * made by `cli.action`, and returns itself. main.ts registers each with one line.
 */
export type CommandDefinition = (parent: Command, cli: Cli) => Command;

/** One run of patchctl: where it writes, whom it asks, the exit code so far. */
export class Cli {
    readonly env: NodeJS.ProcessEnv;
    readonly stdout: OutputStream;
    readonly stderr: OutputStream;
    readonly prompter: Prompter;
    readonly signals: Pick<NodeJS.Process, "on" | "off">;
    exitCode = EXIT_OK;
    /** Print stack traces (--debug). */
    debug: boolean;
    private readonly pools: ClientPool[] = [];
    /** Aborted by the first SIGINT / SIGTERM once a command runs: every SDK call and wait stops. */
    readonly interrupt = new AbortController();
    /** Every command AWS accepted in this run, in the order sent (what a second Ctrl-C still prints). */
    readonly sent: Array<{ scope: ResolvedScope; command: CommandInfo }> = [];
    private listening = false;
    /** Makes the hint lines printed on a second signal (set by the session). */
    private hint?: (args: string[], scope: ResolvedScope) => string;

    constructor(
        private readonly deps: MainDeps,
        argv: readonly string[],
    ) {
        // Every call in flight listens to the interrupt signal: hundreds with --accounts.
        setMaxListeners(0, this.interrupt.signal);
        this.env = deps.env ?? process.env;
        this.stdout = deps.stdout ?? process.stdout;
        this.stderr = deps.stderr ?? process.stderr;
        this.prompter = deps.prompter ?? terminalPrompter();
        this.signals = deps.signals ?? process;
        this.debug = argv.includes("--debug");
    }

    /** A command's commander action: runs `handler` and keeps the exit code it resolves to. */
    action<A extends unknown[]>(handler: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
        return async (...args: A) => {
            this.exitCode = await handler(...args);
        };
    }

    /** Validates the global flags and prepares the scopes and the SDK clients: every action's first step. */
    async session(command: Command): Promise<Session> {
        const globals = command.optsWithGlobals() as GlobalOptions;
        this.debug = Boolean(globals.debug);
        if (globals.json && globals.csv) {
            throw new UsageError("--json and --csv cannot be used together");
        }
        if (globals.region !== undefined) {
            await parseRegion(globals.region, "--region");
        }
        if (globals.roleArn !== undefined && !parseRoleArn(globals.roleArn)) {
            throw new UsageError(`--role-arn '${globals.roleArn}': must be an IAM role ARN like arn:aws:iam::123456789012:role/Name`);
        }
        if (globals.externalId !== undefined && globals.roleArn === undefined) {
            throw new UsageError("--external-id needs --role-arn");
        }
        if (globals.externalId !== undefined && !EXTERNAL_ID.test(globals.externalId)) {
            throw new UsageError(`--external-id '${globals.externalId}': must be 2-1224 characters of letters, digits and +=,.@:/-_`);
        }
        if (globals.accounts !== undefined && globals.roleArn !== undefined) {
            throw new UsageError("--accounts and --role-arn cannot be used together: the accounts file names the role of each account");
        }
        const parallel = parsePositiveInt(globals.maxParallel, "--max-parallel", 1, 64);
        if (globals.profile !== undefined) {
            const problem = (await import("../aws/profiles")).profileProblem(globals.profile, this.env);
            if (problem !== undefined) {
                throw new ConfigError(problem);
            }
        }
        const clients = await import("../aws/clients");
        const endpoint = clients.parseEndpoint(globals.endpoint, "--endpoint") ?? clients.parseEndpoint(this.env.PATCHCTL_ENDPOINT, "PATCHCTL_ENDPOINT");
        const accounts = globals.accounts !== undefined ? (await import("../accounts")).loadAccountsFile(globals.accounts) : undefined;
        const scopes = buildScopes({ accounts, region: globals.region, roleArn: globals.roleArn, externalId: globals.externalId });
        const apiRate = parsePositiveInt(globals.apiRate, "--api-rate", 1, 1000);
        const settings: ConnectionSettings = { profile: globals.profile, endpoint, env: this.env, apiRate, signal: this.interrupt.signal, sdkLogs: Boolean(globals.debug) };
        this.listen();
        const pool = this.deps.clientPool ? this.deps.clientPool(settings) : new clients.ClientPool(settings);
        this.pools.push(pool);
        return new Session(this, {
            globals,
            format: globals.json ? "json" : globals.csv ? "csv" : "table",
            scopes,
            multi: accounts !== undefined,
            parallel,
            pool,
        });
    }

    /**
     * SIGINT / SIGTERM at any stage: the first aborts every call and wait (the command's report
     * follows, with its hints, exit 130); a second exits at once, still naming the commands sent.
     */
    private listen(): void {
        if (this.listening) return;
        this.listening = true;
        this.signals.on("SIGINT", this.onSignal);
        this.signals.on("SIGTERM", this.onSignal);
    }

    private readonly onSignal = (): void => {
        if (!this.interrupt.signal.aborted) {
            this.interrupt.abort();
            return;
        }
        this.stderr.write("patchctl: interrupted again; exiting\n");
        for (const { scope, command } of this.sent) {
            this.stderr.write(`patchctl: command ${command.commandId} keeps running on AWS; resume with: ${this.hint?.(["watch", command.commandId], scope) ?? command.commandId}\n`);
            this.stderr.write(`patchctl: cancel with: ${this.hint?.(["cancel", command.commandId], scope) ?? command.commandId}\n`);
        }
        process.exit(EXIT_INTERRUPTED);
    };

    /** Records a command AWS accepted and says so on stderr at once, with where it went. */
    commandSent(scope: ResolvedScope, command: CommandInfo, recovered: boolean, multi: boolean): void {
        this.sent.push({ scope, command });
        const where = multi ? ` in ${scope.accountId ? `account ${scope.accountId} ` : ""}${scope.region}` : "";
        const ids = command.instanceIds ?? [];
        const to = ids.length === 0 ? "its targets" : ids.length === 1 ? ids[0] : `${ids.length} nodes ${ids[0]} .. ${ids[ids.length - 1]}`;
        this.stderr.write(
            `patchctl: ${recovered ? "found the command whose SendCommand answer was lost" : "sent"} ${command.operation ?? ""} command ${command.commandId}${where} to ${to}\n`.replace("  ", " "),
        );
    }

    setHint(hint: (args: string[], scope: ResolvedScope) => string): void {
        this.hint = hint;
    }

    /** Closes the SDK clients' sockets and stops listening for signals. */
    close(): void {
        if (this.listening) {
            this.signals.off("SIGINT", this.onSignal);
            this.signals.off("SIGTERM", this.onSignal);
            this.listening = false;
        }
        for (const pool of this.pools.splice(0)) {
            pool.destroy();
        }
    }
}

interface SessionSettings {
    globals: GlobalOptions;
    format: Format;
    scopes: Scope[];
    /** --accounts: reports show ACCOUNT and REGION. */
    multi: boolean;
    /** --max-parallel. */
    parallel: number;
    pool: ClientPool;
}

/** A command at work: its scopes and clients, and how it reports. */
export class Session {
    readonly globals: GlobalOptions;
    readonly format: Format;
    readonly scopes: Scope[];
    readonly multi: boolean;
    private readonly parallel: number;
    private readonly pool: ClientPool;

    constructor(
        private readonly cli: Cli,
        settings: SessionSettings,
    ) {
        ({ globals: this.globals, format: this.format, scopes: this.scopes, multi: this.multi, parallel: this.parallel, pool: this.pool } = settings);
        cli.setHint(this.hint);
    }

    /** Aborted on SIGINT / SIGTERM. */
    get signal(): AbortSignal {
        return this.cli.interrupt.signal;
    }

    /** The callback scan and install hand to SendCommand: records and announces each command sent in `scope`. */
    onSent(scope: ResolvedScope): (command: CommandInfo, recovered: boolean) => void {
        return (command, recovered) => this.cli.commandSent(scope, command, recovered, this.multi);
    }

    get stderr(): OutputStream {
        return this.cli.stderr;
    }

    get prompter(): Prompter {
        return this.cli.prompter;
    }

    /** A patchctl command line for `scope` that runs as printed (see hints.ts). */
    readonly hint: CommandHint = (args, scope) => commandLine(this.cli.env, args, scope, this.globals.profile);

    /** Runs `fn` in each scope (default: all of them), --max-parallel at a time; a scope's error is its outcome. */
    inScopes<T>(fn: (ssm: SSMClient, scope: ResolvedScope) => Promise<T>, scopes: readonly Scope[] = this.scopes): Promise<Array<ScopeOutcome<T>>> {
        return runInScopes(scopes, this.parallel, (scope) => this.pool.ssm(scope), async (ssm, scope) => {
            try {
                return await fn(ssm, scope);
            } catch (error) {
                if (this.cli.debug && error instanceof Error && error.stack) {
                    this.cli.stderr.write(`${scopeLabel(scope)}: ${error.stack}\n`);
                }
                throw error;
            }
        });
    }

    /** Prints the report on stdout and its messages on stderr; returns its exit code (130 once interrupted). */
    print(outcome: Outcome): number {
        if (this.signal.aborted && outcome.exitCode !== EXIT_INTERRUPTED) {
            outcome = { ...outcome, exitCode: EXIT_INTERRUPTED, messages: [...outcome.messages, "patchctl: interrupted: the report above is incomplete"] };
        }
        const text = render(outcome.report, this.format);
        if (text !== "") {
            this.cli.stdout.write(text);
        }
        for (const line of outcome.messages) {
            this.cli.stderr.write(`${line}\n`);
        }
        return outcome.exitCode;
    }

    /**
     * Runs `work` with the run's interrupt signal (SIGINT / SIGTERM, listened to from the session's
     * start to the end of the run; a second signal exits at once, naming the commands sent).
     */
    async interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
        return work(this.signal);
    }

    /** --interval and --timeout, and progress on stderr (terminals only) labelled `label`. */
    waitSettings(flags: WaitFlags, label: string): Omit<WaitSettings, "signal"> & { progress: ProgressSink } {
        return {
            intervalMs: parseDuration(flags.interval, "--interval"),
            timeoutMs: parseDuration(flags.timeout, "--timeout"),
            progress: createProgress(this.cli.stderr, label),
        };
    }
}

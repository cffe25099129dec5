/**
 * patchctl: the day-two patching loop of the workflow (scan, compliance, install, apply the patch
 * policy now, read its history) on AWS Systems Manager, in one account or many.
 *
 * This file alone knows the argument parser (commander). It validates flags into typed inputs,
 * builds the (account, Region) scopes and the SDK clients, hands each command factory its client,
 * and prints the report. Exit codes: 0 success; 1 failed invocations, a --fail-on hit, a failed
 * account or a timeout; 2 usage or configuration error; 130 interrupted while waiting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { Command, CommanderError, Option } from "commander";
import { loadAccountsFile } from "./accounts";
import { ClientPool, parseEndpoint, type ConnectionSettings } from "./clients";
import { createCompliance, type FailOn } from "./commands/compliance";
import { createInstall, INSTALL_DEFAULTS, rebootOption } from "./commands/install";
import { createPolicyHistory } from "./commands/policyHistory";
import { createPolicyRun } from "./commands/policyRun";
import { createScan, SCAN_DEFAULTS } from "./commands/scan";
import { createWatch } from "./commands/watch";
import { expectedNames, type PolicyAssociation } from "./associations";
import { describeError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, isConfigError, UsageError } from "./errors";
import { parseDuration, parseMaxConcurrency, parseMaxErrors, parsePositiveInt } from "./options";
import { render, type Format } from "./output";
import { createProgress, type ProgressSink } from "./progress";
import { terminalPrompter, type Prompter } from "./prompt";
import {
    complianceReport,
    executionTargetsReport,
    historyReport,
    missingReport,
    policyRunReport,
    runReport,
    type Outcome,
} from "./reports";
import type { PatchOperation, RunResult } from "./runCommand";
import { buildScopes, runInScopes, scopeLabel, type ResolvedScope, type Scope, type ScopeOutcome } from "./scopes";
import { describeTargets, parseTargets, type TargetSpec } from "./targets";
import type { WaitSettings } from "./wait";

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

interface GlobalOptions {
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

interface TargetFlags {
    env?: string;
    tag: string[];
    instanceIds: string[];
}

interface WaitFlags {
    wait: boolean;
    timeout: string;
    interval: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const COMMAND_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const POLICY_NAME = /^[\w.-]{1,128}$/;

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failed invocations or executions, a --fail-on hit, an account or Region that failed, or a timeout
  2    usage or configuration error (one line on stderr)
  130  interrupted (Ctrl-C) while waiting; the work keeps running on AWS`;

function packageVersion(): string {
    try {
        return (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
    } catch {
        return "0.0.0";
    }
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

function addTargetOptions(command: Command): Command {
    return command
        .option("--env <name>", "nodes whose Environment tag is <name> (targets tag:Environment)")
        .option("--tag <Key=Value>", "nodes with this tag; repeat for more (different keys must all match, one key repeated matches any value)", collect, [])
        .option("--instance-ids <ids>", "comma-separated managed node ids (i-..., mi-...); repeatable", collect, []);
}

function addWaitOptions(command: Command, noWait = true): Command {
    if (noWait) {
        command.option("--no-wait", "print the command id and return without waiting");
    }
    return command
        .option("--timeout <duration>", "stop waiting after this long (e.g. 90s, 30m, 2h); the work keeps running on AWS", "30m")
        .option("--interval <duration>", "time between status checks while waiting", "5s");
}

/** Shell-quotes one argument for the hints we print. */
function shellArg(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The global flags that reach the same account and Region again. */
function scopeFlags(globals: GlobalOptions, scope: ResolvedScope): string[] {
    const flags = ["--region", scope.region];
    if (scope.roleArn) {
        flags.push("--role-arn", scope.roleArn);
        if (scope.externalId) {
            flags.push("--external-id", scope.externalId);
        }
    }
    if (globals.profile) {
        flags.push("--profile", globals.profile);
    }
    return flags;
}

/** Runs patchctl with `argv` (as process.argv: node, script, args...). Resolves to the exit code. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
    const env = deps.env ?? process.env;
    const stdout = deps.stdout ?? process.stdout;
    const stderr = deps.stderr ?? process.stderr;
    const prompter = deps.prompter ?? terminalPrompter();
    const signals = deps.signals ?? process;
    // The SDK's Node.js support notice is not actionable for operators; keep stderr to real messages.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

    let exitCode = EXIT_OK;
    let debug = argv.includes("--debug");
    let pool: ClientPool | undefined;

    const program = new Command("patchctl");
    program
        .description(
            "Day-two patching with AWS Systems Manager Patch Manager: scan, review compliance, install, " +
                "apply a patch policy now and read its history, in one account or across many.",
        )
        .version(packageVersion(), "-V, --version")
        .option("--region <region>", "AWS Region (default: the SDK's resolution: AWS_REGION, profile)")
        .option("--profile <name>", "named profile from the shared AWS config files")
        .option("--role-arn <arn>", "assume this role first (one account)")
        .option("--external-id <id>", "external id for --role-arn")
        .option("--accounts <file>", "run in every account and Region of this YAML/JSON file (see docs/patchctl.md)")
        .option("--max-parallel <n>", "account-Regions worked on at once with --accounts", "4")
        .option("--api-rate <n>", "describe calls per second per operation, in each account and Region", "10")
        .option("--json", "print the report as JSON")
        .option("--csv", "print the report as CSV")
        .option("--debug", "print stack traces of errors")
        .addOption(new Option("--endpoint <url>", "SSM/STS endpoint URL (tests)").hideHelp())
        .configureHelp({ showGlobalOptions: true })
        .showSuggestionAfterError(true)
        .exitOverride()
        .configureOutput({
            writeOut: (text) => void stdout.write(text),
            writeErr: (text) => void stderr.write(text),
            outputError: (text, write) => write(`patchctl: ${text.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim()}\n`),
        })
        .addHelpText(
            "after",
            `
Targets (scan, install, compliance): --env <name> | --tag Key=Value ... | --instance-ids <ids>
${EXIT_CODES_HELP}

Examples:
  patchctl scan --env Development
  patchctl compliance --env Development --fail-on critical
  patchctl compliance --instance i-0123456789abcdef0 --missing
  patchctl install --env Development
  patchctl policy run patch-policy-workshop
  patchctl policy history patch-policy-workshop
  patchctl compliance --env Production --accounts accounts.yaml --json`,
        );

    interface Runtime {
        globals: GlobalOptions;
        format: Format;
        scopes: Scope[];
        multi: boolean;
        parallel: number;
        pool: ClientPool;
    }

    /** Validates the global flags and prepares scopes and clients. */
    const runtime = (command: Command): Runtime => {
        const globals = command.optsWithGlobals() as GlobalOptions;
        debug = Boolean(globals.debug);
        if (globals.json && globals.csv) {
            throw new UsageError("--json and --csv cannot be used together");
        }
        if (globals.region !== undefined && !REGION.test(globals.region)) {
            throw new UsageError(`--region '${globals.region}': not a Region name like us-east-1`);
        }
        if (globals.roleArn !== undefined && !ROLE_ARN.test(globals.roleArn)) {
            throw new UsageError(`--role-arn '${globals.roleArn}': must be an IAM role ARN like arn:aws:iam::123456789012:role/Name`);
        }
        if (globals.externalId !== undefined && globals.roleArn === undefined) {
            throw new UsageError("--external-id needs --role-arn");
        }
        if (globals.accounts !== undefined && globals.roleArn !== undefined) {
            throw new UsageError("--accounts and --role-arn cannot be used together: the accounts file names the role of each account");
        }
        const parallel = parsePositiveInt(globals.maxParallel, "--max-parallel", 1, 32);
        const endpoint = parseEndpoint(globals.endpoint, "--endpoint") ?? parseEndpoint(env.PATCHCTL_ENDPOINT, "PATCHCTL_ENDPOINT");
        const accounts = globals.accounts !== undefined ? loadAccountsFile(globals.accounts) : undefined;
        const scopes = buildScopes({ accounts, region: globals.region, roleArn: globals.roleArn, externalId: globals.externalId });
        const apiRate = parsePositiveInt(globals.apiRate, "--api-rate", 1, 1000);
        const settings: ConnectionSettings = { profile: globals.profile, endpoint, env, apiRate };
        pool = deps.clientPool ? deps.clientPool(settings) : new ClientPool(settings);
        return {
            globals,
            format: globals.json ? "json" : globals.csv ? "csv" : "table",
            scopes,
            multi: accounts !== undefined,
            parallel,
            pool,
        };
    };

    const emit = (rt: Runtime, outcome: Outcome): void => {
        const text = render(outcome.report, rt.format);
        if (text !== "") {
            stdout.write(text);
        }
        for (const line of outcome.messages) {
            stderr.write(`${line}\n`);
        }
        exitCode = outcome.exitCode;
    };

    const inScopes = <T>(rt: Runtime, scopes: Scope[], fn: (ssm: SSMClient, scope: ResolvedScope) => Promise<T>) =>
        runInScopes(scopes, rt.parallel, (scope) => rt.pool.ssm(scope), async (ssm, scope) => {
            try {
                return await fn(ssm, scope);
            } catch (error) {
                if (debug && error instanceof Error && error.stack) {
                    stderr.write(`${scopeLabel(scope)}: ${error.stack}\n`);
                }
                throw error;
            }
        });

    /** Runs `work` with SIGINT/SIGTERM aborting the returned signal; a second signal exits at once. */
    const interruptible = async <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
        const controller = new AbortController();
        const onSignal = (): void => {
            if (controller.signal.aborted) {
                stderr.write("patchctl: interrupted again; exiting\n");
                process.exit(130);
            }
            controller.abort();
        };
        signals.on("SIGINT", onSignal);
        signals.on("SIGTERM", onSignal);
        try {
            return await work(controller.signal);
        } finally {
            signals.off("SIGINT", onSignal);
            signals.off("SIGTERM", onSignal);
        }
    };

    const waitSettings = (flags: WaitFlags, label: string): Omit<WaitSettings, "signal"> & { progress: ProgressSink } => ({
        intervalMs: parseDuration(flags.interval, "--interval"),
        timeoutMs: parseDuration(flags.timeout, "--timeout"),
        progress: createProgress(stderr, label),
    });

    const targetsOf = (flags: TargetFlags): TargetSpec => parseTargets({ env: flags.env, tag: flags.tag, instanceIds: flags.instanceIds });

    const resumeHint = (rt: Runtime) => (scope: ResolvedScope, ids: string[]) =>
        ["patchctl", "watch", ...ids, ...scopeFlags(rt.globals, scope)].map(shellArg).join(" ");

    // ---- scan -------------------------------------------------------------------------------
    addWaitOptions(
        addTargetOptions(
            program
                .command("scan")
                .description("Run AWS-RunPatchBaseline Operation=Scan on the targets, wait, and print each node's result")
                .option("--concurrency <n|%>", "nodes scanned at once (MaxConcurrency)", SCAN_DEFAULTS.maxConcurrency)
                .option("--max-errors <n|%>", "errors after which the command stops (MaxErrors)", SCAN_DEFAULTS.maxErrors),
        ),
    )
        .addHelpText("after", `\nExample:\n  patchctl scan --env Development\n  patchctl scan --instance-ids i-0123456789abcdef0,i-0fedcba9876543210 --no-wait\n${EXIT_CODES_HELP}`)
        .action(async (flags: TargetFlags & WaitFlags & { concurrency: string; maxErrors: string }, command: Command) => {
            const rt = runtime(command);
            const targets = targetsOf(flags);
            const input = { targets, maxConcurrency: parseMaxConcurrency(flags.concurrency), maxErrors: parseMaxErrors(flags.maxErrors), wait: flags.wait };
            const wait = waitSettings(flags, "scan");
            const outcomes = await interruptible((signal) =>
                inScopes(rt, rt.scopes, (ssm, scope) => createScan({ ssm })(input, { ...wait, signal, progressKey: scopeLabel(scope) })),
            );
            wait.progress.clear();
            emit(rt, runReport("scan", outcomes, { multi: rt.multi, targets, resumeHint: resumeHint(rt) }));
        });

    // ---- compliance -------------------------------------------------------------------------
    addTargetOptions(
        program
            .command("compliance")
            .description("Patch compliance of the target nodes, or the missing patches of one node")
            .option("--instance <id>", "one node (instead of --env/--tag/--instance-ids)")
            .option("--missing", "with --instance: list that node's missing patches (title, classification, severity, CVEs)")
            .addOption(
                new Option("--fail-on <level>", "exit 1 when a node has critical / critical or security / any non-compliance (or was never scanned)").choices([
                    "critical",
                    "security",
                    "any",
                ]),
            ),
    )
        .addHelpText(
            "after",
            `\nCalls: ceil(N/50) DescribeInstanceInformation pages + ceil(N/50) DescribeInstancePatchStates calls for N nodes.\n\nExamples:\n  patchctl compliance --env Development\n  patchctl compliance --env Development --fail-on security --json\n  patchctl compliance --instance i-0123456789abcdef0 --missing\n${EXIT_CODES_HELP}`,
        )
        .action(async (flags: TargetFlags & { instance?: string; missing?: boolean; failOn?: FailOn }, command: Command) => {
            const rt = runtime(command);
            const hasTargetFlags = flags.env !== undefined || flags.tag.length > 0 || flags.instanceIds.length > 0;
            if (flags.missing && flags.instance === undefined) {
                throw new UsageError("--missing needs --instance <id>");
            }
            if (flags.instance !== undefined && hasTargetFlags) {
                throw new UsageError("--instance cannot be combined with --env, --tag or --instance-ids");
            }
            if (flags.missing) {
                if (rt.multi) {
                    throw new UsageError("--missing reads one node in one account and Region: use --region with --profile or --role-arn instead of --accounts");
                }
                if (flags.failOn) {
                    throw new UsageError("--fail-on applies to the compliance report, not to --missing");
                }
                const instanceId = (parseTargets({ instanceIds: [flags.instance as string] }) as { instanceIds: string[] }).instanceIds[0];
                const [outcome] = await inScopes(rt, rt.scopes, (ssm) => createCompliance({ ssm }).missing(instanceId));
                emit(rt, missingReport(outcome, instanceId));
                return;
            }
            const targets = flags.instance !== undefined ? parseTargets({ instanceIds: [flags.instance] }) : targetsOf(flags);
            const outcomes = await inScopes(rt, rt.scopes, (ssm) => createCompliance({ ssm }).nodes(targets));
            emit(rt, complianceReport(outcomes, { multi: rt.multi, targets, failOn: flags.failOn }));
        });

    // ---- install ----------------------------------------------------------------------------
    addWaitOptions(
        addTargetOptions(
            program
                .command("install")
                .description("Run AWS-RunPatchBaseline Operation=Install: 1 node at a time, stop after 1 error, reboot if needed")
                .option("--concurrency <n|%>", "nodes patched at once (MaxConcurrency)", INSTALL_DEFAULTS.maxConcurrency)
                .option("--max-errors <n|%>", "errors after which the command stops (MaxErrors)", INSTALL_DEFAULTS.maxErrors)
                .addOption(new Option("--reboot <when>", "reboot patched nodes: if-needed (RebootIfNeeded) or never (NoReboot)").choices(["if-needed", "never"]).default("if-needed"))
                .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)"),
        ),
    )
        .addHelpText(
            "after",
            `\nInstall changes machines: it asks for confirmation, naming the number of nodes and the environment,\nunless --yes. Without a terminal and without --yes it refuses (exit 2).\n\nExamples:\n  patchctl install --env Development\n  patchctl install --env Development --reboot never --yes\n${EXIT_CODES_HELP}`,
        )
        .action(async (flags: TargetFlags & WaitFlags & { concurrency: string; maxErrors: string; reboot: string; yes?: boolean }, command: Command) => {
            const rt = runtime(command);
            const targets = targetsOf(flags);
            const reboot = rebootOption(flags.reboot);
            if (!reboot) {
                throw new UsageError(`--reboot '${flags.reboot}': expected if-needed or never`);
            }
            const input = {
                targets,
                maxConcurrency: parseMaxConcurrency(flags.concurrency),
                maxErrors: parseMaxErrors(flags.maxErrors),
                rebootOption: reboot,
                wait: flags.wait,
            };
            const wait = waitSettings(flags, "install");
            if (!flags.yes && !prompter.interactive()) {
                throw new UsageError("install needs confirmation but stdin is not a terminal: pass --yes to install without asking");
            }
            let scopes = rt.scopes;
            let skipped: Array<ScopeOutcome<RunResult>> = [];
            if (!flags.yes) {
                const counts = await inScopes(rt, rt.scopes, (ssm) => createInstall({ ssm }).countNodes(targets));
                const total = counts.reduce((sum, o) => sum + (o.value ?? 0), 0);
                skipped = counts.filter((o) => o.error !== undefined).map((o) => ({ scope: o.scope, error: o.error }));
                if (total === 0) {
                    emit(rt, runReport("install", skipped, { multi: rt.multi, targets, resumeHint: resumeHint(rt) }));
                    stderr.write(`patchctl: no managed node matched ${describeTargets(targets)}; nothing to install\n`);
                    return;
                }
                const withNodes = counts.filter((o) => (o.value ?? 0) > 0);
                const where =
                    withNodes.length === 1
                        ? ` in ${withNodes[0].scope.accountId ? `account ${withNodes[0].scope.accountId} ` : ""}${withNodes[0].scope.region}`
                        : ` across ${withNodes.length} account-Regions`;
                const question =
                    `Install patches on ${total} managed node${total === 1 ? "" : "s"} (${describeTargets(targets)})${where}, ` +
                    `${input.maxConcurrency} at a time, ${reboot === "NoReboot" ? "without rebooting" : "rebooting them if needed"}?`;
                if (!(await prompter.confirm(question))) {
                    stderr.write("patchctl: cancelled; nothing was sent\n");
                    exitCode = EXIT_FAILED;
                    return;
                }
                scopes = withNodes.map((o) => o.scope);
            }
            const outcomes = await interruptible((signal) =>
                inScopes(rt, scopes, (ssm, scope) => createInstall({ ssm }).install(input, { ...wait, signal, progressKey: scopeLabel(scope) })),
            );
            wait.progress.clear();
            emit(rt, runReport("install", [...skipped, ...outcomes], { multi: rt.multi, targets, resumeHint: resumeHint(rt) }));
        });

    // ---- watch ------------------------------------------------------------------------------
    addWaitOptions(
        program
            .command("watch")
            .description("Wait for commands sent earlier (e.g. after Ctrl-C or --no-wait) and print their report")
            .argument("<command-id...>", "Run Command command ids"),
        false,
    )
        .addHelpText("after", `\nExample:\n  patchctl watch 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b --region us-east-1\n${EXIT_CODES_HELP}`)
        .action(async (commandIds: string[], flags: WaitFlags, command: Command) => {
            const rt = runtime(command);
            if (rt.multi) {
                throw new UsageError("watch works in one account and Region: use --region with --profile or --role-arn instead of --accounts");
            }
            for (const id of commandIds) {
                if (!COMMAND_ID.test(id)) {
                    throw new UsageError(`'${id}' is not a command id like 0b8ad2a4-7a5e-4a4e-9d6c-1c2f3e4d5a6b`);
                }
            }
            const wait = waitSettings(flags, "watch");
            const outcomes = await interruptible((signal) =>
                inScopes(rt, rt.scopes, (ssm, scope) => createWatch({ ssm })(commandIds, { ...wait, signal, progressKey: scopeLabel(scope) })),
            );
            wait.progress.clear();
            emit(rt, runReport("watch", outcomes, { multi: rt.multi, resumeHint: resumeHint(rt) }));
        });

    // ---- policy -----------------------------------------------------------------------------
    const policy = program
        .command("policy")
        .description("Apply a patch policy's associations now, or read their execution history")
        .addHelpText(
            "after",
            `\n<name> is this project's policy name (associations PatchPolicy-ScanForPatches-<name>,\nPatchPolicy-InstallPatches-<name>) or, for an AWS Quick Setup patch policy, its configuration id\n(associations AWS-QuickSetup-PatchPolicy-ScanForPatches-[LA-]<id>): the SSM API does not carry a\nQuick Setup policy's name on its associations.`,
        );

    const policyName = (name: string): string => {
        if (!POLICY_NAME.test(name)) {
            throw new UsageError(`policy name '${name}': expected 1 to 128 letters, digits, '.', '_' or '-'`);
        }
        return name;
    };
    const operationsOf = (value: string): PatchOperation[] => (value === "all" ? ["Scan", "Install"] : value === "install" ? ["Install"] : ["Scan"]);
    const notFound = (name: string, operations: PatchOperation[]): Error =>
        new Error(`policy ${name} has no association here (looked for ${expectedNames(name, operations)})`);

    addWaitOptions(
        policy
            .command("run")
            .description("Apply the policy's associations now (StartAssociationsOnce), wait for the executions, print per-node results")
            .argument("<name>", "policy name, or Quick Setup configuration id")
            .addOption(new Option("--operation <which>", "which associations: scan, install or all").choices(["scan", "install", "all"]).default("scan"))
            .option("-y, --yes", "do not ask for confirmation before applying install associations"),
    )
        .addHelpText(
            "after",
            `\nBy default only the scan association is applied. Applying the install association patches and may\nreboot nodes: it asks for confirmation unless --yes (and refuses without a terminal, exit 2).\n\n<name> is this project's policy name or, for an AWS Quick Setup patch policy, its configuration id\n(the suffix of AWS-QuickSetup-PatchPolicy-ScanForPatches-[LA-]<id>).\n\nExamples:\n  patchctl policy run patch-policy-workshop\n  patchctl policy run k8dyx --operation all --yes\n${EXIT_CODES_HELP}`,
        )
        .action(async (rawName: string, flags: WaitFlags & { operation: string; yes?: boolean }, command: Command) => {
            const rt = runtime(command);
            const name = policyName(rawName);
            const operations = operationsOf(flags.operation);
            const wait = waitSettings(flags, "policy run");
            const installing = operations.includes("Install");
            if (installing && !flags.yes && !prompter.interactive()) {
                throw new UsageError("applying the install association needs confirmation but stdin is not a terminal: pass --yes");
            }
            const found = await inScopes(rt, rt.scopes, async (ssm) => {
                const associations = await createPolicyRun({ ssm }).find(name, operations);
                if (associations.length === 0) {
                    throw notFound(name, operations);
                }
                return associations;
            });
            const withAssociations = found.filter((o): o is ScopeOutcome<PolicyAssociation[]> & { value: PolicyAssociation[] } => o.value !== undefined);
            const failed = found.filter((o) => o.error !== undefined).map((o) => ({ scope: o.scope, error: o.error }));
            if (installing && !flags.yes && withAssociations.length > 0) {
                const installs = withAssociations.flatMap((o) => o.value.filter((a) => a.operation === "Install"));
                if (installs.length > 0) {
                    const question = `Apply ${installs.length} install association${installs.length === 1 ? "" : "s"} of policy ${name} now, in ${withAssociations.length} account-Region${withAssociations.length === 1 ? "" : "s"}? This installs patches and may reboot nodes.`;
                    if (!(await prompter.confirm(question))) {
                        stderr.write("patchctl: cancelled; nothing was applied\n");
                        exitCode = EXIT_FAILED;
                        return;
                    }
                }
            }
            const byScope = new Map(withAssociations.map((o) => [scopeLabel(o.scope), o.value]));
            const ran = await interruptible((signal) =>
                inScopes(rt, withAssociations.map((o) => o.scope), (ssm, scope) =>
                    createPolicyRun({ ssm }).run(byScope.get(scopeLabel(scope)) ?? [], flags.wait ? { ...wait, signal, progressKey: scopeLabel(scope) } : undefined),
                ),
            );
            wait.progress.clear();
            emit(
                rt,
                policyRunReport(name, [...failed, ...ran], {
                    multi: rt.multi,
                    historyHint: (scope) => ["patchctl", "policy", "history", name, ...scopeFlags(rt.globals, scope)].map(shellArg).join(" "),
                }),
            );
        });

    policy
        .command("history")
        .description("Execution history of the policy's associations, or with --execution its per-node results")
        .argument("<name>", "policy name, or Quick Setup configuration id")
        .addOption(new Option("--operation <which>", "which associations: scan, install or all").choices(["scan", "install", "all"]).default("all"))
        .option("--limit <n>", "executions shown per association, newest first", "10")
        .option("--execution <id>", "per-node results of this execution")
        .addHelpText(
            "after",
            `\n<name> is this project's policy name or, for an AWS Quick Setup patch policy, its configuration id.\n\nExamples:\n  patchctl policy history patch-policy-workshop\n  patchctl policy history patch-policy-workshop --execution 3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f\n${EXIT_CODES_HELP}`,
        )
        .action(async (rawName: string, flags: { operation: string; limit: string; execution?: string }, command: Command) => {
            const rt = runtime(command);
            const name = policyName(rawName);
            const operations = operationsOf(flags.operation);
            const limit = parsePositiveInt(flags.limit, "--limit", 1, 1000);
            if (flags.execution !== undefined && !COMMAND_ID.test(flags.execution)) {
                throw new UsageError(`--execution '${flags.execution}': not an execution id like 3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f`);
            }
            /** The policy's associations in one account and Region; none is an error of that scope. */
            const found = async (ssm: SSMClient) => {
                const history = createPolicyHistory({ ssm });
                const associations = await history.find(name, operations);
                if (associations.length === 0) {
                    throw notFound(name, operations);
                }
                return { history, associations };
            };
            const executionId = flags.execution;
            if (executionId !== undefined) {
                const outcomes = await inScopes(rt, rt.scopes, async (ssm) => {
                    const { history, associations } = await found(ssm);
                    return history.targets(associations, executionId);
                });
                emit(rt, executionTargetsReport(name, executionId, outcomes, { multi: rt.multi }));
                return;
            }
            const outcomes = await inScopes(rt, rt.scopes, async (ssm) => {
                const { history, associations } = await found(ssm);
                return history.executions(associations, limit);
            });
            emit(rt, historyReport(name, outcomes, { multi: rt.multi }));
        });

    try {
        await program.parseAsync(argv);
    } catch (error) {
        if (error instanceof CommanderError) {
            // commander already printed help, the version, or a one-line error (see outputError).
            if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
                exitCode = EXIT_OK;
            } else if (error.code === "commander.help") {
                exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
            } else {
                exitCode = EXIT_USAGE;
            }
        } else {
            stderr.write(`patchctl: ${describeError(error)}\n`);
            if (debug && error instanceof Error && error.stack) {
                stderr.write(`${error.stack}\n`);
            }
            exitCode = isConfigError(error) ? EXIT_USAGE : EXIT_FAILED;
        }
    } finally {
        pool?.destroy();
    }
    return exitCode;
}

if (require.main === module) {
    main(process.argv).then(
        (code) => {
            process.stdout.write("", () => process.exit(code));
        },
        (error: unknown) => {
            process.stderr.write(`patchctl: ${describeError(error)}\n`);
            process.exit(EXIT_FAILED);
        },
    );
}


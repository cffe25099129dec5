/**
 * patchctl: the day-two patching loop of the workflow (scan, compliance, install, apply the patch
 * policy now, read its history) on AWS Systems Manager, in one account or many.
 *
 * This file creates the program, declares the global flags and registers the commands, one line
 * each: a command (its flags, help, action and report) is its own module in commands/. Exit codes:
 * output/errors.ts (one table in cli/flags.ts's EXIT_CODES_HELP and docs/patchctl.md).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { EXIT_CODES_HELP } from "./cli/flags";
import { DEFAULT_MAX_PARALLEL } from "./aws/scopes";
import { Cli, type CommandDefinition, type MainDeps } from "./cli/session";
import { cancelCommand } from "./commands/cancel";
import { complianceCommand } from "./commands/compliance";
import { findingsCommand } from "./commands/findings";
import { installCommand } from "./commands/install";
import { policyCommand } from "./commands/policy";
import { reportCommand } from "./commands/report";
import { scanCommand } from "./commands/scan";
import { watchCommand } from "./commands/watch";
import { describeError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, isConfigError } from "./output/errors";

export type { MainDeps, OutputStream } from "./cli/session";

/** The commands, in the order `patchctl --help` lists them. */
const COMMANDS: CommandDefinition[] = [
    scanCommand,
    complianceCommand,
    installCommand,
    watchCommand,
    cancelCommand,
    policyCommand,
    findingsCommand,
    reportCommand,
];

/** The version of the nearest package.json above this file (the sources or their compiled copy). */
function packageVersion(): string {
    for (let dir = __dirname; ; dir = dirname(dir)) {
        try {
            const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version;
            if (version !== undefined) {
                return version;
            }
        } catch {
            // no (readable) package.json here: look further up
        }
        if (dirname(dir) === dir) {
            return "0.0.0";
        }
    }
}

/** Runs patchctl with `argv` (as process.argv: node, script, args...). Resolves to the exit code. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
    // The SDK's Node.js support notice is not actionable for operators; keep stderr to real messages.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const cli = new Cli(deps, argv);

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
        .option("--max-parallel <n>", "account-Regions worked on at once with --accounts (1-64)", String(DEFAULT_MAX_PARALLEL))
        .option("--api-rate <n>", "describe calls per second per operation, in each account and Region", "10")
        .option("--json", "print the report as JSON")
        .option("--csv", "print the report as CSV")
        .option("--debug", "print stack traces of errors")
        .addOption(new Option("--endpoint <url>", "SSM/STS endpoint URL (tests)").hideHelp())
        .configureHelp({ showGlobalOptions: true })
        .showSuggestionAfterError(true)
        .exitOverride()
        .configureOutput({
            writeOut: (text) => void cli.stdout.write(text),
            writeErr: (text) => void cli.stderr.write(text),
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
    for (const define of COMMANDS) {
        define(program, cli);
    }

    try {
        await program.parseAsync(argv);
        return cli.exitCode;
    } catch (error) {
        if (error instanceof CommanderError) {
            // commander already printed help, the version, or a one-line error (see outputError).
            if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
                return EXIT_OK;
            }
            return error.code === "commander.help" && error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
        }
        cli.stderr.write(`patchctl: ${describeError(error)}\n`);
        if (cli.debug && error instanceof Error && error.stack) {
            cli.stderr.write(`${error.stack}\n`);
        }
        return isConfigError(error) ? EXIT_USAGE : EXIT_FAILED;
    } finally {
        cli.close();
    }
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

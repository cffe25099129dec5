// `npm run plan -- [--stack <name>] [--config-file <yaml>] [--policy-config <file>] [--json]`:
// what the program would create, computed offline under Pulumi's mocks, checked by the
// patch-compliance policy pack as `pulumi preview --policy-pack policies` would. Exit 0 with a
// plan that passes, 1 on a mandatory policy violation, 2 on invalid input.
//
// Only the argument parser is loaded up front: `--help` and argument errors answer at once, and the
// program, the Pulumi runtime and the pack's driver load after. `planCli` is the whole CLI as a
// function of its arguments and output streams (the tests run it in-process); started as a
// program, this module runs it on the process's own.
import { Command, CommanderError } from "commander";
import type { PolicyDiagnostic, RunningPack } from "./policy";
import { stackOfConfigFile } from "./stackFile";

/** Where the CLI writes: the process's streams, or a test's. */
export interface PlanIo {
    stdout: { write(s: string): unknown };
    stderr: { write(s: string): unknown };
}

interface CliOptions {
    stack: string;
    configFile?: string;
    policyConfig?: string;
    policyPack: boolean;
    json?: boolean;
    debug?: boolean;
}

const DEFAULT_STACK = "dev";

const EXIT_HELP = `
Without --config-file the stack's Pulumi.<stack>.yaml at the project root is used (default stack:
${DEFAULT_STACK}). With --config-file and no --stack, the stack is named after the file when it is
Pulumi.<name>.yaml; for any other file name --stack is required.

Exit status: 0 plan produced and no mandatory policy violated, 1 a mandatory policy violated,
2 invalid arguments, stack config or policy config.
`;

/** Invalid arguments: one line on stderr, exit 2. */
class UsageError extends Error {}

/** --help was asked for and printed. */
class HelpShown extends Error {}

function parseArgs(argv: string[], io: PlanIo): CliOptions {
    const program = new Command("plan")
        .description("Show what the Pulumi program would create for a stack and check it with the patch-compliance policy pack, offline (Pulumi mocks; no AWS account or Pulumi CLI needed).")
        .option("-s, --stack <name>", `stack whose Pulumi.<stack>.yaml config to use (default: "${DEFAULT_STACK}"; see below with --config-file)`)
        .option("-c, --config-file <yaml>", "use this config file (Pulumi.<stack>.yaml format) instead")
        .option("--policy-config <file>", "policy pack config, in the format of pulumi preview --policy-pack-config")
        .option("--no-policy-pack", "do not run the policy pack")
        .option("--json", "print one JSON document instead of the tree")
        .option("--debug", "print stack traces of errors")
        .addHelpText("after", EXIT_HELP)
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: () => undefined });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) {
            // Commander has printed the help itself (--help); errors are ours to print, in one line.
            if (err.exitCode === 0) throw new HelpShown();
            // One line, with commander's suggestion ("(Did you mean --stack?)") on it.
            throw new UsageError(err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "));
        }
        throw err;
    }
    const opts = program.opts<Omit<CliOptions, "stack"> & { stack?: string }>();
    return { ...opts, stack: opts.stack ?? stackOf(opts.configFile) };
}

/** The stack when --stack is not given: the default, or the one a Pulumi.<name>.yaml config file is named for. */
function stackOf(configFile: string | undefined): string {
    if (configFile === undefined) return DEFAULT_STACK;
    const named = stackOfConfigFile(configFile);
    if (named === undefined) {
        throw new UsageError(`--config-file ${configFile}: give --stack too (the stack is named after the file only when it is Pulumi.<name>.yaml)`);
    }
    return named;
}

/** Verdicts as `pulumi preview` lists them under "Policies". */
function renderPolicies(pack: { name: string; version: string }, diagnostics: PolicyDiagnostic[]): string[] {
    const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
    const lines = [`Policies:`, `    ${mandatory > 0 ? "✗" : "✓"} ${pack.name}@v${pack.version} (local: policies)`];
    const order = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };
    for (const d of [...diagnostics].sort((a, b) => order[a.enforcementLevel] - order[b.enforcementLevel])) {
        lines.push(`        - [${d.enforcementLevel}]  ${d.policy}  (${d.urn ?? "stack"})`);
        for (const l of d.detail.split("\n")) lines.push(`          ${l}`);
    }
    if (diagnostics.length === 0) lines.push("        no violations");
    return lines;
}

async function run(opts: CliOptions, io: PlanIo): Promise<number> {
    // The plan runs compiled: an edit to the sources takes effect with the next build. Say so (on
    // stderr: --json stays one document on stdout) rather than plan old code in silence.
    const { staleBuild } = await import("./build");
    const stale = staleBuild();
    if (stale) io.stderr.write(`plan: warning: ${stale} to plan with your changes\n`);
    // The files first, with light modules: a wrong file name or a typo answers at once.
    const { loadStackConfigFile, projectName, StackFileError, stackConfigPath } = await import("./stackFile");
    const { loadPolicyConfigFile } = await import("./policy/config");
    const { PolicyConfigError } = await import("./policy/types");
    const { ValidationError } = await import("../lib/validation");
    let pack: Promise<RunningPack> | undefined;
    try {
        const policyConfig = opts.policyConfig !== undefined ? loadPolicyConfigFile(opts.policyConfig) : undefined;
        const stackConfig = loadStackConfigFile(opts.configFile ?? stackConfigPath(opts.stack));
        // The pack starts while the program is planned, as the engine starts it before the program
        // runs: a second process on a second core. A failure to start is reported once it is needed.
        if (opts.policyPack) {
            const { PATCH_COMPLIANCE_PACK_DIR, stackEnv, startPack } = await import("./policy");
            pack = startPack(PATCH_COMPLIANCE_PACK_DIR, { env: stackEnv(projectName(), opts.stack, stackConfig) });
            pack.catch(() => undefined);
        }
        const { planProgram } = await import("./index");
        const plan = await planProgram({ stack: opts.stack, config: stackConfig, captureStacks: opts.debug });
        let policy: { pack: { name: string; version: string }; diagnostics: PolicyDiagnostic[] } | undefined;
        if (pack) {
            const running = await pack;
            const diagnostics = await running.analyze(plan.resources, {
                stackConfig, policyConfig, policyConfigSource: opts.policyConfig, project: plan.project, stack: plan.stack,
            });
            policy = { pack: { name: running.info.name, version: running.info.version }, diagnostics };
        }
        const violated = (policy?.diagnostics ?? []).some((d) => d.enforcementLevel === "mandatory");
        if (opts.json) {
            const doc = {
                stack: plan.stack,
                project: plan.project,
                resources: plan.resources.map((r) => ({
                    urn: r.urn,
                    type: r.type,
                    name: r.name,
                    parent: r.parent ?? null,
                    provider: r.provider ?? null,
                    inputs: r.inputs,
                })),
                outputs: plan.outputs,
                ...(policy ? {
                    policy: {
                        pack: policy.pack,
                        diagnostics: policy.diagnostics.map((d) => ({ policy: d.policy, enforcementLevel: d.enforcementLevel, urn: d.urn ?? null, message: d.detail })),
                    },
                } : {}),
            };
            io.stdout.write(JSON.stringify(doc, null, 2) + "\n");
        } else {
            const { renderTree } = await import("./render");
            const count = plan.resources.length;
            io.stdout.write(`Plan of stack ${plan.stack} (project ${plan.project}), computed offline with mocked provider answers:\n\n`);
            io.stdout.write(renderTree(plan.resources).join("\n") + "\n\n");
            if (policy) io.stdout.write(renderPolicies(policy.pack, policy.diagnostics).join("\n") + "\n\n");
            io.stdout.write(`Resources:\n    + ${count} to create\n\nOutputs (ids and names are mocked):\n`);
            io.stdout.write(JSON.stringify(plan.outputs, null, 2).split("\n").map((l) => `    ${l}`).join("\n") + "\n");
        }
        if (violated) {
            io.stderr.write(`plan: a mandatory policy of ${policy!.pack.name} is violated; \`pulumi preview --policy-pack policies\` would fail\n`);
            return 1;
        }
        return 0;
    } catch (err) {
        if (err instanceof ValidationError || err instanceof StackFileError || err instanceof PolicyConfigError) {
            const what = err instanceof ValidationError ? "stack config" : err instanceof PolicyConfigError ? "policy config" : "input";
            io.stderr.write(`plan: invalid ${what}: ${err.message}\n`);
            if (opts.debug) io.stderr.write(`${err.stack}\n`);
            return 2;
        }
        throw err;
    } finally {
        await pack?.then((p) => p.close(), () => undefined);
    }
}

/** Writes everything still buffered for a pipe, then exits: `plan --json | jq .` gets the whole document. */
function exit(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

/** The plan CLI: `argv` without node and the script; returns the exit status. */
export async function planCli(argv: string[], io: PlanIo): Promise<number> {
    let opts: CliOptions;
    try {
        opts = parseArgs(argv, io);
    } catch (err) {
        if (err instanceof HelpShown) return 0;
        if (!(err instanceof UsageError)) throw err;
        io.stderr.write(`plan: ${err.message}\n`);
        return 2;
    }
    return run(opts, io);
}

if (require.main === module) {
    // A reader that stops early (`plan --json | head`) is not an error.
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "EPIPE") process.exit(0);
        throw err;
    });

    planCli(process.argv.slice(2), process).then(exit, (err) => {
        process.stderr.write(`plan: ${err instanceof Error ? err.message : String(err)}\n`);
        if (process.argv.includes("--debug")) process.stderr.write(`${(err as Error).stack}\n`);
        exit(1);
    });
}

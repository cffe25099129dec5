// `npm run plan -- --stack <name> [--config-file <yaml>] [--json]`: what the program would create,
// computed offline under Pulumi's mocks. Exit 0 with a plan, 2 on invalid input.
import { Command, CommanderError } from "commander";
import { ValidationError } from "../components";
import { planProgram } from "./index";
import { renderTree } from "./render";
import { StackFileError } from "./stackFile";

interface CliOptions {
    stack: string;
    configFile?: string;
    json?: boolean;
    debug?: boolean;
}

function parseArgs(argv: string[]): CliOptions {
    const program = new Command("plan")
        .description("Show what the Pulumi program would create for a stack, offline (Pulumi mocks; no AWS account or Pulumi CLI needed).")
        .option("-s, --stack <name>", "stack whose Pulumi.<stack>.yaml config to use", "dev")
        .option("-c, --config-file <yaml>", "use this config file (Pulumi.<stack>.yaml format) instead")
        .option("--json", "print one JSON document instead of the tree")
        .option("--debug", "print stack traces of errors")
        .addHelpText("after", "\nExit status: 0 plan produced, 2 invalid arguments or stack config.")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) {
            if (err.exitCode === 0) {
                process.stdout.write(program.helpInformation() + "\nExit status: 0 plan produced, 2 invalid arguments or stack config.\n");
                process.exit(0);
            }
            process.stderr.write(`plan: ${err.message.replace(/^error: /, "")}\n`);
            process.exit(2);
        }
        throw err;
    }
    return program.opts<CliOptions>();
}

async function run(): Promise<number> {
    const opts = parseArgs(process.argv.slice(2));
    try {
        const plan = await planProgram({ stack: opts.stack, configFile: opts.configFile, captureStacks: opts.debug });
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
            };
            process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
        } else {
            const count = plan.resources.length;
            process.stdout.write(`Plan of stack ${plan.stack} (project ${plan.project}), computed offline with mocked provider answers:\n\n`);
            process.stdout.write(renderTree(plan.resources).join("\n") + "\n\n");
            process.stdout.write(`Resources:\n    + ${count} to create\n\nOutputs (ids and names are mocked):\n`);
            process.stdout.write(JSON.stringify(plan.outputs, null, 2).split("\n").map((l) => `    ${l}`).join("\n") + "\n");
        }
        return 0;
    } catch (err) {
        if (err instanceof ValidationError || err instanceof StackFileError) {
            process.stderr.write(`plan: invalid ${err instanceof ValidationError ? "stack config" : "input"}: ${err.message}\n`);
            if (opts.debug) process.stderr.write(`${err.stack}\n`);
            return 2;
        }
        throw err;
    }
}

run().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`plan: ${err instanceof Error ? err.message : String(err)}\n`);
        if (process.argv.includes("--debug")) process.stderr.write(`${(err as Error).stack}\n`);
        process.exit(1);
    },
);

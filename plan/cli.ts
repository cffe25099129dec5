// `npm run plan -- --stack <name> [--config-file <yaml>] [--policy-config <file>] [--json]`: what
// the program would create, computed offline under Pulumi's mocks, checked by the patch-compliance
// policy pack as `pulumi preview --policy-pack policies` would. Exit 0 with a plan that passes,
// 1 on a mandatory policy violation, 2 on invalid input.
import { Command, CommanderError } from "commander";
import { ValidationError } from "../components";
import { analyzeWithPack, loadPolicyConfigFile, PATCH_COMPLIANCE_PACK_DIR, PolicyConfigError, PolicyDiagnostic } from "./analyzer";
import { planProgram } from "./index";
import { renderTree } from "./render";
import { loadStackConfigFile, StackFileError, stackConfigPath } from "./stackFile";

interface CliOptions {
    stack: string;
    configFile?: string;
    policyConfig?: string;
    policyPack: boolean;
    json?: boolean;
    debug?: boolean;
}

const EXIT_HELP = "\nExit status: 0 plan produced and no mandatory policy violated, 1 a mandatory policy violated,\n2 invalid arguments, stack config or policy config.\n";

function parseArgs(argv: string[]): CliOptions {
    const program = new Command("plan")
        .description("Show what the Pulumi program would create for a stack and check it with the patch-compliance policy pack, offline (Pulumi mocks; no AWS account or Pulumi CLI needed).")
        .option("-s, --stack <name>", "stack whose Pulumi.<stack>.yaml config to use", "dev")
        .option("-c, --config-file <yaml>", "use this config file (Pulumi.<stack>.yaml format) instead")
        .option("--policy-config <file>", "policy pack config, in the format of pulumi preview --policy-pack-config")
        .option("--no-policy-pack", "do not run the policy pack")
        .option("--json", "print one JSON document instead of the tree")
        .option("--debug", "print stack traces of errors")
        .addHelpText("after", EXIT_HELP)
        .exitOverride()
        .configureOutput({ writeErr: () => undefined });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) {
            if (err.exitCode === 0) {
                process.stdout.write(program.helpInformation() + EXIT_HELP);
                process.exit(0);
            }
            process.stderr.write(`plan: ${err.message.replace(/^error: /, "")}\n`);
            process.exit(2);
        }
        throw err;
    }
    return program.opts<CliOptions>();
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

async function run(): Promise<number> {
    const opts = parseArgs(process.argv.slice(2));
    try {
        const policyConfig = opts.policyConfig !== undefined ? loadPolicyConfigFile(opts.policyConfig) : undefined;
        const stackConfig = loadStackConfigFile(opts.configFile ?? stackConfigPath(opts.stack));
        const plan = await planProgram({ stack: opts.stack, config: stackConfig, captureStacks: opts.debug });
        const policy = opts.policyPack
            ? await analyzeWithPack({
                packDir: PATCH_COMPLIANCE_PACK_DIR,
                resources: plan.resources,
                stackConfig,
                policyConfig,
                policyConfigSource: opts.policyConfig,
                project: plan.project,
                stack: plan.stack,
            })
            : undefined;
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
            process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
        } else {
            const count = plan.resources.length;
            process.stdout.write(`Plan of stack ${plan.stack} (project ${plan.project}), computed offline with mocked provider answers:\n\n`);
            process.stdout.write(renderTree(plan.resources).join("\n") + "\n\n");
            if (policy) process.stdout.write(renderPolicies(policy.pack, policy.diagnostics).join("\n") + "\n\n");
            process.stdout.write(`Resources:\n    + ${count} to create\n\nOutputs (ids and names are mocked):\n`);
            process.stdout.write(JSON.stringify(plan.outputs, null, 2).split("\n").map((l) => `    ${l}`).join("\n") + "\n");
        }
        if (violated) {
            process.stderr.write(`plan: a mandatory policy of ${policy!.pack.name} is violated; \`pulumi preview --policy-pack policies\` would fail\n`);
            return 1;
        }
        return 0;
    } catch (err) {
        if (err instanceof ValidationError || err instanceof StackFileError || err instanceof PolicyConfigError) {
            const what = err instanceof ValidationError ? "stack config" : err instanceof PolicyConfigError ? "policy config" : "input";
            process.stderr.write(`plan: invalid ${what}: ${err.message}\n`);
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

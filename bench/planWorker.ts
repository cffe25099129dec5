// One measurement of the offline plan: the dev stack deployed into N account/Region pairs.
// Run in its own process so its peak memory is its own: prints one JSON line. bench/plan.ts runs
// it compiled (dist/bench/planWorker.js), as `npm run plan` runs the plan.
import { planProgram } from "../plan";
import { loadStackConfigFile, stackConfigPath } from "../plan/stackFile";

/** N pairs as accounts × 2 Regions (N even) or 1 account × 1 Region. */
export function pairsConfig(pairs: number): Record<string, string> {
    const dev = loadStackConfigFile(stackConfigPath("dev"));
    const regions = pairs === 1 ? ["us-east-1"] : ["us-east-1", "eu-west-1"];
    const accounts = Array.from({ length: pairs / regions.length }, (_, i) => {
        const id = String(200000000000 + i);
        return { accountId: id, roleArn: `arn:aws:iam::${id}:role/PatchingDeployment` };
    });
    return { ...dev, "ssm-patching:accounts": JSON.stringify(accounts), "ssm-patching:regions": JSON.stringify(regions) };
}

async function main() {
    const pairs = Number(process.argv[2]);
    const start = process.hrtime.bigint();
    const plan = await planProgram({ stack: "dev", config: pairsConfig(pairs) });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(JSON.stringify({ pairs, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources: plan.resources.length }) + "\n");
}

if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`${err}\n`);
        process.exit(1);
    });
}

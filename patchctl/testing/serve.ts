/**
 * Starts the fake SSM endpoint with the workshop's fleet, for trying patchctl without AWS:
 *
 *   npx ts-node --transpile-only patchctl/testing/serve.ts [--ttl 600] &
 *   export PATCHCTL_ENDPOINT=http://127.0.0.1:<port> AWS_REGION=us-east-1 \
 *          AWS_ACCESS_KEY_ID=AKIDFAKE AWS_SECRET_ACCESS_KEY=fake
 *   npx patchctl compliance --env Development
 *
 * Account 111111111111 (the base credentials) and, through --accounts, 222222222222 and
 * 333333333333 have fleets; assuming arn:aws:iam::444444444444:role/PatchOperator is denied.
 * Stops by itself after --ttl seconds (default 600).
 */
import { FakeSsm, makeFleet, type FakeAssociation, type FakeFleet } from "./fakeSsm";

export function workshopFleet(options: { prefix?: string; count?: number; failing?: number } = {}): FakeFleet {
    const nodes = makeFleet(options.count ?? 6, { env: "Development", prefix: options.prefix ?? "0a", nonCompliantEvery: 2 });
    nodes.push(...makeFleet(2, { env: "Production", prefix: `${options.prefix ?? "0a"}f`, nonCompliantEvery: 0 }));
    if (options.failing !== undefined && nodes[options.failing]) {
        nodes[options.failing].outcome = { status: "Failed", stderr: "Error: yum lock held by another process (pid 2231)", responseCode: 1 };
    }
    const targets = [{ Key: "tag:Environment", Values: ["Development"] }];
    const associations: FakeAssociation[] = [
        { associationId: "5a1f0c3e-0001-4a1b-9c2d-0123456789ab", associationName: "PatchPolicy-ScanForPatches-patch-policy-workshop", targets, operation: "Scan", scheduleExpression: "cron(0 1 * * ? *)" },
        { associationId: "5a1f0c3e-0002-4a1b-9c2d-0123456789ab", associationName: "PatchPolicy-InstallPatches-patch-policy-workshop", targets, operation: "Install", scheduleExpression: "cron(30 23 ? * SAT *)" },
        { associationId: "7b2e1d4f-0003-4c5d-8e6f-0123456789ab", associationName: "AWS-QuickSetup-PatchPolicy-ScanForPatches-LA-k8dyx", targets, operation: "Scan", scheduleExpression: "cron(0 1 * * ? *)" },
        { associationId: "7b2e1d4f-0004-4c5d-8e6f-0123456789ab", associationName: "AWS-QuickSetup-PatchPolicy-InstallPatches-LA-k8dyx", targets, operation: "Install", scheduleExpression: "cron(30 23 ? * SAT *)" },
    ];
    return { nodes, associations };
}

async function serve(): Promise<void> {
    const ttlIndex = process.argv.indexOf("--ttl");
    const ttl = ttlIndex > 0 ? Number(process.argv[ttlIndex + 1]) : 600;
    const fake = new FakeSsm({
        fleets: {
            "111111111111": workshopFleet({ prefix: "0a" }),
            "222222222222/us-east-1": workshopFleet({ prefix: "0b", failing: 2 }),
            "222222222222/eu-west-1": workshopFleet({ prefix: "0d", count: 4 }),
            "333333333333": workshopFleet({ prefix: "0c" }),
        },
        denyRoles: ["arn:aws:iam::444444444444:role/PatchOperator"],
        commandPolls: 2,
        executionPolls: 2,
        latencyMs: 20,
    });
    const url = await fake.start();
    process.stdout.write(`${url}\n`);
    const timer = setTimeout(() => void fake.close(), ttl * 1000);
    const stop = (): void => {
        clearTimeout(timer);
        void fake.close();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

if (require.main === module) {
    void serve();
}

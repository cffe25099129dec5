/**
 * Starts the fake SSM endpoint (fakeSsm.ts) with the workshop's fleet, for trying patchctl without AWS:
 *
 *   node dist/testing/serveSsm.js [--ttl 600] &
 *     (compiled by `npm run build`; from the sources: npx ts-node --transpile-only testing/serveSsm.ts)
 *   export PATCHCTL_ENDPOINT=http://127.0.0.1:<port> AWS_REGION=us-east-1 \
 *          AWS_ACCESS_KEY_ID=AKIDFAKE AWS_SECRET_ACCESS_KEY=fake
 *   npx patchctl compliance --env Development
 *
 * Account 111111111111 (the base credentials) and, through --accounts, 222222222222 and
 * 333333333333 have fleets; assuming arn:aws:iam::444444444444:role/PatchOperator is denied.
 *
 * It prints its URL on stdout (and its pid on stderr), and stops, saying why on stderr, after --ttl
 * seconds (default 600), on SIGINT or SIGTERM, or when the process that started it goes away. The
 * last matters under npx (npm exec): npm runs `sh -c "<command>"`, so this node process is npm's
 * grandchild, and killing npm (even with SIGKILL, which npm cannot pass on) would leave sh and node
 * running. So it watches the processes above it, as they were when it started (on Linux, through
 * /proc; elsewhere its parent only), and stops once one of them has gone.
 */
import { readFileSync } from "node:fs";
import { FakeSsm, makeFleet, type FakeAssociation, type FakeFleet } from "./fakeSsm";
import { serveWithFindings } from "./mountFindings";

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

/** The fleets the served endpoint has (the README's walk-through uses them). */
export function workshopFleets(): Record<string, FakeFleet> {
    return {
        "111111111111": workshopFleet({ prefix: "0a" }),
        "222222222222/us-east-1": workshopFleet({ prefix: "0b", failing: 2 }),
        "222222222222/eu-west-1": workshopFleet({ prefix: "0d", count: 4 }),
        "333333333333": workshopFleet({ prefix: "0c" }),
    };
}

/** How often the processes above are checked. */
const WATCH_INTERVAL_MS = 500;

interface Ancestor {
    pid: number;
    /** Its start time (clock ticks since boot), so that a reused pid is not taken for it. */
    start: string;
}

/** State, parent pid and start time of a process, from /proc (Linux); undefined when it is gone or there is no /proc. */
function procStat(pid: number): { state: string; ppid: number; start: string } | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // After "pid (comm) ": state, ppid, ... starttime is the 20th field from there.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return { state: fields[0], ppid: Number(fields[1]), start: fields[19] };
    } catch {
        return undefined;
    }
}

/** The processes above this one, parent first, up to (not including) init. */
function ancestors(): Ancestor[] {
    const chain: Ancestor[] = [];
    for (let pid = process.ppid; pid > 1 && chain.length < 64; ) {
        const stat = procStat(pid);
        if (!stat) {
            break;
        }
        chain.push({ pid, start: stat.start });
        pid = stat.ppid;
    }
    return chain;
}

/** The first process of `chain` that has gone (exited, a zombie, or its pid reused), if any. */
function goneAncestor(chain: readonly Ancestor[]): Ancestor | undefined {
    return chain.find((a) => {
        const stat = procStat(a.pid);
        return !stat || stat.state === "Z" || stat.start !== a.start;
    });
}

/** Calls `onGone` once the parent, or on Linux any process above it, has gone. */
export function watchAncestors(onGone: (pid: number) => void, intervalMs = WATCH_INTERVAL_MS): () => void {
    const parent = process.ppid;
    const chain = ancestors();
    const timer = setInterval(() => {
        const gone = process.ppid !== parent ? { pid: parent } : goneAncestor(chain);
        if (gone) {
            clearInterval(timer);
            onGone(gone.pid);
        }
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
}

function ttlSeconds(argv: readonly string[]): number {
    const at = argv.indexOf("--ttl");
    if (at < 0) {
        return 600;
    }
    const ttl = Number(argv[at + 1]);
    if (!Number.isFinite(ttl) || ttl <= 0) {
        process.stderr.write(`serveSsm: --ttl '${argv[at + 1] ?? ""}': expected a number of seconds greater than zero\n`);
        process.exit(2);
    }
    return ttl;
}

async function serve(): Promise<void> {
    const ttl = ttlSeconds(process.argv);
    // Writing to a terminal or pipe that went away with the parent must not crash the shutdown.
    process.stderr.on("error", () => undefined);
    process.stdout.on("error", () => undefined);
    const fleets = workshopFleets();
    const fake = new FakeSsm({
        fleets,
        denyRoles: ["arn:aws:iam::444444444444:role/PatchOperator"],
        commandPolls: 2,
        executionPolls: 2,
        latencyMs: 20,
    });
    // Inspector and Security Hub answer on the same URL (patchctl findings), following these fleets.
    const { url, close } = await serveWithFindings(fake, fleets);
    process.stdout.write(`${url}\n`);
    process.stderr.write(`serveSsm: the fake SSM endpoint ${url} runs as pid ${process.pid} for at most ${ttl} s\n`);
    let stopping = false;
    const stop = (reason: string): void => {
        if (stopping) {
            return;
        }
        stopping = true;
        clearTimeout(timer);
        unwatch();
        process.stderr.write(`serveSsm: the fake SSM endpoint ${url} stopped: ${reason}\n`);
        void close();
    };
    const timer = setTimeout(() => stop(`--ttl ${ttl} s ran out`), ttl * 1000);
    const unwatch = watchAncestors((pid) => stop(`the process that started it (pid ${pid}) went away`));
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
    void serve();
}

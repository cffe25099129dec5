/**
 * Client-side pacing for the State Manager APIs whose TPS quotas are low (REFERENCE.md):
 * StartAssociationsOnce 2, DescribeAssociationExecutions 4, DescribeAssociationExecutionTargets 4.
 * Pacing every attempt (retries included) keeps a burst from turning into throttling errors at all.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";

/** Default per-client transactions-per-second limits, by operation name. */
export const STATE_MANAGER_TPS: Readonly<Record<string, number>> = {
    StartAssociationsOnce: 2,
    DescribeAssociationExecutions: 4,
    DescribeAssociationExecutionTargets: 4,
};

/**
 * Default pace of the describe calls a report makes (DescribeInstanceInformation,
 * DescribeInstancePatchStates), per operation, per account and Region. AWS does not publish these
 * quotas; 10 per second keeps a report of the ~2,400 nodes an account and Region can hold under 5
 * seconds while staying clear of throttling on accounts whose quota is at least that. `--api-rate`
 * changes it.
 */
export const DEFAULT_DESCRIBE_TPS = 10;

/** The describe operations paced at `--api-rate`. */
export const DESCRIBE_OPERATIONS = ["DescribeInstanceInformation", "DescribeInstancePatchStates", "DescribeInstancePatches"];

/** The pacing of every client: State Manager quotas plus the describe calls at `describeTps`. */
export function tpsLimits(describeTps: number = DEFAULT_DESCRIBE_TPS): Record<string, number> {
    return { ...STATE_MANAGER_TPS, ...Object.fromEntries(DESCRIBE_OPERATIONS.map((op) => [op, describeTps])) };
}

/** Spaces calls evenly: at most `tps` starts per second, no burst. */
export class Pacer {
    private nextAt = 0;
    private readonly intervalMs: number;

    constructor(tps: number, private readonly now: () => number = Date.now) {
        if (!(tps > 0)) {
            throw new RangeError(`tps must be positive, got ${tps}`);
        }
        this.intervalMs = 1000 / tps;
    }

    /** Milliseconds the caller must wait before its call may start; reserves that slot. */
    reserve(): number {
        const now = this.now();
        const start = Math.max(now, this.nextAt);
        this.nextAt = start + this.intervalMs;
        return start - now;
    }

    async take(): Promise<void> {
        const wait = this.reserve();
        if (wait > 0) {
            await new Promise((resolve) => setTimeout(resolve, wait));
        }
    }
}

/** Adds a middleware to `client` that paces the listed operations (every attempt, retries included). */
export function applyTpsLimits(client: SSMClient, limits: Readonly<Record<string, number>> = STATE_MANAGER_TPS): void {
    const pacers = new Map<string, Pacer>();
    for (const [operation, tps] of Object.entries(limits)) {
        pacers.set(operation, new Pacer(tps));
    }
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const pacer = pacers.get(String(context.commandName ?? "").replace(/Command$/, ""));
            if (pacer) {
                await pacer.take();
            }
            return next(args);
        },
        // "deserialize" runs inside the retry loop (finalizeRequest), so each attempt is paced.
        { step: "deserialize", name: "patchctlTpsLimit", override: true },
    );
}

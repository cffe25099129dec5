/**
 * Reading nodes' patch states (DescribeInstancePatchStates, at most 50 ids a call), shared by
 * `compliance` and by scan / install / watch, which report the counts a run left behind.
 *
 * Calls run at most PATCH_STATES_PARALLEL at a time and are paced like every describe call of the
 * client (`--api-rate`, see aws/pacing.ts).
 */
import type { InstancePatchState, SSMClient } from "@aws-sdk/client-ssm";
import { chunk, limiter } from "../aws/concurrency";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { ssmSdk } from "../aws/sdk";

/** DescribeInstancePatchStates accepts at most 50 instance ids a call. */
export const PATCH_STATES_BATCH = PAGE_SIZE.DescribeInstancePatchStates;
/** Patch-state calls in flight at once within one account and Region. */
export const PATCH_STATES_PARALLEL = 4;

export interface PatchStateFetcher {
    /** Queues ids; each full batch of 50 goes out at once, so callers can add ids page by page. */
    add(ids: readonly string[]): void;
    /** Sends the last partial batch, waits for every call and returns the states by instance id. */
    done(): Promise<Map<string, InstancePatchState>>;
}

/**
 * Patch states fetched as ids become known, while the caller keeps listing: ids are buffered into
 * batches of 50 (so N ids take exactly ceil(N/50) calls however the caller's pages are cut), each
 * id is asked for once, and failures surface from done().
 */
export function patchStateFetcher(ssm: SSMClient): PatchStateFetcher {
    const states = new Map<string, InstancePatchState>();
    const run = limiter(PATCH_STATES_PARALLEL);
    const pending: Promise<void>[] = [];
    const seen = new Set<string>();
    let buffer: string[] = [];
    let failure: { error: unknown } | undefined;
    const fetchBatch = async (batch: string[]) => {
        const { paginateDescribeInstancePatchStates } = await ssmSdk();
        const pages = paginateDescribeInstancePatchStates({ client: ssm, pageSize: PATCH_STATES_BATCH }, { InstanceIds: batch });
        for (const state of await collectPages(pages, (page) => page.InstancePatchStates, { operation: "DescribeInstancePatchStates" })) {
            if (state.InstanceId) {
                states.set(state.InstanceId, state);
            }
        }
    };
    const send = (batch: string[]) => {
        // Errors are kept, not left unhandled while more pages load; done() rethrows the first.
        pending.push(run(() => fetchBatch(batch)).catch((error: unknown) => void (failure ??= { error })));
    };
    return {
        add(ids) {
            for (const id of ids) {
                if (id !== "" && !seen.has(id)) {
                    seen.add(id);
                    buffer.push(id);
                }
            }
            while (buffer.length >= PATCH_STATES_BATCH) {
                send(buffer.slice(0, PATCH_STATES_BATCH));
                buffer = buffer.slice(PATCH_STATES_BATCH);
            }
        },
        async done() {
            for (const batch of chunk(buffer, PATCH_STATES_BATCH)) {
                send(batch);
            }
            buffer = [];
            await Promise.all(pending);
            if (failure) throw failure.error;
            return states;
        },
    };
}

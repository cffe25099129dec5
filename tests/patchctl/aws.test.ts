/** patchctl's AWS plumbing: its one concurrency pool, pagination and waiting. */
import * as assert from "node:assert/strict";
import { chunk, limiter, mapSettled } from "../../patchctl/aws/concurrency";
import { collectPages } from "../../patchctl/aws/pagination";
import { pollDelay, pollUntil } from "../../patchctl/aws/wait";

async function* pagesOf<T>(pages: T[][], read: number[]): AsyncGenerator<{ Items: T[] }> {
    for (const [i, items] of pages.entries()) {
        read.push(i);
        yield { Items: items };
    }
}

describe("patchctl concurrency pool", () => {
    it("never runs more than its limit at once, and starts queued work in order", async () => {
        const run = limiter(2);
        let active = 0;
        let most = 0;
        const started: number[] = [];
        const gates: Array<() => void> = [];
        const results = Promise.all(
            [0, 1, 2, 3, 4].map((i) =>
                run(async () => {
                    started.push(i);
                    most = Math.max(most, ++active);
                    await new Promise<void>((resolve) => gates.push(resolve));
                    active--;
                    return i * 10;
                }),
            ),
        );
        while (started.length < 5) {
            await new Promise((resolve) => setImmediate(resolve));
            gates.shift()?.();
        }
        gates.forEach((open) => open());
        assert.deepEqual(await results, [0, 10, 20, 30, 40]);
        assert.equal(most, 2);
        assert.deepEqual(started, [0, 1, 2, 3, 4]);
    });

    it("maps every item, in input order, keeping each failure as that item's outcome", async () => {
        const settled = await mapSettled(["a", "b", "c"], 2, async (item) => {
            if (item === "b") throw new Error("denied");
            return item.toUpperCase();
        });
        assert.deepEqual(settled.map((s) => (s.ok ? s.value : (s.error as Error).message)), ["A", "denied", "C"]);
    });

    it("refuses a limit or batch size below 1", () => {
        assert.throws(() => limiter(0), RangeError);
        assert.throws(() => chunk([1], 0), RangeError);
        assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    });
});

describe("patchctl pagination", () => {
    it("collects every page's items in order, handing each page over as it arrives", async () => {
        const seen: string[][] = [];
        const read: number[] = [];
        const items = await collectPages(pagesOf([["a", "b"], [], ["c"]], read), (page) => page.Items, { onPage: (page) => seen.push(page) });
        assert.deepEqual(items, ["a", "b", "c"]);
        assert.deepEqual(seen, [["a", "b"], [], ["c"]]);
    });

    it("stops reading pages once it has `limit` items", async () => {
        const read: number[] = [];
        const items = await collectPages(pagesOf([["a", "b"], ["c", "d"], ["e"]], read), (page) => page.Items, { limit: 3 });
        assert.deepEqual(items, ["a", "b", "c"]);
        assert.deepEqual(read, [0, 1], "the third page is never asked for");
    });
});

describe("patchctl waiting", () => {
    it("polls after 1 s, 2 s, 4 s, then every interval, never more than the interval", () => {
        assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => pollDelay(n, 5000)), [1000, 2000, 4000, 5000, 5000, 5000]);
        assert.deepEqual([0, 1, 2].map((n) => pollDelay(n, 10)), [10, 10, 10], "a shorter --interval is kept from the start");
        assert.equal(pollDelay(5000, 60_000), 60_000, "no overflow on a long wait");
    });

    it("sees a command that ends soon after it was sent without waiting a whole interval", async () => {
        const at: number[] = [];
        const result = await pollUntil(
            async () => {
                at.push(Date.now());
                return { done: at.length === 2, value: at.length };
            },
            { intervalMs: 600_000, timeoutMs: 1_200_000 },
            false,
        );
        assert.deepEqual(result, { state: "done", value: 2 });
        // The second check came after the first short wait (1 s), not after the 10-minute interval
        // (which would have outlasted the test's own timeout).
        assert.ok(at[1] - at[0] >= 990, `checked again after ${at[1] - at[0]} ms`);
    });
});

/**
 * testing/serveSsm.ts, the loopback endpoint run as a process (compiled, as the README starts it):
 * it says why it stops, and it does not outlive the npx (npm exec) that started it.
 */
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { resolve } from "node:path";
import { assertBuilt } from "../plan/helpers";

const ROOT = resolve(__dirname, "..", "..");
/** The compiled endpoint, as the README starts it (`npm test` builds dist/ first). */
const SERVE = "dist/testing/serveSsm.js";

interface Started {
    child: ChildProcess;
    url: string;
    /** The endpoint's own pid, as it printed it. */
    pid: number;
    stderr: () => string;
    closed: Promise<number | null>;
}

/** Spawns `file args` (which starts the endpoint) and waits for its URL and pid. */
function start(file: string, args: string[]): Promise<Started> {
    return new Promise((resolveStart, reject) => {
        const child = spawn(file, args, { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: "false" }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const closed = new Promise<number | null>((resolveClose) => child.on("close", resolveClose));
        const check = () => {
            const url = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
            const pid = /runs as pid (\d+)/.exec(stderr)?.[1];
            if (url && pid) {
                resolveStart({ child, url, pid: Number(pid), stderr: () => stderr, closed });
            }
        };
        child.stdout?.on("data", (chunk: Buffer) => ((stdout += chunk.toString()), check()));
        child.stderr?.on("data", (chunk: Buffer) => ((stderr += chunk.toString()), check()));
        child.on("error", reject);
        void closed.then((code) => reject(new Error(`exited (${code}) before serving: ${stderr}`)));
    });
}

/** Whether something answers HTTP at `url`. */
function answers(url: string): Promise<boolean> {
    return new Promise((resolveAnswer) => {
        const req = request(url, { method: "POST", agent: false }, (res) => {
            res.resume();
            resolveAnswer(true);
        });
        req.on("error", () => resolveAnswer(false));
        req.end("{}");
    });
}

/** Resolves `promise`, or fails after `ms` saying what did not happen. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (waited ${ms} ms)`)), ms)));
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether `pid` runs (a zombie waiting for its parent to reap it has exited). */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return true;
    }
}

describe("the loopback SSM endpoint process (testing/serveSsm.ts)", () => {
    let started: Started | undefined;
    before(assertBuilt);

    afterEach(() => {
        // Only the endpoint this test started, by the pid it printed, and only if a test failed before it stopped.
        if (started && started.child.exitCode === null && started.child.signalCode === null) {
            started.child.kill("SIGKILL");
        }
        if (started && alive(started.pid)) {
            process.kill(started.pid, "SIGKILL");
        }
        started?.child.stdout?.destroy();
        started?.child.stderr?.destroy();
        started = undefined;
    });

    it("says on stderr that its --ttl ran out, and exits 0", async () => {
        started = await start(process.execPath, [SERVE, "--ttl", "0.5"]);
        const code = await within(started.closed, 30_000, "it did not stop");
        assert.equal(code, 0);
        assert.match(started.stderr(), new RegExp(`^serveSsm: the fake SSM endpoint ${started.url} stopped: --ttl 0\\.5 s ran out$`, "m"));
    });

    it("refuses a --ttl that is not a positive number of seconds", async () => {
        const child = spawn(process.execPath, [SERVE, "--ttl", "soon"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await within(new Promise((r) => child.on("close", r)), 30_000, "it did not exit");
        assert.equal(code, 2);
        assert.equal(stderr, "serveSsm: --ttl 'soon': expected a number of seconds greater than zero\n");
    });

    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        it(`started through npm exec (npx), stops when npm is killed with ${signal}`, async () => {
            started = await start("npm", ["exec", "--offline", "--", "node", SERVE, "--ttl", "120"]);
            assert.notEqual(started.pid, started.child.pid, "the endpoint runs in npm's child process, not in npm");
            assert.ok(await answers(started.url));

            started.child.kill(signal);

            // The endpoint's process held our stdout and stderr: they close when it has exited.
            await within(started.closed, 30_000, "the endpoint kept running after npm was killed");
            assert.equal(alive(started.pid), false);
            assert.equal(await answers(started.url), false);
            assert.match(started.stderr(), new RegExp(`serveSsm: the fake SSM endpoint ${started.url} stopped: (the process that started it \\(pid \\d+\\) went away|SIGTERM)\\n`));
        });
    }
});

// The pack process, started as the engine starts a Node.js policy pack for `pulumi preview
// --policy-pack <dir>`: @pulumi/pulumi/cmd/run-policy-pack with the engine's address and ".", in
// the pack's folder, with PulumiPolicy.yaml's runtime options as `-<key>=<value>` arguments. It
// prints the port it serves the analyzer protocol on; closing it stops it.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import { Protocol } from "./protocol";
import { PolicyPackError } from "./types";

/** A started pack process, serving the analyzer protocol on `port`. */
export interface PackProcess {
    readonly port: number;
    readonly pid: number | undefined;
    /** What the pack logged: its stdout after the port, its stderr, and engine Log calls. */
    readonly logs: string[];
    /** The last lines of its stderr, for an error message (`:\n...`, or "" when it wrote none). */
    stderrTail(): string;
    /** Stops it (SIGTERM, then SIGKILL after 3 s) and the engine endpoint it was given. */
    close(): Promise<void>;
}

/** The engine's side: run-policy-pack takes its address first. A Log call lands in `logs`. */
async function startEngine(proto: Protocol, logs: string[]) {
    const { grpc } = proto;
    const server = new grpc.Server();
    const impl: engineGrpcTypes.IEngineServer = {
        log: (call, cb) => {
            logs.push(`engine log: ${call.request.getMessage()}`);
            cb(null, new proto.empty.Empty());
        },
        getRootResource: (_call, cb) => cb(null, new proto.engine.GetRootResourceResponse()),
        setRootResource: (_call, cb) => cb(null, new proto.engine.SetRootResourceResponse()),
        startDebugging: (_call, cb) => cb(null, new proto.empty.Empty()),
        requirePulumiVersion: (_call, cb) => cb(null, new proto.engine.RequirePulumiVersionResponse()),
    };
    server.addService(proto.engineGrpc.EngineService, impl);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    return { server, port };
}

/** The arguments the engine passes: run-policy-pack, the engine address, ".", and PulumiPolicy.yaml's runtime options. */
function packArgs(dir: string, runPolicyPack: string, enginePort: number): string[] {
    const args = [runPolicyPack, `127.0.0.1:${enginePort}`, "."];
    try {
        const project = YAML.parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime?: { options?: Record<string, unknown> } } | null;
        for (const [k, v] of Object.entries(project?.runtime?.options ?? {})) if (`${v}` !== "") args.push(`-${k}=${v}`);
    } catch {
        // An unreadable PulumiPolicy.yaml is the pack's problem; it is reported when it fails to start.
    }
    return args;
}

function tail(stderr: string): string {
    const lines = stderr.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
    return lines.length === 0 ? "" : `:\n${lines.slice(-15).join("\n")}`;
}

/** Starts the pack in `dir` and waits for the port it prints (at most `startTimeoutMs`). */
export async function launchPack(dir: string, proto: Protocol, opts: { startTimeoutMs: number; env?: Record<string, string> }): Promise<PackProcess> {
    const logs: string[] = [];
    const engine = await startEngine(proto, logs);

    const child: ChildProcess = spawn(process.execPath, packArgs(dir, proto.runPolicyPack, engine.port), {
        cwd: dir,
        env: { ...process.env, ...(opts.env ?? {}) },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError = "";
    const exitPromise = new Promise<void>((resolve) => {
        child.once("exit", (code, signal) => {
            exited = { code, signal };
            resolve();
        });
        child.once("error", (err) => {
            // Could not be spawned (or killed): no "exit" follows.
            spawnError = err.message;
            exited ??= { code: null, signal: null };
            resolve();
        });
    });
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
        stderr += d;
        for (const line of d.split("\n")) if (line.trim() !== "") logs.push(line);
    });

    let closed = false;
    const close = async () => {
        if (closed) return;
        closed = true;
        if (!exited) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await exitPromise;
            clearTimeout(timer);
        }
        process.removeListener("exit", killOnExit);
        engine.server.forceShutdown();
    };

    try {
        const port = await new Promise<number>((resolve, reject) => {
            let buffer = "";
            let found = false;
            const timer = setTimeout(() => reject(new PolicyPackError(`policy pack ${dir} did not print its port within ${opts.startTimeoutMs / 1000} s${tail(stderr)}`)), opts.startTimeoutMs);
            child.stdout?.setEncoding("utf8");
            child.stdout?.on("data", (d: string) => {
                if (found) {
                    for (const line of d.split("\n")) if (line.trim() !== "") logs.push(line);
                    return;
                }
                buffer += d;
                const nl = buffer.indexOf("\n");
                if (nl < 0) return;
                const first = buffer.slice(0, nl).trim();
                found = true;
                clearTimeout(timer);
                for (const line of buffer.slice(nl + 1).split("\n")) if (line.trim() !== "") logs.push(line);
                if (/^\d+$/.test(first)) resolve(Number(first));
                else reject(new PolicyPackError(`policy pack ${dir} printed "${first.slice(0, 200)}" instead of its port${tail(stderr)}`));
            });
            void exitPromise.then(() => {
                clearTimeout(timer);
                // Let stderr drain before reporting.
                setImmediate(() => reject(new PolicyPackError(`policy pack ${dir} exited (${spawnError || exited?.code || exited?.signal}) before serving${tail(stderr)}`)));
            });
        });
        return { port, pid: child.pid, logs, stderrTail: () => tail(stderr), close };
    } catch (err) {
        await close();
        throw err;
    }
}

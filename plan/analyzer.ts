// Runs a policy pack over a plan the way the Pulumi engine does during `pulumi preview
// --policy-pack <dir>`: it launches the pack with @pulumi/pulumi/cmd/run-policy-pack (arguments:
// the engine address and ".", working directory the pack's folder; run-policy-pack registers
// ts-node itself, so a TypeScript pack runs from source), reads the port the pack prints, and
// drives it over the pulumirpc.Analyzer protocol: GetAnalyzerInfo, ConfigureStack, Configure,
// Analyze for each resource (with its provider), AnalyzeStack with all of them.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as YAML from "yaml";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as enginePbTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import { isUnknown as isOutputUnknown } from "@pulumi/pulumi/output";
import { readYamlFile } from "../lib/yamlFile";
import type { PlannedResource } from "./run";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy verdict, as `pulumi preview` reports it. */
export interface PolicyDiagnostic {
    policyPackName: string;
    policyPackVersion: string;
    /** The policy's name, e.g. ec2-instance-environment-tag. */
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** The resource it is about; absent for a stack-level verdict. */
    urn?: string;
    /** The message as the pack sent it (for a string violation: the policy description, a newline, the violation). */
    message: string;
    /** The message without the leading description line: the violation itself. */
    detail: string;
    /** The policy's description. */
    description?: string;
}

/** A policy of the pack, from GetAnalyzerInfo. */
export interface PackPolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    kind: "resource" | "stack" | "unknown";
    /** The policy's config schema (JSON schema of each property), when it has one. */
    configSchema?: { properties: Record<string, JsonSchema>; required: string[] };
}

/** The pack, from GetAnalyzerInfo. */
export interface PackInfo {
    name: string;
    version: string;
    displayName?: string;
    description?: string;
    policies: PackPolicyInfo[];
}

/** A resource to analyze: a planned resource, optionally with the property dependencies the engine would send. */
export type AnalyzedResource = PlannedResource & { propertyDependencies?: Record<string, string[]> };

export interface AnalyzeOptions {
    /** Stack config as the engine holds it (namespaced keys, string values): default providers and ConfigureStack. */
    stackConfig?: Record<string, string>;
    /** Policy config in the format of `pulumi preview --policy-pack-config`; see loadPolicyConfigFile. */
    policyConfig?: Record<string, unknown>;
    /** Where the policy config comes from, for error messages (a loaded file names itself). */
    policyConfigSource?: string;
    /** Project and stack names; read from the resources' URNs when absent. */
    project?: string;
    stack?: string;
    /** Whether this is a preview (ConfigureStack dryRun). Defaults to true. */
    preview?: boolean;
}

/** A running pack: analyze as many resource sets as needed, then close. */
export interface RunningPack {
    info: PackInfo;
    /** Analyze calls on one pack run one at a time (Configure sets pack-wide state). */
    analyze(resources: AnalyzedResource[], opts?: AnalyzeOptions): Promise<PolicyDiagnostic[]>;
    /** What the pack logged (its stdout after the port, its stderr, and engine Log calls). */
    readonly logs: string[];
    /** The pack process id. */
    readonly pid: number | undefined;
    close(): Promise<void>;
}

export interface StartPackOptions {
    /** Milliseconds to wait for the pack to print its port (it type-checks itself first). Defaults to 60000. */
    startTimeoutMs?: number;
    /** Deadline of each RPC, in milliseconds. Defaults to 120000. */
    callTimeoutMs?: number;
    /** Extra environment of the pack process; PULUMI_CONFIG and the like, as the engine sets them. */
    env?: Record<string, string>;
}

/** A policy config that is not valid: one line naming the file (when known) and the key. */
export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

/** The pack could not start, or failed while analyzing. */
export class PolicyPackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyPackError";
    }
}

/** A JSON schema, as policies declare their config. */
export type JsonSchema = {
    type?: string | string[];
    enum?: unknown[];
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
    minItems?: number;
    maxItems?: number;
    items?: JsonSchema;
    properties?: Record<string, JsonSchema>;
    default?: unknown;
    [key: string]: unknown;
};

// ---------------------------------------------------------------------------------------------
// Policy config files: the format of `pulumi preview --policy-pack-config <file>`.

const CONFIG_SOURCE = Symbol("policyConfigSource");

/** A normalized per-policy config entry. */
export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

function isEnforcementLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

const show = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/**
 * Checks the shape of a policy config: an object mapping policy names (or "all") to an
 * enforcement level (`"mandatory"`) or to an object of config with an optional enforcementLevel
 * (`{ "enforcementLevel": "advisory", "allowedValues": ["Production"] }`).
 */
export function normalizePolicyConfig(raw: unknown, source = "policy config"): Record<string, PolicyConfigEntry> {
    if (raw === null || raw === undefined) return {};
    if (typeof raw !== "object" || Array.isArray(raw)) {
        throw new PolicyConfigError(`${source}: must be an object mapping policy names to an enforcement level or to an object of config`);
    }
    const out: Record<string, PolicyConfigEntry> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!isEnforcementLevel(value)) {
                throw new PolicyConfigError(`${source}: ${key}: ${show(value)} is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}`);
            }
            out[key] = { enforcementLevel: value, properties: {} };
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
                throw new PolicyConfigError(`${source}: ${key}.enforcementLevel: ${show(enforcementLevel)} is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}`);
            }
            out[key] = { enforcementLevel, properties };
        } else {
            throw new PolicyConfigError(`${source}: ${key}: must be an enforcement level or an object of config; got ${show(value)}`);
        }
    }
    if (out.all && Object.keys(out.all.properties).length > 0) {
        throw new PolicyConfigError(`${source}: all: only an enforcement level applies to all policies; give config under each policy's name`);
    }
    return out;
}

/**
 * Reads a policy config file (JSON, as `--policy-pack-config` takes; YAML is read as well) and
 * checks its shape. Errors are one line naming the file and the key.
 */
export function loadPolicyConfigFile(file: string): Record<string, unknown> {
    const doc = readYamlFile(file, "policy config file", (m) => new PolicyConfigError(m));
    normalizePolicyConfig(doc, file);
    const config = { ...(doc as Record<string, unknown> | null ?? {}) };
    Object.defineProperty(config, CONFIG_SOURCE, { value: file, enumerable: false });
    return config;
}

/** Checks a value against the subset of JSON schema policies use; the first problem, with its path (`[0]`, `.key`) when nested. */
export function schemaProblem(value: unknown, schema: JsonSchema, at = ""): { at: string; message: string } | undefined {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    const typeOf = (v: unknown): string[] => {
        if (v === null) return ["null"];
        if (Array.isArray(v)) return ["array"];
        if (typeof v === "number") return Number.isInteger(v) ? ["integer", "number"] : ["number"];
        return [typeof v];
    };
    const problem = (message: string) => ({ at, message });
    if (types.length > 0 && !typeOf(value).some((t) => types.includes(t))) {
        const want = types.map((t) => (t === "array" && typeof schema.items?.type === "string" ? `an array of ${schema.items.type}s` : `of type ${t}`)).join(" or ");
        return problem(`must be ${want}; got ${show(value)}`);
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        return problem(`must be one of ${schema.enum.map(show).join(", ")}; got ${show(value)}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) return problem(`must be at least ${schema.minimum}; got ${value}`);
        if (schema.maximum !== undefined && value > schema.maximum) return problem(`must be at most ${schema.maximum}; got ${value}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) return problem(schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength} characters`);
        if (schema.maxLength !== undefined && value.length > schema.maxLength) return problem(`must be at most ${schema.maxLength} characters`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) return problem(`must have at least ${schema.minItems} items`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems) return problem(`must have at most ${schema.maxItems} items`);
        if (schema.items) {
            for (const [i, v] of value.entries()) {
                const p = schemaProblem(v, schema.items, `${at}[${i}]`);
                if (p) return p;
            }
        }
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value) && schema.properties) {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            const s = schema.properties[k];
            const p = s ? schemaProblem(v, s, `${at}.${k}`) : undefined;
            if (p) return p;
        }
    }
    return undefined;
}

/**
 * What the engine sends in Configure: for every policy, its enforcement level and config, from
 * the schema defaults, then "all", then the policy's own entry; validated against the schema.
 * Unlike the engine, unknown policy names and config keys are refused (they are typos).
 */
export function reconcilePolicyConfig(info: PackInfo, config: Record<string, unknown> | undefined, source?: string): Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> {
    const where = source ?? (config as { [CONFIG_SOURCE]?: string } | undefined)?.[CONFIG_SOURCE] ?? "policy config";
    const given = normalizePolicyConfig(config ?? {}, where);
    const result: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> = {};
    for (const p of info.policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (s.default !== undefined) properties[k] = structuredClone(s.default);
        }
        result[p.name] = { enforcementLevel: given.all?.enforcementLevel ?? p.enforcementLevel, properties };
    }
    for (const [name, entry] of Object.entries(given)) {
        if (name === "all") continue;
        const policy = info.policies.find((p) => p.name === name);
        if (!policy) {
            throw new PolicyConfigError(`${where}: ${name}: no such policy in pack ${info.name}; its policies: ${info.policies.map((p) => p.name).join(", ")}`);
        }
        const known = Object.keys(policy.configSchema?.properties ?? {});
        for (const [k, v] of Object.entries(entry.properties)) {
            if (!known.includes(k)) {
                throw new PolicyConfigError(`${where}: ${name}.${k}: not a config key of the policy; ${known.length ? `its keys: ${known.join(", ")}, enforcementLevel` : "it takes only enforcementLevel"}`);
            }
            const problem = schemaProblem(v, policy.configSchema?.properties[k] ?? {});
            if (problem) throw new PolicyConfigError(`${where}: ${name}.${k}${problem.at}: ${problem.message}`);
            result[name].properties[k] = v;
        }
        if (entry.enforcementLevel) result[name].enforcementLevel = entry.enforcementLevel;
    }
    for (const p of info.policies) {
        for (const r of p.configSchema?.required ?? []) {
            if (result[p.name].properties[r] === undefined) throw new PolicyConfigError(`${where}: ${p.name}.${r}: is required by the policy`);
        }
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// The protocol, loaded from the copies of @pulumi/pulumi, google-protobuf and @grpc/grpc-js that
// the pack itself loads (resolved from its folder, as run-policy-pack is), so that messages pass
// the pack's `instanceof` checks.

interface Protocol {
    grpc: typeof grpcTypes;
    struct: typeof structTypes;
    empty: typeof emptyTypes;
    analyzer: typeof analyzerPbTypes;
    analyzerGrpc: typeof analyzerGrpcTypes;
    engine: typeof enginePbTypes;
    engineGrpc: typeof engineGrpcTypes;
    runPolicyPack: string;
}

function loadProtocol(packDir: string): Protocol {
    let pulumiPackage: string;
    try {
        pulumiPackage = createRequire(path.join(packDir, "package.json")).resolve("@pulumi/pulumi/package.json");
    } catch {
        throw new PolicyPackError(`${packDir}: cannot find @pulumi/pulumi from the policy pack; run npm install in it (or at the project root)`);
    }
    const req = createRequire(pulumiPackage);
    return {
        grpc: req("@grpc/grpc-js"),
        struct: req("google-protobuf/google/protobuf/struct_pb"),
        empty: req("google-protobuf/google/protobuf/empty_pb"),
        analyzer: req("./proto/analyzer_pb"),
        analyzerGrpc: req("./proto/analyzer_grpc_pb"),
        engine: req("./proto/engine_pb"),
        engineGrpc: req("./proto/engine_grpc_pb"),
        runPolicyPack: path.join(path.dirname(pulumiPackage), "cmd", "run-policy-pack"),
    };
}

// ---------------------------------------------------------------------------------------------
// Values: planned inputs to the wire form the engine sends (unknowns as the unknown sentinel).

const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * A planned input as a JSON value for a protobuf Struct, as the engine marshals it for analyzers:
 * unknowns (what a preview under mocks deserializes them to) as the unknown sentinel, secrets in
 * their wire form; undefined drops the property.
 */
export function wireValue(v: unknown): unknown {
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v === "bigint") return Number(v);
    if (isOutputUnknown(v)) return UNKNOWN_SENTINEL;
    if (Array.isArray(v)) return v.map((e) => wireValue(e) ?? null);
    if (typeof v === "object") {
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null && !(SIG_KEY in (v as object))) return undefined; // resources, assets: not sent
        const out: Record<string, unknown> = {};
        for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
            const w = wireValue(e);
            if (w !== undefined) out[k] = w;
        }
        return out;
    }
    return undefined;
}

/** The project and stack from a URN: `urn:pulumi:<stack>::<project>::...`. */
function projectAndStack(urn: string | undefined): { project: string; stack: string } {
    const m = urn ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) : null;
    return m ? { stack: m[1], project: m[2] } : { project: "project", stack: "stack" };
}

/** The version of a provider package of the program (this project), for default provider names (`default_7_48_0`). */
function providerVersion(pkg: string): string {
    try {
        const file = createRequire(path.resolve(__dirname, "..", "package.json")).resolve(`@pulumi/${pkg}/package.json`);
        const version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
        return typeof version === "string" ? version.replace(/^v/, "") : "";
    } catch {
        return "";
    }
}

interface ProviderView {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/**
 * The provider each resource uses: the provider resource it names, or the default provider of its
 * package, which the engine creates from the stack config (`aws:region`, `aws:defaultTags`, ...:
 * string values, structured ones JSON) and registers before the resources that use it.
 */
function providersOf(resources: AnalyzedResource[], stackConfig: Record<string, string>, project: string, stack: string) {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const defaults = new Map<string, ProviderView>();
    const of = (r: AnalyzedResource): ProviderView | undefined => {
        if (r.provider) {
            const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
            const p = byUrn.get(urn);
            if (p) return { urn, type: p.type, name: p.name, inputs: p.inputs };
            const type = urn.split("::")[2] ?? "pulumi:providers:unknown";
            return { urn, type, name: urn.split("::")[3] ?? "", inputs: {} };
        }
        if (!r.custom || r.type.startsWith("pulumi:")) return undefined;
        const pkg = r.type.split(":")[0];
        let d = defaults.get(pkg);
        if (!d) {
            const version = providerVersion(pkg);
            const inputs: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(stackConfig)) {
                if (k.startsWith(`${pkg}:`)) inputs[k.slice(pkg.length + 1)] = v;
            }
            if (version) inputs.version = version;
            const name = version ? `default_${version.replace(/[.-]/g, "_")}` : "default";
            d = { urn: `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::${name}`, type: `pulumi:providers:${pkg}`, name, inputs };
            defaults.set(pkg, d);
        }
        return d;
    };
    return { of, defaults };
}

// ---------------------------------------------------------------------------------------------
// The pack process.

function fromEnforcementLevel(analyzer: typeof analyzerPbTypes, el: number): EnforcementLevel {
    switch (el) {
        case analyzer.EnforcementLevel.MANDATORY: return "mandatory";
        case analyzer.EnforcementLevel.REMEDIATE: return "remediate";
        case analyzer.EnforcementLevel.DISABLED: return "disabled";
        default: return "advisory";
    }
}

function toEnforcementLevel(analyzer: typeof analyzerPbTypes, el: EnforcementLevel): analyzerPbTypes.EnforcementLevel {
    switch (el) {
        case "mandatory": return analyzer.EnforcementLevel.MANDATORY;
        case "remediate": return analyzer.EnforcementLevel.REMEDIATE;
        case "disabled": return analyzer.EnforcementLevel.DISABLED;
        default: return analyzer.EnforcementLevel.ADVISORY;
    }
}

type Unary = (req: unknown, metadata: grpcTypes.Metadata, options: Partial<grpcTypes.CallOptions>, cb: (err: grpcTypes.ServiceError | null, res: unknown) => void) => unknown;

/** Runs tasks with at most `limit` in flight; results in order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
}

/**
 * Starts a policy pack as the engine does and connects to it. Starting costs seconds (the pack
 * type-checks itself with ts-node); analyze as many resource sets as needed, then close.
 */
export async function startPack(packDir: string, opts: StartPackOptions = {}): Promise<RunningPack> {
    const dir = path.resolve(packDir);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
        throw new PolicyPackError(`${dir}: not a policy pack (no PulumiPolicy.yaml)`);
    }
    const proto = loadProtocol(dir);
    const { grpc } = proto;
    const startTimeout = opts.startTimeoutMs ?? 60_000;
    const callTimeout = opts.callTimeoutMs ?? 120_000;
    const logs: string[] = [];

    // The engine: run-policy-pack takes its address first. The Node.js pack does not call it
    // today, but it gets a live one, as from the engine; its Log calls land in `logs`.
    const engineServer = new grpc.Server();
    const engineImpl: engineGrpcTypes.IEngineServer = {
        log: (call, cb) => {
            logs.push(`engine log: ${call.request.getMessage()}`);
            cb(null, new proto.empty.Empty());
        },
        getRootResource: (_call, cb) => cb(null, new proto.engine.GetRootResourceResponse()),
        setRootResource: (_call, cb) => cb(null, new proto.engine.SetRootResourceResponse()),
        startDebugging: (_call, cb) => cb(null, new proto.empty.Empty()),
        requirePulumiVersion: (_call, cb) => cb(null, new proto.engine.RequirePulumiVersionResponse()),
    };
    engineServer.addService(proto.engineGrpc.EngineService, engineImpl);
    const enginePort = await new Promise<number>((resolve, reject) =>
        engineServer.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));

    // Runtime options of PulumiPolicy.yaml become `-<key>=<value>` arguments, as the engine passes them.
    const args = [proto.runPolicyPack, `127.0.0.1:${enginePort}`, "."];
    try {
        const project = YAML.parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime?: { options?: Record<string, unknown> } } | null;
        for (const [k, v] of Object.entries(project?.runtime?.options ?? {})) if (`${v}` !== "") args.push(`-${k}=${v}`);
    } catch {
        // An unreadable PulumiPolicy.yaml is the pack's problem; it is reported when it fails to start.
    }

    const child: ChildProcess = spawn(process.execPath, args, {
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

    let client: analyzerGrpcTypes.AnalyzerClient | undefined;
    let closed = false;
    const close = async () => {
        if (closed) return;
        closed = true;
        client?.close();
        if (!exited) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await exitPromise;
            clearTimeout(timer);
        }
        process.removeListener("exit", killOnExit);
        engineServer.forceShutdown();
    };

    try {
        const port = await new Promise<number>((resolve, reject) => {
            let buffer = "";
            let found = false;
            const timer = setTimeout(() => reject(new PolicyPackError(`policy pack ${dir} did not print its port within ${startTimeout / 1000} s${tail(stderr)}`)), startTimeout);
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

        const analyzerClient = new proto.analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        client = analyzerClient;
        await new Promise<void>((resolve, reject) =>
            analyzerClient.waitForReady(Date.now() + 10_000, (err) => (err ? reject(new PolicyPackError(`policy pack ${dir}: cannot connect to port ${port}: ${err.message}`)) : resolve())));

        const call = <Res>(method: keyof analyzerGrpcTypes.IAnalyzerClient, req: unknown, what: string): Promise<Res> =>
            new Promise<Res>((resolve, reject) => {
                const fn = (analyzerClient[method] as unknown as Unary).bind(analyzerClient);
                fn(req, new grpc.Metadata(), { deadline: Date.now() + callTimeout }, (err, res) => {
                    if (err) reject(new PolicyPackError(`policy pack ${dir}: ${what} failed: ${err.details || err.message}${tail(stderr)}`));
                    else resolve(res as Res);
                });
            });

        const rawInfo = await call<analyzerPbTypes.AnalyzerInfo>("getAnalyzerInfo", new proto.empty.Empty(), "GetAnalyzerInfo");
        const info: PackInfo = {
            name: rawInfo.getName(),
            version: rawInfo.getVersion(),
            displayName: rawInfo.getDisplayname() || undefined,
            description: rawInfo.getDescription() || undefined,
            policies: rawInfo.getPoliciesList().map((p) => {
                const schema = p.getConfigschema();
                const policy: PackPolicyInfo = {
                    name: p.getName(),
                    description: p.getDescription(),
                    enforcementLevel: fromEnforcementLevel(proto.analyzer, p.getEnforcementlevel()),
                    kind: p.getPolicyType() === proto.analyzer.PolicyType.POLICY_TYPE_STACK ? "stack"
                        : p.getPolicyType() === proto.analyzer.PolicyType.POLICY_TYPE_RESOURCE ? "resource" : "unknown",
                };
                if (schema) {
                    policy.configSchema = {
                        properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>,
                        required: schema.getRequiredList(),
                    };
                }
                return policy;
            }),
        };

        let queue: Promise<unknown> = Promise.resolve();
        const analyze = (resources: AnalyzedResource[], aopts: AnalyzeOptions = {}): Promise<PolicyDiagnostic[]> => {
            const run = queue.then(() => analyzeOnce(resources, aopts));
            queue = run.catch(() => undefined);
            return run;
        };

        const analyzeOnce = async (resources: AnalyzedResource[], aopts: AnalyzeOptions): Promise<PolicyDiagnostic[]> => {
            if (closed) throw new PolicyPackError(`policy pack ${dir} is closed`);
            const policyConfig = reconcilePolicyConfig(info, aopts.policyConfig, aopts.policyConfigSource);
            const stackConfig = aopts.stackConfig ?? {};
            const names = projectAndStack(resources[0]?.urn);
            const project = aopts.project ?? names.project;
            const stack = aopts.stack ?? names.stack;

            const stackReq = new proto.analyzer.AnalyzerStackConfigureRequest();
            stackReq.setStack(stack);
            stackReq.setProject(project);
            stackReq.setOrganization("organization");
            stackReq.setDryRun(aopts.preview ?? true);
            for (const [k, v] of Object.entries(stackConfig)) stackReq.getConfigMap().set(k, v);
            stackReq.getTagsMap().set("pulumi:project", project);
            stackReq.getTagsMap().set("pulumi:runtime", "nodejs");
            await call("configureStack", stackReq, "ConfigureStack");

            const configReq = new proto.analyzer.ConfigureAnalyzerRequest();
            for (const [name, c] of Object.entries(policyConfig)) {
                const pc = new proto.analyzer.PolicyConfig();
                pc.setEnforcementlevel(toEnforcementLevel(proto.analyzer, c.enforcementLevel));
                pc.setProperties(proto.struct.Struct.fromJavaScript(wireValue(c.properties) as Record<string, structTypes.JavaScriptValue>));
                configReq.getPolicyconfigMap().set(name, pc);
            }
            await call("configure", configReq, "Configure");

            const providers = providersOf(resources, stackConfig, project, stack);
            const structOf = (inputs: Record<string, unknown>) =>
                proto.struct.Struct.fromJavaScript((wireValue(inputs) ?? {}) as Record<string, structTypes.JavaScriptValue>);
            const providerMessage = (p: ProviderView | undefined) => {
                if (!p) return undefined;
                const m = new proto.analyzer.AnalyzerProviderResource();
                m.setUrn(p.urn);
                m.setType(p.type);
                m.setName(p.name);
                m.setProperties(structOf(p.inputs));
                return m;
            };
            const optionsOf = (parent: string | undefined) => {
                const o = new proto.analyzer.AnalyzerResourceOptions();
                o.setProtect(false);
                o.setIgnorechangesList([]);
                o.setAliasesList([]);
                o.setAdditionalsecretoutputsList([]);
                const timeouts = new proto.analyzer.AnalyzerResourceOptions.CustomTimeouts();
                o.setCustomtimeouts(timeouts);
                if (parent) o.setParent(parent);
                return o;
            };
            const diagnosticsOf = (resp: analyzerPbTypes.AnalyzeResponse, urn?: string): PolicyDiagnostic[] =>
                resp.getDiagnosticsList().map((d) => {
                    const diag: PolicyDiagnostic = {
                        policyPackName: d.getPolicypackname(),
                        policyPackVersion: d.getPolicypackversion(),
                        policy: d.getPolicyname(),
                        enforcementLevel: fromEnforcementLevel(proto.analyzer, d.getEnforcementlevel()),
                        message: d.getMessage(),
                        detail: d.getDescription() && d.getMessage().startsWith(`${d.getDescription()}\n`)
                            ? d.getMessage().slice(d.getDescription().length + 1)
                            : d.getMessage(),
                    };
                    const u = d.getUrn() || urn;
                    if (u) diag.urn = u;
                    if (d.getDescription()) diag.description = d.getDescription();
                    return diag;
                });

            /** The fields Analyze and AnalyzeStack describe a resource with alike. */
            const describe = <M extends analyzerPbTypes.AnalyzeRequest | analyzerPbTypes.AnalyzerResource>(m: M, r: AnalyzedResource, provider: ReturnType<typeof providerMessage>): M => {
                m.setUrn(r.urn);
                m.setType(r.type);
                m.setName(r.name);
                m.setProperties(structOf(r.inputs));
                m.setOptions(optionsOf(r.parent));
                if (provider) m.setProvider(provider);
                return m;
            };

            // Analyze: each resource with its inputs, as it is registered.
            const perResource = await pool(resources, 32, async (r) => {
                const req = describe(new proto.analyzer.AnalyzeRequest(), r, providerMessage(providers.of(r)));
                const resp = await call<analyzerPbTypes.AnalyzeResponse>("analyze", req, `Analyze(${r.urn})`);
                return diagnosticsOf(resp, r.urn);
            });

            // AnalyzeStack: every resource of the stack, default providers included (registered first).
            const stackReqAll = new proto.analyzer.AnalyzeStackRequest();
            const stackResources: AnalyzedResource[] = [
                ...[...providers.defaults.values()].map((d): AnalyzedResource => ({
                    urn: d.urn, type: d.type, name: d.name, custom: true, inputs: d.inputs, dependencies: [],
                    placement: { region: String(d.inputs.region ?? ""), accountId: "" },
                })),
                ...resources,
            ];
            // Every resource is listed: default providers resolve only after all resources were seen.
            const messages = resources.map((r) => providerMessage(providers.of(r)));
            stackReqAll.setResourcesList(stackResources.map((r, i) => {
                const m = describe(new proto.analyzer.AnalyzerResource(), r, i >= providers.defaults.size ? messages[i - providers.defaults.size] : undefined);
                if (r.parent) m.setParent(r.parent);
                m.setDependenciesList(r.dependencies ?? []);
                for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    if (urns.length === 0) continue;
                    const deps = new proto.analyzer.AnalyzerPropertyDependencies();
                    deps.setUrnsList(urns);
                    m.getPropertydependenciesMap().set(k, deps);
                }
                return m;
            }));
            const stackResp = await call<analyzerPbTypes.AnalyzeResponse>("analyzeStack", stackReqAll, "AnalyzeStack");
            return [...perResource.flat(), ...diagnosticsOf(stackResp)];
        };

        return { info, analyze, logs, pid: child.pid, close };
    } catch (err) {
        await close();
        throw err;
    }
}

function tail(stderr: string): string {
    const lines = stderr.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
    return lines.length === 0 ? "" : `:\n${lines.slice(-15).join("\n")}`;
}

/**
 * Runs a policy pack over planned resources as `pulumi preview --policy-pack <packDir>
 * [--policy-pack-config <file>]` would: starts it, analyzes, stops it.
 */
export async function analyzeWithPack(args: {
    packDir: string;
    resources: AnalyzedResource[];
    stackConfig?: Record<string, string>;
    policyConfig?: Record<string, unknown>;
    policyConfigSource?: string;
    project?: string;
    stack?: string;
}): Promise<{ pack: { name: string; version: string }; diagnostics: PolicyDiagnostic[] }> {
    const names = projectAndStack(args.resources[0]?.urn);
    const project = args.project ?? names.project;
    const stack = args.stack ?? names.stack;
    const pack = await startPack(args.packDir, {
        env: {
            // What the engine sets for a policy pack (constructEnv).
            ...(args.stackConfig ? { PULUMI_CONFIG: JSON.stringify(args.stackConfig) } : {}),
            PULUMI_NODEJS_PROJECT: project,
            PULUMI_NODEJS_STACK: stack,
            PULUMI_NODEJS_DRY_RUN: "true",
            PULUMI_PROJECT: project,
            PULUMI_STACK: stack,
            PULUMI_DRY_RUN: "true",
        },
    });
    try {
        const diagnostics = await pack.analyze(args.resources, {
            stackConfig: args.stackConfig, policyConfig: args.policyConfig, policyConfigSource: args.policyConfigSource, project, stack,
        });
        return { pack: { name: pack.info.name, version: pack.info.version }, diagnostics };
    } finally {
        await pack.close();
    }
}

/** The policy pack of this project. */
export const PATCH_COMPLIANCE_PACK_DIR = path.resolve(__dirname, "..", "policies");

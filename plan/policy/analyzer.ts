// The analyzer protocol, driven as the engine drives a policy pack during `pulumi preview
// --policy-pack <dir>`: GetAnalyzerInfo once, then for each set of resources ConfigureStack,
// Configure, Analyze for each resource (with its provider), AnalyzeStack with all of them.
import * as fs from "fs";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { reconcilePolicyConfig } from "./reconcile";
import { launchPack } from "./pack";
import { loadProtocol, Protocol } from "./protocol";
import { projectAndStack, ProviderView, providersOf } from "./providers";
import {
    AnalyzedResource, AnalyzeOptions, JsonSchema, PackInfo, PackPolicyInfo, PolicyDiagnostic, PolicyPackError, RunningPack, StartPackOptions,
} from "./types";
import { fromEnforcementLevel, toEnforcementLevel, wireValue } from "./wire";

type Unary = (req: unknown, metadata: grpcTypes.Metadata, options: Partial<grpcTypes.CallOptions>, cb: (err: grpcTypes.ServiceError | null, res: unknown) => void) => unknown;
type Call = <Res>(method: keyof analyzerGrpcTypes.IAnalyzerClient, req: unknown, what: string) => Promise<Res>;

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

/** GetAnalyzerInfo: the pack, its policies, their enforcement levels and config schemas. */
async function getInfo(proto: Protocol, call: Call): Promise<PackInfo> {
    const rawInfo = await call<analyzerPbTypes.AnalyzerInfo>("getAnalyzerInfo", new proto.empty.Empty(), "GetAnalyzerInfo");
    return {
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
}

/** ConfigureStack, Configure, Analyze for each resource, AnalyzeStack: the verdicts on one set of resources. */
async function analyzeOnce(proto: Protocol, call: Call, info: PackInfo, resources: AnalyzedResource[], aopts: AnalyzeOptions): Promise<PolicyDiagnostic[]> {
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
    // Each resource's inputs and each provider are encoded once, for Analyze and AnalyzeStack alike.
    const structs = new Map<Record<string, unknown>, structTypes.Struct>();
    const structOf = (inputs: Record<string, unknown>) => {
        let st = structs.get(inputs);
        if (!st) {
            st = proto.struct.Struct.fromJavaScript((wireValue(inputs) ?? {}) as Record<string, structTypes.JavaScriptValue>);
            structs.set(inputs, st);
        }
        return st;
    };
    const providerMessages = new Map<string, analyzerPbTypes.AnalyzerProviderResource>();
    const providerMessage = (p: ProviderView | undefined) => {
        if (!p) return undefined;
        let m = providerMessages.get(p.urn);
        if (!m) {
            m = new proto.analyzer.AnalyzerProviderResource();
            m.setUrn(p.urn);
            m.setType(p.type);
            m.setName(p.name);
            m.setProperties(structOf(p.inputs));
            providerMessages.set(p.urn, m);
        }
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
}

/**
 * Starts a policy pack as the engine does and connects to it. Starting costs about a second for a
 * JavaScript pack and several for a TypeScript one (it type-checks itself with ts-node); analyze
 * as many resource sets as needed, then close.
 */
export async function startPack(packDir: string, opts: StartPackOptions = {}): Promise<RunningPack> {
    const dir = path.resolve(packDir);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
        throw new PolicyPackError(`${dir}: not a policy pack (no PulumiPolicy.yaml)`);
    }
    const proto = loadProtocol(dir);
    const { grpc } = proto;
    const callTimeout = opts.callTimeoutMs ?? 120_000;
    const pack = await launchPack(dir, proto, { startTimeoutMs: opts.startTimeoutMs ?? 60_000, env: opts.env });

    let client: analyzerGrpcTypes.AnalyzerClient | undefined;
    let closed = false;
    const close = async () => {
        if (closed) return;
        closed = true;
        client?.close();
        await pack.close();
    };

    try {
        const analyzerClient = new proto.analyzerGrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        client = analyzerClient;
        await new Promise<void>((resolve, reject) =>
            analyzerClient.waitForReady(Date.now() + 10_000, (err) => (err ? reject(new PolicyPackError(`policy pack ${dir}: cannot connect to port ${pack.port}: ${err.message}`)) : resolve())));

        const call: Call = <Res>(method: keyof analyzerGrpcTypes.IAnalyzerClient, req: unknown, what: string): Promise<Res> =>
            new Promise<Res>((resolve, reject) => {
                const fn = (analyzerClient[method] as unknown as Unary).bind(analyzerClient);
                fn(req, new grpc.Metadata(), { deadline: Date.now() + callTimeout }, (err, res) => {
                    if (err) reject(new PolicyPackError(`policy pack ${dir}: ${what} failed: ${err.details || err.message}${pack.stderrTail()}`));
                    else resolve(res as Res);
                });
            });

        const info = await getInfo(proto, call);

        let queue: Promise<unknown> = Promise.resolve();
        const analyze = (resources: AnalyzedResource[], aopts: AnalyzeOptions = {}): Promise<PolicyDiagnostic[]> => {
            const run = queue.then(() => {
                if (closed) throw new PolicyPackError(`policy pack ${dir} is closed`);
                return analyzeOnce(proto, call, info, resources, aopts);
            });
            queue = run.catch(() => undefined);
            return run;
        };

        return { info, analyze, logs: pack.logs, pid: pack.pid, close };
    } catch (err) {
        await close();
        throw err;
    }
}

/**
 * What the engine puts in a policy pack's environment for a stack (constructEnv): its config,
 * project and stack, and that this is a preview.
 */
export function stackEnv(project: string, stack: string, stackConfig?: Record<string, string>): Record<string, string> {
    return {
        ...(stackConfig ? { PULUMI_CONFIG: JSON.stringify(stackConfig) } : {}),
        PULUMI_NODEJS_PROJECT: project,
        PULUMI_NODEJS_STACK: stack,
        PULUMI_NODEJS_DRY_RUN: "true",
        PULUMI_PROJECT: project,
        PULUMI_STACK: stack,
        PULUMI_DRY_RUN: "true",
    };
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
    const pack = await startPack(args.packDir, { env: stackEnv(project, stack, args.stackConfig) });
    try {
        const diagnostics = await pack.analyze(args.resources, {
            stackConfig: args.stackConfig, policyConfig: args.policyConfig, policyConfigSource: args.policyConfigSource, project, stack,
        });
        return { pack: { name: pack.info.name, version: pack.info.version }, diagnostics };
    } finally {
        await pack.close();
    }
}

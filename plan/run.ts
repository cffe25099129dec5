import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as stackRuntime from "@pulumi/pulumi/runtime/stack";
import { MOCK_ACCOUNT_ID, Placement, placementOfProvider, PlanMocks } from "./mocks";

/** One resource the program registered, with the inputs it registered it with. */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent resource; absent for the stack itself. */
    parent?: string;
    /** Provider reference (`<provider urn>::<id>`) when one was given explicitly; absent for the default provider. */
    provider?: string;
    /** Whether it is a custom (provider-managed) resource rather than a component. */
    custom: boolean;
    inputs: Record<string, unknown>;
    /** URNs it depends on. */
    dependencies: string[];
    /** URNs each input property depends on, as the engine records them. */
    propertyDependencies?: Record<string, string[]>;
    /** Account and Region it lands in. */
    placement: Placement;
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
}

export interface PlanOptions {
    project: string;
    stack: string;
    /** Stack config as the engine passes it: namespaced keys, string values (structured ones JSON). */
    config: Record<string, string>;
    /** The program: returns the stack outputs. */
    program: () => Promise<Record<string, unknown>>;
    /** Run as a preview (unknown computed values) rather than an update. Defaults to false. */
    preview?: boolean;
    /**
     * Keep the stack traces the Pulumi runtime records on every internal promise (for its leak
     * diagnostics). They cost most of a large plan's time; errors still carry their message.
     * Defaults to false.
     */
    captureStacks?: boolean;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getCustom(): boolean;
    getObject(): Struct;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
    const deps: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((value, key) => {
        deps[key] = value.getUrnsList();
    });
    return deps;
}

/** The URN the engine gives: the parent's type chain (the stack excluded), the type, the name. */
function engineUrn(project: string, stack: string, parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) {
        const parentType = parent.split("::")[2];
        if (parentType !== "pulumi:pulumi:Stack") {
            qualified = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * Runs a Pulumi program under Pulumi's mocks (`pulumi.runtime.setMocks`) with a stack's config
 * and records every resource it registers, as the engine would receive it.
 */
export async function planStack(opts: PlanOptions): Promise<Plan> {
    pulumi.runtime.setAllConfig(opts.config);
    const region = opts.config["aws:region"] ?? "us-east-1";
    const mocks = new PlanMocks({ region, accountId: MOCK_ACCOUNT_ID });
    await pulumi.runtime.setMocks(mocks, opts.project, opts.stack, opts.preview ?? false);

    const resources: PlannedResource[] = [];
    // The mock monitor of this run: give it engine-shaped URNs and record each registration.
    const monitor = settings.getMonitor() as unknown as {
        newUrn(parent: string, type: string, name: string): string;
        registerResource(req: RegisterRequest, callback: (err: unknown, resp: unknown) => void): Promise<void>;
    };
    monitor.newUrn = (parent, type, name) => engineUrn(opts.project, opts.stack, parent, type, name);
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = async (req, callback) => {
        const inputs = rpc.deserializeProperties(req.getObject()) as Record<string, unknown>;
        const urn = engineUrn(opts.project, opts.stack, req.getParent(), req.getType(), req.getName());
        const provider = req.getProvider() || undefined;
        if (req.getType() === "pulumi:providers:aws") {
            // The provider reference is known only after registration; record the placement then.
            return register(req, (err, resp) => {
                if (!err) {
                    const id = (resp as { getId(): string }).getId();
                    mocks.placements.set(`${urn}::${id}`, placementOfProvider(inputs, mocks.defaultPlacement));
                }
                resources.push(record());
                callback(err, resp);
            });
        }
        function record(): PlannedResource {
            return {
                urn,
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent() || undefined,
                provider,
                custom: req.getCustom(),
                inputs,
                dependencies: req.getDependenciesList(),
                propertyDependencies: propertyDependencies(req),
                placement: req.getType() === "pulumi:providers:aws"
                    ? placementOfProvider(inputs, mocks.defaultPlacement)
                    : mocks.placementOf(provider),
            };
        }
        resources.push(record());
        return register(req, callback);
    };

    // The runtime captures `new Error().stack` for each of its promises; with ts-node's source
    // maps that dominated the plan (measured by `npm run bench`). Resources still record their
    // source position: the runtime raises the limit itself for that one capture.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!opts.captureStacks) Error.stackTraceLimit = 0;
    let outputs: unknown;
    try {
        outputs = await stackRuntime.runInPulumiStack(opts.program);
        // Wait until every registration has been answered (an internal of the runtime, as its own tests use).
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
    return { project: opts.project, stack: opts.stack, resources, outputs: (outputs ?? {}) as Record<string, unknown> };
}

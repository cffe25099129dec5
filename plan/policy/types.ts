// What the engine-like driver and its callers exchange: the pack as GetAnalyzerInfo describes it,
// the resources to analyze, the verdicts, and the errors.
import type { PlannedResource } from "../run";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

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
    /** Milliseconds to wait for the pack to print its port (a TypeScript pack type-checks itself first). Defaults to 60000. */
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

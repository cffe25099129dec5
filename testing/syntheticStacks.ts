// A test double of the offline plan: planned resources built by hand, shaped as the plan records
// them. Fixtures for the policy tests, and synthetic fleets of any size for benchmarks of the
// policy pack.
import { MOCK_ACCOUNT_ID, Placement } from "../plan/mocks";
import type { PlannedResource } from "../plan/run";

/** A planned resource, with the property dependencies the engine would also send. */
export type SyntheticResource = PlannedResource & { propertyDependencies?: Record<string, string[]> };

export interface AddOptions {
    /** Parent URN. Defaults to the stack. */
    parent?: string;
    /** Provider reference (`<urn>::<id>`). Defaults to the default provider. */
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    /** Defaults to true (a custom resource). */
    custom?: boolean;
}

export interface SsmTargetInput {
    key: string;
    values: string[];
}

/** Builds a stack's planned resources with engine-shaped URNs. */
export class PlanBuilder {
    readonly resources: SyntheticResource[] = [];
    readonly stackUrn: string;
    private readonly ids = new Map<string, string>();
    private readonly placements = new Map<string, Placement>();
    private counter = 0;

    constructor(
        readonly project = "fleet",
        readonly stack = "test",
        readonly placement: Placement = { region: "us-east-1", accountId: MOCK_ACCOUNT_ID },
    ) {
        this.stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
        this.resources.push({
            urn: this.stackUrn, type: "pulumi:pulumi:Stack", name: `${project}-${stack}`, custom: false, inputs: {}, dependencies: [], placement,
        });
    }

    /** The URN the engine gives a resource under a parent. */
    urnOf(type: string, name: string, parent?: string): string {
        let qualified = type;
        const parentType = parent?.split("::")[2];
        if (parentType && parentType !== "pulumi:pulumi:Stack") qualified = `${parentType}$${type}`;
        return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    }

    /** The id the (mocked) provider gave a resource. */
    idOf(urn: string): string {
        const id = this.ids.get(urn);
        if (id === undefined) throw new Error(`no resource ${urn}`);
        return id;
    }

    add(type: string, name: string, inputs: Record<string, unknown>, opts: AddOptions = {}): SyntheticResource {
        const parent = opts.parent ?? this.stackUrn;
        const urn = this.urnOf(type, name, parent);
        const r: SyntheticResource = {
            urn, type, name, parent, custom: opts.custom ?? true, inputs,
            dependencies: opts.dependencies ?? [],
            placement: (opts.provider && this.placements.get(opts.provider)) || this.placement,
        };
        if (opts.provider) r.provider = opts.provider;
        if (opts.propertyDependencies) r.propertyDependencies = opts.propertyDependencies;
        this.ids.set(urn, `${name}-${(++this.counter).toString(16).padStart(8, "0")}`);
        this.resources.push(r);
        return r;
    }

    /** An explicit AWS provider; returns its reference for `provider`. Object inputs are JSON-encoded, as @pulumi/aws registers them. */
    awsProvider(name: string, inputs: { region?: string; defaultTags?: { tags: Record<string, string> } | string; assumeRoles?: unknown[]; [k: string]: unknown }): string {
        const encoded: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(inputs)) encoded[k] = v !== null && typeof v === "object" ? JSON.stringify(v) : v;
        const r = this.add("pulumi:providers:aws", name, encoded);
        const ref = `${r.urn}::${this.idOf(r.urn)}`;
        this.placements.set(ref, { region: inputs.region ?? this.placement.region, accountId: this.placement.accountId });
        return ref;
    }

    instance(name: string, tags: Record<string, unknown> | string | undefined, opts: AddOptions & { inputs?: Record<string, unknown> } = {}): SyntheticResource {
        const inputs: Record<string, unknown> = { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", ...(opts.inputs ?? {}) };
        if (tags !== undefined) inputs.tags = tags;
        return this.add("aws:ec2/instance:Instance", name, inputs, opts);
    }

    spotInstanceRequest(name: string, tags: Record<string, unknown> | undefined, opts: AddOptions = {}): SyntheticResource {
        const inputs: Record<string, unknown> = { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", spotPrice: "0.01" };
        if (tags !== undefined) inputs.tags = tags;
        return this.add("aws:ec2/spotInstanceRequest:SpotInstanceRequest", name, inputs, opts);
    }

    autoScalingGroup(name: string, tags: { key: string; value: string; propagateAtLaunch: boolean }[] | string, opts: AddOptions = {}): SyntheticResource {
        return this.add("aws:autoscaling/group:Group", name, { maxSize: 3, minSize: 1, launchTemplate: { id: "lt-0123456789abcdef0" }, tags }, opts);
    }

    patchBaseline(name: string, inputs: Record<string, unknown> = {}, opts: AddOptions = {}): SyntheticResource {
        return this.add("aws:ssm/patchBaseline:PatchBaseline", name, {
            name,
            operatingSystem: "AMAZON_LINUX_2",
            approvalRules: [{
                approveAfterDays: 7,
                complianceLevel: "CRITICAL",
                patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }, { key: "SEVERITY", values: ["Critical", "Important"] }],
            }],
            ...inputs,
        }, opts);
    }

    patchGroup(name: string, group: string, baseline?: SyntheticResource, opts: AddOptions = {}): SyntheticResource {
        return this.add("aws:ssm/patchGroup:PatchGroup", name, {
            patchGroup: group,
            baselineId: baseline ? this.idOf(baseline.urn) : "pb-0123456789abcdef0",
        }, { dependencies: baseline ? [baseline.urn] : [], ...opts });
    }

    association(name: string, targets: SsmTargetInput[] | string, opts: AddOptions & { document?: string; inputs?: Record<string, unknown> } = {}): SyntheticResource {
        return this.add("aws:ssm/association:Association", name, {
            name: opts.document ?? "AWS-RunPatchBaseline",
            associationName: name,
            scheduleExpression: "cron(0 1 * * ? *)",
            parameters: { Operation: "Scan" },
            maxConcurrency: "10%",
            maxErrors: "1",
            targets,
            ...(opts.inputs ?? {}),
        }, opts);
    }

    maintenanceWindow(name: string, opts: AddOptions = {}): SyntheticResource {
        return this.add("aws:ssm/maintenanceWindow:MaintenanceWindow", name, { name, schedule: "cron(0 2 ? * SUN *)", duration: 3, cutoff: 1 }, opts);
    }

    windowTarget(name: string, window: SyntheticResource, targets: SsmTargetInput[] | string, opts: AddOptions = {}): SyntheticResource {
        return this.add("aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", name, {
            windowId: this.idOf(window.urn), resourceType: "INSTANCE", targets,
        }, { parent: window.urn, dependencies: [window.urn], ...opts });
    }

    /** A task of a window on window targets; AWS-RunPatchBaseline RUN_COMMAND unless told. */
    windowTask(name: string, window: SyntheticResource, on: SyntheticResource[], opts: AddOptions & { taskArn?: string; taskType?: string; inputs?: Record<string, unknown> } = {}): SyntheticResource {
        return this.add("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", name, {
            windowId: this.idOf(window.urn),
            taskType: opts.taskType ?? "RUN_COMMAND",
            taskArn: opts.taskArn ?? "AWS-RunPatchBaseline",
            priority: 1,
            maxConcurrency: "1",
            maxErrors: "1",
            targets: [{ key: "WindowTargetIds", values: on.map((t) => this.idOf(t.urn)) }],
            taskInvocationParameters: { runCommandParameters: { parameters: [{ name: "Operation", values: ["Install"] }] } },
            ...(opts.inputs ?? {}),
        }, { parent: window.urn, dependencies: [window.urn, ...on.map((t) => t.urn)], ...opts });
    }

    /** A Quick Setup configuration manager with one configuration definition. */
    quickSetup(name: string, parameters: Record<string, string>, opts: AddOptions & { type?: string } = {}): SyntheticResource {
        return this.add("aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager", name, {
            name,
            configurationDefinition: {
                type: opts.type ?? "AWSQuickSetupType-PatchPolicy",
                parameters: {
                    ConfigurationOptionsPatchOperation: "ScanAndInstall",
                    PatchPolicyName: name,
                    RateControlConcurrency: "10%",
                    RateControlErrorThreshold: "2%",
                    TargetRegions: this.placement.region,
                    TargetAccounts: this.placement.accountId,
                    ...parameters,
                },
            },
        }, opts);
    }

    bucket(name: string, inputs: Record<string, unknown> = {}, opts: AddOptions = {}): SyntheticResource {
        return this.add("aws:s3/bucket:Bucket", name, inputs, opts);
    }
}

export interface SyntheticFleetOptions {
    /** Instances, spread over the environments. */
    instances: number;
    /** Instances of an environment nothing patches (each a mandatory violation). Defaults to 0. */
    uncovered?: number;
    project?: string;
    stack?: string;
}

/**
 * A stack of `instances` EC2 instances in four environments, each patched a different way:
 * Production by an association on tag:Environment, Staging by a maintenance window (target and
 * task), Development by a Quick Setup patch policy, Test by a patch group; plus `uncovered`
 * instances in a Sandbox environment nothing patches.
 */
export function syntheticFleet(opts: SyntheticFleetOptions): SyntheticResource[] {
    const b = new PlanBuilder(opts.project ?? "fleet", opts.stack ?? "bench");
    const baseline = b.patchBaseline("al2-baseline");
    b.association("production-patching", [{ key: "tag:Environment", values: ["Production"] }]);
    const window = b.maintenanceWindow("staging-window");
    const target = b.windowTarget("staging-targets", window, [{ key: "tag:Environment", values: ["Staging"] }]);
    b.windowTask("staging-install", window, [target]);
    b.quickSetup("development-policy", { TargetType: "Tags", TargetTagKey: "Environment", TargetTagValue: "Development" });
    b.patchGroup("test-group", "test", baseline);
    // One instance profile whose role has AmazonSSMManagedInstanceCore, so every instance can be
    // managed by Systems Manager (ec2-instance-ssm-managed), as in a real fleet.
    const role = b.add("aws:iam/role:Role", "app-role", {
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    });
    const onRole = { dependencies: [role.urn], propertyDependencies: { role: [role.urn] } };
    b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-role-core", { role: b.idOf(role.urn), policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }, onRole);
    const profile = b.add("aws:iam/instanceProfile:InstanceProfile", "app-profile", { role: b.idOf(role.urn) }, onRole);
    const onProfile = { dependencies: [profile.urn], propertyDependencies: { iamInstanceProfile: [profile.urn] } };
    const environments = ["Production", "Staging", "Development", "Test"];
    for (let i = 0; i < opts.instances; i++) {
        const env = environments[i % environments.length];
        const tags: Record<string, string> = { Environment: env, Name: `app-${i}`, Team: `team-${i % 17}` };
        if (env === "Test") tags["Patch Group"] = "test";
        b.instance(`app-${i}`, tags, { inputs: { iamInstanceProfile: b.idOf(profile.urn) }, ...onProfile });
    }
    for (let i = 0; i < (opts.uncovered ?? 0); i++) {
        b.instance(`sandbox-${i}`, { Environment: "Sandbox", Name: `sandbox-${i}` }, { inputs: { iamInstanceProfile: b.idOf(profile.urn) }, ...onProfile });
    }
    return b.resources;
}

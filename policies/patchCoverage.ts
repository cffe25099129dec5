import { PolicyProviderResource, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    AssociationInput, assessCoverage, CoverageInput, Member, PatchGroupInput, Placement, QuickSetupDefinition,
    QuickSetupInput, WindowTargetInput, WindowTaskInput,
} from "./coverage";
import { ASSOCIATION, MAINTENANCE_WINDOW, PATCH_GROUP, QUICK_SETUP, roleArnAccount, strOrUnknown, targetsOf, WINDOW_TARGET, WINDOW_TASK } from "./ssm";
import { AUTOSCALING_GROUP, INSTANCE, INSTANCE_TYPES, kindOf, tagSetOf } from "./tags";
import { field, isUnknown, obj, Plain, undecidable, Unknown } from "./values";

/** Config of ec2-instance-patch-baseline. */
export interface PatchBaselineConfig {
    /** Environments (values of the environment tag) whose instances another stack patches. Defaults to [] (none). */
    coveredEnvironments?: string[];
    /** The tag whose value is an instance's environment, for coveredEnvironments. Defaults to "Environment". */
    tagKey?: string;
}

export const PATCH_BASELINE_DEFAULTS = { coveredEnvironments: [] as string[], tagKey: "Environment" };

/** The Region and account a provider points at, from its inputs; "" when it leaves them to the environment. */
export function placementOfProvider(provider: PolicyProviderResource | undefined): Placement {
    if (!provider) return { region: "", account: "" };
    const region = strOrUnknown(field(provider.props, "region", "provider.region")) ?? "";
    return { region, account: accountOfProvider(provider) };
}

function accountOfProvider(provider: PolicyProviderResource): string | Unknown {
    // Provider inputs of object type arrive JSON-encoded.
    const decode = (v: Plain | undefined): unknown => {
        if (typeof v !== "string") return v;
        try {
            return JSON.parse(v);
        } catch {
            return undefined;
        }
    };
    const allowed = field(provider.props, "allowedAccountIds", "provider.allowedAccountIds");
    if (isUnknown(allowed)) return allowed;
    const ids = decode(allowed);
    if (Array.isArray(ids) && ids.length === 1 && typeof ids[0] === "string") return ids[0];
    const roles = field(provider.props, "assumeRoles", "provider.assumeRoles");
    if (isUnknown(roles)) return roles;
    const first = (decode(roles) as { roleArn?: unknown }[] | undefined)?.[0]?.roleArn;
    if (isUnknown(first)) return first;
    return roleArnAccount(first) ?? "";
}

/** Reads a stack's resources into the coverage model. Linear; providers are read once each. */
export function coverageInputOf(resources: PolicyResource[], cfg: Required<PatchBaselineConfig>): CoverageInput {
    const input: CoverageInput = {
        members: [], patchGroups: [], associations: [], windowTargets: [], windowTasks: [], quickSetups: [],
        coveredEnvironments: cfg.coveredEnvironments, environmentTagKey: cfg.tagKey,
    };
    const providers = new Map<string, { placement: Placement; defaultTags: Plain | undefined }>();
    const providerOf = (r: PolicyResource) => {
        const key = r.provider?.urn ?? "";
        let p = providers.get(key);
        if (!p) {
            p = {
                placement: placementOfProvider(r.provider),
                defaultTags: r.provider ? field(r.provider.props, "defaultTags", "provider.defaultTags") : undefined,
            };
            providers.set(key, p);
        }
        return p;
    };

    // Windows by id (when the engine sent outputs), to tell which window a target or task is in.
    const windowById = new Map<string, string>();
    for (const r of resources) {
        if (r.type !== MAINTENANCE_WINDOW) continue;
        const id = field(r.props, "id");
        if (typeof id === "string") windowById.set(id, r.urn);
    }
    const windowOf = (r: PolicyResource): string | Unknown => {
        const byProperty = (r.propertyDependencies?.windowId ?? []).find((d) => d.type === MAINTENANCE_WINDOW);
        if (byProperty) return `urn:${byProperty.urn}`;
        const windowId = field(r.props, "windowId");
        if (typeof windowId === "string" && windowById.has(windowId)) return `urn:${windowById.get(windowId)}`;
        const deps = (r.dependencies ?? []).filter((d) => d.type === MAINTENANCE_WINDOW);
        if (deps.length === 1) return `urn:${deps[0].urn}`;
        if (typeof windowId === "string") return `id:${windowId}`;
        if (isUnknown(windowId)) return windowId;
        return `none:${r.urn}`;
    };

    for (const r of resources) {
        switch (r.type) {
            case INSTANCE:
            case "aws:ec2/spotInstanceRequest:SpotInstanceRequest":
            case AUTOSCALING_GROUP: {
                const p = providerOf(r);
                const tags = tagSetOf(r.type, field(r.props, "tags"), r.type === AUTOSCALING_GROUP ? undefined : p.defaultTags);
                const member: Member = { urn: r.urn, name: r.name, type: r.type, tags, placement: p.placement };
                if (r.type === INSTANCE) {
                    const id = strOrUnknown(field(r.props, "id"));
                    if (id !== undefined) member.id = id;
                }
                input.members.push(member);
                break;
            }
            case PATCH_GROUP: {
                const g: PatchGroupInput = { urn: r.urn, name: r.name, patchGroup: strOrUnknown(field(r.props, "patchGroup")), placement: providerOf(r).placement };
                input.patchGroups.push(g);
                break;
            }
            case ASSOCIATION: {
                const a: AssociationInput = {
                    urn: r.urn, name: r.name, placement: providerOf(r).placement,
                    document: strOrUnknown(field(r.props, "name")),
                    targets: targetsOf(field(r.props, "targets")),
                };
                input.associations.push(a);
                break;
            }
            case WINDOW_TARGET: {
                const w: WindowTargetInput = {
                    urn: r.urn, name: r.name, placement: providerOf(r).placement, window: windowOf(r),
                    targets: targetsOf(field(r.props, "targets")),
                };
                const id = strOrUnknown(field(r.props, "id"));
                if (id !== undefined) w.id = id;
                input.windowTargets.push(w);
                break;
            }
            case WINDOW_TASK: {
                const dependsOn = new Set<string>((r.dependencies ?? []).map((d) => d.urn));
                for (const d of r.propertyDependencies?.targets ?? []) dependsOn.add(d.urn);
                const t: WindowTaskInput = {
                    urn: r.urn, name: r.name, placement: providerOf(r).placement, window: windowOf(r),
                    taskType: strOrUnknown(field(r.props, "taskType")),
                    taskArn: strOrUnknown(field(r.props, "taskArn")),
                    targets: targetsOf(field(r.props, "targets")),
                    dependsOn,
                };
                input.windowTasks.push(t);
                break;
            }
            case QUICK_SETUP: {
                input.quickSetups.push({ urn: r.urn, name: r.name, placement: providerOf(r).placement, definitions: quickSetupDefinitions(r) });
                break;
            }
        }
    }
    return input;
}

/** The configuration definitions of a Quick Setup manager (`configurationDefinition`, one or a list). */
function quickSetupDefinitions(r: PolicyResource): QuickSetupInput["definitions"] {
    const raw = field(r.props, "configurationDefinition") ?? field(r.props, "configurationDefinitions");
    if (isUnknown(raw)) return raw;
    const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    return list.map((d): QuickSetupDefinition | Unknown => {
        if (isUnknown(d)) return d;
        const o = obj(d) ?? {};
        const params = o.parameters;
        let parameters: QuickSetupDefinition["parameters"];
        if (isUnknown(params)) parameters = params;
        else if (obj(params)) {
            parameters = {};
            for (const [k, v] of Object.entries(obj(params) ?? {})) {
                if (typeof v === "string" || isUnknown(v)) parameters[k] = v;
                else if (typeof v === "number" || typeof v === "boolean") parameters[k] = String(v);
            }
        }
        return { type: strOrUnknown(o.type), parameters };
    });
}

export function patchBaselineConfig(c: PatchBaselineConfig): Required<PatchBaselineConfig> {
    return {
        coveredEnvironments: Array.isArray(c.coveredEnvironments) ? c.coveredEnvironments.filter((v) => typeof v === "string") : PATCH_BASELINE_DEFAULTS.coveredEnvironments,
        tagKey: typeof c.tagKey === "string" && c.tagKey !== "" ? c.tagKey : PATCH_BASELINE_DEFAULTS.tagKey,
    };
}

export const ec2InstancePatchBaseline: StackValidationPolicy = {
    name: "ec2-instance-patch-baseline",
    displayName: "Instances are patched from the stack",
    description: "Checks whether every EC2 instance, Spot Instance request and Auto Scaling group is covered by a patch baseline managed in the stack: a patch group named by its Patch Group tag, an AWS-RunPatchBaseline association or maintenance window task that targets it, or a Quick Setup patch policy.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["patching", "vulnerability-management"],
    remediationSteps: "Target the instance with an AWS-RunPatchBaseline association, a maintenance window target and RUN_COMMAND task of AWS-RunPatchBaseline in the same window, or a Quick Setup patch policy; or tag it with a patch group of the stack; or list its environment in coveredEnvironments when another stack patches it.",
    configSchema: {
        properties: {
            coveredEnvironments: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: PATCH_BASELINE_DEFAULTS.coveredEnvironments,
                description: "Environments (values of the tagKey tag) whose patching another stack manages.",
            },
            tagKey: { type: "string", minLength: 1, default: PATCH_BASELINE_DEFAULTS.tagKey, description: "The tag whose value is an instance's environment." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = patchBaselineConfig(args.getConfig<PatchBaselineConfig>());
        if (!args.resources.some((r) => INSTANCE_TYPES.includes(r.type))) {
            return args.notApplicable("The stack launches no EC2 instances");
        }
        const input = coverageInputOf(args.resources, cfg);
        const { verdicts, patching } = assessCoverage(input);
        const summary = patching.slice(0, 3).join(", ") + (patching.length > 3 ? `, and ${patching.length - 3} more` : "");
        const undecided: { member: Member; unknown: Unknown }[] = [];
        verdicts.forEach((v, i) => {
            const m = input.members[i];
            if (v.state === "undecided") undecided.push({ member: m, unknown: v.unknown });
            if (v.state !== "uncovered") return;
            const env = m.tags.get(cfg.tagKey);
            const envName = env.state === "present" && typeof env.value === "string" ? `'${env.value}'` : "its environment";
            const parts = [
                `${kindOf(m.type)} '${m.name}' (${m.urn}) must be covered by a patch baseline managed in this stack; nothing here patches it (its tags: ${m.tags.describe()}).`,
                ...v.hints,
                summary ? `This stack patches: ${summary}.` : "This stack patches nothing.",
                `Target it with an AWS-RunPatchBaseline association, a maintenance window target with a RUN_COMMAND AWS-RunPatchBaseline task in the same window, or a Quick Setup patch policy; or tag it 'Patch Group' with a patch group of this stack; or, if another stack patches ${envName}, add it to coveredEnvironments.`,
            ];
            reportViolation(parts.filter((p) => p !== "").join(" "), m.urn);
        });
        if (undecided.length > 0) {
            const first = undecided[0];
            undecidable(
                `whether ${undecided.length} instance resource(s) are patched depends on values unknown until the update, ` +
                `e.g. ${kindOf(first.member.type)} '${first.member.name}' (unknown: ${first.unknown.path})`,
                first.unknown,
            );
        }
    },
};

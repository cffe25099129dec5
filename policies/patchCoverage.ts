import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    AssociationInput, assessCoverage, CoverageInput, Member, PATCH_GROUP_TAG_KEYS, QuickSetupDefinition, QuickSetupInput, SelectorIndex, Verdict,
    WindowTargetInput, WindowTaskInput,
} from "./coverage";
import { Launches, LaunchVariant, Launcher } from "./launch";
import { misdirectedHints, nameOf, objectKey, some, tagFix } from "./messages";
import { ASSOCIATION, MAINTENANCE_WINDOW, PATCH_GROUP, QUICK_SETUP, strOrUnknown, targetsOf, WINDOW_TARGET, WINDOW_TASK } from "./ssm";
import { StackIndex } from "./stack";
import { INSTANCE, INSTANCE_TYPES, kindOf, SPOT_INSTANCE_REQUEST } from "./tags";
import { field, isUnknown, obj, undecidable, Unknown } from "./values";

/** Config of ec2-instance-patch-baseline. */
export interface PatchBaselineConfig {
    /** Environments (values of the environment tag) whose instances another stack patches. Defaults to [] (none). */
    coveredEnvironments?: string[];
    /** The tag whose value is an instance's environment, for coveredEnvironments. Defaults to "Environment". */
    tagKey?: string;
}

export const PATCH_BASELINE_DEFAULTS = { coveredEnvironments: [] as string[], tagKey: "Environment" };

/** The members of the coverage model, each with the launcher and variant it stands for. */
export interface CoverageMembers {
    input: CoverageInput;
    /** For each member, in order: its launcher and launch variant. */
    origins: { launcher: Launcher; variant: LaunchVariant }[];
}

/**
 * Reads a stack's resources into the coverage model: one member for each way a resource launches
 * instances, with the tags AWS gives them (launch.ts). Linear; providers are read once each.
 */
export function coverageInputOf(resources: readonly PolicyResource[], cfg: Required<PatchBaselineConfig>, stack = new StackIndex(resources), launches = new Launches(stack)): CoverageMembers {
    const input: CoverageInput = {
        members: [], patchGroups: [], associations: [], windowTargets: [], windowTasks: [], quickSetups: [],
        coveredEnvironments: cfg.coveredEnvironments, environmentTagKey: cfg.tagKey,
    };
    const origins: CoverageMembers["origins"] = [];
    for (const l of launches.launchers) {
        const placement = stack.placement(l.resource);
        for (const variant of l.variants) {
            const member: Member = { urn: l.urn, name: l.name, type: l.type, tags: variant.tags, placement };
            if (l.id !== undefined) member.id = l.id;
            input.members.push(member);
            origins.push({ launcher: l, variant });
        }
    }

    // Windows by id (when the engine sent outputs), to tell which window a target or task is in.
    const windowById = new Map<string, string>();
    for (const r of stack.ofType(MAINTENANCE_WINDOW)) {
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

    for (const r of stack.ofType(PATCH_GROUP)) {
        input.patchGroups.push({ urn: r.urn, name: r.name, patchGroup: strOrUnknown(field(r.props, "patchGroup")), placement: stack.placement(r) });
    }
    for (const r of stack.ofType(ASSOCIATION)) {
        const a: AssociationInput = {
            urn: r.urn, name: r.name, placement: stack.placement(r),
            document: strOrUnknown(field(r.props, "name")),
            targets: targetsOf(field(r.props, "targets")),
        };
        input.associations.push(a);
    }
    for (const r of stack.ofType(WINDOW_TARGET)) {
        const w: WindowTargetInput = {
            urn: r.urn, name: r.name, placement: stack.placement(r), window: windowOf(r),
            targets: targetsOf(field(r.props, "targets")),
        };
        const id = strOrUnknown(field(r.props, "id"));
        if (id !== undefined) w.id = id;
        input.windowTargets.push(w);
    }
    for (const r of stack.ofType(WINDOW_TASK)) {
        const dependsOn = new Set<string>((r.dependencies ?? []).map((d) => d.urn));
        for (const d of r.propertyDependencies?.targets ?? []) dependsOn.add(d.urn);
        const t: WindowTaskInput = {
            urn: r.urn, name: r.name, placement: stack.placement(r), window: windowOf(r),
            taskType: strOrUnknown(field(r.props, "taskType")),
            taskArn: strOrUnknown(field(r.props, "taskArn")),
            targets: targetsOf(field(r.props, "targets")),
            dependsOn,
        };
        input.windowTasks.push(t);
    }
    for (const r of stack.ofType(QUICK_SETUP)) {
        input.quickSetups.push({ urn: r.urn, name: r.name, placement: stack.placement(r), definitions: quickSetupDefinitions(r) });
    }
    return { input, origins };
}

/** The configuration definitions of a Quick Setup manager (`configurationDefinition`, one or a list). */
export function quickSetupDefinitions(r: PolicyResource): QuickSetupInput["definitions"] {
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

/** What the message of an uncovered member needs to know of the stack. */
interface MessageContext {
    tagKey: string;
    /** The patching resources, to suggest the values they target. */
    index: SelectorIndex;
    /** What the stack patches, for details. */
    patching: string[];
}

/**
 * The message of an instance-launching resource nothing patches: what is wrong and the fix for
 * that kind of resource in the first sentence; details (URN, its tags, what nearly covers it,
 * what the stack patches) after it.
 */
export function uncoveredMessage(l: Launcher, v: LaunchVariant, verdict: Extract<Verdict, { state: "uncovered" }>, ctx: MessageContext): string {
    const key = ctx.tagKey;
    const what = nameOf(l, v);
    const env = v.tags.get(key);
    const envValue = env.state === "present" && typeof env.value === "string" && env.value.trim() !== "" ? env.value : undefined;
    const targeted = ctx.index.valuesOn(key);
    const patchWith = (value: string) =>
        `add a PatchPolicy with targets: { tags: { ${objectKey(key)}: ${JSON.stringify(value)} } }, ` +
        `or an AWS-RunPatchBaseline aws.ssm.Association with targets: [{ key: ${JSON.stringify(`tag:${key}`)}, values: [${JSON.stringify(value)}] }]`;
    const head = `${what} must be patched from this stack;`;
    let first: string;
    const miss = verdict.caseMisses[0];
    // A tag set where it does not reach the instances, which would have covered them.
    const stray = v.tags.stray.find((t) => v.tags.get(t.key).state === "absent" &&
        ((PATCH_GROUP_TAG_KEYS as readonly string[]).includes(t.key) || (typeof t.value === "string" && ctx.index.valuesOn(t.key).includes(t.value))));
    const pg = verdict.hints.find((h) => /^Its '(Patch Group|PatchGroup)' tag is/.test(h));
    if (miss) {
        const which = miss.key === miss.targetKey ? "value" : "key";
        first = `${head} its tag ${miss.key}=${miss.value} differs only in case from the ${miss.targetKey}=${miss.targetValue} that ${miss.by} patches (tag ${which}s are case-sensitive). Fix: ${tagFix(l, v, miss.targetKey, miss.targetValue)}.`;
    } else if (stray) {
        const shown = typeof stray.value === "string" ? `=${stray.value}` : "";
        first = `${head} its '${stray.key}${shown}' tag ${stray.why}. Fix: ${tagFix(l, v, stray.key, typeof stray.value === "string" ? stray.value : "<value>")}.`;
    } else if (verdict.nearMiss) {
        first = `${head} ${verdict.nearMiss.hint} Fix: ${verdict.nearMiss.fix ?? patchWith(envValue ?? "<environment>")}.`;
    } else if (envValue !== undefined) {
        first = `${head} nothing here runs AWS-RunPatchBaseline on its tag ${key}=${envValue}. Fix: ${patchWith(envValue)}.`;
    } else if (pg) {
        const group = /'([^']*)', but/.exec(pg)?.[1] ?? "";
        first = `${head} ${pg} Fix: register it with new aws.ssm.PatchGroup(${JSON.stringify(group)}, { patchGroup: ${JSON.stringify(group)}, baselineId: <baseline>.id }).`;
    } else {
        const suggested = targeted[0];
        const stray = v.tags.stray.find((t) => t.key === key && typeof t.value === "string");
        const value = typeof stray?.value === "string" ? stray.value : suggested ?? "<environment>";
        const lacks = l.type === INSTANCE ? "it has" : l.type === SPOT_INSTANCE_REQUEST ? "its instance has" : "its instances have";
        const why = stray ? `its '${key}' tag ${stray.why}` : `${lacks} no '${key}' tag to target`;
        const target = suggested === undefined ? ` and target that tag with a PatchPolicy or an AWS-RunPatchBaseline aws.ssm.Association` : "";
        first = `${head} ${why}. Fix: ${tagFix(l, v, key, value)}${target}.`;
    }
    const whose = l.type === INSTANCE ? "its tags" : l.type === SPOT_INSTANCE_REQUEST ? "its instance's tags" : "its instances' tags";
    const details = [`Details: ${l.urn}; ${whose}: ${v.tags.describe()}.`];
    for (const h of verdict.hints) if (!first.toLowerCase().includes(h.replace(/\.$/, "").toLowerCase())) details.push(h);
    details.push(...misdirectedHints(l));
    if (ctx.patching.length > 0) details.push(`This stack patches: ${some(ctx.patching)}.`);
    if (envValue !== undefined && !miss) details.push(`If another stack patches '${envValue}', list it in coveredEnvironments.`);
    return [first, ...details].join(" ");
}

export const ec2InstancePatchBaseline: StackValidationPolicy = {
    name: "ec2-instance-patch-baseline",
    displayName: "Instances are patched from the stack",
    description: "Checks whether every EC2 instance the stack launches is covered, for the tags AWS gives it, by a patch baseline managed in the stack: a patch group, an AWS-RunPatchBaseline association or maintenance window task, or a Quick Setup patch policy.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["patching", "vulnerability-management"],
    remediationSteps: "Target the instances' tag with a PatchPolicy (this project's component) or an AWS-RunPatchBaseline association, a maintenance window target and RUN_COMMAND task of AWS-RunPatchBaseline in the same window, or a Quick Setup patch policy; or tag them with a patch group of the stack; or list their environment in coveredEnvironments when another stack patches it.",
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
        const { input, origins } = coverageInputOf(args.resources, cfg);
        const { verdicts, patching, index } = assessCoverage(input);
        const ctx: MessageContext = { tagKey: cfg.tagKey, index, patching };
        // A resource is covered when every way it launches instances is; the first way that is not is reported.
        const byLauncher = new Map<Launcher, { variant: LaunchVariant; verdict: Verdict }[]>();
        verdicts.forEach((verdict, i) => {
            const { launcher, variant } = origins[i];
            const list = byLauncher.get(launcher);
            if (list) list.push({ variant, verdict });
            else byLauncher.set(launcher, [{ variant, verdict }]);
        });
        const undecided: { launcher: Launcher; unknown: Unknown }[] = [];
        for (const [launcher, list] of byLauncher) {
            const uncovered = list.find((x) => x.verdict.state === "uncovered");
            if (uncovered && uncovered.verdict.state === "uncovered") {
                reportViolation(uncoveredMessage(launcher, uncovered.variant, uncovered.verdict, ctx), launcher.urn);
                continue;
            }
            const open = list.find((x) => x.verdict.state === "undecided");
            if (open && open.verdict.state === "undecided") undecided.push({ launcher, unknown: open.verdict.unknown });
        }
        if (undecided.length > 0) {
            const first = undecided[0];
            const what = `${kindOf(first.launcher.type)} '${first.launcher.name}'`;
            undecidable(
                first.unknown.why
                    ? `whether ${undecided.length} instance resource(s) are patched cannot be known here, e.g. ${what}: ${first.unknown.describe()}`
                    : `whether ${undecided.length} instance resource(s) are patched depends on values unknown until the update, e.g. ${what} (unknown: ${first.unknown.path})`,
                first.unknown,
            );
        }
    },
};

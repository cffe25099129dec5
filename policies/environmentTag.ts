import { StackValidationPolicy } from "@pulumi/policy";
import { Launches, LaunchVariant, Launcher } from "./launch";
import { describeStray, misdirectedHints, nameOf, tagFix } from "./messages";
import { StackIndex } from "./stack";
import { AUTOSCALING_GROUP, FLEET, INSTANCE, INSTANCE_TYPES, kindOf, loose, nearMisses, SPOT_FLEET_REQUEST, SPOT_INSTANCE_REQUEST, TagSet } from "./tags";
import { isUnknown, undecidable, Unknown } from "./values";

/** Config of ec2-instance-environment-tag. */
export interface EnvironmentTagConfig {
    /** The tag every instance must carry; keys are case-sensitive. Defaults to "Environment". */
    tagKey?: string;
    /** The values the tag may take. Defaults to [] (any non-empty value). */
    allowedValues?: string[];
}

export const ENVIRONMENT_TAG_DEFAULTS = { tagKey: "Environment", allowedValues: [] as string[] };

/** The outcome of a check: passes, a violation message, or undecidable until the update. */
export type Check = { ok: true } | { ok: false; message: string } | { ok: "unknown"; reason: string; unknown: Unknown };

const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");

/** What the resource must do, for the first words of a message. */
function mustGive(type: string, tag: string): string {
    switch (type) {
        case SPOT_INSTANCE_REQUEST: return `must give its instance ${tag}`;
        case AUTOSCALING_GROUP:
        case FLEET:
        case SPOT_FLEET_REQUEST: return `must launch its instances with ${tag}`;
        default: return `must carry ${tag}`;
    }
}

/**
 * Checks the environment tag the instances of one launch variant carry (see launch.ts for how
 * AWS tags them). Pure.
 */
export function checkEnvironmentTag(l: Launcher, v: LaunchVariant, cfg: Required<EnvironmentTagConfig>): Check {
    const key = cfg.tagKey;
    const tags: TagSet = v.tags;
    const what = nameOf(l, v);
    const tag = `${article(key)} '${key}' tag`;
    const t = tags.get(key);
    if (t.state === "maybe" || (t.state === "present" && isUnknown(t.value))) {
        const unknown = t.state === "maybe" ? t.unknown : (t.value as Unknown);
        const reason = unknown.why
            ? `the '${key}' tag of ${what} cannot be known here: ${unknown.describe()}`
            : `the '${key}' tag of ${what} is unknown until the update (${unknown.path})`;
        return { ok: "unknown", unknown, reason };
    }
    if (t.state === "absent") {
        const stray = tags.stray.find((s) => s.key === key && typeof s.value === "string" && s.value.trim() !== "");
        const value = typeof stray?.value === "string" ? stray.value : cfg.allowedValues.length > 0 ? cfg.allowedValues.join("|") : "<environment>";
        const has = l.type === SPOT_INSTANCE_REQUEST
            ? `its instance has: ${tags.describe()}`
            : l.type === INSTANCE ? `it has: ${tags.describe()}` : `its instances get: ${tags.describe()}`;
        const parts = [`${what} ${mustGive(l.type, tag)} (${has}): ${tagFix(l, v, key, value)}.`];
        for (const miss of nearMisses(tags, key)) {
            parts.push(`'${miss}' is not '${key}': tag keys are case-sensitive.`);
        }
        const strayHere = tags.stray.filter((s) => loose(s.key) === loose(key));
        for (const s of strayHere) parts.push(`Its '${s.key}${typeof s.value === "string" ? `=${s.value}` : ""}' tag ${s.why}.`);
        parts.push(...misdirectedHints(l));
        if (l.type === SPOT_INSTANCE_REQUEST && strayHere.length === 0 && tags.stray.length > 0) {
            parts.push(`AWS does not copy a Spot Instance request's tags (${describeStray(tags.stray)}) or its provider's default tags to the instance.`);
        }
        if (l.type === AUTOSCALING_GROUP && l.defaultTags.size > 0 && !strayHere.some((s) => s.why.includes("default tag"))) {
            parts.push(`Its AWS provider's default tags never reach a group's instances.`);
        }
        if (l.type === INSTANCE && !v.template) parts.push(`Or set defaultTags.tags["${key}"] on its AWS provider.`);
        return { ok: false, message: parts.join(" ") };
    }
    const value = t.value as string;
    if (value.trim() === "") {
        return { ok: false, message: `${what} must carry a non-empty '${key}' tag; it is ${value === "" ? "empty" : `blank ("${value}")`}.` };
    }
    if (cfg.allowedValues.length > 0 && !cfg.allowedValues.includes(value)) {
        const close = cfg.allowedValues.find((a) => a.toLowerCase() === value.toLowerCase());
        return {
            ok: false,
            message: `${what} must carry ${tag} with one of: ${cfg.allowedValues.join(", ")}; it has '${value}'.${close ? ` Values are case-sensitive: '${close}'?` : ""}`,
        };
    }
    return { ok: true };
}

/** Reads the policy config, with the defaults (the engine fills them in from the schema too). */
export function environmentTagConfig(c: EnvironmentTagConfig): Required<EnvironmentTagConfig> {
    return {
        tagKey: typeof c.tagKey === "string" && c.tagKey !== "" ? c.tagKey : ENVIRONMENT_TAG_DEFAULTS.tagKey,
        allowedValues: Array.isArray(c.allowedValues) ? c.allowedValues.filter((v) => typeof v === "string") : ENVIRONMENT_TAG_DEFAULTS.allowedValues,
    };
}

export const ec2InstanceEnvironmentTag: StackValidationPolicy = {
    name: "ec2-instance-environment-tag",
    displayName: "Instances carry an Environment tag",
    description: "Checks whether the EC2 instances a stack launches carry a non-empty Environment tag, as AWS tags them (own tags, provider default tags, launch templates, propagated group tags, aws.ec2.Tag).",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["tagging", "patching"],
    remediationSteps: "Tag the instances with Environment=<their environment>: an instance's tags (or its provider's defaultTags), a launch template's tagSpecifications for resource type instance, an Auto Scaling group tag with propagateAtLaunch, an aws.ec2.Tag on a Spot Instance request's spotInstanceId.",
    configSchema: {
        properties: {
            tagKey: { type: "string", minLength: 1, default: ENVIRONMENT_TAG_DEFAULTS.tagKey, description: "The tag every instance must carry (case-sensitive)." },
            allowedValues: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: ENVIRONMENT_TAG_DEFAULTS.allowedValues,
                description: "The values the tag may take; empty: any non-empty value.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        if (!args.resources.some((r) => INSTANCE_TYPES.includes(r.type))) {
            return args.notApplicable(`Policy only applies to stacks with ${INSTANCE_TYPES.join(", ")}`);
        }
        const cfg = environmentTagConfig(args.getConfig<EnvironmentTagConfig>());
        const launches = new Launches(new StackIndex(args.resources));
        const undecided: { reason: string; unknown: Unknown; what: string }[] = [];
        for (const l of launches.launchers) {
            // Every way it launches instances must give them the tag: the first that does not is reported.
            const results = l.variants.map((v) => checkEnvironmentTag(l, v, cfg));
            const failed = results.find((r): r is Extract<Check, { ok: false }> => r.ok === false);
            if (failed) {
                reportViolation(failed.message, l.urn);
                continue;
            }
            const open = results.find((r): r is Extract<Check, { ok: "unknown" }> => r.ok === "unknown");
            if (open) undecided.push({ reason: open.reason, unknown: open.unknown, what: `${kindOf(l.type)} '${l.name}'` });
        }
        if (undecided.length === 1) undecidable(undecided[0].reason, undecided[0].unknown);
        if (undecided.length > 1) {
            undecidable(`the '${cfg.tagKey}' tag of ${undecided.length} instance resources cannot be decided yet, e.g. ${undecided[0].reason}`, undecided[0].unknown);
        }
    },
};

import { ResourceValidationPolicy } from "@pulumi/policy";
import { INSTANCE_TYPES, kindOf, nearMisses, TagSet, tagSetOf } from "./tags";
import { field, isUnknown, undecidable, Unknown } from "./values";

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

/**
 * Checks the environment tag of an instance, Spot Instance request or Auto Scaling group from its
 * effective tags (see tagSetOf). Pure.
 */
export function checkEnvironmentTag(type: string, name: string, tags: TagSet, cfg: Required<EnvironmentTagConfig>): Check {
    const key = cfg.tagKey;
    const what = `${kindOf(type)} '${name}'`;
    const isGroup = type === "aws:autoscaling/group:Group";
    const tag = `${article(key)} '${key}' tag`;
    const t = tags.get(key);
    if (t.state === "maybe" || (t.state === "present" && isUnknown(t.value))) {
        const unknown = t.state === "maybe" ? t.unknown : (t.value as Unknown);
        return { ok: "unknown", unknown, reason: `the '${key}' tag of ${what} is unknown until the update (${unknown.path})` };
    }
    if (t.state === "absent") {
        const parts = [`${what} must ${isGroup ? "propagate" : "carry"} ${tag}${isGroup ? " at launch" : ""}; it has: ${tags.describe()}.`];
        for (const miss of nearMisses(tags, key)) {
            parts.push(`'${miss}' is not '${key}': tag keys are case-sensitive.`);
        }
        if (isGroup && tags.notPropagated.includes(key)) {
            parts.push(`Its '${key}' tag does not propagate to the instances it launches: set propagateAtLaunch to true.`);
        } else if (isGroup) {
            parts.push(`Add { key: "${key}", value: "<environment>", propagateAtLaunch: true } to its tags.`);
        } else {
            parts.push(`Set tags["${key}"] on it, or defaultTags.tags["${key}"] on its AWS provider.`);
        }
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

export const ec2InstanceEnvironmentTag: ResourceValidationPolicy = {
    name: "ec2-instance-environment-tag",
    displayName: "Instances carry an Environment tag",
    description: "Checks whether EC2 instances, Spot Instance requests and Auto Scaling groups (tags propagated at launch) carry a non-empty Environment tag, their own or from the AWS provider's default tags.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["tagging", "patching"],
    remediationSteps: "Tag the instance (or its provider's defaultTags) with Environment=<its environment>; for an Auto Scaling group, set propagateAtLaunch on that tag.",
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
    validateResource: (args, reportViolation) => {
        if (!INSTANCE_TYPES.includes(args.type)) {
            return args.notApplicable(`Policy only applies to ${INSTANCE_TYPES.join(", ")}`);
        }
        const cfg = environmentTagConfig(args.getConfig<EnvironmentTagConfig>());
        const defaultTags = args.provider ? field(args.provider.props, "defaultTags", "provider.defaultTags") : undefined;
        const tags = tagSetOf(args.type, field(args.props, "tags"), defaultTags);
        const result = checkEnvironmentTag(args.type, args.name, tags, cfg);
        if (result.ok === "unknown") undecidable(result.reason, result.unknown);
        if (result.ok === false) reportViolation(result.message);
    },
};

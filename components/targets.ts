import { INSTANCE_ID_EXAMPLE, isInstanceId, MAX_TARGETS, tagTargetKeyProblem, TARGET_MAX_VALUES } from "../lib/aws";
import { check, show } from "./errors";

/**
 * Which managed nodes a run applies to. Give exactly one of `tags`, `instanceIds` or
 * `allManagedNodes`. Tags are the way to go at scale: they are resolved by SSM at run time.
 */
export interface TargetArgs {
    /** Tag key/value pairs a node must all carry, e.g. { Environment: "Development" }. */
    tags?: Record<string, string>;
    /** Explicit instance or managed-node ids (at most 50). */
    instanceIds?: string[];
    /** Every managed node in the account and Region. */
    allManagedNodes?: boolean;
}

/** An SSM target as the Association and MaintenanceWindowTarget APIs take it. */
export interface SsmTarget {
    key: string;
    values: string[];
}


/** Validates targets and converts them to SSM's key/value form (`tag:<key>`, `InstanceIds`). */
export function buildTargets(t: TargetArgs | undefined, path: string): SsmTarget[] {
    check(typeof t === "object" && t !== null && !Array.isArray(t), path, "must be an object with one of tags, instanceIds or allManagedNodes");
    const given = (["tags", "instanceIds", "allManagedNodes"] as const).filter((k) => t[k] !== undefined && t[k] !== false);
    check(given.length === 1, path, `give exactly one of tags, instanceIds or allManagedNodes; got ${given.length === 0 ? "none" : given.join(" and ")}`);
    if (t.allManagedNodes) {
        return [{ key: "InstanceIds", values: ["*"] }];
    }
    if (t.instanceIds) {
        const ids = t.instanceIds;
        check(Array.isArray(ids) && ids.length > 0 && ids.length <= TARGET_MAX_VALUES, `${path}.instanceIds`, `must list 1 to ${TARGET_MAX_VALUES} instance ids`);
        ids.forEach((id, i) => check(isInstanceId(id), `${path}.instanceIds[${i}]`, `must be an instance id like ${INSTANCE_ID_EXAMPLE} or mi-...; got ${show(id)}`));
        return [{ key: "InstanceIds", values: [...ids] }];
    }
    const tags = t.tags as Record<string, string>;
    check(typeof tags === "object" && !Array.isArray(tags), `${path}.tags`, "must map tag keys to values, e.g. { Environment: Development }");
    const entries = Object.entries(tags);
    check(entries.length > 0 && entries.length <= MAX_TARGETS, `${path}.tags`, `must have 1 to ${MAX_TARGETS} tags (SSM takes at most ${MAX_TARGETS} targets)`);
    return entries.map(([key, value]) => {
        const keyProblem = tagTargetKeyProblem(key);
        check(keyProblem === undefined, `${path}.tags`, `tag key ${keyProblem}`);
        check(typeof value === "string" && value.length > 0 && value.length <= 256, `${path}.tags.${key}`, `must be a non-empty tag value of at most 256 characters; got ${show(value)}`);
        return { key: `tag:${key}`, values: [value] };
    });
}

/** A short human description of targets, for descriptions and messages. */
export function describeTargets(targets: SsmTarget[]): string {
    return targets.map((t) => `${t.key}=${t.values.join(",")}`).join(" and ");
}

/**
 * Targeting: turns --env / --tag / --instance-ids into one validated TargetSpec, and that spec into
 * the request shapes of SendCommand (tag Targets, or InstanceIds in batches of 50) and
 * DescribeInstanceInformation (tag filters). The AWS rules (id shapes, target limits) are
 * lib/aws's, shared with the Pulumi components.
 */
import type { InstanceInformationStringFilter, Target } from "@aws-sdk/client-ssm";
import { INSTANCE_ID_EXAMPLE, isInstanceId, MAX_TARGETS, tagTargetKeyProblem, TARGET_MAX_VALUES } from "../../lib/aws/nodes";
import { chunk } from "../aws/concurrency";
import { UsageError } from "../output/errors";

/** The instance tag that --env selects. */
export const ENV_TAG_KEY = "Environment";
/** EC2 tag keys and values are at most 128 and 256 characters. */
const TAG_KEY_MAX_LENGTH = 128;
const TAG_VALUE_MAX_LENGTH = 256;

export interface TagTarget {
    key: string;
    /** Any of these values matches (OR); different keys must all match (AND). */
    values: string[];
}

export type TargetSpec = { kind: "tags"; tags: TagTarget[]; env?: string } | { kind: "instances"; instanceIds: string[] };

export interface TargetOptions {
    env?: string;
    tag?: string[];
    instanceIds?: string[];
    /**
     * What the targets are for: "send" (the default), tag Targets of SendCommand, whose keys must
     * match SSM's target key pattern (no `+`, for example); or "read", tag filters of
     * DescribeInstanceInformation and Inspector, which take any EC2 tag key of 1 to 128
     * characters (EC2 allows `+` in tag keys), so a node tagged `Cost+Center` can be reported on.
     */
    use?: "send" | "read";
}

/** Validates the target flags and returns one TargetSpec. Throws UsageError with a one-line message. */
export function parseTargets(options: TargetOptions): TargetSpec {
    const tagArgs = options.tag ?? [];
    const idArgs = options.instanceIds ?? [];
    const hasTags = options.env !== undefined || tagArgs.length > 0;
    if (hasTags && idArgs.length > 0) {
        throw new UsageError("--instance-ids cannot be combined with --env or --tag; pick one way to target nodes");
    }
    if (idArgs.length > 0) {
        const ids = [...new Set(idArgs.flatMap((arg) => arg.split(",")).map((id) => id.trim()).filter((id) => id !== ""))];
        if (ids.length === 0) {
            throw new UsageError("--instance-ids: give at least one instance id, e.g. --instance-ids i-0123456789abcdef0");
        }
        for (const id of ids) {
            if (!isInstanceId(id)) {
                throw new UsageError(`--instance-ids: '${id}' is not a managed node id like ${INSTANCE_ID_EXAMPLE} or mi-0123456789abcdef0`);
            }
        }
        return { kind: "instances", instanceIds: ids };
    }
    if (!hasTags) {
        throw new UsageError("no targets: pass --env <name>, --tag Key=Value or --instance-ids <id,...>");
    }
    const byKey = new Map<string, string[]>();
    const add = (key: string, value: string, flag: string): void => {
        if (key === "" || key.length > TAG_KEY_MAX_LENGTH) {
            throw new UsageError(`${flag}: the tag key must be 1 to ${TAG_KEY_MAX_LENGTH} characters`);
        }
        const keyProblem = options.use === "read" ? undefined : tagTargetKeyProblem(key);
        if (keyProblem !== undefined) {
            throw new UsageError(`${flag}: the tag key ${keyProblem}`);
        }
        if (value === "" || value.length > TAG_VALUE_MAX_LENGTH) {
            throw new UsageError(`${flag}: the value of tag '${key}' must be 1 to ${TAG_VALUE_MAX_LENGTH} characters`);
        }
        const values = byKey.get(key) ?? [];
        if (!values.includes(value)) {
            values.push(value);
        }
        byKey.set(key, values);
    };
    if (options.env !== undefined) {
        add(ENV_TAG_KEY, options.env.trim(), "--env");
    }
    for (const arg of tagArgs) {
        const eq = arg.indexOf("=");
        if (eq <= 0) {
            throw new UsageError(`--tag '${arg}': expected Key=Value, e.g. --tag Team=payments`);
        }
        add(arg.slice(0, eq).trim(), arg.slice(eq + 1).trim(), `--tag '${arg}'`);
    }
    if (byKey.size > MAX_TARGETS) {
        throw new UsageError(`at most ${MAX_TARGETS} different tag keys can be targeted at once, got ${byKey.size}`);
    }
    for (const [key, values] of byKey) {
        if (values.length > TARGET_MAX_VALUES) {
            throw new UsageError(`tag '${key}': at most ${TARGET_MAX_VALUES} values can be targeted at once, got ${values.length}`);
        }
    }
    const tags = [...byKey].map(([key, values]) => ({ key, values }));
    const envValues = byKey.get(ENV_TAG_KEY);
    return { kind: "tags", tags, env: envValues?.length === 1 ? envValues[0] : undefined };
}

/**
 * The SendCommand target part of each request to make: one request with tag Targets, or one request
 * per batch of at most 50 instance ids (TARGET_MAX_VALUES: SendCommand's InstanceIds limit too).
 */
export function sendCommandTargets(spec: TargetSpec): Array<{ Targets: Target[] } | { InstanceIds: string[] }> {
    if (spec.kind === "tags") {
        return [{ Targets: spec.tags.map((tag) => ({ Key: `tag:${tag.key}`, Values: [...tag.values] })) }];
    }
    return chunk(spec.instanceIds, TARGET_MAX_VALUES).map((ids) => ({ InstanceIds: ids }));
}

/** DescribeInstanceInformation filters for a tag spec (tag filters are ANDed by the API). */
export function instanceInformationFilters(spec: Extract<TargetSpec, { kind: "tags" }>): InstanceInformationStringFilter[] {
    return spec.tags.map((tag) => ({ Key: `tag:${tag.key}`, Values: [...tag.values] }));
}

/** Short human description: "environment Development", "tag Team=payments", "3 instances". */
export function describeTargets(spec: TargetSpec): string {
    if (spec.kind === "instances") {
        return spec.instanceIds.length === 1 ? `instance ${spec.instanceIds[0]}` : `${spec.instanceIds.length} listed instances`;
    }
    if (spec.tags.length === 1 && spec.env !== undefined) {
        return `environment ${spec.env}`;
    }
    return spec.tags.map((tag) => `tag ${tag.key}=${tag.values.join("|")}`).join(" and ");
}

/** The JSON form of a spec, for --json reports. */
export function targetsJson(spec: TargetSpec): Record<string, unknown> {
    return spec.kind === "tags"
        ? { tags: Object.fromEntries(spec.tags.map((tag) => [tag.key, tag.values])) }
        : { instanceIds: spec.instanceIds };
}

// The tags an EC2 instance ends up with: its own, the AWS provider's default tags, or for an Auto
// Scaling group the tags it propagates at launch. Pure functions over plain data.
import { isUnknown, obj, Plain, Unknown } from "./values";

export const INSTANCE = "aws:ec2/instance:Instance";
export const SPOT_INSTANCE_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
export const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";

/** The resource types that launch EC2 instances. */
export const INSTANCE_TYPES: readonly string[] = [INSTANCE, SPOT_INSTANCE_REQUEST, AUTOSCALING_GROUP];

/** How messages name a resource type: "EC2 instance 'web'". */
export function kindOf(type: string): string {
    switch (type) {
        case INSTANCE: return "EC2 instance";
        case SPOT_INSTANCE_REQUEST: return "Spot Instance request";
        case AUTOSCALING_GROUP: return "Auto Scaling group";
        default: return type;
    }
}

/** What is known of one tag. */
export type TagLookup =
    | { state: "present"; value: string | Unknown }
    | { state: "absent" }
    /** The tags are (partly) unknown: the tag may or may not be there. */
    | { state: "maybe"; unknown: Unknown };

/** The effective tags of a resource: its own over the provider's default tags. */
export class TagSet {
    constructor(
        /** Its own tags (for a group: those it propagates at launch); values may be unknown. */
        readonly own: ReadonlyMap<string, string | Unknown>,
        /** Set when its own tags are (partly) unknown: more keys may come. */
        readonly ownUnknown: Unknown | undefined,
        /** The provider's default tags. */
        readonly defaults: ReadonlyMap<string, string>,
        /** Set when the provider's default tags are unknown. */
        readonly defaultsUnknown: Unknown | undefined,
        /** Tag keys of a group that do not propagate at launch, for messages. */
        readonly notPropagated: readonly string[] = [],
    ) {}

    static empty(): TagSet {
        return new TagSet(new Map(), undefined, new Map(), undefined);
    }

    get(key: string): TagLookup {
        const own = this.own.get(key);
        if (own !== undefined) return { state: "present", value: own };
        if (this.ownUnknown) {
            // Its own tags are unknown: they may override a default tag's value, or add the key.
            return this.defaults.has(key) ? { state: "present", value: this.ownUnknown } : { state: "maybe", unknown: this.ownUnknown };
        }
        const dflt = this.defaults.get(key);
        if (dflt !== undefined) return { state: "present", value: dflt };
        if (this.defaultsUnknown) return { state: "maybe", unknown: this.defaultsUnknown };
        return { state: "absent" };
    }

    /** Every key known to be there, sorted. */
    keys(): string[] {
        const keys = [...this.own.keys()];
        for (const k of this.defaults.keys()) if (!this.own.has(k)) keys.push(k);
        return keys.sort();
    }

    /** Whether every key is known (values may still be unknown). */
    get complete(): boolean {
        return !this.ownUnknown && !this.defaultsUnknown;
    }

    /** The first unknown that makes the set incomplete. */
    get unknown(): Unknown | undefined {
        return this.ownUnknown ?? this.defaultsUnknown;
    }

    /** `Environment=Development, Name=web`, for messages; unknown values show as `(unknown)`. */
    describe(): string {
        const shown = this.keys().map((k) => {
            const v = this.get(k);
            return v.state === "present" ? `${k}=${isUnknown(v.value) ? "(unknown)" : v.value}` : k;
        });
        if (!this.complete) shown.push("(more unknown until the update)");
        return shown.length === 0 ? "none" : shown.join(", ");
    }
}

/** Reads a string map (`tags`), keeping unknown values; `Unknown` when the whole map is. */
function stringMap(v: Plain | undefined): { map: Map<string, string | Unknown>; unknown?: Unknown } {
    const map = new Map<string, string | Unknown>();
    if (isUnknown(v)) return { map, unknown: v };
    const o = obj(v);
    for (const [k, val] of Object.entries(o ?? {})) {
        if (typeof val === "string" || isUnknown(val)) map.set(k, val);
        else if (typeof val === "number" || typeof val === "boolean") map.set(k, String(val));
    }
    return { map };
}

/**
 * The provider's default tags from its `defaultTags` input. The engine passes provider inputs of
 * object type JSON-encoded (`'{"tags":{"Environment":"Production"}}'`); an object is read as well.
 */
export function defaultTagsOf(defaultTags: Plain | undefined): { tags: Map<string, string>; unknown?: Unknown } {
    const tags = new Map<string, string>();
    if (defaultTags === undefined || defaultTags === null) return { tags };
    if (isUnknown(defaultTags)) return { tags, unknown: defaultTags };
    let value: unknown = defaultTags;
    if (typeof defaultTags === "string") {
        try {
            value = JSON.parse(defaultTags);
        } catch {
            return { tags };
        }
    }
    const inner = (value as { tags?: unknown } | null)?.tags;
    if (isUnknown(inner)) return { tags, unknown: inner };
    if (inner && typeof inner === "object") {
        for (const [k, v] of Object.entries(inner as Record<string, unknown>)) {
            if (typeof v === "string") tags.set(k, v);
        }
    }
    return { tags };
}

/**
 * The effective tags of an instance-launching resource. Instances and Spot Instance requests:
 * their `tags` over the provider's default tags. Auto Scaling groups: the `tags` entries with
 * `propagateAtLaunch` true (the AWS provider applies no default tags to groups).
 */
export function tagSetOf(type: string, tags: Plain | undefined, providerDefaultTags: Plain | undefined): TagSet {
    if (type === AUTOSCALING_GROUP) {
        const own = new Map<string, string | Unknown>();
        const notPropagated: string[] = [];
        if (isUnknown(tags)) return new TagSet(own, tags, new Map(), undefined);
        let unknown: Unknown | undefined;
        for (const t of Array.isArray(tags) ? tags : []) {
            if (isUnknown(t)) {
                unknown ??= t;
                continue;
            }
            const o = obj(t);
            if (!o) continue;
            const { key, value, propagateAtLaunch } = o;
            if (isUnknown(key)) {
                unknown ??= key;
            } else if (typeof key === "string") {
                if (propagateAtLaunch === true) {
                    own.set(key, isUnknown(value) ? value : typeof value === "string" ? value : "");
                } else if (isUnknown(propagateAtLaunch)) {
                    unknown ??= propagateAtLaunch;
                } else {
                    notPropagated.push(key);
                }
            }
        }
        return new TagSet(own, unknown, new Map(), undefined, notPropagated);
    }
    const own = stringMap(tags);
    const defaults = defaultTagsOf(providerDefaultTags);
    return new TagSet(own.map, own.unknown, defaults.tags, defaults.unknown);
}

/** Normalizes a tag key for near-miss detection: case, spaces, `-` and `_` do not count. */
function loose(key: string): string {
    return key.toLowerCase().replace(/[\s_\-.:]/g, "");
}

/** Keys of the set that are near misses of `key` (differ only in case or separators). */
export function nearMisses(tags: TagSet, key: string): string[] {
    const want = loose(key);
    return tags.keys().filter((k) => k !== key && loose(k) === want);
}

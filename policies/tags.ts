// The tags an EC2 instance ends up with, as layers of tag sources merged the way AWS merges them
// (which sources apply to which resource, and their order, is decided in launch.ts, each with its
// documentation). Pure functions over plain data.
import { isUnknown, obj, Plain, Unknown } from "./values";

export const INSTANCE = "aws:ec2/instance:Instance";
export const SPOT_INSTANCE_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
export const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";
export const FLEET = "aws:ec2/fleet:Fleet";
export const SPOT_FLEET_REQUEST = "aws:ec2/spotFleetRequest:SpotFleetRequest";

/** The resource types that launch EC2 instances. */
export const INSTANCE_TYPES: readonly string[] = [INSTANCE, SPOT_INSTANCE_REQUEST, AUTOSCALING_GROUP, FLEET, SPOT_FLEET_REQUEST];

/** How messages name a resource type: "EC2 instance 'web'". */
export function kindOf(type: string): string {
    switch (type) {
        case INSTANCE: return "EC2 instance";
        case SPOT_INSTANCE_REQUEST: return "Spot Instance request";
        case AUTOSCALING_GROUP: return "Auto Scaling group";
        case FLEET: return "EC2 Fleet";
        case SPOT_FLEET_REQUEST: return "Spot Fleet request";
        default: return type;
    }
}

/** What is known of one tag. */
export type TagLookup =
    | { state: "present"; value: string | Unknown }
    | { state: "absent" }
    /** The tags are (partly) unknown: the tag may or may not be there. */
    | { state: "maybe"; unknown: Unknown };

/** One source of an instance's tags: its own tags, its provider's default tags, a launch template, an aws.ec2.Tag. */
export interface TagLayer {
    /** Where the tags come from, for messages: "its tags", "launch template 'web'". */
    source: string;
    tags: ReadonlyMap<string, string | Unknown>;
    /** Keys this source may set, their values unknown (an aws.ec2.Tag whose resourceId is unknown). */
    maybe?: ReadonlyMap<string, Unknown>;
    /** Set when this source may set any key (a tags map unknown during the preview, a template defined outside the stack). */
    unknown?: Unknown;
}

/** A tag set on the resource that AWS does not put on the instances it launches, for messages. */
export interface StrayTag {
    key: string;
    value: string | Unknown;
    /** Why it does not reach the instances: "tags the Spot Instance request only". */
    why: string;
}

/** The effective tags of the instances a resource launches: its tag layers, the last taking precedence. */
export class TagSet {
    constructor(
        /** Lowest precedence first. */
        readonly layers: readonly TagLayer[],
        /** Tags of the resource that do not reach its instances. */
        readonly stray: readonly StrayTag[] = [],
    ) {}

    static empty(): TagSet {
        return new TagSet([]);
    }

    /** A set of one layer of known tags. */
    static of(tags: Record<string, string>, source = "its tags"): TagSet {
        return new TagSet([{ source, tags: new Map(Object.entries(tags)) }]);
    }

    get(key: string): TagLookup {
        let pending: Unknown | undefined;
        for (let i = this.layers.length - 1; i >= 0; i--) {
            const layer = this.layers[i];
            const v = layer.tags.get(key);
            // A higher source that may set the key leaves the value unknown, but the key is there.
            if (v !== undefined) return { state: "present", value: pending ?? v };
            pending ??= layer.maybe?.get(key) ?? layer.unknown;
        }
        return pending ? { state: "maybe", unknown: pending } : { state: "absent" };
    }

    /** The layer a present tag's value comes from. */
    sourceOf(key: string): string | undefined {
        for (let i = this.layers.length - 1; i >= 0; i--) {
            if (this.layers[i].tags.has(key)) return this.layers[i].source;
        }
        return undefined;
    }

    private keyCache?: string[];
    private maybeCache?: string[];

    /** Every key known to be there, sorted. */
    keys(): string[] {
        if (!this.keyCache) {
            const keys = new Set<string>();
            for (const l of this.layers) for (const k of l.tags.keys()) keys.add(k);
            this.keyCache = [...keys].sort();
        }
        return this.keyCache;
    }

    /** Keys that may be there (a source may set them) but are not known to be. */
    maybeKeys(): string[] {
        if (!this.maybeCache) {
            this.maybeCache = [];
            for (const l of this.layers) {
                for (const k of l.maybe?.keys() ?? []) if (this.get(k).state === "maybe") this.maybeCache.push(k);
            }
        }
        return this.maybeCache;
    }

    /** Whether every key is known (values may still be unknown). */
    get complete(): boolean {
        return this.unknown === undefined;
    }

    /** The first unknown that makes the set incomplete (any key may be there). */
    get unknown(): Unknown | undefined {
        for (let i = this.layers.length - 1; i >= 0; i--) if (this.layers[i].unknown) return this.layers[i].unknown;
        return undefined;
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

/** Reads a string map (`tags`), keeping unknown values; `unknown` when the whole map is. */
export function stringMap(v: Plain | undefined): { map: Map<string, string | Unknown>; unknown?: Unknown } {
    const map = new Map<string, string | Unknown>();
    if (isUnknown(v)) return { map, unknown: v };
    const o = obj(v);
    for (const [k, val] of Object.entries(o ?? {})) {
        if (typeof val === "string" || isUnknown(val)) map.set(k, val);
        else if (typeof val === "number" || typeof val === "boolean") map.set(k, String(val));
    }
    return { map };
}

/** A layer from a tags map. */
export function mapLayer(source: string, v: Plain | undefined): TagLayer {
    const { map, unknown } = stringMap(v);
    return unknown ? { source, tags: map, unknown } : { source, tags: map };
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

/** An Auto Scaling group's `tags` list: those it propagates at launch, and the keys it does not propagate. */
export function groupTags(tags: Plain | undefined): { propagated: TagLayer; notPropagated: StrayTag[] } {
    const own = new Map<string, string | Unknown>();
    const notPropagated: StrayTag[] = [];
    const source = "its tags with propagateAtLaunch";
    if (isUnknown(tags)) return { propagated: { source, tags: own, unknown: tags }, notPropagated };
    let unknown: Unknown | undefined;
    for (const t of Array.isArray(tags) ? tags : []) {
        if (isUnknown(t)) {
            unknown ??= t;
            continue;
        }
        const o = obj(t);
        if (!o) continue;
        const { key, value, propagateAtLaunch } = o;
        const v = isUnknown(value) ? value : typeof value === "string" ? value : "";
        if (isUnknown(key)) {
            unknown ??= key;
        } else if (typeof key === "string") {
            if (propagateAtLaunch === true) own.set(key, v);
            else if (isUnknown(propagateAtLaunch)) unknown ??= propagateAtLaunch;
            else notPropagated.push({ key, value: v, why: "has propagateAtLaunch false" });
        }
    }
    return { propagated: unknown ? { source, tags: own, unknown } : { source, tags: own }, notPropagated };
}

/**
 * The effective tags of a resource from its own `tags` and its provider's default tags alone (no
 * launch template or aws.ec2.Tag; see launch.ts for those). Instances: their tags over the default
 * tags. Auto Scaling groups: the tags they propagate at launch (default tags never reach a group's
 * instances). Spot Instance requests: none (their tags tag the request only).
 */
export function tagSetOf(type: string, tags: Plain | undefined, providerDefaultTags: Plain | undefined): TagSet {
    if (type === AUTOSCALING_GROUP) {
        const { propagated, notPropagated } = groupTags(tags);
        return new TagSet([propagated], notPropagated);
    }
    const defaults = defaultTagsOf(providerDefaultTags);
    const defaultLayer: TagLayer = { source: "its AWS provider's default tags", tags: defaults.tags, unknown: defaults.unknown };
    return new TagSet([defaultLayer, mapLayer("its tags", tags)]);
}

/** Normalizes a tag key for near-miss detection: case, spaces, `-` and `_` do not count. */
export function loose(key: string): string {
    return key.toLowerCase().replace(/[\s_\-.:]/g, "");
}

/** Keys of the set that are near misses of `key` (differ only in case or separators). */
export function nearMisses(tags: TagSet, key: string): string[] {
    const want = loose(key);
    return tags.keys().filter((k) => k !== key && loose(k) === want);
}

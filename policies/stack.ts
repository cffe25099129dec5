// A stack's resources as a stack policy receives them, indexed once: by URN and type, where each
// lands (its provider's Region and account, or its own `region`), its provider's default tags, and
// what a reference between resources resolves to. A reference arrives as the referenced output's
// value (a launch template's `id`, an instance profile's `name`), unknown during a preview when the
// referenced resource is new; the engine also sends which resources each property depends on.
import { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { Placement } from "./coverage";
import { roleArnAccount, strOrUnknown } from "./ssm";
import { field, isUnknown, obj, Plain, unknowable, Unknown } from "./values";

export { Placement };

/** What a reference resolves to. */
export type Resolution =
    | { state: "resource"; target: PolicyResource }
    /** A known value that names nothing in the stack: the referenced thing is defined elsewhere. */
    | { state: "outside"; value: string }
    | { state: "unknown"; unknown: Unknown }
    | { state: "absent" };

/** The signature of a resource reference in serialized properties (the engine may keep references as such). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** The AWS partition of a Region: `aws`, `aws-cn`, `aws-us-gov`. */
export function partitionOf(region: string | Unknown): string {
    if (typeof region !== "string") return "aws";
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

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

/** The resources of a stack, indexed. Building it is linear; each lookup index is built once, on first use. */
export class StackIndex {
    readonly byUrn = new Map<string, PolicyResource>();
    private readonly byType = new Map<string, PolicyResource[]>();
    private readonly providers = new Map<string, { placement: Placement; defaultTags: Plain | undefined }>();
    private readonly valueIndexes = new Map<string, Map<string, PolicyResource[]>>();

    constructor(readonly resources: readonly PolicyResource[]) {
        for (const r of resources) {
            this.byUrn.set(r.urn, r);
            const list = this.byType.get(r.type);
            if (list) list.push(r);
            else this.byType.set(r.type, [r]);
        }
    }

    ofType(type: string): readonly PolicyResource[] {
        return this.byType.get(type) ?? [];
    }

    private provider(r: PolicyResource) {
        const key = r.provider?.urn ?? "";
        let p = this.providers.get(key);
        if (!p) {
            p = {
                placement: placementOfProvider(r.provider),
                defaultTags: r.provider ? field(r.provider.props, "defaultTags", "provider.defaultTags") : undefined,
            };
            this.providers.set(key, p);
        }
        return p;
    }

    /**
     * Where a resource acts: its own `region` when it sets one (every @pulumi/aws 7 resource takes
     * `region`, "Defaults to the Region set in the provider configuration"), else its provider's.
     */
    placement(r: PolicyResource): Placement {
        const p = this.provider(r).placement;
        const region = field(r.props, "region");
        if (typeof region === "string" && region !== "") return { region, account: p.account };
        if (isUnknown(region)) return { region, account: p.account };
        return p;
    }

    /** The `defaultTags` input of the resource's provider (JSON-encoded, as the engine sends it). */
    defaultTags(r: PolicyResource): Plain | undefined {
        return this.provider(r).defaultTags;
    }

    /** Resources of a type by the known value of one of their properties (`id`, `name`, `arn`). */
    private byValue(type: string, key: string): Map<string, PolicyResource[]> {
        const indexKey = `${type}\u0000${key}`;
        let index = this.valueIndexes.get(indexKey);
        if (!index) {
            index = new Map();
            for (const r of this.ofType(type)) {
                const v = field(r.props, key);
                if (typeof v !== "string" || v === "") continue;
                const list = index.get(v);
                if (list) list.push(r);
                else index.set(v, [r]);
            }
            this.valueIndexes.set(indexKey, index);
        }
        return index;
    }

    /**
     * What a reference from `r` resolves to. `prop` is the top-level property holding it (the engine
     * keys property dependencies by it), `value` the reference's value, `types` the types it can
     * name, `keys` their properties the value may equal (`id`, `name`, `arn`). In order: a resource
     * reference; a resource of those types whose property equals a known value; the only resource of
     * those types the property depends on; for an unknown value, the only one the resource depends
     * on. A known value that names nothing here is outside the stack.
     */
    resolve(r: PolicyResource, prop: string, value: Plain | undefined, types: readonly string[], keys: readonly string[] = ["id", "name", "arn"]): Resolution {
        if (value === undefined || value === null || value === "") return { state: "absent" };
        const ref = obj(value);
        if (ref && SIG_KEY in ref && typeof ref.urn === "string") {
            const target = this.byUrn.get(ref.urn);
            if (target && types.includes(target.type)) return { state: "resource", target };
            const id = ref.id;
            if (typeof id === "string" && id !== "") value = id;
            else return { state: "outside", value: ref.urn };
        }
        if (typeof value === "string") {
            const matches = new Set<PolicyResource>();
            for (const type of types) {
                for (const key of keys) for (const t of this.byValue(type, key).get(value) ?? []) matches.add(t);
            }
            if (matches.size === 1) return { state: "resource", target: [...matches][0] };
        }
        const deps = (r.propertyDependencies?.[prop] ?? []).filter((d) => types.includes(d.type));
        const unique = [...new Set(deps)];
        if (unique.length === 1) return { state: "resource", target: unique[0] };
        if (isUnknown(value)) {
            if (unique.length > 1) return { state: "unknown", unknown: value };
            const hasPropertyDeps = Object.keys(r.propertyDependencies ?? {}).length > 0;
            const fromDeps = hasPropertyDeps ? [] : (r.dependencies ?? []).filter((d) => types.includes(d.type));
            if (fromDeps.length === 1) return { state: "resource", target: fromDeps[0] };
            return { state: "unknown", unknown: value };
        }
        if (typeof value === "string") {
            if (unique.length > 1) return { state: "unknown", unknown: unknowable(`'${value}'`, "names one of several resources it depends on") };
            return { state: "outside", value };
        }
        return { state: "absent" };
    }
}

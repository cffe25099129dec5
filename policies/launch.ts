// The instances a stack launches, with the tags and instance profile AWS gives them. Each resource
// that launches instances (aws.ec2.Instance, aws.ec2.SpotInstanceRequest, aws.autoscaling.Group,
// aws.ec2.Fleet, aws.ec2.SpotFleetRequest) is read into "launch variants": one per way its
// instances are launched (one per launch template it can launch from). Each rule below cites the
// AWS or provider documentation it follows. Linear in the stack's size: templates, tag resources
// and instance ids are indexed once.
import { PolicyResource } from "@pulumi/policy";
import { Resolution, StackIndex } from "./stack";
import {
    AUTOSCALING_GROUP, defaultTagsOf, FLEET, groupTags, INSTANCE, INSTANCE_TYPES, mapLayer, SPOT_FLEET_REQUEST, SPOT_INSTANCE_REQUEST,
    StrayTag, TagLayer, TagSet,
} from "./tags";
import { field, isUnknown, obj, Plain, str, unknowable, Unknown } from "./values";

export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration";
export const EC2_TAG = "aws:ec2/tag:Tag";
export const INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile";

/** Where the instances get their instance profile from. */
export interface ProfileRef {
    /** Where it is set, for messages: "its iamInstanceProfile", "launch template 'web' (iamInstanceProfile)". */
    source: string;
    /** The profile, by name or ARN; absent when none is set. */
    resolution: Resolution;
}

/** One way a resource launches instances. */
export interface LaunchVariant {
    /** "" for the resource's own settings; otherwise how it launches, e.g. "launch template 'web' ($Latest)". */
    via: string;
    /** The tags its instances carry. */
    tags: TagSet;
    /** Their instance profile; unknown when it comes from a template whose version is not known. */
    profile: ProfileRef | Unknown;
    /** The launch template it launches from, when it is one of the stack's (for the fix in messages). */
    template?: TemplateInfo;
}

/** A resource that launches EC2 instances, read as AWS launches them. */
export interface Launcher {
    resource: PolicyResource;
    urn: string;
    name: string;
    type: string;
    /** One or more; every one must pass. */
    variants: LaunchVariant[];
    /** The instance id (an instance's `id`, a Spot Instance request's `spotInstanceId`), when the engine sent it. */
    id?: string | Unknown;
    /** The known default tags of its AWS provider, for messages (they never reach some resources' instances). */
    defaultTags: ReadonlyMap<string, string>;
    /** aws.ec2.Tag resources that tag the resource itself rather than its instance (a Spot Instance request's id), for messages. */
    misdirectedTags: string[];
}

/** A launch template of the stack, as far as its instances are concerned. */
export interface TemplateInfo {
    resource: PolicyResource;
    /** "launch template 'web'". */
    label: string;
    /** Its `name` when known, else the resource's name: what a fix refers to. */
    name: string;
    /** The tags of its `tagSpecifications` with resource type `instance`. */
    instanceTags: TagLayer;
    /** Its own `tags`, which tag the template, not the instances. */
    ownTags: ReadonlyMap<string, string | Unknown>;
    /** Its `iamInstanceProfile` (`{ arn | name }`). */
    profile: Plain | undefined;
}

/** A launch template reference as the resources spell it (`id`/`name`, or `launchTemplateId`/`launchTemplateName`, and `version`). */
interface TemplateSpec {
    id: Plain | undefined;
    name: Plain | undefined;
    version: Plain | undefined;
}

type TemplateRead =
    | { state: "template"; info: TemplateInfo; version: string }
    | { state: "unknown"; unknown: Unknown; label: string };

const sourceOwn = "its tags";
const sourceDefaults = "its AWS provider's default tags";

/** Reads the stack's instance-launching resources. */
export class Launches {
    private readonly templates = new Map<PolicyResource, TemplateInfo>();
    /** aws.ec2.Tag layers by the URN of the resource whose instance they tag. */
    private readonly tagLayers = new Map<string, TagLayer[]>();
    private readonly misdirected = new Map<string, string[]>();
    readonly launchers: Launcher[] = [];

    constructor(readonly stack: StackIndex) {
        const launcherResources = INSTANCE_TYPES.flatMap((t) => [...stack.ofType(t)]);
        if (launcherResources.length === 0) return;
        this.readTagResources();
        for (const r of stack.resources) {
            if (INSTANCE_TYPES.includes(r.type)) this.launchers.push(this.read(r));
        }
    }

    /** What a template reference resolves to, and whether the version it names is the one the stack defines. */
    private template(r: PolicyResource, prop: string, spec: TemplateSpec | Unknown): TemplateRead | undefined {
        if (isUnknown(spec)) return { state: "unknown", unknown: spec, label: "its launch template" };
        const byId = spec.id !== undefined && spec.id !== null && spec.id !== "";
        const value = byId ? spec.id : spec.name;
        const shown = typeof value === "string" ? `launch template '${value}'` : "its launch template";
        const res = this.stack.resolve(r, prop, value, [LAUNCH_TEMPLATE], byId ? ["id"] : ["name"]);
        switch (res.state) {
            case "absent":
                return undefined;
            case "outside":
                return { state: "unknown", label: shown, unknown: unknowable(shown, "is defined outside this stack") };
            case "unknown":
                return { state: "unknown", label: shown, unknown: res.unknown };
            case "resource":
                break;
        }
        const info = this.templateInfo(res.target);
        // Which version launches. EC2 User Guide, "Launch an instance from a launch template": "If
        // you don't specify a version, the default version is used ... by default, it's the first
        // version of the launch template". The stack defines one version: its latest (the provider
        // creates a new version on every change). $Default is that version too unless the template
        // pins `defaultVersion` to another (the provider: `updateDefaultVersion` moves the default
        // to the latest; `defaultVersion` and `latestVersion` when the engine sends outputs).
        const version = spec.version;
        if (isUnknown(version)) return { state: "unknown", label: info.label, unknown: version };
        const asked = version === undefined || version === null || version === "" ? "$Default" : String(version);
        const latest = field(info.resource.props, "latestVersion");
        const dflt = field(info.resource.props, "defaultVersion");
        const updatesDefault = field(info.resource.props, "updateDefaultVersion") === true;
        const pinned = (v: string): TemplateRead => {
            if (isUnknown(latest)) return { state: "unknown", label: info.label, unknown: latest };
            if ((typeof latest === "number" || typeof latest === "string") && String(latest) === v) return { state: "template", info, version: v };
            return { state: "unknown", label: info.label, unknown: unknowable(`version ${v} of ${info.label}`, "may not be the version this stack defines") };
        };
        if (asked === "$Latest") return { state: "template", info, version: asked };
        if (asked === "$Default") {
            if (isUnknown(dflt)) return { state: "unknown", label: info.label, unknown: dflt };
            if (dflt === undefined || dflt === null || updatesDefault) return { state: "template", info, version: asked };
            if ((typeof latest === "number" || typeof latest === "string") && String(latest) === String(dflt)) return { state: "template", info, version: asked };
            return pinned(String(dflt));
        }
        return pinned(asked);
    }

    private templateInfo(t: PolicyResource): TemplateInfo {
        let info = this.templates.get(t);
        if (info) return info;
        const name = str(field(t.props, "name")) ?? t.name;
        const label = `launch template '${name}'`;
        // EC2 API, LaunchTemplateTagSpecificationRequest: the tags of resource type `instance` are
        // applied to the instances launched from the template ("When you create a launch template,
        // you can specify tags for the following resource types only: instance | volume |
        // network-interface | spot-instances-request"). The template's own `tags` tag the template
        // (RequestLaunchTemplateData.TagSpecifications: "These tags are not applied to the launch
        // template"; and conversely). The provider's default tags join the template's own `tags`
        // (Terraform AWS provider, default_tags: "supported in all resources that implement tags"),
        // not its tag specifications.
        const specs = field(t.props, "tagSpecifications");
        const tags = new Map<string, string | Unknown>();
        let unknown: Unknown | undefined;
        if (isUnknown(specs)) unknown = specs;
        for (const s of Array.isArray(specs) ? specs : []) {
            if (isUnknown(s)) {
                unknown ??= s;
                continue;
            }
            const o = obj(s);
            if (!o) continue;
            if (isUnknown(o.resourceType)) {
                unknown ??= o.resourceType;
                continue;
            }
            if (o.resourceType !== "instance") continue;
            const layer = mapLayer(label, o.tags);
            if (layer.unknown) unknown ??= layer.unknown;
            for (const [k, v] of layer.tags) tags.set(k, v);
        }
        const own = mapLayer(label, field(t.props, "tags")).tags;
        info = {
            resource: t, label, name,
            instanceTags: unknown ? { source: label, tags, unknown } : { source: label, tags },
            ownTags: own,
            profile: field(t.props, "iamInstanceProfile"),
        };
        this.templates.set(t, info);
        return info;
    }

    /** The layer a template read contributes. */
    private templateLayer(read: TemplateRead): TagLayer {
        if (read.state === "template") return read.info.instanceTags;
        return { source: read.label, tags: new Map(), unknown: read.unknown };
    }

    /** The profile a template read contributes. */
    private templateProfile(read: TemplateRead): ProfileRef | Unknown {
        if (read.state === "unknown") return read.unknown;
        const p = read.info.profile;
        if (isUnknown(p)) return p;
        const o = obj(p);
        const source = `${read.info.label} (iamInstanceProfile)`;
        if (!o) return { source, resolution: { state: "absent" } };
        // The template's iamInstanceProfile is `{ arn }` or `{ name }`.
        const byArn = o.arn !== undefined && o.arn !== null && o.arn !== "";
        const value = byArn ? o.arn : o.name;
        return { source, resolution: this.stack.resolve(read.info.resource, "iamInstanceProfile", value, [INSTANCE_PROFILE], byArn ? ["arn"] : ["name", "id"]) };
    }

    private ownProfile(r: PolicyResource, prop: string, key: string, source: string, keys: readonly string[] = ["name", "id"]): ProfileRef {
        return { source, resolution: this.stack.resolve(r, prop, field(r.props, key), [INSTANCE_PROFILE], keys) };
    }

    private read(r: PolicyResource): Launcher {
        const defaults = defaultTagsOf(this.stack.defaultTags(r));
        const launcher: Launcher = {
            resource: r, urn: r.urn, name: r.name, type: r.type, variants: [], defaultTags: defaults.tags,
            misdirectedTags: this.misdirected.get(r.urn) ?? [],
        };
        const extra = this.tagLayers.get(r.urn) ?? [];
        const defaultLayer: TagLayer = { source: sourceDefaults, tags: defaults.tags, unknown: defaults.unknown };
        const ownTags = field(r.props, "tags");
        switch (r.type) {
            case INSTANCE: {
                // RunInstances with a launch template (EC2 API, RunInstances.LaunchTemplate): "Any
                // additional parameters that you specify for the new instance overwrite the
                // corresponding parameters included in the launch template"; EC2 User Guide, "Use
                // launch templates to control launching instances": "you can override parameters
                // that are specified in the launch template ... You cannot remove launch template
                // parameters during launch". So the template's instance tags are merged under the
                // instance's own. The provider launches with its tags over its provider's default
                // tags (`tags`: "tags with matching keys will overwrite those defined at the
                // provider-level"). aws.ec2.Tag resources on its id come last (CreateTags
                // "overwrites an existing tag with the same key").
                const id = field(r.props, "id");
                if (typeof id === "string" || isUnknown(id)) launcher.id = id;
                const spec = templateSpecOf(field(r.props, "launchTemplate"), "id", "name");
                const read = spec ? this.template(r, "launchTemplate", spec) : undefined;
                const own = this.ownProfile(r, "iamInstanceProfile", "iamInstanceProfile", "its iamInstanceProfile");
                const layers = [...(read ? [this.templateLayer(read)] : []), defaultLayer, mapLayer(sourceOwn, ownTags), ...extra];
                const profile = own.resolution.state !== "absent" || !read ? own : this.templateProfile(read);
                launcher.variants.push({ via: "", tags: new TagSet(layers, read?.state === "template" ? templateStray(read.info) : []), profile, template: read?.state === "template" ? read.info : undefined });
                break;
            }
            case SPOT_INSTANCE_REQUEST: {
                // Terraform AWS provider, aws_spot_instance_request `tags`: "A map of tags to assign
                // to the Spot Instance Request. These tags are not automatically applied to the
                // launched Instance." (RequestSpotInstances.TagSpecifications: "The value for
                // ResourceType must be spot-instances-request".) Neither are its provider's default
                // tags, which join those. Its launch template is not sent: the request's
                // RequestSpotLaunchSpecification (EC2 API) has no launch template. What tags the
                // instance is an aws.ec2.Tag on its `spotInstanceId`.
                const id = field(r.props, "spotInstanceId");
                if (typeof id === "string" || isUnknown(id)) launcher.id = id;
                const stray: StrayTag[] = [];
                const why = "tags the Spot Instance request only";
                for (const [k, v] of mapLayer(sourceOwn, ownTags).tags) stray.push({ key: k, value: v, why });
                for (const [k, v] of defaults.tags) if (!stray.some((s) => s.key === k)) stray.push({ key: k, value: v, why: "is a provider default tag, which tags the Spot Instance request only" });
                launcher.variants.push({ via: "", tags: new TagSet([...extra], stray), profile: this.ownProfile(r, "iamInstanceProfile", "iamInstanceProfile", "its iamInstanceProfile") });
                break;
            }
            case AUTOSCALING_GROUP: {
                // Auto Scaling User Guide, "Tag Auto Scaling groups and instances": tags reach the
                // instances only with PropagateAtLaunch ("Determines whether the tag is added to new
                // instances as they are launched in the group"); "You can also add tags to instances
                // by specifying the tags in your launch template ... Amazon EC2 Auto Scaling overrides
                // the tag value from your launch template with the value for the same key specified by
                // the Auto Scaling group". Terraform AWS provider, default_tags: "supported in all
                // resources that implement tags, with the exception of the aws_autoscaling_group
                // resource".
                const { propagated, notPropagated } = groupTags(ownTags);
                const stray: StrayTag[] = [...notPropagated];
                for (const [k, v] of defaults.tags) stray.push({ key: k, value: v, why: "is a provider default tag, which never reaches an Auto Scaling group's instances" });
                const lc = field(r.props, "launchConfiguration");
                const specs: { prop: string; spec: TemplateSpec | Unknown }[] = [];
                const direct = templateSpecOf(field(r.props, "launchTemplate"), "id", "name");
                if (direct) specs.push({ prop: "launchTemplate", spec: direct });
                // A mixed instances policy launches from its launch template, and from the template
                // an override names for its instance types (Auto Scaling API,
                // LaunchTemplateOverrides.LaunchTemplateSpecification).
                const mixed = field(r.props, "mixedInstancesPolicy");
                if (isUnknown(mixed)) specs.push({ prop: "mixedInstancesPolicy", spec: mixed });
                const mlt = obj(obj(mixed)?.launchTemplate ?? undefined);
                if (isUnknown(obj(mixed)?.launchTemplate)) specs.push({ prop: "mixedInstancesPolicy", spec: obj(mixed)?.launchTemplate as Unknown });
                if (mlt) {
                    const main = templateSpecOf(mlt.launchTemplateSpecification, "launchTemplateId", "launchTemplateName");
                    if (main) specs.push({ prop: "mixedInstancesPolicy", spec: main });
                    const overrides = mlt.overrides;
                    if (isUnknown(overrides)) specs.push({ prop: "mixedInstancesPolicy", spec: overrides });
                    for (const o of Array.isArray(overrides) ? overrides : []) {
                        const s = isUnknown(o) ? o : templateSpecOf(obj(o)?.launchTemplateSpecification, "launchTemplateId", "launchTemplateName");
                        if (s) specs.push({ prop: "mixedInstancesPolicy", spec: s });
                    }
                }
                const seen = new Set<string>();
                for (const { prop, spec } of specs) {
                    const read = this.template(r, prop, spec);
                    if (!read) continue;
                    const key = read.state === "template" ? `${read.info.resource.urn}\u0000${read.version}` : read.unknown.describe();
                    if (seen.has(key)) continue;
                    seen.add(key);
                    const via = read.state === "template" ? `${read.info.label} (${read.version})` : read.label;
                    launcher.variants.push({
                        via, tags: new TagSet([this.templateLayer(read), propagated], [...stray, ...(read.state === "template" ? templateStray(read.info) : [])]),
                        profile: this.templateProfile(read), template: read.state === "template" ? read.info : undefined,
                    });
                }
                if (launcher.variants.length === 0) {
                    // A launch configuration (or none known): the group's propagated tags alone.
                    const profile: ProfileRef | Unknown = lc === undefined || lc === null ? { source: "its launch configuration", resolution: { state: "absent" } } : this.configurationProfile(r, lc);
                    launcher.variants.push({ via: "", tags: new TagSet([propagated], stray), profile });
                }
                break;
            }
            case FLEET: {
                // Pulumi AWS, aws.ec2.Fleet `tags`: "Map of Fleet tags. To tag instances at launch,
                // specify the tags in the Launch Template." (CreateFleet.TagSpecifications: for
                // maintain and request fleets "You cannot specify a resource type of instance".)
                const stray: StrayTag[] = [];
                for (const [k, v] of mapLayer(sourceOwn, ownTags).tags) stray.push({ key: k, value: v, why: "tags the fleet only" });
                this.configVariants(launcher, r, field(r.props, "launchTemplateConfigs"), "launchTemplateId", "launchTemplateName", stray);
                break;
            }
            case SPOT_FLEET_REQUEST: {
                // RequestSpotFleet, SpotFleetRequestConfigData.TagSpecifications: "The value for
                // ResourceType must be spot-fleet-request ... To tag instances at launch, specify the
                // tags in the launch template (valid only if you use LaunchTemplateConfigs) or in the
                // SpotFleetTagSpecification (valid only if you use LaunchSpecifications)". The
                // provider sends a launch specification's `tags` as its SpotFleetTagSpecification of
                // resource type instance, without default tags; its `iamInstanceProfileArn` wins over
                // `iamInstanceProfile`.
                const stray: StrayTag[] = [];
                for (const [k, v] of mapLayer(sourceOwn, ownTags).tags) stray.push({ key: k, value: v, why: "tags the Spot Fleet request only" });
                const specs = field(r.props, "launchSpecifications");
                if (isUnknown(specs)) {
                    launcher.variants.push({ via: "its launch specifications", tags: new TagSet([{ source: "its launch specifications", tags: new Map(), unknown: specs }], stray), profile: specs });
                }
                (Array.isArray(specs) ? specs : []).forEach((s, i) => {
                    const via = `its launch specification ${i + 1}`;
                    if (isUnknown(s)) {
                        launcher.variants.push({ via, tags: new TagSet([{ source: via, tags: new Map(), unknown: s }], stray), profile: s });
                        return;
                    }
                    const o = obj(s) ?? {};
                    const arn = o.iamInstanceProfileArn;
                    const byArn = arn !== undefined && arn !== null && arn !== "";
                    const profile: ProfileRef = {
                        source: `${via} (${byArn ? "iamInstanceProfileArn" : "iamInstanceProfile"})`,
                        resolution: this.stack.resolve(r, "launchSpecifications", byArn ? arn : o.iamInstanceProfile, [INSTANCE_PROFILE], byArn ? ["arn"] : ["name", "id"]),
                    };
                    launcher.variants.push({ via, tags: new TagSet([mapLayer(via, o.tags)], stray), profile });
                });
                this.configVariants(launcher, r, field(r.props, "launchTemplateConfigs"), "id", "name", stray);
                break;
            }
        }
        if (launcher.variants.length === 0) {
            launcher.variants.push({ via: "", tags: new TagSet([], []), profile: { source: "its launch settings", resolution: { state: "absent" } } });
        }
        return launcher;
    }

    /** Variants of a fleet's launch template configs. */
    private configVariants(launcher: Launcher, r: PolicyResource, configs: Plain | undefined, idKey: string, nameKey: string, stray: StrayTag[]): void {
        const prop = "launchTemplateConfigs";
        const list: (TemplateSpec | Unknown)[] = [];
        if (isUnknown(configs)) list.push(configs);
        for (const c of Array.isArray(configs) ? configs : []) {
            const s = isUnknown(c) ? c : templateSpecOf(obj(c)?.launchTemplateSpecification, idKey, nameKey);
            if (s) list.push(s);
        }
        const seen = new Set<string>();
        for (const spec of list) {
            const read = this.template(r, prop, spec);
            if (!read) continue;
            const key = read.state === "template" ? `${read.info.resource.urn}\u0000${read.version}` : read.unknown.describe();
            if (seen.has(key)) continue;
            seen.add(key);
            launcher.variants.push({
                via: read.state === "template" ? `${read.info.label} (${read.version})` : read.label,
                tags: new TagSet([this.templateLayer(read)], [...stray, ...(read.state === "template" ? templateStray(read.info) : [])]),
                profile: this.templateProfile(read),
                template: read.state === "template" ? read.info : undefined,
            });
        }
    }

    /** The instance profile of a group's launch configuration. */
    private configurationProfile(r: PolicyResource, lc: Plain): ProfileRef | Unknown {
        const res = this.stack.resolve(r, "launchConfiguration", lc, [LAUNCH_CONFIGURATION], ["name", "id"]);
        switch (res.state) {
            case "resource":
                return this.ownProfile(res.target, "iamInstanceProfile", "iamInstanceProfile", `launch configuration '${res.target.name}' (iamInstanceProfile)`);
            case "outside":
                return unknowable(`launch configuration '${res.value}'`, "is defined outside this stack");
            case "unknown":
                return res.unknown;
            case "absent":
                return { source: "its launch configuration", resolution: { state: "absent" } };
        }
    }

    /**
     * aws.ec2.Tag resources (CreateTags on one resource id) on the instances of the stack: on an
     * instance's `id`, or on a Spot Instance request's `spotInstanceId` (the provider:
     * "spot_instance_id - The Instance ID (if any) that is currently fulfilling the Spot Instance
     * request"). A Tag on the request's own id tags the request. A resourceId unknown during the
     * preview that depends on an instance may be its id: its key may be there.
     */
    private readTagResources(): void {
        const instanceIds = new Map<string, string>();
        const requestIds = new Map<string, string>();
        for (const r of this.stack.ofType(INSTANCE)) {
            const id = field(r.props, "id");
            if (typeof id === "string") instanceIds.set(id, r.urn);
        }
        for (const r of this.stack.ofType(SPOT_INSTANCE_REQUEST)) {
            const id = field(r.props, "spotInstanceId");
            if (typeof id === "string" && id !== "") instanceIds.set(id, r.urn);
            const rid = field(r.props, "id");
            if (typeof rid === "string") requestIds.set(rid, r.urn);
        }
        const add = (urn: string, layer: TagLayer) => {
            const list = this.tagLayers.get(urn);
            if (list) list.push(layer);
            else this.tagLayers.set(urn, [layer]);
        };
        for (const t of this.stack.ofType(EC2_TAG)) {
            const resourceId = field(t.props, "resourceId");
            const key = field(t.props, "key");
            const value = field(t.props, "value");
            const v: string | Unknown = isUnknown(value) ? value : typeof value === "string" ? value : "";
            const source = `aws.ec2.Tag '${t.name}'`;
            const deps = [...new Set((t.propertyDependencies?.resourceId ?? []).filter((d) => d.type === INSTANCE || d.type === SPOT_INSTANCE_REQUEST))];
            const sure = (urn: string) => {
                if (isUnknown(key)) add(urn, { source, tags: new Map(), unknown: key });
                else if (typeof key === "string") add(urn, { source, tags: new Map([[key, v]]) });
            };
            const maybe = (urn: string, u: Unknown) => {
                if (isUnknown(key)) add(urn, { source, tags: new Map(), unknown: key });
                else if (typeof key === "string") add(urn, { source, tags: new Map(), maybe: new Map([[key, u]]) });
            };
            if (typeof resourceId === "string") {
                const urn = instanceIds.get(resourceId);
                if (urn) {
                    sure(urn);
                    continue;
                }
                const request = requestIds.get(resourceId);
                if (request) {
                    this.misdirect(request, t.name);
                    continue;
                }
                // Ids not sent by the engine (inputs only): the instance the value depends on.
                // Instance ids start "i-", Spot Instance request ids "sir-" (EC2 API, Instance.InstanceId,
                // SpotInstanceRequest.SpotInstanceRequestId).
                for (const d of deps) {
                    // Not an instance whose id the engine sent: that id is another.
                    const knownId = field(d.props, d.type === INSTANCE ? "id" : "spotInstanceId");
                    if (typeof knownId === "string" && knownId !== "") continue;
                    if (resourceId.startsWith("i-")) sure(d.urn);
                    else if (d.type === SPOT_INSTANCE_REQUEST && resourceId.startsWith("sir-")) this.misdirect(d.urn, t.name);
                }
            } else if (isUnknown(resourceId)) {
                const candidates = deps.length > 0 || Object.keys(t.propertyDependencies ?? {}).length > 0
                    ? deps
                    : (t.dependencies ?? []).filter((d) => d.type === INSTANCE || d.type === SPOT_INSTANCE_REQUEST);
                for (const d of candidates) maybe(d.urn, resourceId);
            }
        }
    }

    private misdirect(urn: string, tagName: string): void {
        const list = this.misdirected.get(urn);
        if (list) list.push(tagName);
        else this.misdirected.set(urn, [tagName]);
    }
}

/** A launch template's own tags, which do not reach its instances. */
function templateStray(t: TemplateInfo): StrayTag[] {
    return [...t.ownTags].map(([key, value]) => ({ key, value, why: `tags ${t.label} itself, not its instances (use its tagSpecifications with resourceType "instance")` }));
}

/** A launch template reference, from `{ id, name, version }` or `{ launchTemplateId, launchTemplateName, version }`. */
function templateSpecOf(v: Plain | undefined, idKey: string, nameKey: string): TemplateSpec | Unknown | undefined {
    if (v === undefined || v === null) return undefined;
    if (isUnknown(v)) return v;
    const o = obj(v);
    if (!o) return undefined;
    const id = o[idKey];
    const name = o[nameKey];
    if ((id === undefined || id === null || id === "") && (name === undefined || name === null || name === "")) return undefined;
    return { id, name, version: o.version };
}

// Fixtures of the policy tests for what PlanBuilder has no helper for: launch templates, groups
// and fleets that launch from them, aws.ec2.Tag resources, instance profiles and their roles. Each
// reference is sent as the engine sends it: the referenced resource's output value (the id the
// builder gave it) and the property's dependency on it.
import { PlanBuilder, SyntheticResource } from "../../testing/syntheticStacks";

export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const CORE_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** A reference from one property to another resource: its id as the value, and the property's dependency. */
export function ref(b: PlanBuilder, prop: string, target: SyntheticResource): { value: string; opts: { dependencies: string[]; propertyDependencies: Record<string, string[]> } } {
    return { value: b.idOf(target.urn), opts: { dependencies: [target.urn], propertyDependencies: { [prop]: [target.urn] } } };
}

/** Merges the dependency options of several references. */
export function deps(...all: { dependencies: string[]; propertyDependencies: Record<string, string[]> }[]): { dependencies: string[]; propertyDependencies: Record<string, string[]> } {
    const out = { dependencies: [] as string[], propertyDependencies: {} as Record<string, string[]> };
    for (const d of all) {
        out.dependencies.push(...d.dependencies);
        for (const [k, v] of Object.entries(d.propertyDependencies)) out.propertyDependencies[k] = [...(out.propertyDependencies[k] ?? []), ...v];
    }
    return out;
}

export interface TemplateOptions {
    /** Tags of its tagSpecifications for resource type instance; a string is an unknown map. */
    instanceTags?: Record<string, string> | string;
    /** The template's own tags (they tag the template). */
    tags?: Record<string, string>;
    /** Its instance profile. */
    profile?: SyntheticResource;
    inputs?: Record<string, unknown>;
}

/** An aws.ec2.LaunchTemplate named `name`. */
export function launchTemplate(b: PlanBuilder, name: string, opts: TemplateOptions = {}): SyntheticResource {
    const inputs: Record<string, unknown> = { name, imageId: "ami-0123456789abcdef0", instanceType: "t3.micro", ...(opts.inputs ?? {}) };
    if (opts.instanceTags !== undefined) inputs.tagSpecifications = [{ resourceType: "instance", tags: opts.instanceTags }, { resourceType: "volume", tags: { Backup: "daily" } }];
    if (opts.tags) inputs.tags = opts.tags;
    if (!opts.profile) return b.add(LAUNCH_TEMPLATE, name, inputs);
    const p = ref(b, "iamInstanceProfile", opts.profile);
    inputs.iamInstanceProfile = { name: p.value };
    return b.add(LAUNCH_TEMPLATE, name, inputs, p.opts);
}

/** An Auto Scaling group launching from a template of the stack (by id, `$Latest` unless told). */
export function groupFrom(b: PlanBuilder, name: string, template: SyntheticResource, tags: { key: string; value: string; propagateAtLaunch: boolean }[] = [], version = "$Latest"): SyntheticResource {
    const t = ref(b, "launchTemplate", template);
    return b.add("aws:autoscaling/group:Group", name, { maxSize: 3, minSize: 1, launchTemplate: { id: t.value, version }, tags }, t.opts);
}

/** An EC2 instance launched from a template of the stack. */
export function instanceFrom(b: PlanBuilder, name: string, template: SyntheticResource, tags?: Record<string, string>, version?: string): SyntheticResource {
    const t = ref(b, "launchTemplate", template);
    const inputs: Record<string, unknown> = { launchTemplate: version === undefined ? { id: t.value } : { id: t.value, version } };
    if (tags) inputs.tags = tags;
    return b.add("aws:ec2/instance:Instance", name, inputs, t.opts);
}

/** An aws.ec2.Tag on a resource id; `on` gives the dependency the engine records. */
export function ec2Tag(b: PlanBuilder, name: string, resourceId: string, key: string, value: string, on?: SyntheticResource): SyntheticResource {
    const opts = on ? { dependencies: [on.urn], propertyDependencies: { resourceId: [on.urn] } } : {};
    return b.add("aws:ec2/tag:Tag", name, { resourceId, key, value }, opts);
}

/** A role for EC2 and its instance profile; with `core`, AmazonSSMManagedInstanceCore attached to the role. */
export function instanceProfile(b: PlanBuilder, name: string, opts: { core?: boolean; policyArn?: string } = {}): { role: SyntheticResource; profile: SyntheticResource } {
    const role = b.add("aws:iam/role:Role", `${name}-role`, {
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    });
    const arn = opts.policyArn ?? (opts.core ? CORE_ARN : undefined);
    if (arn) {
        const r = ref(b, "role", role);
        b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${name}-core`, { role: r.value, policyArn: arn }, r.opts);
    }
    const r = ref(b, "role", role);
    const profile = b.add("aws:iam/instanceProfile:InstanceProfile", `${name}-profile`, { role: r.value }, r.opts);
    return { role, profile };
}

/** An EC2 instance with an instance profile. */
export function instanceWithProfile(b: PlanBuilder, name: string, tags: Record<string, string>, profile: SyntheticResource): SyntheticResource {
    const p = ref(b, "iamInstanceProfile", profile);
    return b.instance(name, tags, { inputs: { iamInstanceProfile: p.value }, ...p.opts });
}

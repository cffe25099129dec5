// What violation messages share: how they name a resource, and the snippet that fixes each kind of
// resource. A message's first sentence says what must be true, what the resource has, and the
// exact fix for that kind of resource; details follow.
import { identifier } from "./coverage";
import { LaunchVariant, Launcher } from "./launch";
import { AUTOSCALING_GROUP, FLEET, INSTANCE, kindOf, SPOT_FLEET_REQUEST, SPOT_INSTANCE_REQUEST, StrayTag } from "./tags";
import { isUnknown } from "./values";

/** `Environment` as an object key, `"Patch Group"` where it must be quoted. */
export function objectKey(key: string): string {
    return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

/** `EC2 instance 'web'`, and the variant when the resource launches in several ways. */
export function nameOf(l: Launcher, v: LaunchVariant): string {
    const what = `${kindOf(l.type)} '${l.name}'`;
    return l.variants.length > 1 && v.via !== "" ? `${what} (instances from ${v.via})` : what;
}

/** `Environment=Production, Team=ops`. */
export function describeStray(tags: readonly StrayTag[]): string {
    return tags.map((t) => `${t.key}=${isUnknown(t.value) ? "(unknown)" : t.value}`).join(", ");
}

/**
 * The fix that gives a resource's instances the tag `key=value`, for its kind: an instance's
 * `tags`; an aws.ec2.Tag on a Spot Instance request's instance; a group tag with
 * `propagateAtLaunch: true`; the `tagSpecifications` of the launch template a fleet launches from.
 */
export function tagFix(l: Launcher, v: LaunchVariant, key: string, value: string): string {
    const pair = `${objectKey(key)}: ${JSON.stringify(value)}`;
    const inTemplate = v.template ? `tagSpecifications: [{ resourceType: "instance", tags: { ${pair} } }] on ${v.template.label}` : undefined;
    switch (l.type) {
        case INSTANCE:
            return `set tags: { ${pair} } on it${inTemplate ? `, or ${inTemplate}` : ""}`;
        case SPOT_INSTANCE_REQUEST:
            return `tag its instance with new aws.ec2.Tag(${JSON.stringify(`${l.name}-${key.toLowerCase().replace(/\W+/g, "-")}`)}, { resourceId: ${identifier(l.name)}.spotInstanceId, key: ${JSON.stringify(key)}, value: ${JSON.stringify(value)} })`;
        case AUTOSCALING_GROUP: {
            const own = v.tags.stray.find((t) => t.key === key && t.why.startsWith("has propagateAtLaunch"));
            if (own) return `set propagateAtLaunch: true on its '${key}' tag`;
            return `add { key: ${JSON.stringify(key)}, value: ${JSON.stringify(value)}, propagateAtLaunch: true } to its tags${inTemplate ? `, or ${inTemplate}` : ""}`;
        }
        case FLEET:
            return inTemplate ? `set ${inTemplate}` : `set tagSpecifications: [{ resourceType: "instance", tags: { ${pair} } }] on the launch template it launches from`;
        case SPOT_FLEET_REQUEST:
            if (inTemplate) return `set ${inTemplate}`;
            return v.via.startsWith("its launch specification") ? `set tags: { ${pair} } in ${v.via}` : `set tags: { ${pair} } in each of its launch specifications`;
        default:
            return `set tags: { ${pair} } on it`;
    }
}

/** Where a resource's instances take their instance profile from, and how to set it, for its kind. */
export function profileFix(l: Launcher, v: LaunchVariant, profile: string): string {
    if (v.template) return `set iamInstanceProfile: { name: ${profile} } on ${v.template.label}`;
    switch (l.type) {
        case INSTANCE:
        case SPOT_INSTANCE_REQUEST:
            return `set iamInstanceProfile: ${profile} on it`;
        case AUTOSCALING_GROUP:
            return `set iamInstanceProfile: { name: ${profile} } on the launch template it launches from`;
        case SPOT_FLEET_REQUEST:
            return `set iamInstanceProfile: ${profile} in ${v.via.startsWith("its launch specification") ? v.via : "each of its launch specifications"}`;
        default:
            return `set iamInstanceProfile: { name: ${profile} } on the launch template it launches from`;
    }
}

/** The first `n` items, and how many more. */
export function some(items: readonly string[], n = 3): string {
    return items.slice(0, n).join(", ") + (items.length > n ? `, and ${items.length - n} more` : "");
}

/** For aws.ec2.Tag resources on a Spot Instance request's own id: they tag the request, not the instance. */
export function misdirectedHints(l: Launcher): string[] {
    return l.misdirectedTags.map((t) => `aws.ec2.Tag '${t}' tags the Spot Instance request itself (its id), not its instance: set its resourceId to ${identifier(l.name)}.spotInstanceId.`);
}

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { check, show } from "./errors";

/** The instance tag keys Patch Manager reads a node's patch group from. */
export type PatchGroupTagKey = "Patch Group" | "PatchGroup";

export interface PatchGroupArgs {
    /** The patch group, 1-256 characters; instances join it with the tag `Patch Group=<this>`. Defaults to the component name. */
    patchGroup?: string;
    /** The baseline this group uses for its operating system. Required. */
    baselineId: pulumi.Input<string>;
    /**
     * The tag key instances carry: "Patch Group", or "PatchGroup" when instance-metadata tags are
     * on (tag keys with spaces are not allowed there). Defaults to "Patch Group".
     */
    tagKey?: PatchGroupTagKey;
}

/** Validates a patch group name; returns it. */
export function validatePatchGroupName(group: unknown, path: string): string {
    check(typeof group === "string" && group.length >= 1 && group.length <= 256, path, `must be a patch group name of 1-256 characters; got ${show(group)}`);
    check(/^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u.test(group), path, `may contain letters, digits, spaces and _ . : / = + - @; got ${show(group)}`);
    return group;
}

/**
 * Registers a baseline for a patch group. A node is in at most one group; a group maps to one
 * baseline per operating system. (Patch policies do not use patch groups.)
 */
export class PatchGroup extends pulumi.ComponentResource {
    /** The patch group name. */
    public readonly patchGroup: string;
    /** The tag that puts an instance in this group, e.g. { "Patch Group": "web" }. */
    public readonly instanceTags: Record<string, string>;
    /** The registered baseline's id. */
    public readonly baselineId: pulumi.Output<string>;

    constructor(name: string, args: PatchGroupArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("patching:ssm:PatchGroup", name, {}, opts);
        const group = validatePatchGroupName(args.patchGroup ?? name, "patchGroup");
        const tagKey = args.tagKey ?? "Patch Group";
        check(tagKey === "Patch Group" || tagKey === "PatchGroup", "tagKey", `must be "Patch Group" or "PatchGroup"; got ${show(tagKey)}`);

        const registration = new aws.ssm.PatchGroup(name, {
            baselineId: args.baselineId,
            patchGroup: group,
        }, { parent: this });

        this.patchGroup = group;
        this.instanceTags = { [tagKey]: group };
        this.baselineId = registration.baselineId;
        this.registerOutputs({ patchGroup: this.patchGroup, instanceTags: this.instanceTags, baselineId: this.baselineId });
    }
}

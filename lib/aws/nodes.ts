/**
 * Managed node ids and run targets, as Systems Manager accepts them.
 * - EC2 instance ids are `i-` and 8 or 17 hexadecimal digits; hybrid managed nodes are `mi-` and 17
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html, InstanceIds).
 * - A target key is at most 163 characters matching `^[\p{L}\p{Z}\p{N}_.:/=\-@]*$` (or a
 *   resource-groups key); a tag target's key is `tag:<tag key>`, its values at most 50
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html).
 */

const INSTANCE_ID = /^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/;
const TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$/u;
/** Target.Key length limit, `tag:` included. */
export const TARGET_KEY_MAX_LENGTH = 163;
/** Values of one target, and instance ids of one SendCommand call. */
export const TARGET_MAX_VALUES = 50;
/** Targets of one association, command or window target. */
export const MAX_TARGETS = 5;

export const INSTANCE_ID_EXAMPLE = "i-0123456789abcdef0";

/** True for an EC2 instance id or a hybrid managed node id. */
export function isInstanceId(value: unknown): value is string {
    return typeof value === "string" && INSTANCE_ID.test(value);
}

/** Why `key` cannot be the tag key of a `tag:<key>` target, or undefined. */
export function tagTargetKeyProblem(key: unknown): string | undefined {
    if (typeof key !== "string" || key.length === 0) return `must be a non-empty tag key; got ${JSON.stringify(key)}`;
    if (`tag:${key}`.length > TARGET_KEY_MAX_LENGTH) return `must be at most ${TARGET_KEY_MAX_LENGTH - 4} characters (the target key tag:<key> is at most ${TARGET_KEY_MAX_LENGTH}); got ${JSON.stringify(key)}`;
    if (!TARGET_KEY.test(key)) return `may hold only letters, digits, spaces and _.:/=-@ (SSM's target key pattern); got ${JSON.stringify(key)}`;
    return undefined;
}

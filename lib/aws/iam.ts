/**
 * IAM names and ARNs, as the IAM and STS APIs accept them
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html,
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 */

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An IAM role ARN in any partition; group 1 is the partition, group 2 the account. Path and name: at most 512 characters of `\w+=,.@/-`. */
const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;
/** AssumeRole's ExternalId: 2-1224 characters of `\w+=,.@:/-`. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** AssumeRole's RoleSessionName: 2-64 characters of `\w+=,.@-`. */
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** An IAM role name: 1-64 characters of `\w+=,.@-`. */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const ROLE_ARN_EXAMPLE = "arn:aws:iam::123456789012:role/PatchingDeployment";

/** The parts of an IAM role ARN, or undefined when `value` is not one. */
export function parseRoleArn(value: unknown): { partition: string; accountId: string; name: string } | undefined {
    const m = typeof value === "string" ? ROLE_ARN.exec(value) : null;
    return m ? { partition: m[1], accountId: m[2], name: m[3] } : undefined;
}

/** The account id in a role ARN (any partition), or undefined. */
export function roleArnAccount(value: unknown): string | undefined {
    return parseRoleArn(value)?.accountId;
}

/**
 * AWS Regions: a name is valid when the installed AWS SDK's partition data knows it. The SDK's
 * `partition()` (the endpoint rules' `aws.partition` function) returns the partition of any name
 * that matches a partition's Region pattern, and a `description` only for the Regions listed in
 * that partition (https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html), so
 * `us-eats-1` and `us-mars-1` are refused while a Region AWS adds is known after an SDK update.
 */
import { partition } from "@aws-sdk/core/client";

/** The shape every AWS Region name has, whatever its partition: us-east-1, cn-north-1, us-gov-west-1, eusc-de-east-1. */
const REGION_SHAPE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** Why `value` is not a Region the installed SDK knows, or undefined when it is one. */
export function regionProblem(value: unknown): string | undefined {
    const example = "an AWS Region such as us-east-1 or eu-west-1";
    if (typeof value !== "string" || !REGION_SHAPE.test(value)) {
        return `must be ${example}; got ${JSON.stringify(value)}`;
    }
    if ((partition(value) as { description?: string }).description === undefined) {
        return `is not a Region the installed AWS SDK knows (${example}); got ${JSON.stringify(value)}`;
    }
    return undefined;
}

/** True when `value` names a Region the installed SDK knows. */
export function isKnownRegion(value: unknown): value is string {
    return regionProblem(value) === undefined;
}

/** The partition of a known Region: aws, aws-cn, aws-us-gov, ... */
export function partitionOf(region: string): string {
    return partition(region).name;
}

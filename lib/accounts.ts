/**
 * The accounts and Regions a stack deploys into, and that `patchctl --accounts` runs in: one schema
 * for both, so a stack config file (Pulumi.<stack>.yaml) works as an accounts file.
 *
 *   ssm-patching:regions: [us-east-1, eu-west-1]          # the stack's Regions (default: aws:region)
 *   ssm-patching:accounts:
 *     - accountId: "222222222222"
 *       roleArn: arn:aws:iam::222222222222:role/PatchingDeployment
 *       externalId: ssm-patching-prod                     # optional
 *       sessionName: pulumi-ssm-patching                  # optional
 *       regions: [us-east-1]                              # optional: the stack's Regions
 */
import { z } from "zod";
import { ACCOUNT_ID, EXTERNAL_ID, parseRoleArn, ROLE_ARN_EXAMPLE, SESSION_NAME, regionProblem } from "./aws";
import { list, rule, str, strictObject } from "./schema";

/** One AWS Region the installed SDK knows. */
export const RegionSchema = z.unknown().superRefine(rule(regionProblem)).transform((r) => r as string);

/** A non-empty list of Regions, each once. */
export const RegionsSchema = list(RegionSchema, "a non-empty list of AWS Regions such as [us-east-1, eu-west-1]")
    .min(1, { error: "must be a non-empty list of AWS Regions such as [us-east-1, eu-west-1]" })
    .superRefine((regions, ctx) => {
        regions.forEach((r, i) => {
            if (regions.indexOf(r) !== i) ctx.addIssue({ code: "custom", path: [i], message: `Region ${r} is listed twice`, input: r });
        });
    });

/** A 12-digit account id; YAML reads an unquoted one as a number, which is taken when it has 12 digits. */
const AccountIdSchema = z.union([z.string(), z.number()]).optional()
    .transform((v) => (typeof v === "number" && Number.isInteger(v) ? String(v) : v))
    .superRefine(rule((v) => (typeof v === "string" && ACCOUNT_ID.test(v) ? undefined : `must be a 12-digit account id in quotes, e.g. "123456789012"; got ${JSON.stringify(v)}`)))
    .transform((v) => v as string);

/** One account entry. */
export const AccountSchema = strictObject({
    accountId: AccountIdSchema,
    roleArn: z.unknown(),
    externalId: str("2-1224 characters of letters, digits and +=,.@:/-_").regex(EXTERNAL_ID, { error: "must be 2-1224 characters of letters, digits and +=,.@:/-_" }).optional(),
    sessionName: str("2-64 characters of letters, digits and +=,.@-_").regex(SESSION_NAME, { error: "must be 2-64 characters of letters, digits and +=,.@-_" }).optional(),
    regions: RegionsSchema.optional(),
}, "an account {accountId, roleArn, externalId?, sessionName?, regions?}").transform((a, ctx) => {
    const arn = parseRoleArn(a.roleArn);
    if (!arn) {
        ctx.addIssue({ code: "custom", path: ["roleArn"], message: `must be an IAM role ARN like ${ROLE_ARN_EXAMPLE}; got ${JSON.stringify(a.roleArn)}`, input: a.roleArn });
        return z.NEVER;
    }
    if (arn.accountId !== a.accountId) {
        ctx.addIssue({ code: "custom", path: ["roleArn"], message: `is a role in account ${arn.accountId}, not in ${a.accountId}; use the role in the target account`, input: a.roleArn });
        return z.NEVER;
    }
    return { ...a, roleArn: a.roleArn as string };
});

export type AccountConfig = z.output<typeof AccountSchema>;

/** A non-empty list of accounts, each listed once. */
export const AccountsSchema = list(AccountSchema, "a non-empty list of {accountId, roleArn, externalId?, sessionName?, regions?}")
    .min(1, { error: "must be a non-empty list of {accountId, roleArn, externalId?, sessionName?, regions?}" })
    .superRefine((accounts, ctx) => {
        accounts.forEach((a, i) => {
            const first = accounts.findIndex((b) => b.accountId === a.accountId);
            if (first !== i) ctx.addIssue({ code: "custom", path: [i, "accountId"], message: `account ${a.accountId} is already listed at [${first}]; list each account once with all its Regions`, input: a.accountId });
        });
    });

/** One account and Region to work in. */
export interface AccountRegion {
    /** Account id, or undefined for the credentials' own account. */
    accountId?: string;
    region: string;
    roleArn?: string;
    externalId?: string;
    sessionName?: string;
    /** Stable name part: `<account>-<region>`, or `<region>`, or "" for the plain layout; never an index. */
    key: string;
}

/**
 * Expands accounts and Regions into the pairs to work in, in config order. An account without
 * `regions` takes the stack's (`regions`, else `defaultRegion`). With no accounts, the pairs are the
 * credentials' own account in each of `regions`, or, with no regions either, `defaultRegion` alone
 * with an empty key (the plain layout).
 */
export function accountRegions(accounts: AccountConfig[] | undefined, regions: string[] | undefined, defaultRegion: string): AccountRegion[] {
    if (accounts === undefined) {
        return regions ? regions.map((region) => ({ region, key: region })) : [{ region: defaultRegion, key: "" }];
    }
    return accounts.flatMap((a) => (a.regions ?? regions ?? [defaultRegion]).map((region) => ({
        accountId: a.accountId,
        region,
        roleArn: a.roleArn,
        externalId: a.externalId,
        sessionName: a.sessionName,
        key: `${a.accountId}-${region}`,
    })));
}

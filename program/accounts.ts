import { check, show } from "../components";

/** One account the stack deploys into, as the stack config (and patchctl's --accounts file) lists it. */
export interface AccountConfig {
    /** The 12-digit account id. */
    accountId: string;
    /** The role Pulumi assumes in that account, e.g. arn:aws:iam::123456789012:role/PatchingDeployment. */
    roleArn: string;
    /** External id the role's trust policy requires. Defaults to none. */
    externalId?: string;
    /** Session name, shown in CloudTrail. Defaults to "pulumi-ssm-patching". */
    sessionName?: string;
    /** Regions of this account. Defaults to the stack's `regions`. */
    regions?: string[];
}

/** Where one copy of the environment's patch management set goes. */
export interface DeploymentTarget {
    /** Account id, or undefined for the credentials' own account. */
    accountId?: string;
    region: string;
    roleArn?: string;
    externalId?: string;
    sessionName?: string;
    /** Stable logical-name part: `<account>-<region>`, or `<region>`; never an index. */
    key: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::(\d{12}):role\/[\w+=,.@\-/]{1,512}$/;
const REGION = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|eusc)-[a-z]+-\d{1,2}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Checks an AWS Region name such as us-east-1. */
export function validateRegion(region: unknown, path: string): string {
    check(typeof region === "string" && REGION.test(region), path, `must be an AWS Region such as us-east-1 or eu-west-1; got ${show(region)}`);
    return region;
}

function validateRegions(regions: unknown, path: string): string[] {
    check(Array.isArray(regions) && regions.length > 0, path, "must be a non-empty list of AWS Regions such as [us-east-1, eu-west-1]");
    const seen = new Set<string>();
    regions.forEach((r, i) => {
        validateRegion(r, `${path}[${i}]`);
        check(!seen.has(r), `${path}[${i}]`, `Region ${r} is listed twice`);
        seen.add(r);
    });
    return regions as string[];
}

/**
 * Validates `accounts` and `regions` and expands them into deployment targets in config order.
 * With no accounts, the targets are the credentials' own account in each of `regions` (or, with
 * no regions either, a single target in `defaultRegion` whose key is empty: the plain layout).
 */
export function deploymentTargets(accounts: unknown, regions: unknown, defaultRegion: string, ns: (k: string) => string): DeploymentTarget[] {
    const stackRegions = regions === undefined ? undefined : validateRegions(regions, ns("regions"));
    if (accounts === undefined) {
        if (!stackRegions) return [{ region: defaultRegion, key: "" }];
        return stackRegions.map((region) => ({ region, key: region }));
    }
    check(Array.isArray(accounts) && accounts.length > 0, ns("accounts"), "must be a non-empty list of {accountId, roleArn, externalId?, sessionName?, regions?}");
    const seen = new Set<string>();
    const targets: DeploymentTarget[] = [];
    accounts.forEach((a: AccountConfig, i: number) => {
        const path = `${ns("accounts")}[${i}]`;
        check(typeof a === "object" && a !== null && !Array.isArray(a), path, "must be an object {accountId, roleArn, externalId?, sessionName?, regions?}");
        for (const key of Object.keys(a)) {
            check(["accountId", "roleArn", "externalId", "sessionName", "regions"].includes(key), `${path}.${key}`, "is not a known key; allowed here: accountId, roleArn, externalId, sessionName, regions");
        }
        check(typeof a.accountId === "string" && ACCOUNT_ID.test(a.accountId), `${path}.accountId`, `must be a 12-digit account id in quotes, e.g. "123456789012"; got ${show(a.accountId)}`);
        check(!seen.has(a.accountId), `${path}.accountId`, `account ${a.accountId} is listed twice; list its Regions once under regions`);
        seen.add(a.accountId);
        const arn = typeof a.roleArn === "string" ? ROLE_ARN.exec(a.roleArn) : null;
        check(arn !== null, `${path}.roleArn`, `must be an IAM role ARN like arn:aws:iam::123456789012:role/PatchingDeployment; got ${show(a.roleArn)}`);
        check(arn[2] === a.accountId, `${path}.roleArn`, `is a role in account ${arn[2]}, not in ${a.accountId}`);
        if (a.externalId !== undefined) check(typeof a.externalId === "string" && EXTERNAL_ID.test(a.externalId), `${path}.externalId`, "must be 2-1224 characters of letters, digits and +=,.@:/-_");
        if (a.sessionName !== undefined) check(typeof a.sessionName === "string" && SESSION_NAME.test(a.sessionName), `${path}.sessionName`, "must be 2-64 characters of letters, digits and +=,.@-_");
        const own = a.regions === undefined ? stackRegions ?? [defaultRegion] : validateRegions(a.regions, `${path}.regions`);
        for (const region of own) {
            targets.push({
                accountId: a.accountId,
                region,
                roleArn: a.roleArn,
                externalId: a.externalId,
                sessionName: a.sessionName ?? "pulumi-ssm-patching",
                key: `${a.accountId}-${region}`,
            });
        }
    });
    return targets;
}

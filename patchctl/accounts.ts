/**
 * The accounts file: which accounts and Regions `--accounts` runs in, and the role to assume in each.
 *
 * Same shape as the Pulumi stack config's target accounts (key `accounts`), so one file serves both.
 * Accepted layouts (YAML or JSON):
 *   - a list of entries;
 *   - an object with an `accounts` list;
 *   - a Pulumi stack file: `config: { "<project>:accounts": [ ... ] }`.
 * Entry: { accountId, roleArn, externalId?, sessionName?, regions: [...] }. Other keys are ignored.
 */
import { readYamlFile } from "../lib/yamlFile";
import { ConfigError } from "./errors";

export interface AccountEntry {
    /** 12-digit AWS account id. */
    accountId: string;
    /** Role patchctl assumes in that account. */
    roleArn: string;
    /** External id the role's trust policy requires, if any. */
    externalId?: string;
    /** Role session name. Defaults to "patchctl". */
    sessionName?: string;
    /** Regions to work in, e.g. ["us-east-1", "eu-west-1"]. */
    regions: string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Reads and validates an accounts file. Throws ConfigError "<file>: accounts[i].field: reason". */
export function loadAccountsFile(path: string): AccountEntry[] {
    const document = readYamlFile(path, "accounts file", (m) => new ConfigError(m));
    try {
        return parseAccounts(document);
    } catch (error) {
        if (error instanceof ConfigError) {
            throw new ConfigError(`${path}: ${error.message}`);
        }
        throw error;
    }
}

/** Validates a parsed accounts document (see the module comment for the accepted layouts). */
export function parseAccounts(document: unknown): AccountEntry[] {
    const list = extractList(document);
    if (list.length === 0) {
        throw new ConfigError("accounts: the list is empty; add at least one {accountId, roleArn, regions} entry");
    }
    const seen = new Map<string, number>();
    return list.map((raw, index) => {
        const entry = parseEntry(raw, `accounts[${index}]`);
        const first = seen.get(entry.accountId);
        if (first !== undefined) {
            throw new ConfigError(`accounts[${index}].accountId: ${entry.accountId} is already listed at accounts[${first}]; list each account once with all its regions`);
        }
        seen.set(entry.accountId, index);
        return entry;
    });
}

function extractList(document: unknown): unknown[] {
    if (Array.isArray(document)) {
        return document;
    }
    if (isObject(document)) {
        if ("accounts" in document) {
            if (!Array.isArray(document.accounts)) {
                throw new ConfigError("accounts: must be a list of {accountId, roleArn, regions} entries");
            }
            return document.accounts;
        }
        if (isObject(document.config)) {
            const key = Object.keys(document.config).find((k) => k === "accounts" || k.endsWith(":accounts"));
            if (key !== undefined) {
                const value = document.config[key];
                if (!Array.isArray(value)) {
                    throw new ConfigError(`config.${key}: must be a list of {accountId, roleArn, regions} entries`);
                }
                return value;
            }
        }
    }
    throw new ConfigError("expected a list of accounts, an object with an 'accounts' list, or a Pulumi stack file with config '<project>:accounts'");
}

function parseEntry(raw: unknown, at: string): AccountEntry {
    if (!isObject(raw)) {
        throw new ConfigError(`${at}: must be an object with accountId, roleArn and regions`);
    }
    let accountId: string;
    if (typeof raw.accountId === "number" && Number.isInteger(raw.accountId) && String(raw.accountId).length === 12) {
        accountId = String(raw.accountId);
    } else if (typeof raw.accountId === "string" && ACCOUNT_ID.test(raw.accountId)) {
        accountId = raw.accountId;
    } else if (raw.accountId === undefined) {
        throw new ConfigError(`${at}.accountId: is required (a 12-digit account id in quotes, e.g. "123456789012")`);
    } else {
        throw new ConfigError(`${at}.accountId: must be a 12-digit account id in quotes, e.g. "123456789012"; got ${JSON.stringify(raw.accountId)}`);
    }

    const roleMatch = typeof raw.roleArn === "string" ? ROLE_ARN.exec(raw.roleArn) : null;
    if (!roleMatch) {
        throw new ConfigError(`${at}.roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/Name`);
    }
    if (roleMatch[1] !== accountId) {
        throw new ConfigError(`${at}.roleArn: the role is in account ${roleMatch[1]} but accountId is ${accountId}; use the role in the target account`);
    }
    const roleArn = raw.roleArn as string;

    let externalId: string | undefined;
    if (raw.externalId !== undefined && raw.externalId !== null) {
        if (typeof raw.externalId !== "string" || !EXTERNAL_ID.test(raw.externalId)) {
            throw new ConfigError(`${at}.externalId: must be 2 to 1224 characters of letters, digits and +=,.@:/-`);
        }
        externalId = raw.externalId;
    }

    let sessionName: string | undefined;
    if (raw.sessionName !== undefined && raw.sessionName !== null) {
        if (typeof raw.sessionName !== "string" || !SESSION_NAME.test(raw.sessionName)) {
            throw new ConfigError(`${at}.sessionName: must be 2 to 64 characters of letters, digits and +=,.@-`);
        }
        sessionName = raw.sessionName;
    }

    if (!Array.isArray(raw.regions) || raw.regions.length === 0) {
        throw new ConfigError(`${at}.regions: must be a non-empty list of Regions, e.g. [us-east-1]`);
    }
    const regions: string[] = [];
    raw.regions.forEach((region, i) => {
        if (typeof region !== "string" || !REGION.test(region)) {
            throw new ConfigError(`${at}.regions[${i}]: ${JSON.stringify(region)} is not a Region name like us-east-1`);
        }
        if (regions.includes(region)) {
            throw new ConfigError(`${at}.regions[${i}]: ${region} is listed twice`);
        }
        regions.push(region);
    });

    return { accountId, roleArn, externalId, sessionName, regions };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The accounts file: which accounts and Regions `--accounts` runs in, and the role to assume in each.
 *
 * One schema with the Pulumi stack's target accounts (lib/accounts.ts), so a stack config file works
 * as an accounts file. Accepted layouts (YAML or JSON):
 *   - a list of entries;
 *   - an object with an `accounts` list;
 *   - a Pulumi stack file: `config: { "<project>:accounts": [ ... ] }`.
 * Entry: { accountId, roleArn, externalId?, sessionName?, regions? }; any other key is refused.
 * In a stack file an entry without `regions` takes the file's `<project>:regions`, else its
 * `aws:region`, as the stack does; in a plain list or object every entry lists its `regions`.
 */
import { AccountsSchema, accountRegions, RegionSchema, RegionsSchema, type AccountRegion } from "../lib/accounts";
import { parseOrThrow } from "../lib/schema";
import { ValidationError } from "../lib/validation";
import { readYamlFile } from "../lib/yamlFile";
import { ConfigError } from "./output/errors";

export type { AccountRegion } from "../lib/accounts";

/** Where the accounts list is, and for a stack file the Regions its accounts fall back to. */
interface Layout {
    list: unknown;
    /** The path of the list in error messages: `accounts`, or the stack config key `ssm-patching:accounts`. */
    root: string;
    stack?: { regionsKey: string; regions: unknown; awsRegion: unknown };
}

/** Reads and validates an accounts file. Throws ConfigError "<file>: <path>: reason". */
export function loadAccountsFile(path: string): AccountRegion[] {
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

/** Validates a parsed accounts document (see the module comment) into its account-Regions, in file order. Throws ConfigError "<path>: reason". */
export function parseAccounts(document: unknown): AccountRegion[] {
    try {
        return expand(layoutOf(document));
    } catch (error) {
        if (error instanceof ValidationError) {
            throw new ConfigError(error.message);
        }
        throw error;
    }
}

function expand(layout: Layout): AccountRegion[] {
    const accounts = parseOrThrow(AccountsSchema, layout.list, layout.root);
    const without = accounts.findIndex((a) => a.regions === undefined);
    if (!layout.stack) {
        if (without >= 0) {
            throw new ValidationError(
                `${layout.root}[${without}].regions`,
                "is required: a non-empty list of AWS Regions such as [us-east-1, eu-west-1] (only a Pulumi stack file falls back to its <project>:regions or aws:region)",
            );
        }
        return accountRegions(accounts, undefined, "");
    }
    const { regionsKey } = layout.stack;
    const regions = layout.stack.regions === undefined ? undefined : parseOrThrow(RegionsSchema, layout.stack.regions, regionsKey);
    const awsRegion = layout.stack.awsRegion === undefined ? undefined : parseOrThrow(RegionSchema, layout.stack.awsRegion, "aws:region");
    if (without >= 0 && regions === undefined && awsRegion === undefined) {
        throw new ValidationError(
            `${layout.root}[${without}].regions`,
            `is required: this stack file has neither ${regionsKey} nor aws:region for an account without its own regions`,
        );
    }
    return accountRegions(accounts, regions, awsRegion ?? "");
}

function layoutOf(document: unknown): Layout {
    if (Array.isArray(document)) {
        return { list: document, root: "accounts" };
    }
    if (isObject(document)) {
        if ("accounts" in document) {
            return { list: document.accounts, root: "accounts" };
        }
        if (isObject(document.config)) {
            const config = document.config;
            const key = Object.keys(config).find((k) => k === "accounts" || k.endsWith(":accounts"));
            if (key !== undefined) {
                const regionsKey = `${key.slice(0, -"accounts".length)}regions`;
                return { list: config[key], root: key, stack: { regionsKey, regions: config[regionsKey], awsRegion: config["aws:region"] } };
            }
        }
    }
    throw new ConfigError("expected a list of accounts, an object with an 'accounts' list, or a Pulumi stack file with config '<project>:accounts'");
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

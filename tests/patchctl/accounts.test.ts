import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadAccountsFile, parseAccounts, type AccountRegion } from "../../patchctl/accounts";
import { buildScopes } from "../../patchctl/aws/scopes";
import { ConfigError } from "../../patchctl/output/errors";
import { useTempDir } from "./helpers";

const ROOT = resolve(__dirname, "..", "..");
const good = { accountId: "123456789012", roleArn: "arn:aws:iam::123456789012:role/PatchOperator", regions: ["us-east-1"] };
/** "account/region/role/externalId/sessionName" of each account-Region. */
const pairs = (list: AccountRegion[]): string[] => list.map((p) => [p.accountId, p.region, p.roleArn, p.externalId ?? "-", p.sessionName ?? "-"].join("/"));

describe("patchctl accounts file", () => {
    const tempDir = useTempDir("patchctl-accounts-");

    it("reads a plain list, an {accounts} object and a Pulumi stack file alike", () => {
        const expected = ["123456789012/us-east-1/arn:aws:iam::123456789012:role/PatchOperator/-/-"];
        assert.deepEqual(pairs(parseAccounts([good])), expected);
        assert.deepEqual(pairs(parseAccounts({ accounts: [good] })), expected);
        assert.deepEqual(pairs(parseAccounts({ config: { "aws:region": "eu-west-1", "ssm-patching:accounts": [good] } })), expected);
    });

    it("reads YAML and JSON files", () => {
        const yamlPath = join(tempDir(), "accounts.yaml");
        writeFileSync(
            yamlPath,
            'accounts:\n  - accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/PatchOperator\n    externalId: ops-2024\n    sessionName: nightly\n    regions: [us-east-1, eu-west-1]\n',
        );
        const jsonPath = join(tempDir(), "accounts.json");
        writeFileSync(jsonPath, JSON.stringify([good]));
        assert.deepEqual(pairs(loadAccountsFile(yamlPath)), [
            "123456789012/us-east-1/arn:aws:iam::123456789012:role/PatchOperator/ops-2024/nightly",
            "123456789012/eu-west-1/arn:aws:iam::123456789012:role/PatchOperator/ops-2024/nightly",
        ]);
        assert.equal(loadAccountsFile(jsonPath)[0].accountId, "123456789012");
    });

    it("reads the prod stack file (Pulumi.prod.yaml) as 2 accounts in the stack's 2 Regions", () => {
        assert.deepEqual(pairs(loadAccountsFile(join(ROOT, "Pulumi.prod.yaml"))), [
            "222222222222/us-east-1/arn:aws:iam::222222222222:role/PatchingDeployment/ssm-patching-prod/-",
            "222222222222/eu-west-1/arn:aws:iam::222222222222:role/PatchingDeployment/ssm-patching-prod/-",
            "333333333333/us-east-1/arn:aws:iam::333333333333:role/PatchingDeployment/ssm-patching-prod/-",
            "333333333333/eu-west-1/arn:aws:iam::333333333333:role/PatchingDeployment/ssm-patching-prod/-",
        ]);
    });

    it("gives a stack file's account without regions the stack's regions, else its aws:region, as the stack does", () => {
        const { regions: _regions, ...noRegions } = good;
        const other = { accountId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/P", regions: ["ap-south-1"] };
        const regionsOf = (config: Record<string, unknown>) => parseAccounts({ config }).map((p) => `${p.accountId}/${p.region}`);
        assert.deepEqual(regionsOf({ "aws:region": "eu-west-1", "p:regions": ["us-east-1", "us-west-2"], "p:accounts": [noRegions, other] }), [
            "123456789012/us-east-1",
            "123456789012/us-west-2",
            "210987654321/ap-south-1",
        ]);
        assert.deepEqual(regionsOf({ "aws:region": "eu-west-1", "p:accounts": [noRegions, other] }), ["123456789012/eu-west-1", "210987654321/ap-south-1"]);
    });

    const noRegions = { accountId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/P" };
    const invalid: Array<[string, unknown, string]> = [
        ["an empty list", [], "accounts: must be a non-empty list of {accountId, roleArn, externalId?, sessionName?, regions?}"],
        ["an accounts key that is not a list", { accounts: "x" }, "accounts: must be a non-empty list"],
        ["an entry that is not an object", [good, "x"], "accounts[1]: must be an account {accountId, roleArn, externalId?, sessionName?, regions?}"],
        ["a missing accountId", [{ ...good, accountId: undefined }], 'accounts[0].accountId: must be a 12-digit account id in quotes, e.g. "123456789012"'],
        ["an 11-digit accountId", [{ ...good, accountId: "12345678901" }], "accounts[0].accountId: must be a 12-digit account id"],
        ["a roleArn that is not a role", [good, { ...good, accountId: "123456789013", roleArn: "arn:aws:iam::123456789013:role/P" }, { ...good, accountId: "210987654321", roleArn: "arn:aws:iam::210987654321:user/bob" }], "accounts[2].roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/PatchingDeployment"],
        ["a role in another account", [{ ...good, roleArn: "arn:aws:iam::210987654321:role/PatchOperator" }], "accounts[0].roleArn: is a role in account 210987654321, not in 123456789012"],
        ["an externalId with spaces", [{ ...good, externalId: "a b" }], "accounts[0].externalId: must be 2-1224 characters"],
        ["a one-character sessionName", [{ ...good, sessionName: "x" }], "accounts[0].sessionName: must be 2-64 characters"],
        ["an empty regions list", [{ ...good, regions: [] }], "accounts[0].regions: must be a non-empty list"],
        ["no regions outside a stack file", [good, noRegions], "accounts[1].regions: is required: a non-empty list of AWS Regions such as [us-east-1, eu-west-1] (only a Pulumi stack file falls back to its <project>:regions or aws:region)"],
        ["a bad Region name", [{ ...good, regions: ["us-east-1", "US East"] }], 'accounts[0].regions[1]: must be an AWS Region such as us-east-1 or eu-west-1; got "US East"'],
        ["a Region the SDK does not know", [{ ...good, regions: ["us-east-1", "us-mars-1"] }], 'accounts[0].regions[1]: is not a Region the installed AWS SDK knows (an AWS Region such as us-east-1 or eu-west-1); got "us-mars-1"'],
        ["a Region listed twice", [{ ...good, regions: ["us-east-1", "us-east-1"] }], "accounts[0].regions[1]: Region us-east-1 is listed twice"],
        ["an account listed twice", [good, good], "accounts[1].accountId: account 123456789012 is already listed at [0]"],
        ["a key it does not know", [{ ...good, alias: "payments-dev" }], "accounts[0].alias: is not a known key; allowed here: accountId, roleArn, externalId, sessionName, regions"],
        ["a document of another shape", { targets: [] }, "expected a list of accounts"],
        ["a bad entry of a stack file, by its config key", { config: { "ssm-patching:accounts": [{ ...good, roleArn: "PatchOperator" }] } }, "ssm-patching:accounts[0].roleArn: must be an IAM role ARN"],
        ["a stack file's unknown Region", { config: { "ssm-patching:regions": ["us-mars-1"], "ssm-patching:accounts": [noRegions] } }, "ssm-patching:regions[0]: is not a Region the installed AWS SDK knows"],
        ["a stack file's unknown aws:region", { config: { "aws:region": "us-mars-1", "ssm-patching:accounts": [noRegions] } }, "aws:region: is not a Region the installed AWS SDK knows"],
        ["a stack file with no Region for an account", { config: { "ssm-patching:accounts": [good, noRegions] } }, "ssm-patching:accounts[1].regions: is required: this stack file has neither ssm-patching:regions nor aws:region"],
    ];
    for (const [name, document, message] of invalid) {
        it(`refuses ${name} with a one-line error naming the entry and field`, () => {
            assert.throws(
                () => parseAccounts(document),
                (error: unknown) => error instanceof ConfigError && error.message.startsWith(message) && !error.message.includes("\n"),
            );
        });
    }

    it("prefixes errors with the file name and reports unreadable files", () => {
        const path = join(tempDir(), "bad.yaml");
        writeFileSync(path, "- accountId: '123456789012'\n  roleArn: nope\n  regions: [us-east-1]\n");
        assert.throws(() => loadAccountsFile(path), {
            name: "ConfigError",
            message: `${path}: accounts[0].roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/PatchingDeployment; got "nope"`,
        });
        assert.throws(() => loadAccountsFile(join(tempDir(), "missing.yaml")), /cannot read the accounts file \(ENOENT\)/);
        writeFileSync(path, "accounts: [\n");
        assert.throws(() => loadAccountsFile(path), /not valid YAML or JSON/);
    });

    it("builds one scope per account and Region, filtered by --region", () => {
        const accounts = parseAccounts([
            { ...good, regions: ["us-east-1", "eu-west-1"] },
            { accountId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/P", externalId: "xid", regions: ["eu-west-1"] },
        ]);
        assert.deepEqual(
            buildScopes({ accounts }).map((s) => `${s.accountId}/${s.region}`),
            ["123456789012/us-east-1", "123456789012/eu-west-1", "210987654321/eu-west-1"],
        );
        assert.deepEqual(
            buildScopes({ accounts, region: "eu-west-1" }).map((s) => `${s.accountId}/${s.region}/${s.externalId ?? "-"}`),
            ["123456789012/eu-west-1/-", "210987654321/eu-west-1/xid"],
        );
        assert.throws(() => buildScopes({ accounts, region: "ap-south-1" }), /no account in the accounts file lists Region ap-south-1/);
        assert.deepEqual(buildScopes({ region: "us-west-2", roleArn: "arn:aws:iam::123456789012:role/P" })[0].accountId, "123456789012");
    });
});

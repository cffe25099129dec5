import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAccountsFile, parseAccounts } from "../../patchctl/accounts";
import { ConfigError } from "../../patchctl/errors";
import { buildScopes } from "../../patchctl/scopes";

const good = { accountId: "123456789012", roleArn: "arn:aws:iam::123456789012:role/PatchOperator", regions: ["us-east-1"] };

describe("patchctl accounts file", () => {
    it("reads a plain list, an {accounts} object and a Pulumi stack file alike", () => {
        const expected = [{ ...good, externalId: undefined, sessionName: undefined }];
        assert.deepEqual(parseAccounts([good]), expected);
        assert.deepEqual(parseAccounts({ accounts: [good] }), expected);
        assert.deepEqual(parseAccounts({ config: { "aws:region": "us-east-1", "ssm-patching:accounts": [good] } }), expected);
    });

    it("reads YAML and JSON files, ignoring keys it does not use", () => {
        const dir = mkdtempSync(join(tmpdir(), "patchctl-accounts-"));
        const yamlPath = join(dir, "accounts.yaml");
        writeFileSync(
            yamlPath,
            'accounts:\n  - accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/PatchOperator\n    externalId: ops-2024\n    sessionName: nightly\n    regions: [us-east-1, eu-west-1]\n    alias: payments-dev\n',
        );
        const jsonPath = join(dir, "accounts.json");
        writeFileSync(jsonPath, JSON.stringify([good]));
        assert.deepEqual(loadAccountsFile(yamlPath), [
            { ...good, externalId: "ops-2024", sessionName: "nightly", regions: ["us-east-1", "eu-west-1"] },
        ]);
        assert.equal(loadAccountsFile(jsonPath)[0].accountId, "123456789012");
    });

    const invalid: Array<[string, unknown, string]> = [
        ["an empty list", [], "accounts: the list is empty"],
        ["an entry that is not an object", [good, "x"], "accounts[1]: must be an object"],
        ["a missing accountId", [{ ...good, accountId: undefined }], "accounts[0].accountId: is required"],
        ["an 11-digit accountId", [{ ...good, accountId: "12345678901" }], "accounts[0].accountId: must be a 12-digit account id"],
        ["a roleArn that is not a role", [good, { ...good, accountId: "123456789013", roleArn: "arn:aws:iam::123456789013:role/P" }, { ...good, accountId: "210987654321", roleArn: "arn:aws:iam::210987654321:user/bob" }], "accounts[2].roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/Name"],
        ["a role in another account", [{ ...good, roleArn: "arn:aws:iam::210987654321:role/PatchOperator" }], "accounts[0].roleArn: the role is in account 210987654321"],
        ["an externalId with spaces", [{ ...good, externalId: "a b" }], "accounts[0].externalId:"],
        ["a one-character sessionName", [{ ...good, sessionName: "x" }], "accounts[0].sessionName:"],
        ["no regions", [{ ...good, regions: [] }], "accounts[0].regions: must be a non-empty list"],
        ["a bad Region name", [{ ...good, regions: ["us-east-1", "US East"] }], 'accounts[0].regions[1]: "US East" is not a Region name'],
        ["a Region listed twice", [{ ...good, regions: ["us-east-1", "us-east-1"] }], "accounts[0].regions[1]: us-east-1 is listed twice"],
        ["an account listed twice", [good, good], "accounts[1].accountId: 123456789012 is already listed at accounts[0]"],
        ["a document of another shape", { targets: [] }, "expected a list of accounts"],
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
        const dir = mkdtempSync(join(tmpdir(), "patchctl-accounts-"));
        const path = join(dir, "bad.yaml");
        writeFileSync(path, "- accountId: '123456789012'\n  roleArn: nope\n  regions: [us-east-1]\n");
        assert.throws(() => loadAccountsFile(path), { message: `${path}: accounts[0].roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/Name` });
        assert.throws(() => loadAccountsFile(join(dir, "missing.yaml")), /cannot read the accounts file \(ENOENT\)/);
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

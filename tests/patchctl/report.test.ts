/** `patchctl report`: the dashboard files from what compliance reads, in process against the loopback SSM endpoint. */
import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../patchctl/main";
import { FakeSsm } from "../../testing/fakeSsm";
import { workshopFleet } from "../../testing/serveSsm";
import { argv, harness, useTempDir } from "./helpers";

describe("patchctl report", function () {
    this.timeout(60_000);
    const temp = useTempDir("patchctl-report-");
    let fake: FakeSsm;
    let endpoint: string;
    const env = () => ({ AWS_REGION: "us-east-1" });
    const saved: Record<string, string | undefined> = {};
    const credentials = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined };

    before(async () => {
        // The SDK reads credentials from the process environment.
        for (const [key, value] of Object.entries(credentials)) {
            saved[key] = process.env[key];
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        fake = new FakeSsm({
            fleets: { "111111111111": workshopFleet({ prefix: "0a" }), "222222222222": workshopFleet({ prefix: "0b" }) },
            denyRoles: ["arn:aws:iam::444444444444:role/PatchOperator"],
        });
        endpoint = await fake.start();
    });
    after(async () => {
        await fake.close();
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    });
    const at = (...args: string[]) => argv("--region", "us-east-1", "--endpoint", endpoint, ...args);

    it("writes the HTML dashboard and the Markdown summary of the environment's nodes, with the worst nodes' patches", async () => {
        const html = join(temp(), "dev.html");
        const markdown = join(temp(), "dev.md");
        const h = harness({ env: env() });
        const code = await main(at("report", "--env", "Development", "--html", html, "--markdown", markdown), h.deps);
        assert.equal(code, 0, h.stderr.text);
        const page = readFileSync(html, "utf8");
        // Six Development nodes, three of them non-compliant (the fake's fleet), and a drill-down of one of them.
        assert.match(page, /i-0a000000000000000/);
        assert.match(page, /i-0a000000000000005/);
        assert.doesNotMatch(page, /i-0af/, "the Production nodes are not selected");
        assert.match(page, /CVE-\d{4}-\d+/, "the drill-down lists the missing patches' CVE ids");
        assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=["']?https?:/i, "nothing is fetched");
        const md = readFileSync(markdown, "utf8");
        assert.match(md, /\b6\b/);
        assert.match(h.stdout.text, /6 nodes: 3 compliant, 3 non-compliant/);
        assert.match(h.stdout.text, new RegExp(`Wrote ${html.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} and `));
        // DescribeInstancePatches for the 3 non-compliant nodes only.
        assert.equal(fake.count("DescribeInstancePatches"), 3);
        // The files hold every node's missing patches: no hint to list one node's.
        assert.equal(h.stderr.text, "");
    });

    it("shows a failed account as failed in the page and exits 1, never as an empty fleet", async () => {
        const accounts = join(temp(), "accounts.yaml");
        writeFileSync(accounts, [
            "accounts:",
            '  - { accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/PatchOperator", regions: [us-east-1] }',
            '  - { accountId: "444444444444", roleArn: "arn:aws:iam::444444444444:role/PatchOperator", regions: [us-east-1] }',
        ].join("\n"));
        const html = join(temp(), "fleet.html");
        const h = harness({ env: env() });
        const code = await main(at("--accounts", accounts, "report", "--env", "Development", "--html", html), h.deps);
        assert.equal(code, 1, h.stderr.text);
        const page = readFileSync(html, "utf8");
        assert.match(page, /444444444444/);
        assert.match(page, /AccessDenied/);
        assert.match(page, /i-0b000000000000000/);
        assert.match(h.stderr.text, /444444444444/);
    });

    it("refuses to run without an output file", async () => {
        const h = harness({ env: env() });
        assert.equal(await main(at("report", "--env", "Development"), h.deps), 2);
        assert.match(h.stderr.text, /give --html <file>, --markdown <file> or both/);
    });
});

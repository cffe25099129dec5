/** `patchctl report --findings [--compare]`: the dashboard's Inspector view, from what `findings` reads. */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findingsForFleet } from "../../testing/findingsModel";
import { useTempDir } from "../patchctl/helpers";
import { patchctl, startEndpoint, workshop, type Endpoint } from "./helpers";

describe("patchctl report --findings", function () {
    this.timeout(60_000);
    const temp = useTempDir("patchctl-report-findings-");
    let endpoint: Endpoint | undefined;
    afterEach(async () => {
        await endpoint?.close();
        endpoint = undefined;
    });

    it("shows the findings by severity and the top vulnerabilities, and after an install what closed since the snapshot", async () => {
        const fleet = workshop();
        endpoint = await startEndpoint({ fleets: { "*": fleet } }, { data: { "*": findingsForFleet(fleet) } });
        const snapshot = join(temp(), "before.json");
        const saved = await patchctl(endpoint.url, "findings", "--env", "Development", "--save", snapshot, "--json");
        assert.equal(saved.code, 0, saved.stderr);
        const before = JSON.parse(saved.stdout) as { summary: { findings: number; closableByPatching: number } };
        assert.ok(before.summary.closableByPatching > 0, "the fixture has findings patching closes");

        const page1 = join(temp(), "before.html");
        const first = await patchctl(endpoint.url, "report", "--env", "Development", "--findings", "--html", page1);
        assert.equal(first.code, 0, first.stderr);
        const html1 = readFileSync(page1, "utf8");
        assert.match(html1, /CVE-\d{4}-\d+/, "the top vulnerabilities are listed");
        assert.match(html1, /Inspector/);

        const installed = await patchctl(endpoint.url, "install", "--env", "Development", "--yes", "--interval", "20ms");
        assert.equal(installed.code, 0, installed.stderr);
        const page2 = join(temp(), "after.html");
        const second = await patchctl(endpoint.url, "report", "--env", "Development", "--findings", "--compare", snapshot, "--html", page2, "--markdown", join(temp(), "after.md"));
        assert.equal(second.code, 0, second.stderr);
        const html2 = readFileSync(page2, "utf8");
        // Exactly the findings the snapshot said patching would close have closed.
        const closed = /data-metric="findings\.compare\.closed"[^>]*>([\d,]+)</.exec(html2)?.[1];
        assert.equal(closed, String(before.summary.closableByPatching), "closed since the snapshot");
        assert.match(html2, /Closed since the snapshot/);
        assert.doesNotMatch(html1, /Since the snapshot/, "no comparison without --compare");
    });

    it("refuses --compare without --findings, and an unreadable snapshot, before any call", async () => {
        const fleet = workshop();
        endpoint = await startEndpoint({ fleets: { "*": fleet } }, { data: { "*": findingsForFleet(fleet) } });
        const a = await patchctl(endpoint.url, "report", "--env", "Development", "--compare", "x.json", "--html", join(temp(), "x.html"));
        assert.equal(a.code, 2);
        assert.match(a.stderr, /--compare needs --findings/);
        const b = await patchctl(endpoint.url, "report", "--env", "Development", "--findings", "--compare", join(temp(), "missing.json"), "--html", join(temp(), "y.html"));
        assert.equal(b.code, 2, b.stderr);
        assert.equal(endpoint.ssm.count("DescribeInstanceInformation"), 0);
    });
});

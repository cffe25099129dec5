import * as assert from "node:assert/strict";
import { render, renderCsv, renderTable, type Report } from "../../patchctl/output";
import { parsePatchCounts, patchPlugin, summarizeOutput } from "../../patchctl/patchOutput";

describe("patchctl output formats", () => {
    const report: Report = {
        columns: [
            { key: "instanceId", header: "INSTANCE" },
            { key: "missing", header: "MISSING", numeric: true },
            { key: "when", header: "WHEN" },
        ],
        rows: [
            { instanceId: "i-0a", missing: 3, when: new Date(Date.UTC(2025, 0, 4, 23, 30)) },
            { instanceId: "i-0b", missing: 12, when: undefined },
        ],
        json: { rows: 2, missing: undefined },
        notes: ["2 nodes."],
    };

    it("aligns a table, right-aligns numbers and shows empty cells as '-'", () => {
        assert.equal(
            renderTable(report.columns, report.rows),
            ["INSTANCE  MISSING  WHEN", "i-0a            3  2025-01-04 23:30Z", "i-0b           12  -"].join("\n"),
        );
        assert.equal(render(report, "table").endsWith("\n\n2 nodes.\n"), true);
    });

    it("quotes CSV fields with commas, quotes and newlines and writes ISO times", () => {
        const csv = renderCsv(
            [
                { key: "a", header: "a" },
                { key: "b", header: "b" },
            ],
            [{ a: 'say "hi", then\nleave', b: new Date(0) }],
        );
        assert.equal(csv, 'a,b\r\n"say ""hi"", then\nleave",1970-01-01T00:00:00.000Z\r\n');
    });

    it("prints JSON with nulls for missing values and no notes", () => {
        assert.deepEqual(JSON.parse(render(report, "json")), { rows: 2, missing: null });
    });

    it("prints the empty message instead of an empty table", () => {
        assert.equal(render({ columns: report.columns, rows: [], json: {}, emptyMessage: "Nothing." }, "table"), "Nothing.\n");
    });
});

describe("patchctl PatchLinux output summary", () => {
    it("reads count lines and summarizes them", () => {
        const output = "Instance ID: i-1\nInstalled: 412\nInstalledPendingReboot: 2\nMissing: 3\nFailed: 1\nNotApplicable: 9";
        assert.deepEqual(parsePatchCounts(output), { installed: 412, installedPendingReboot: 2, missing: 3, failed: 1, notApplicable: 9 });
        assert.equal(summarizeOutput(output), "3 missing, 1 failed, 2 pending reboot, 412 installed");
    });

    it("falls back to the last meaningful line, shortened", () => {
        assert.equal(summarizeOutput("starting\nError: yum lock held\n---Output truncated---\n"), "Error: yum lock held");
        assert.equal(summarizeOutput(`x\n${"y".repeat(150)}`).length, 100);
        assert.equal(summarizeOutput("", "Undeliverable"), "Undeliverable");
    });

    it("picks the PatchLinux plugin over a skipped PatchWindows step", () => {
        const plugin = patchPlugin({
            CommandPlugins: [
                { Name: "PatchWindows", Status: "Success", StatusDetails: "Skipped", Output: "skipped" },
                { Name: "PatchLinux", Status: "Failed", Output: "Error: boom" },
            ],
        });
        assert.equal(plugin?.Name, "PatchLinux");
    });
});

import * as assert from "node:assert/strict";
import { render, renderCsv, renderTable, type Report } from "../../patchctl/output/format";
import { outputDetail, patchPlugin, splitOutput, STDERR_SEPARATOR } from "../../patchctl/ssm/patchOutput";
import { agentOutput } from "../../testing/fakeSsm";

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

describe("patchctl PatchLinux output detail", () => {
    it("is the last meaningful line of the standard output, count-like lines included: they are not parsed", () => {
        assert.equal(outputDetail("Installed: 412\nMissing: 3", false), "Missing: 3");
        assert.equal(outputDetail("starting\nScanning installed packages\n---Output truncated---\n", false), "Scanning installed packages");
        assert.equal(outputDetail(`x\n${"y".repeat(150)}`, false).length, 100);
        assert.equal(outputDetail("", false, "Undeliverable"), "Undeliverable");
        assert.equal(outputDetail(undefined, true, "Execution Timed Out"), "Execution Timed Out");
    });

    it("is the first line of the standard error on failure, the standard output's last line otherwise", () => {
        const output = `Loading plugins\nResolving dependencies\n---Output truncated---\n${STDERR_SEPARATOR}\nError: yum lock held by another process (pid 2231)\nTraceback (most recent call last):\n---Error truncated----`;
        assert.deepEqual(splitOutput(output), {
            stdout: "Loading plugins\nResolving dependencies\n---Output truncated---",
            stderr: "Error: yum lock held by another process (pid 2231)\nTraceback (most recent call last):\n---Error truncated----",
        });
        assert.equal(outputDetail(output, true), "Error: yum lock held by another process (pid 2231)");
        assert.equal(outputDetail(output, false), "Resolving dependencies");
        assert.equal(outputDetail("Error: no space left", true), "Error: no space left");
    });

    it("matches the fake endpoint's version of the agent's output format", () => {
        const short = agentOutput("done", "Error: boom");
        assert.equal(short, `done\n${STDERR_SEPARATOR}\nError: boom`);
        assert.equal(outputDetail(short, true), "Error: boom");
        const long = agentOutput(`${"a".repeat(3000)}\nlast`, `Error: first\n${"b".repeat(3000)}`);
        assert.ok(long.length <= 2500, String(long.length));
        assert.equal(outputDetail(long, true), "Error: first");
        assert.equal(outputDetail(agentOutput("x".repeat(5000), ""), false).length, 100);
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

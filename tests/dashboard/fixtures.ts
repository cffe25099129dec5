/**
 * The dashboard tests' sample fleet: real output of patchctl against the loopback SSM endpoint
 * (testing/serveSsm.ts), saved in fixtures/:
 *
 *   compliance-accounts.json: patchctl compliance --env Development --accounts accounts.yaml --json
 *     with 222222222222 in us-east-1 (6 nodes, 3 non-compliant) and eu-west-1 (4 nodes, 2
 *     non-compliant) and 444444444444 us-east-1, whose role the endpoint refuses (a failed scope);
 *   missing-i-0b000000000000000.json: patchctl compliance --instance i-0b000000000000000 --missing
 *     --json (the endpoint gives every non-compliant node the same three missing patches).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { dashboardDataFromCompliance, toDashboardPatch, type ComplianceReportJson, type DashboardData, type DashboardPatch } from "../../patchctl/dashboard/model";

const FIXTURES = path.join(__dirname, "fixtures");

export const readFixture = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as T;

/** Shortly after the endpoint's scans ended (2025-01-06 01:00 UTC). */
export const SAMPLE_GENERATED_AT = "2025-01-06T01:04:00.000Z";

export function sampleReport(): ComplianceReportJson & { summary: Record<string, number> } {
    return readFixture("compliance-accounts.json");
}

export function samplePatches(): DashboardPatch[] {
    const missing = readFixture<{ missing: Array<{ title: string; classification: string; severity: string; state: string; cves: string[] }> }>("missing-i-0b000000000000000.json").missing;
    return missing.map(toDashboardPatch).filter((p): p is DashboardPatch => p !== undefined);
}

/** The sample fleet as the lead's `patchctl report` would build it from the compliance report. */
export function sampleData(): DashboardData {
    const patches = samplePatches();
    return dashboardDataFromCompliance(sampleReport(), {
        generatedAt: SAMPLE_GENERATED_AT,
        scopes: [
            { account: "222222222222", region: "us-east-1" },
            { account: "222222222222", region: "eu-west-1" },
            { account: "444444444444", region: "us-east-1" },
        ],
        targets: "Nodes tagged Environment=Development",
        patchesOf: (node) => ((node.missing ?? 0) > 0 ? patches : []),
    });
}

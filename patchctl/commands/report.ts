/**
 * `patchctl report --html FILE [--markdown FILE]`: the compliance dashboard (workflow steps 26-31)
 * as one self-contained HTML file, and its summary as Markdown for a CI job summary. It reads what
 * `compliance` reads (ceil(N/50) DescribeInstanceInformation pages and DescribeInstancePatchStates
 * calls for N nodes), plus, for the drill-down, the missing and failed patches of the worst
 * non-compliant nodes (one paginated DescribeInstancePatches chain each, --drill-down of them).
 * A failed account-Region is shown as failed in the page, never as an empty fleet.
 */
import { writeFileSync } from "node:fs";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { ssmSdk } from "../aws/sdk";
import { addTargetOptions, EXIT_CODES_HELP, parsePositiveInt, targetsOf, type TargetFlags } from "../cli/flags";
import type { CommandDefinition } from "../cli/session";
import { renderDashboardHtml } from "../dashboard/html";
import { renderDashboardMarkdown } from "../dashboard/markdown";
import { dashboardDataFromCompliance, type ComplianceReportJson, type DashboardFindings, type DashboardPatch, type FindingRef } from "../dashboard/model";
import { findingsClients } from "../findings/clients";
import { listActiveFindings, scanCoverage } from "../findings/fetch";
import { countSeverities, topVulnerabilities, type FindingRecord } from "../findings/model";
import { buildSnapshot, compareSnapshots, readSnapshot, type SnapshotFinding } from "../findings/snapshot";
import { UsageError } from "../output/errors";
import { describeTargets } from "../ssm/targets";
import { complianceReport, createCompliance, type NodeCompliance } from "./compliance";

type ReportFlags = TargetFlags & { html?: string; markdown?: string; drillDown: string; staleAfter: string; findings?: boolean; compare?: string };

/** What `findings` reads of one account and Region, for the dashboard's Inspector view. */
interface ScopeInspector {
    findings: FindingRecord[];
    coverage: Awaited<ReturnType<typeof scanCoverage>>;
}

const ref = (f: SnapshotFinding): FindingRef => ({ findingArn: f.arn, severity: f.severity, instanceId: f.instanceId, vulnerabilityId: f.vulnerabilityId ?? f.title });

/** The missing and failed patches of one node (DescribeInstancePatches, State Missing or Failed). */
async function patchesOf(ssm: SSMClient, instanceId: string): Promise<DashboardPatch[]> {
    const { paginateDescribeInstancePatches } = await ssmSdk();
    const pages = paginateDescribeInstancePatches(
        { client: ssm, pageSize: PAGE_SIZE.DescribeInstancePatches },
        { InstanceId: instanceId, Filters: [{ Key: "State", Values: ["Missing", "Failed"] }] },
    );
    return collectPages(pages, (page) =>
        (page.Patches ?? []).map((patch) => ({
            title: patch.Title ?? "",
            classification: patch.Classification ?? "",
            severity: patch.Severity ?? "",
            // The API spells states MISSING/FAILED, AWS's examples Missing/Failed.
            state: /^failed$/i.test(patch.State ?? "") ? ("Failed" as const) : ("Missing" as const),
            cveIds: (patch.CVEIds ?? "").split(/[,\s]+/).filter((cve) => cve !== ""),
        })),
        { operation: "DescribeInstancePatches" },
    );
}

/** The worst non-compliant nodes first: critical, then security, then missing patches. */
function worstFirst(nodes: NodeCompliance[]): NodeCompliance[] {
    const key = (n: NodeCompliance) => [n.state?.CriticalNonCompliantCount ?? 0, n.state?.SecurityNonCompliantCount ?? 0, (n.state?.MissingCount ?? 0) + (n.state?.FailedCount ?? 0)];
    return nodes
        .filter((n) => n.status === "NON_COMPLIANT")
        .sort((a, b) => {
            const [ka, kb] = [key(a), key(b)];
            return kb[0] - ka[0] || kb[1] - ka[1] || kb[2] - ka[2] || a.instanceId.localeCompare(b.instanceId);
        });
}

export const reportCommand: CommandDefinition = (parent, cli) =>
    addTargetOptions(
        parent
            .command("report")
            .description("Write the compliance dashboard: one self-contained HTML file, and a Markdown summary for CI")
            .option("--html <file>", "write the HTML dashboard here (opens from disk, no network)")
            .option("--markdown <file>", "write the summary and the worst nodes as Markdown (for a CI job summary)")
            .option("--drill-down <n>", "read the missing and failed patches of the n worst non-compliant nodes per account-Region (0-10000)", "100")
            .option("--stale-after <days>", "a node's patch report older than this is stale (1-365)", "7")
            .option("--findings", "add the Inspector view of patchctl findings: active findings by severity, top vulnerabilities, coverage")
            .option("--compare <snapshot>", "with --findings: what closed, what is still open and what is new since a patchctl findings --save snapshot"),
    )
        .addHelpText(
            "after",
            `\nCalls: those of compliance, plus one DescribeInstancePatches chain for each node drilled into.\n\nExamples:\n  patchctl report --env Development --html compliance.html\n  patchctl report --env Production --accounts accounts.yaml --html fleet.html --markdown "$GITHUB_STEP_SUMMARY"\n${EXIT_CODES_HELP}`,
        )
        .action(
            cli.action(async (flags: ReportFlags, command: Command) => {
                if (flags.html === undefined && flags.markdown === undefined) {
                    throw new UsageError("report: give --html <file>, --markdown <file> or both");
                }
                const drillDown = Number(flags.drillDown) === 0 ? 0 : parsePositiveInt(flags.drillDown, "--drill-down", 1, 10_000);
                const staleAfterDays = parsePositiveInt(flags.staleAfter, "--stale-after", 1, 365);
                if (flags.compare !== undefined && !flags.findings) {
                    throw new UsageError("--compare needs --findings");
                }
                // An unreadable snapshot is refused before any call.
                const before = flags.compare !== undefined ? readSnapshot(flags.compare) : undefined;
                const session = await cli.session(command);
                const targets = targetsOf(flags, "read");
                const apiRate = parsePositiveInt(session.globals.apiRate, "--api-rate", 1, 1000);
                const patches = new Map<string, DashboardPatch[]>();
                const inspector = new Map<string, ScopeInspector>();
                const outcomes = await session.inScopes(async (ssm, scope) => {
                    const nodes = await createCompliance({ ssm }).nodes(targets);
                    for (const node of worstFirst(nodes).slice(0, drillDown)) {
                        patches.set(`${scope.accountId ?? ""}/${scope.region}/${node.instanceId}`, await patchesOf(ssm, node.instanceId));
                    }
                    if (flags.findings) {
                        // A scope whose Inspector calls fail fails as a whole: never a fleet without findings.
                        const clients = await findingsClients(ssm, apiRate);
                        const [findings, coverage] = await Promise.all([listActiveFindings(clients.inspector, targets), scanCoverage(clients.inspector, targets)]);
                        inspector.set(`${scope.accountId ?? ""}/${scope.region}`, { findings, coverage });
                    }
                    return nodes;
                });
                let findings: DashboardFindings | undefined;
                if (flags.findings) {
                    const all = [...inspector.values()].flatMap((s) => s.findings);
                    const counts = countSeverities(all);
                    findings = {
                        bySeverity: { CRITICAL: counts.critical, HIGH: counts.high, MEDIUM: counts.medium, LOW: counts.low, INFORMATIONAL: counts.informational, UNTRIAGED: counts.untriaged },
                        topVulnerabilities: topVulnerabilities(all).map((v) => ({ id: v.vulnerability, title: v.title, severity: v.severity, instances: v.instances })),
                        coverage: outcomes.flatMap((o) => {
                            const s = inspector.get(`${o.scope.accountId ?? ""}/${o.scope.region}`);
                            if (!s) return [];
                            const notScanned = new Map(s.coverage.notScanned.map((r) => [r.instanceId, r]));
                            return (o.value ?? []).map((node) => {
                                const r = notScanned.get(node.instanceId);
                                return r ? { instanceId: node.instanceId, scanned: false, reason: r.reason ?? "not covered by Inspector" } : { instanceId: node.instanceId, scanned: true };
                            });
                        }),
                    };
                    if (before) {
                        const now = buildSnapshot(
                            outcomes.map((o) => ({
                                account: o.scope.accountId ?? null,
                                region: o.scope.region,
                                error: o.error !== undefined ? String(o.error) : undefined,
                                findings: inspector.get(`${o.scope.accountId ?? ""}/${o.scope.region}`)?.findings,
                            })),
                            {},
                            new Date(),
                        );
                        const c = compareSnapshots(before, now);
                        findings.comparison = { snapshotAt: before.takenAt, closed: c.closed.map(ref), stillOpen: c.stillOpen.map(ref), new: c.new.map(ref) };
                    }
                }
                // No one-node hint: the files written hold every node's missing patches.
                const compliance = complianceReport(outcomes, { multi: session.multi, targets });
                const json = compliance.report.json as unknown as ComplianceReportJson;
                const data = dashboardDataFromCompliance(json, {
                    generatedAt: new Date(),
                    scopes: outcomes.map((o) => ({ account: o.scope.accountId ?? null, region: o.scope.region })),
                    staleAfterDays,
                    patchesOf: (node) => patches.get(`${node.account ?? ""}/${node.region}/${node.instanceId}`),
                    targets: describeTargets(targets),
                    findings,
                });
                const written: string[] = [];
                if (flags.html !== undefined) {
                    writeFileSync(flags.html, await renderDashboardHtml(data));
                    written.push(flags.html);
                }
                if (flags.markdown !== undefined) {
                    writeFileSync(flags.markdown, renderDashboardMarkdown(data));
                    written.push(flags.markdown);
                }
                // The report's own numbers on stdout, so a CI log shows them; the file holds the rest.
                return session.print({
                    ...compliance,
                    report: {
                        ...compliance.report,
                        json: { ...(compliance.report.json as Record<string, unknown>), command: "report", files: written },
                        columns: [],
                        rows: [],
                        notes: [...(compliance.report.notes ?? []), `Wrote ${written.join(" and ")}.`],
                        emptyMessage: undefined,
                    },
                });
            }),
        );

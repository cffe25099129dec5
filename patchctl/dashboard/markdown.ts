/**
 * The dashboard's summary and worst nodes as GitHub-flavoured Markdown (`patchctl report
 * --markdown FILE`), for a CI job summary ($GITHUB_STEP_SUMMARY) or a merge-request comment.
 * Same numbers as the HTML page (summary.ts); every string from the data is escaped.
 */
import { escapeMarkdown as md, formatAge, formatCount, formatTime, formatTimeLong } from "./format";
import type { DashboardData } from "./model";
import { summarize, worstFirst, type DashboardSummary, type NodeView, type Totals } from "./summary";

export interface MarkdownOptions {
    /** How many of the worst nodes to list. Defaults to 10. */
    worst?: number;
}

export function renderDashboardMarkdown(data: DashboardData, options: MarkdownOptions = {}): string {
    return renderSummaryMarkdown(summarize(data), data, options);
}

const STATUS = { compliant: "Compliant", "non-compliant": "Non-compliant", "never-reported": "Never reported" } as const;

function totalsCells(t: Totals): string[] {
    return [t.nodes, t.compliant, t.nonCompliant, t.neverReported, t.stale, t.nodesWithCritical, t.nodesWithSecurity, t.nodesWithOther, t.missingPatches, t.failedPatches].map(formatCount);
}

function row(cells: string[]): string {
    return `| ${cells.join(" | ")} |`;
}

/** The worst nodes: those with non-compliant or failed patches, most critical, security, then missing first. */
export function worstNodes(summary: DashboardSummary, limit: number): { nodes: NodeView[]; more: number } {
    const bad = summary.nodes.filter((v) => v.critical + v.security + v.other + v.missing + v.failed + v.pendingReboot > 0 || v.state === "non-compliant").sort(worstFirst);
    return { nodes: bad.slice(0, limit), more: Math.max(0, bad.length - limit) };
}

export function renderSummaryMarkdown(s: DashboardSummary, data: Pick<DashboardData, "title" | "targets">, options: MarkdownOptions = {}): string {
    const limit = options.worst ?? 10;
    const showAccount = s.accounts.length > 0;
    const o = s.overall;
    const lines: string[] = [];
    lines.push(`## ${md(data.title ?? "Patch compliance")}`, "");
    const read = s.scopes.length - s.failedScopes.length;
    lines.push(
        (data.targets ? `${md(data.targets)}. ` : "") +
            `Generated ${formatTimeLong(s.generatedAt)} from ${read} of ${s.scopes.length} account-Region${s.scopes.length === 1 ? "" : "s"}` +
            (s.failedScopes.length > 0 ? ` (${s.failedScopes.length} failed)` : "") +
            ".",
        "",
    );
    if (s.failedScopes.length > 0) {
        lines.push(`> [!WARNING]`, `> ${s.failedScopes.length} account-Region${s.failedScopes.length === 1 ? "" : "s"} could not be read; ${s.failedScopes.length === 1 ? "its" : "their"} nodes are not counted below:`);
        for (const f of s.failedScopes) lines.push(`> - **${md(f.label)}**: ${md(f.scope.error ?? "failed")}`);
        lines.push("");
    }
    lines.push(
        `**${formatCount(o.nodes)} nodes: ${formatCount(o.compliant)} compliant, ${formatCount(o.nonCompliant)} non-compliant, ${formatCount(o.neverReported)} never reported**; ` +
            `${formatCount(o.stale)} with a report over ${s.staleAfterDays} days old` +
            (o.oldestReportDays !== null ? ` (oldest: ${formatAge(o.oldestReportDays)})` : "") +
            `; ${formatCount(o.failedInstalls)} failed install${o.failedInstalls === 1 ? "" : "s"}.`,
        "",
    );

    const where = showAccount ? ["Account", "Region"] : ["Region"];
    const headers = [...where, "Nodes", "Compliant", "Non-compliant", "Never reported", `Stale (> ${s.staleAfterDays} d)`, "Critical", "Security", "Other", "Missing patches", "Failed patches"];
    lines.push(row(headers), row(headers.map((_, i) => (i < where.length ? "---" : "---:"))));
    for (const x of s.scopes) {
        const place = showAccount ? [md(x.scope.account ?? "—"), md(x.scope.region)] : [md(x.scope.region)];
        lines.push(row([...place, ...(x.totals ? totalsCells(x.totals) : ["**failed**", ...Array.from({ length: 9 }, () => "—")])]));
    }
    if (s.scopes.length > 1) {
        lines.push(row([...(showAccount ? ["**All read**", ""] : ["**All read**"]), ...totalsCells(o).map((c) => `**${c}**`)]));
    }
    lines.push(
        "",
        "Critical, Security and Other count the nodes with at least one non-compliant patch of that severity, as the Patch Manager console counts them (a node can count under more than one).",
        "",
    );

    const { nodes, more } = worstNodes(s, limit);
    lines.push(`### Worst nodes`, "");
    if (nodes.length === 0) {
        lines.push("No node has non-compliant or failed patches.", "");
    } else {
        const nodeHeaders = ["Node", "Name", ...where, "Status", "Critical", "Security", "Missing", "Failed", "Last operation"];
        lines.push(row(nodeHeaders), row(nodeHeaders.map((h) => (["Critical", "Security", "Missing", "Failed"].includes(h) ? "---:" : "---"))));
        for (const v of nodes) {
            const n = v.node;
            const place = showAccount ? [md(n.account ?? "—"), md(n.region)] : [md(n.region)];
            const op = v.result === "none" ? "—" : `${md(n.operation)} ${formatTime(v.endTime)}: ${md(v.resultLabel)}`;
            lines.push(
                row([
                    md(n.instanceId),
                    md(n.name ?? "—"),
                    ...place,
                    STATUS[v.state] + (v.stale ? " (stale)" : ""),
                    formatCount(v.critical),
                    formatCount(v.security),
                    formatCount(v.missing),
                    formatCount(v.failed),
                    op,
                ]),
            );
        }
        lines.push("");
        if (more > 0) lines.push(`${formatCount(more)} more node${more === 1 ? " has" : "s have"} non-compliant or failed patches (see the HTML report).`, "");
    }
    const never = s.nodes.filter((v) => v.state === "never-reported");
    if (never.length > 0) {
        const shown = never.slice(0, 10).map((v) => md(v.node.instanceId));
        lines.push(`Never reported a patch state (${formatCount(never.length)}): ${shown.join(", ")}${never.length > 10 ? ", …" : ""}.`, "");
    }

    const f = s.findings;
    if (f) {
        lines.push("### Inspector findings", "");
        lines.push(row(["Severity", "Findings"]), row(["---", "---:"]));
        for (const [sev, n] of f.bySeverity) lines.push(row([md(sev), formatCount(n)]));
        lines.push(row(["**All**", `**${formatCount(f.total)}**`]), "");
        lines.push(`Inspector scans ${formatCount(f.coverage.scanned)} of ${formatCount(f.coverage.nodes)} nodes.`, "");
        if (f.comparison) {
            const c = f.comparison.counts;
            lines.push(`Since the snapshot: ${formatCount(c.closed)} closed, ${formatCount(c.stillOpen)} still open, ${formatCount(c.new)} new.`, "");
        }
    }
    return `${lines.join("\n").trimEnd()}\n`;
}

/**
 * `patchctl findings`: the workflow's steps 1-5 and 39 from a terminal. Security Hub's active
 * findings by product (the managed insight step 1 opens), the selected instances' active Inspector
 * findings by severity, the vulnerabilities affecting the most of them, each instance's counts,
 * Inspector's scan coverage (which instances it does not scan, and why), and what patching would
 * close: each instance's missing and failed patches' CVE ids matched against its findings.
 * `--save FILE` writes a snapshot; `--compare FILE` shows what closed, what is still open and what
 * is new since one (`install --snapshot FILE` takes one before installing).
 *
 * API calls: see findings/fetch.ts.
 */
import type { Command } from "commander";
import { Option } from "commander";
import type { ResolvedScope, Scope, ScopeOutcome } from "../aws/scopes";
import { addTargetOptions, EXIT_CODES_HELP, parsePositiveInt, targetsOf, type TargetFlags } from "../cli/flags";
import type { CommandDefinition, Session } from "../cli/session";
import type { NodeCompliance } from "./compliance";
import { describeError, EXIT_FAILED, EXIT_OK, UsageError } from "../output/errors";
import { renderTable, type Column, type Row } from "../output/format";
import { errorsOf, scopeColumns, scopeFields, type Outcome, type ReportContext } from "../output/report";
import { describeTargets, targetsJson, type TargetSpec } from "../ssm/targets";
import { fetchScopeFindings, type ScopeFindings } from "../findings/fetch";
import {
    addCounts,
    countSeverities,
    describeCounts,
    describeEffect,
    emptyCounts,
    patchingEffects,
    topVulnerabilities,
    unresolvedFindings,
    type PatchingEffect,
    type SeverityCounts,
    type Unresolved,
    type Vulnerability,
} from "../findings/model";
import { buildSnapshot, compareSnapshots, readSnapshot, writeSnapshot, type Comparison, type Snapshot } from "../findings/snapshot";

export type FindingsFailOn = "critical" | "high";

type FindingsFlags = TargetFlags & { top: string; save?: string; compare?: string; failOn?: FindingsFailOn };

/** Vulnerabilities shown by default. */
export const DEFAULT_TOP = 10;

/** The findings of every scope (the calls of findings/fetch.ts in each). */
function fetchAll(session: Session, targets: TargetSpec, scopes?: readonly Scope[]): Promise<Array<ScopeOutcome<ScopeFindings>>> {
    const apiRate = parsePositiveInt(session.globals.apiRate, "--api-rate", 1, 1000);
    return session.inScopes((ssm, scope) => fetchScopeFindings(ssm, scope, targets, { apiRate }), scopes);
}

function snapshotOf(outcomes: ReadonlyArray<ScopeOutcome<ScopeFindings>>, targets: TargetSpec, at: Date): Snapshot {
    return buildSnapshot(
        outcomes.map((o) => ({
            ...scopeFields(o.scope),
            error: o.error !== undefined ? describeError(o.error) : undefined,
            findings: o.value?.findings,
            compliance: o.value?.compliance,
        })),
        targetsJson(targets),
        at,
    );
}

/**
 * `install --snapshot FILE`: the findings snapshot of `targets` in `scopes`, written before the
 * install sends anything. A scope that fails is recorded as failed (never as zero findings) and
 * named on stderr; the install goes on.
 */
export async function saveFindingsSnapshot(session: Session, targets: TargetSpec, file: string, scopes?: readonly Scope[]): Promise<void> {
    const outcomes = await fetchAll(session, targets, scopes);
    const snapshot = snapshotOf(outcomes, targets, new Date());
    writeSnapshot(file, snapshot);
    for (const line of errorsOf(outcomes).messages) {
        session.stderr.write(`${line} (the snapshot records it as failed)\n`);
    }
    session.stderr.write(`patchctl: saved ${snapshot.findings.length} active findings to ${file}; after the install: patchctl findings ${flagsOf(targets).join(" ")} --compare ${file}\n`);
}

function flagsOf(targets: TargetSpec): string[] {
    if (targets.kind === "instances") {
        return ["--instance-ids", targets.instanceIds.join(",")];
    }
    return targets.tags.flatMap((t) => (t.key === "Environment" && t.values.length === 1 && targets.env !== undefined ? ["--env", t.values[0]] : t.values.map((v) => `--tag ${t.key}=${v}`)));
}

/** The `findings` command: flags, help, action. */
export const findingsCommand: CommandDefinition = (parent, cli) =>
    addTargetOptions(
        parent
            .command("findings")
            .description("Security Hub findings by product, the target instances' Inspector findings, scan coverage, and what patching would close")
            .option("--top <n>", "vulnerabilities to list (those affecting the most instances)", String(DEFAULT_TOP))
            .option("--save <file>", "write a snapshot of the findings and compliance (to --compare later)")
            .option("--compare <file>", "show what closed, what is still open and what is new since a snapshot")
            .addOption(new Option("--fail-on <severity>", "exit 1 when an instance has active critical (critical) / critical or high (high) findings").choices(["critical", "high"])),
    )
        .addHelpText(
            "after",
            `
Calls for N instances with F active findings, U of them not scanned: 1 GetInsightResults, ceil(F/25)
ListFindings pages, 1 ListCoverageStatistics + ceil(U/200) ListCoverage, ceil(N/50)
DescribeInstanceInformation + ceil(N/50) DescribeInstancePatchStates, and one DescribeInstancePatches
per instance with findings and missing or failed patches.

Examples:
  patchctl findings --env Development
  patchctl findings --env Development --save before.json
  patchctl install --env Development --snapshot before.json
  patchctl findings --env Development --compare before.json
  patchctl findings --env Production --accounts accounts.yaml --fail-on critical --json
${EXIT_CODES_HELP}`,
        )
        .action(
            cli.action(async (flags: FindingsFlags, command: Command) => {
                const session = await cli.session(command);
                const targets = targetsOf(flags, "read");
                const top = parsePositiveInt(flags.top, "--top", 1, 1000);
                if (flags.save !== undefined && flags.save === flags.compare) {
                    throw new UsageError("--save and --compare name the same file: the snapshot would be overwritten before it is compared");
                }
                // A snapshot that cannot be read is a usage error before any call.
                const before = flags.compare !== undefined ? readSnapshot(flags.compare) : undefined;
                const outcomes = await fetchAll(session, targets);
                const now = snapshotOf(outcomes, targets, new Date());
                if (flags.save !== undefined) {
                    writeSnapshot(flags.save, now);
                }
                const comparison = before ? compareSnapshots(before, now) : undefined;
                const outcome = findingsReport(outcomes, {
                    multi: session.multi,
                    targets,
                    top,
                    failOn: flags.failOn,
                    comparison,
                    saved: flags.save !== undefined ? { file: flags.save, takenAt: now.takenAt, findings: now.findings.length } : undefined,
                });
                return session.print(session.format === "table" ? { ...outcome, report: { ...outcome.report, rows: [] } } : outcome);
            }),
        );

// ---- the report ----------------------------------------------------------------------------

export interface FindingsReportContext extends ReportContext {
    targets: TargetSpec;
    top?: number;
    failOn?: FindingsFailOn;
    comparison?: Comparison;
    saved?: { file: string; takenAt: string; findings: number };
}

interface InstanceRow {
    scope: ResolvedScope;
    instanceId: string;
    name: string | null;
    counts: SeverityCounts;
    scan: { statusCode: string | null; reason: string | null };
    effect?: PatchingEffect;
    /** The node's patch state; undefined when it is not a managed node (or was never scanned). */
    state?: NodeCompliance["state"];
}

interface ScopeView {
    scope: ResolvedScope;
    data: ScopeFindings;
    severity: SeverityCounts;
    top: Vulnerability[];
    instances: InstanceRow[];
    effects: PatchingEffect[];
    unresolved: Unresolved[];
}

function viewOf(scope: ResolvedScope, data: ScopeFindings, top: number): ScopeView {
    const effects = patchingEffects(data.findings, data.patches);
    const effectOf = new Map(effects.map((e) => [e.instanceId, e]));
    const names = new Map(data.nodes.map((n) => [n.instanceId, n.name ?? null]));
    const states = new Map(data.nodes.map((n) => [n.instanceId, n.state]));
    const notScanned = new Map(data.coverage.notScanned.map((c) => [c.instanceId, c]));
    const byInstance = new Map<string, typeof data.findings>();
    for (const f of data.findings) {
        byInstance.set(f.instanceId, [...(byInstance.get(f.instanceId) ?? []), f]);
    }
    const instances = [...byInstance]
        .map(([instanceId, own]) => ({
            scope,
            instanceId,
            name: names.get(instanceId) ?? null,
            counts: countSeverities(own),
            scan: notScanned.get(instanceId) ?? { statusCode: "ACTIVE", reason: "SUCCESSFUL" },
            effect: effectOf.get(instanceId),
            state: states.get(instanceId),
        }))
        .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    return {
        scope,
        data,
        severity: countSeverities(data.findings),
        top: topVulnerabilities(data.findings, top),
        instances,
        effects,
        unresolved: unresolvedFindings(data.findings, effects, data.patches),
    };
}

const SEVERITY_COLUMNS: Column[] = [
    { key: "critical", header: "CRITICAL", numeric: true },
    { key: "high", header: "HIGH", numeric: true },
    { key: "medium", header: "MEDIUM", numeric: true },
    { key: "low", header: "LOW", numeric: true },
    { key: "total", header: "TOTAL", numeric: true },
];

function section(title: string, columns: Column[], rows: Row[]): string {
    return rows.length > 0 ? `${title}\n${renderTable(columns, rows)}` : title;
}

/** The findings report: sections in the workflow's order (table), one document (--json), one row per instance (--csv). */
export function findingsReport(outcomes: Array<ScopeOutcome<ScopeFindings>>, ctx: FindingsReportContext): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const views = outcomes.filter((o) => o.value !== undefined).map((o) => viewOf(o.scope, o.value as ScopeFindings, ctx.top ?? DEFAULT_TOP));
    const hubErrors = views.filter((v) => v.data.securityHub.error !== undefined);
    for (const v of hubErrors) {
        messages.push(`patchctl: ${v.scope.accountId ? `account ${v.scope.accountId} ` : ""}${v.scope.region}: ${v.data.securityHub.message ?? ""}`);
    }
    const instances = views.flatMap((v) => v.instances);
    const severity = views.reduce((sum, v) => addCounts(sum, v.severity), emptyCounts());
    const closable = views.flatMap((v) => v.effects).reduce((sum, e) => addCounts(sum, e.closesBySeverity), emptyCounts());
    const notScanned = views.flatMap((v) => v.data.coverage.notScanned.map((c) => ({ scope: v.scope, ...c })));

    const gateFailures = ctx.failOn ? instances.filter((i) => i.counts.critical > 0 || (ctx.failOn === "high" && i.counts.high > 0)) : [];
    if (ctx.failOn && gateFailures.length > 0) {
        const named = gateFailures.slice(0, 10).map((i) => (ctx.multi ? `${i.scope.accountId ?? ""}/${i.scope.region}/${i.instanceId}` : i.instanceId));
        const what = ctx.failOn === "critical" ? "critical" : "critical or high";
        messages.push(`patchctl: --fail-on ${ctx.failOn}: ${gateFailures.length} of ${instances.length} instances with findings have active ${what} findings: ${named.join(", ")}${gateFailures.length > 10 ? ", ..." : ""}`);
    }
    const exitCode = errors.json.length > 0 || hubErrors.length > 0 || gateFailures.length > 0 ? EXIT_FAILED : EXIT_OK;

    const at = (scope: ResolvedScope) => scopeFields(scope);
    const instanceJson = instances.map((i) => ({
        ...at(i.scope),
        instanceId: i.instanceId,
        name: i.name,
        scanStatus: i.scan.statusCode,
        scanReason: i.scan.reason,
        severity: i.counts,
        missingPatches: i.state?.MissingCount ?? null,
        failedPatches: i.state?.FailedCount ?? null,
        patchesWithoutCves: i.effect?.patchesWithoutCves ?? null,
        closes: i.effect?.closes ?? 0,
        closesBySeverity: i.effect?.closesBySeverity ?? emptyCounts(),
        closedFindings: i.effect?.closedFindings ?? [],
        patchError: i.effect?.error ?? null,
        patching: i.effect ? describeEffect(i.effect) : null,
    }));
    const summary = {
        scopes: outcomes.length,
        failedScopes: errors.json.length,
        findings: severity.total,
        severity,
        instancesWithFindings: instances.length,
        instancesCovered: views.reduce((sum, v) => sum + v.data.coverage.covered, 0),
        instancesScanned: views.reduce((sum, v) => sum + v.data.coverage.scanned, 0),
        instancesNotScanned: notScanned.length,
        closableByPatching: closable.total,
        closableBySeverity: closable,
        notClosable: severity.total - closable.total,
    };
    const json = {
        command: "findings",
        targets: targetsJson(ctx.targets),
        scopes: outcomes.map((o) => ({
            ...at(o.scope),
            status: o.error !== undefined ? "failed" : "ok",
            error: o.error !== undefined ? describeError(o.error) : null,
            securityHub: o.value?.securityHub ?? null,
            severity: o.value ? countSeverities(o.value.findings) : null,
            coverage: o.value?.coverage ?? null,
            compliance: o.value?.compliance ?? null,
        })),
        topVulnerabilities: views.flatMap((v) => v.top.map((t) => ({ ...at(v.scope), ...t }))),
        instances: instanceJson,
        notScanned: notScanned.map(({ scope, ...c }) => ({ ...at(scope), ...c })),
        unresolved: views.flatMap((v) => v.unresolved.map((u) => ({ ...at(v.scope), ...u }))),
        comparison: ctx.comparison ? comparisonJson(ctx.comparison) : null,
        snapshot: ctx.saved ?? null,
        summary,
        errors: errors.json,
        failOn: ctx.failOn ?? null,
        gateFailures: gateFailures.map((i) => ({ ...at(i.scope), instanceId: i.instanceId, severity: i.counts })),
        exitCode,
    };

    // --csv: one row per instance with findings or not scanned, and one per failed account-Region.
    const csvRows: Row[] = [
        ...outcomes
            .filter((o) => o.error !== undefined)
            .map((o) => ({ ...at(o.scope), scopeStatus: "failed", error: describeError(o.error) })),
        ...instanceJson.map((i) => ({
            account: i.account,
            region: i.region,
            scopeStatus: "ok",
            instanceId: i.instanceId,
            name: i.name,
            scanStatus: i.scanStatus,
            scanReason: i.scanReason,
            ...i.severity,
            missingPatches: i.missingPatches,
            failedPatches: i.failedPatches,
            closes: i.closes,
            closesCritical: i.closesBySeverity.critical,
            closesHigh: i.closesBySeverity.high,
            patchError: i.patchError,
        })),
        ...notScanned
            .filter((c) => !instances.some((i) => i.instanceId === c.instanceId && i.scope === c.scope))
            .map((c) => ({ ...at(c.scope), scopeStatus: "ok", instanceId: c.instanceId, scanStatus: c.statusCode, scanReason: c.reason, total: 0 })),
    ];
    const csvKeys = ["scopeStatus", "error", "instanceId", "name", "scanStatus", "scanReason", "critical", "high", "medium", "low", "informational", "untriaged", "total", "missingPatches", "failedPatches", "closes", "closesCritical", "closesHigh", "patchError"];

    return {
        report: {
            columns: [],
            csvColumns: scopeColumns({ multi: true }, csvKeys.map((key) => ({ key, header: key }))),
            rows: csvRows,
            json,
            notes: ctx.comparison ? comparisonText(ctx, outcomes, ctx.comparison) : tableText(ctx, outcomes, views, { severity, closable, instances: instances.length }),
        },
        exitCode,
        messages,
    };
}

function scopeTable(ctx: FindingsReportContext, outcomes: Array<ScopeOutcome<ScopeFindings>>): string | undefined {
    if (!ctx.multi) {
        return undefined;
    }
    const rows: Row[] = outcomes.map((o) => ({
        ...scopeFields(o.scope),
        status: o.error !== undefined ? "failed" : "ok",
        ...(o.value ? countSeverities(o.value.findings) : {}),
        notScanned: o.value?.coverage.notScanned.length,
        securityHub: o.value ? (o.value.securityHub.error ? "error" : o.value.securityHub.enabled ? "enabled" : "not enabled") : undefined,
        detail: o.error !== undefined ? describeError(o.error) : undefined,
    }));
    return section("Accounts and Regions:", [
        { key: "account", header: "ACCOUNT" },
        { key: "region", header: "REGION" },
        { key: "status", header: "STATUS" },
        ...SEVERITY_COLUMNS,
        { key: "notScanned", header: "NOT-SCANNED", numeric: true },
        { key: "securityHub", header: "SECURITY-HUB" },
        { key: "detail", header: "DETAIL" },
    ], rows);
}

function tableText(ctx: FindingsReportContext, outcomes: Array<ScopeOutcome<ScopeFindings>>, views: ScopeView[], totals: { severity: SeverityCounts; closable: SeverityCounts; instances: number }): string[] {
    const parts: string[] = [];
    const scopes = scopeTable(ctx, outcomes);
    if (scopes) {
        parts.push(scopes);
    }
    const where = (v: ScopeView): Row => scopeFields(v.scope);
    const col = (columns: Column[]): Column[] => scopeColumns(ctx, columns);

    // Steps 1-2: Security Hub by product.
    const hubRows = views.flatMap((v) => v.data.securityHub.products.map((p) => ({ ...where(v), product: p.product, findings: p.count })));
    const hubNotes = views.filter((v) => v.data.securityHub.message !== undefined).map((v) => v.data.securityHub.message as string);
    if (hubRows.length > 0 || hubNotes.length > 0) {
        const arn = views[0]?.data.securityHub.insightArn ?? "";
        parts.push([section(`Security Hub, active findings by product (insight ${arn}):`, col([{ key: "product", header: "PRODUCT" }, { key: "findings", header: "FINDINGS", numeric: true }]), hubRows), ...hubNotes].join("\n"));
    }
    if (views.length === 0) {
        return parts;
    }

    // Steps 3-5: Inspector.
    parts.push(`Inspector, active findings on ${describeTargets(ctx.targets)}: ${totals.severity.total} on ${totals.instances} instance${totals.instances === 1 ? "" : "s"} (${describeCounts(totals.severity)}).`);
    const topRows = views.flatMap((v) => v.top.map((t) => ({ ...where(v), ...t })));
    if (topRows.length > 0) {
        parts.push(
            section("Vulnerabilities affecting the most instances:", col([
                { key: "vulnerabilityId", header: "VULNERABILITY" },
                { key: "severity", header: "SEVERITY" },
                { key: "instances", header: "INSTANCES", numeric: true },
                { key: "fixAvailable", header: "FIX" },
                { key: "title", header: "TITLE" },
            ]), topRows),
        );
    }
    const instanceRows = views.flatMap((v) =>
        v.instances.map((i) => ({
            ...where(v),
            instanceId: i.instanceId,
            name: i.name,
            scan: i.scan.reason,
            ...i.counts,
            missing: i.state?.MissingCount ?? null,
            failed: i.state?.FailedCount ?? null,
            closes: i.effect?.closes ?? 0,
        })),
    );
    if (instanceRows.length > 0) {
        parts.push(
            section("Per instance (MISSING and FAILED: its patches; CLOSES: findings installing them closes):", col([
                { key: "instanceId", header: "INSTANCE" },
                { key: "name", header: "NAME" },
                { key: "scan", header: "SCAN" },
                ...SEVERITY_COLUMNS,
                { key: "missing", header: "MISSING", numeric: true },
                { key: "failed", header: "FAILED", numeric: true },
                { key: "closes", header: "CLOSES", numeric: true },
            ]), instanceRows),
        );
    }
    const coverageRows = views.flatMap((v) => v.data.coverage.notScanned.map((c) => ({ ...where(v), instanceId: c.instanceId, status: c.statusCode ?? "-", reason: c.reason ?? "no coverage record" })));
    const covered = views.reduce((sum, v) => sum + v.data.coverage.covered, 0);
    const scanned = views.reduce((sum, v) => sum + v.data.coverage.scanned, 0);
    const coverageTitle = `Coverage: Inspector covers ${covered} selected instance${covered === 1 ? "" : "s"} and scans ${scanned}` + (coverageRows.length > 0 ? `; not scanned (no findings of theirs to show):` : ".");
    parts.push(section(coverageTitle, col([{ key: "instanceId", header: "INSTANCE" }, { key: "status", header: "STATUS" }, { key: "reason", header: "REASON" }]), coverageRows));

    // What patching would close.
    const lines = views.flatMap((v) => v.effects.filter((e) => e.missingPatches + e.failedPatches > 0 || e.error !== undefined).map((e) => `  ${ctx.multi ? `${v.scope.accountId ?? ""} ${v.scope.region}: ` : ""}${describeEffect(e)}`));
    const notClosable = totals.severity.total - totals.closable.total;
    parts.push(
        [
            "What patching would close:",
            ...lines,
            `In all, installing the missing and failed patches closes ${totals.closable.total} of ${totals.severity.total} active findings (${describeCounts(totals.closable)}); ${notClosable} need${notClosable === 1 ? "s" : ""} something else.`,
        ].join("\n"),
    );
    const unresolvedRows = views.flatMap((v) => v.unresolved.map((u) => ({ ...where(v), ...u })));
    if (unresolvedRows.length > 0) {
        parts.push(
            section("Findings no missing patch resolves:", col([
                { key: "vulnerability", header: "VULNERABILITY" },
                { key: "severity", header: "SEVERITY" },
                { key: "instances", header: "INSTANCES", numeric: true },
                { key: "needs", header: "NEEDS" },
            ]), unresolvedRows),
        );
    }
    if (ctx.saved) {
        parts.push(`Saved ${ctx.saved.findings} active findings and the compliance summary to ${ctx.saved.file}.`);
    }
    return [parts.join("\n\n")];
}

function comparisonJson(c: Comparison): Record<string, unknown> {
    return {
        since: c.since,
        bySeverity: c.bySeverity,
        closed: c.closed,
        stillOpen: c.stillOpen.length,
        new: c.new,
        instances: c.instances,
        notCompared: c.notCompared,
        compliance: c.compliance,
    };
}

function comparisonText(ctx: FindingsReportContext, outcomes: Array<ScopeOutcome<ScopeFindings>>, c: Comparison): string[] {
    const parts: string[] = [];
    const scopes = scopeTable(ctx, outcomes);
    if (scopes) {
        parts.push(scopes);
    }
    const closed = c.bySeverity.closed;
    parts.push(
        `Since the snapshot of ${c.since.slice(0, 16).replace("T", " ")}Z: ${closed.total} closed (${describeCounts(closed)}), ${c.bySeverity.stillOpen.total} still open, ${c.bySeverity.new.total} new, on ${describeTargets(ctx.targets)}.`,
    );
    const severityRows = (["critical", "high", "medium", "low", "informational", "untriaged"] as const)
        .filter((s) => closed[s] + c.bySeverity.stillOpen[s] + c.bySeverity.new[s] > 0)
        .map((s) => ({ severity: s.toUpperCase(), closed: closed[s], stillOpen: c.bySeverity.stillOpen[s], new: c.bySeverity.new[s] }));
    const counts: Column[] = [
        { key: "closed", header: "CLOSED", numeric: true },
        { key: "stillOpen", header: "STILL-OPEN", numeric: true },
        { key: "new", header: "NEW", numeric: true },
    ];
    if (severityRows.length > 0) {
        parts.push(section("By severity:", [{ key: "severity", header: "SEVERITY" }, ...counts], severityRows));
        parts.push(section("Per instance:", scopeColumns(ctx, [{ key: "instanceId", header: "INSTANCE" }, ...counts]), c.instances.map(({ closedBySeverity: _bySeverity, ...i }) => ({ ...i }))));
    }
    const compliance = c.compliance
        .filter((x) => x.before && x.after)
        .map((x) => `${ctx.multi ? `${x.account ?? ""} ${x.region}: ` : ""}Missing patches ${x.before?.missingPatches} then, ${x.after?.missingPatches} now; non-compliant nodes ${x.before?.nonCompliant} then, ${x.after?.nonCompliant} now.`);
    const skipped = c.notCompared.map((n) => `Not compared: ${n.account ? `account ${n.account} ` : ""}${n.region}: ${n.reason}.`);
    if (compliance.length + skipped.length > 0) {
        parts.push([...compliance, ...skipped].join("\n"));
    }
    if (ctx.saved) {
        parts.push(`Saved ${ctx.saved.findings} active findings and the compliance summary to ${ctx.saved.file}.`);
    }
    return [parts.join("\n\n")];
}

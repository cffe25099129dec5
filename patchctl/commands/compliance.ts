/**
 * `patchctl compliance`: patch compliance of the target nodes, and one node's missing patches.
 *
 * API calls for N nodes targeted by tag: ceil(N/50) DescribeInstanceInformation pages plus
 * ceil(N/50) DescribeInstancePatchStates calls (its limit is 50 ids a call). Nodes targeted by id
 * skip DescribeInstanceInformation.
 */
import type { InstancePatchState, SSMClient } from "@aws-sdk/client-ssm";
import { Option, type Command } from "commander";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { ssmSdk } from "../aws/sdk";
import type { ResolvedScope, ScopeOutcome } from "../aws/scopes";
import { addTargetOptions, EXIT_CODES_HELP, targetsOf, type TargetFlags } from "../cli/flags";
import type { CommandDefinition } from "../cli/session";
import { describeError, EXIT_EMPTY, EXIT_FAILED, EXIT_OK, UsageError } from "../output/errors";
import type { Row } from "../output/format";
import { byText, errorsOf, scopeColumns, scopeFields, scopeName, type CommandHint, type Outcome, type ReportContext } from "../output/report";
import { listManagedNodes } from "../ssm/nodes";
import { patchStateFetcher } from "../ssm/patchStates";
import { describeTargets, parseTargets, targetsJson, type TargetSpec } from "../ssm/targets";

export { PATCH_STATES_BATCH, PATCH_STATES_PARALLEL } from "../ssm/patchStates";

export type ComplianceStatus = "COMPLIANT" | "NON_COMPLIANT" | "NO_DATA";
export type FailOn = "critical" | "security" | "any";

export interface NodeCompliance {
    instanceId: string;
    name?: string;
    platform?: string;
    pingStatus?: string;
    status: ComplianceStatus;
    state?: InstancePatchState;
}

export interface MissingPatch {
    title: string;
    kbId: string;
    classification: string;
    severity: string;
    state: string;
    cves: string[];
}

/**
 * A node is non-compliant when any patch is missing, failed, installed but waiting for a reboot,
 * or installed though rejected, or when the baseline reports critical, security or other
 * non-compliant patches. No patch state at all (never scanned) is NO_DATA.
 */
export function complianceStatus(state: InstancePatchState | undefined): ComplianceStatus {
    if (!state) {
        return "NO_DATA";
    }
    const counts = [
        state.MissingCount,
        state.FailedCount,
        state.InstalledPendingRebootCount,
        state.InstalledRejectedCount,
        state.CriticalNonCompliantCount,
        state.SecurityNonCompliantCount,
        state.OtherNonCompliantCount,
    ];
    return counts.some((n) => (n ?? 0) > 0) ? "NON_COMPLIANT" : "COMPLIANT";
}

/**
 * Whether a node trips the --fail-on gate. `critical`: critical non-compliant patches;
 * `security`: critical or security non-compliant patches; `any`: non-compliant or never scanned.
 */
export function failsGate(node: NodeCompliance, failOn: FailOn): boolean {
    const critical = (node.state?.CriticalNonCompliantCount ?? 0) > 0;
    const security = (node.state?.SecurityNonCompliantCount ?? 0) > 0;
    switch (failOn) {
        case "critical":
            return critical;
        case "security":
            return critical || security;
        case "any":
            return node.status !== "COMPLIANT";
    }
}

export function createCompliance(clients: { ssm: SSMClient }) {
    const { ssm } = clients;
    return {
        /** Compliance of every targeted node, sorted by instance id. */
        async nodes(targets: TargetSpec): Promise<NodeCompliance[]> {
            // Each DescribeInstanceInformation page's ids go out in one DescribeInstancePatchStates call
            // while the next page loads, so the two operations overlap instead of running one after the other.
            const fetcher = patchStateFetcher(ssm);
            let base: Array<Omit<NodeCompliance, "status">>;
            if (targets.kind === "instances") {
                base = targets.instanceIds.map((instanceId) => ({ instanceId }));
                fetcher.add(targets.instanceIds);
            } else {
                const nodes = await listManagedNodes(ssm, targets, (page) =>
                    fetcher.add(page.map((node) => node.InstanceId).filter((id): id is string => Boolean(id))),
                );
                base = nodes
                    .filter((node) => node.InstanceId)
                    .map((node) => ({
                        instanceId: node.InstanceId as string,
                        name: node.ComputerName || node.Name || undefined,
                        platform: [node.PlatformName, node.PlatformVersion].filter(Boolean).join(" ") || undefined,
                        pingStatus: node.PingStatus,
                    }));
            }
            const states = await fetcher.done();
            return base
                .map((node) => {
                    const state = states.get(node.instanceId);
                    return { ...node, state, status: complianceStatus(state) };
                })
                .sort((a, b) => byText(a.instanceId, b.instanceId));
        },

        /** The missing patches of one node (DescribeInstancePatches, filter State=Missing, paginated). */
        async missing(instanceId: string): Promise<MissingPatch[]> {
            const { paginateDescribeInstancePatches } = await ssmSdk();
            const pages = paginateDescribeInstancePatches(
                { client: ssm, pageSize: PAGE_SIZE.DescribeInstancePatches },
                { InstanceId: instanceId, Filters: [{ Key: "State", Values: ["Missing"] }] },
            );
            const patches = await collectPages(pages, (page) =>
                (page.Patches ?? []).map((patch) => ({
                    title: patch.Title ?? "",
                    kbId: patch.KBId ?? "",
                    classification: patch.Classification ?? "",
                    severity: patch.Severity ?? "",
                    state: patch.State ?? "",
                    cves: (patch.CVEIds ?? "")
                        .split(/[,\s]+/)
                        .map((cve) => cve.trim())
                        .filter((cve) => cve !== ""),
                })),
                { operation: "DescribeInstancePatches" },
            );
            if (patches.length === 0) {
                // No missing patch is news only about a node SSM knows: an unknown or never-scanned id
                // also lists none. One DescribeInstancePatchStates call tells them apart.
                const { DescribeInstancePatchStatesCommand } = await ssmSdk();
                const response = await ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [instanceId] }));
                if (!(response.InstancePatchStates ?? []).some((state) => state.InstanceId === instanceId)) {
                    throw Object.assign(
                        new Error(`${instanceId} has no patch state in this account and Region: it is not a managed node here, or was never scanned (patchctl scan --instance-ids ${instanceId})`),
                        { name: "NoPatchState" },
                    );
                }
            }
            return patches;
        },
    };
}

type ComplianceFlags = TargetFlags & { instance?: string; missing?: boolean; failOn?: FailOn; allowEmpty?: boolean };

/** The `compliance` command: flags, help, action. */
export const complianceCommand: CommandDefinition = (parent, cli) =>
    addTargetOptions(
        parent
            .command("compliance")
            .description("Patch compliance of the target nodes, or the missing patches of one node")
            .option("--instance <id>", "one node (instead of --env/--tag/--instance-ids)")
            .option("--missing", "with --instance: list that node's missing patches (title, classification, severity, CVEs)")
            .addOption(
                new Option("--fail-on <level>", "exit 1 when a node has critical / critical or security / any non-compliance (or was never scanned)").choices([
                    "critical",
                    "security",
                    "any",
                ]),
            )
            .option("--allow-empty", "with --fail-on: pass when no managed node matched (by default an empty report fails the gate, exit 3)"),
    )
        .addHelpText(
            "after",
            `\nCalls: ceil(N/50) DescribeInstanceInformation pages + ceil(N/50) DescribeInstancePatchStates calls for N nodes.\n\nExamples:\n  patchctl compliance --env Development\n  patchctl compliance --env Development --fail-on security --json\n  patchctl compliance --instance i-0123456789abcdef0 --missing\n${EXIT_CODES_HELP}`,
        )
        .action(
            cli.action(async (flags: ComplianceFlags, command: Command) => {
                const session = await cli.session(command);
                const hasTargetFlags = flags.env !== undefined || flags.tag.length > 0 || flags.instanceIds.length > 0;
                if (flags.allowEmpty && !flags.failOn) {
                    throw new UsageError("--allow-empty applies to --fail-on");
                }
                if (flags.missing && flags.instance === undefined) {
                    throw new UsageError("--missing needs --instance <id>");
                }
                if (flags.instance !== undefined && hasTargetFlags) {
                    throw new UsageError("--instance cannot be combined with --env, --tag or --instance-ids");
                }
                if (flags.missing) {
                    if (session.multi) {
                        throw new UsageError("--missing reads one node in one account and Region: use --region with --profile or --role-arn instead of --accounts");
                    }
                    if (flags.failOn) {
                        throw new UsageError("--fail-on applies to the compliance report, not to --missing");
                    }
                    const instanceId = (parseTargets({ instanceIds: [flags.instance as string] }) as { instanceIds: string[] }).instanceIds[0];
                    const [outcome] = await session.inScopes((ssm) => createCompliance({ ssm }).missing(instanceId));
                    return session.print(missingReport(outcome, instanceId));
                }
                const targets = flags.instance !== undefined ? parseTargets({ instanceIds: [flags.instance] }) : targetsOf(flags, "read");
                const outcomes = await session.inScopes((ssm) => createCompliance({ ssm }).nodes(targets));
                return session.print(complianceReport(outcomes, { multi: session.multi, targets, failOn: flags.failOn, allowEmpty: flags.allowEmpty, hint: session.hint }));
            }),
        );

/**
 * Compliance of nodes, with the optional --fail-on gate. `hint`, when given, makes the stderr line
 * that shows how to list one non-compliant node's missing patches.
 */
export function complianceReport(
    outcomes: Array<ScopeOutcome<NodeCompliance[]>>,
    ctx: ReportContext & { targets: TargetSpec; failOn?: FailOn; allowEmpty?: boolean; hint?: CommandHint },
): Outcome {
    const errors = errorsOf(outcomes);
    const messages = [...errors.messages];
    const nodes = outcomes.flatMap((o) => (o.value ?? []).map((node) => ({ scope: o.scope, node })));
    const nonCompliant = nodes.filter(({ node }) => node.status === "NON_COMPLIANT");
    const summary = {
        nodes: nodes.length,
        compliant: nodes.filter(({ node }) => node.status === "COMPLIANT").length,
        nonCompliant: nonCompliant.length,
        noData: nodes.filter(({ node }) => node.status === "NO_DATA").length,
        withCriticalNonCompliant: nodes.filter(({ node }) => (node.state?.CriticalNonCompliantCount ?? 0) > 0).length,
        withSecurityNonCompliant: nodes.filter(({ node }) => (node.state?.SecurityNonCompliantCount ?? 0) > 0).length,
        missingPatches: nodes.reduce((sum, { node }) => sum + (node.state?.MissingCount ?? 0), 0),
        failedScopes: errors.json.length,
    };
    const gateFailures = ctx.failOn ? nodes.filter(({ node }) => failsGate(node, ctx.failOn as FailOn)) : [];
    if (ctx.failOn && gateFailures.length > 0) {
        const named = gateFailures.slice(0, 10).map(({ scope, node }) => (ctx.multi ? `${scope.accountId ?? ""}/${scope.region}/${node.instanceId}` : node.instanceId));
        messages.push(`patchctl: --fail-on ${ctx.failOn}: ${gateFailures.length} of ${nodes.length} nodes fail: ${named.join(", ")}${gateFailures.length > 10 ? ", ..." : ""}`);
    }
    // Zero nodes is its own outcome, never a pass of the gate by accident (a typo in --env, the
    // wrong Region): exit 3 with --fail-on unless --allow-empty. Failed account-Regions are failures,
    // never zero nodes.
    const succeeded = outcomes.filter((o) => o.error === undefined);
    const empty = succeeded.length > 0 && nodes.length === 0;
    if (empty) {
        messages.push(`patchctl: no managed node matched ${describeTargets(ctx.targets)}${ctx.multi ? ` in any of ${succeeded.length} account-Regions` : ""}`);
    }
    const exitCode =
        errors.json.length > 0 || gateFailures.length > 0 ? EXIT_FAILED : empty && ctx.failOn !== undefined && !ctx.allowEmpty ? EXIT_EMPTY : EXIT_OK;
    if (exitCode === EXIT_EMPTY) {
        messages.push(`patchctl: --fail-on ${ctx.failOn}: an empty report fails the gate (pass --allow-empty to accept it)`);
    }

    // One object literal per node, no spreads: at 50,000 nodes (--accounts) this ran for most of a second.
    const nodeFields = (scope: ResolvedScope, node: NodeCompliance): Record<string, string | number | Date | null> => ({
        account: scope.accountId ?? null,
        region: scope.region,
        instanceId: node.instanceId,
        name: node.name ?? null,
        platform: node.platform ?? null,
        pingStatus: node.pingStatus ?? null,
        status: node.status,
        installed: node.state?.InstalledCount ?? null,
        installedOther: node.state?.InstalledOtherCount ?? null,
        missing: node.state?.MissingCount ?? null,
        failed: node.state?.FailedCount ?? null,
        installedPendingReboot: node.state?.InstalledPendingRebootCount ?? null,
        installedRejected: node.state?.InstalledRejectedCount ?? null,
        notApplicable: node.state?.NotApplicableCount ?? null,
        criticalNonCompliant: node.state?.CriticalNonCompliantCount ?? null,
        securityNonCompliant: node.state?.SecurityNonCompliantCount ?? null,
        otherNonCompliant: node.state?.OtherNonCompliantCount ?? null,
        operation: node.state?.Operation ?? null,
        operationEndTime: node.state?.OperationEndTime ?? null,
        baselineId: node.state?.BaselineId ?? null,
        error: null,
    });
    const failedScopes = outcomes.filter((o) => o.error !== undefined);
    const rows: Row[] = [
        ...nodes.map(({ scope, node }) => nodeFields(scope, node)),
        // A failed account-Region is a row of its own (status FAILED, the error) in every format.
        ...failedScopes.map((o) => ({ ...scopeFields(o.scope), status: "FAILED", error: describeError(o.error) })),
    ];
    const notes: string[] = [];
    if (succeeded.length > 0) {
        notes.push(
            `${summary.nodes} nodes${failedScopes.length > 0 ? ` in ${succeeded.length} of ${outcomes.length} account-Regions (the failed ones are not counted)` : ""}: ` +
                `${summary.compliant} compliant, ${summary.nonCompliant} non-compliant, ${summary.noData} without patch data; ` +
                `${summary.withCriticalNonCompliant} with critical and ${summary.withSecurityNonCompliant} with security non-compliant patches; ${summary.missingPatches} missing patches in all.`,
        );
    }
    for (const o of failedScopes) {
        notes.push(`${ctx.multi ? `${scopeName(o.scope)}: ` : ""}FAILED, no nodes read: ${describeError(o.error)}`);
    }
    if (nonCompliant.length > 0 && !ctx.multi && ctx.hint) {
        const { scope, node } = nonCompliant[0];
        messages.push(`patchctl: missing patches of one node: ${ctx.hint(["compliance", "--instance", node.instanceId, "--missing"], scope)}`);
    }
    return {
        report: {
            columns: scopeColumns(ctx, [
                { key: "instanceId", header: "INSTANCE" },
                { key: "name", header: "NAME" },
                { key: "status", header: "STATUS" },
                { key: "installed", header: "INSTALLED", numeric: true },
                { key: "missing", header: "MISSING", numeric: true },
                { key: "failed", header: "FAILED", numeric: true },
                { key: "installedPendingReboot", header: "PENDING-REBOOT", numeric: true },
                { key: "criticalNonCompliant", header: "CRITICAL", numeric: true },
                { key: "securityNonCompliant", header: "SECURITY", numeric: true },
                { key: "operation", header: "LAST-OP" },
                { key: "operationEndTime", header: "LAST-OP-TIME" },
            ]),
            csvColumns: scopeColumns({ multi: true }, [
                ...Object.keys(nodeFields({ region: "" }, { instanceId: "", status: "NO_DATA" }))
                    .filter((key) => key !== "account" && key !== "region" && key !== "error")
                    .map((key) => ({ key, header: key })),
                { key: "error", header: "error" },
            ]),
            rows,
            json: {
                command: "compliance",
                targets: targetsJson(ctx.targets),
                nodes: rows.filter((row) => row.status !== "FAILED"),
                scopes: outcomes.map((o) => ({
                    ...scopeFields(o.scope),
                    status: o.error !== undefined ? "failed" : (o.value ?? []).length === 0 ? "empty" : "ok",
                    nodes: o.error !== undefined ? null : (o.value ?? []).length,
                    error: o.error !== undefined ? describeError(o.error) : null,
                })),
                errors: errors.json,
                summary,
                failOn: ctx.failOn ?? null,
                gateFailures: gateFailures.map(({ scope, node }) => ({ ...scopeFields(scope), instanceId: node.instanceId })),
                exitCode,
            },
            notes,
            emptyMessage: succeeded.length > 0 ? `No managed node matched ${describeTargets(ctx.targets)}.` : undefined,
        },
        exitCode,
        messages,
    };
}

/** One node's missing patches. */
export function missingReport(outcome: ScopeOutcome<MissingPatch[]>, instanceId: string): Outcome {
    const errors = errorsOf([outcome]);
    const patches = outcome.value ?? [];
    const rows: Row[] = patches.map((p) => ({ ...p, cves: p.cves }));
    const exitCode = errors.json.length > 0 ? EXIT_FAILED : EXIT_OK;
    return {
        report: {
            columns: [
                { key: "title", header: "TITLE" },
                { key: "classification", header: "CLASSIFICATION" },
                { key: "severity", header: "SEVERITY" },
                { key: "cves", header: "CVES" },
            ],
            rows,
            json: { command: "compliance", instanceId, missing: patches, errors: errors.json, exitCode },
            notes: patches.length > 0 ? [`${patches.length} missing patches on ${instanceId}.`] : [],
            emptyMessage: outcome.error === undefined ? `No missing patches reported for ${instanceId}.` : `No report for ${instanceId}: the calls failed (see stderr).`,
        },
        exitCode,
        messages: errors.messages,
    };
}

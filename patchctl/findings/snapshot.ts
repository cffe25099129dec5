/**
 * Findings snapshots (`findings --save FILE`, `install --snapshot FILE`) and comparing the findings
 * now with one (`findings --compare FILE`): what closed, what is still open and what is new, by
 * severity and per instance. Pure functions, plus reading and writing the file.
 *
 * A snapshot holds, per account and Region, every active finding of the selection by ARN (status,
 * severity, instance, vulnerability id, title) and the nodes' compliance summary. A scope that
 * failed when the snapshot was taken, or fails now, is compared by nobody: its findings are never
 * reported as closed (or new) because they could not be read.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError } from "../output/errors";
import type { ComplianceSummary } from "./fetch";
import { countSeverities, severityOf, type FindingRecord, type SeverityCounts } from "./model";

export const SNAPSHOT_KIND = "patchctl-findings-snapshot";
export const SNAPSHOT_VERSION = 1;

export interface SnapshotFinding {
    arn: string;
    account: string | null;
    region: string;
    instanceId: string;
    status: string;
    severity: string;
    vulnerabilityId: string | null;
    title: string;
}

export interface SnapshotScope {
    account: string | null;
    region: string;
    /** Set when the scope could not be read: its findings are unknown, not zero. */
    error: string | null;
    compliance: ComplianceSummary | null;
}

export interface Snapshot {
    kind: typeof SNAPSHOT_KIND;
    version: typeof SNAPSHOT_VERSION;
    takenAt: string;
    targets: Record<string, unknown>;
    scopes: SnapshotScope[];
    findings: SnapshotFinding[];
}

export interface ScopeState {
    account: string | null;
    region: string;
    error?: string;
    findings?: readonly FindingRecord[];
    compliance?: ComplianceSummary;
}

/** A snapshot of the findings and compliance of each scope. */
export function buildSnapshot(scopes: readonly ScopeState[], targets: Record<string, unknown>, takenAt: Date): Snapshot {
    return {
        kind: SNAPSHOT_KIND,
        version: SNAPSHOT_VERSION,
        takenAt: takenAt.toISOString(),
        targets,
        scopes: scopes.map((s) => ({ account: s.account, region: s.region, error: s.error ?? null, compliance: s.compliance ?? null })),
        findings: scopes
            .flatMap((s) =>
                (s.findings ?? []).map((f) => ({
                    arn: f.arn,
                    account: s.account,
                    region: s.region,
                    instanceId: f.instanceId,
                    status: f.status,
                    severity: f.severity,
                    vulnerabilityId: f.vulnerabilityId ?? null,
                    title: f.title,
                })),
            )
            .sort((a, b) => a.arn.localeCompare(b.arn)),
    };
}

export function writeSnapshot(path: string, snapshot: Snapshot): void {
    try {
        writeFileSync(path, `${JSON.stringify(snapshot, null, 2)}\n`);
    } catch (error) {
        throw new ConfigError(`${path}: cannot write the snapshot: ${(error as Error).message}`);
    }
}

/** Reads and checks a snapshot file. Throws ConfigError "<file>: reason" (exit 2). */
export function readSnapshot(path: string): Snapshot {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch (error) {
        throw new ConfigError(`${path}: cannot read the snapshot: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new ConfigError(`${path}: not a JSON file: expected a snapshot written by patchctl findings --save`);
    }
    return parseSnapshot(parsed, path);
}

export function parseSnapshot(value: unknown, source = "snapshot"): Snapshot {
    const s = value as Partial<Snapshot> | null;
    if (typeof s !== "object" || s === null || s.kind !== SNAPSHOT_KIND) {
        throw new ConfigError(`${source}: not a findings snapshot (expected "kind": "${SNAPSHOT_KIND}", written by patchctl findings --save)`);
    }
    if (s.version !== SNAPSHOT_VERSION) {
        throw new ConfigError(`${source}: snapshot version ${String(s.version)} is not supported (this patchctl reads version ${SNAPSHOT_VERSION})`);
    }
    if (typeof s.takenAt !== "string" || Number.isNaN(Date.parse(s.takenAt)) || !Array.isArray(s.scopes) || !Array.isArray(s.findings)) {
        throw new ConfigError(`${source}: a snapshot needs takenAt, scopes and findings`);
    }
    s.findings.forEach((f, i) => {
        if (typeof f?.arn !== "string" || typeof f.instanceId !== "string" || typeof f.severity !== "string" || typeof f.region !== "string") {
            throw new ConfigError(`${source}: findings[${i}]: needs arn, region, instanceId and severity`);
        }
    });
    return s as Snapshot;
}

const scopeKey = (account: string | null | undefined, region: string): string => `${account ?? ""}/${region}`;

export interface InstanceChange {
    account: string | null;
    region: string;
    instanceId: string;
    closed: number;
    stillOpen: number;
    new: number;
    closedBySeverity: SeverityCounts;
}

export interface Comparison {
    since: string;
    closed: SnapshotFinding[];
    stillOpen: SnapshotFinding[];
    new: SnapshotFinding[];
    bySeverity: { closed: SeverityCounts; stillOpen: SeverityCounts; new: SeverityCounts };
    instances: InstanceChange[];
    /** Scopes left out because they failed then or now (or are in one side only). */
    notCompared: Array<{ account: string | null; region: string; reason: string }>;
    compliance: Array<{ account: string | null; region: string; before: ComplianceSummary | null; after: ComplianceSummary | null }>;
}

const counts = (findings: readonly SnapshotFinding[]): SeverityCounts => countSeverities(findings.map((f) => ({ severity: severityOf(f.severity) })));

/**
 * Compares a snapshot with the findings now: closed (active then, not now), still open, new
 * (active now, not then), in the scopes both read successfully.
 */
export function compareSnapshots(before: Snapshot, now: Snapshot): Comparison {
    const thenScopes = new Map(before.scopes.map((s) => [scopeKey(s.account, s.region), s]));
    const nowScopes = new Map(now.scopes.map((s) => [scopeKey(s.account, s.region), s]));
    const compared = new Set<string>();
    const notCompared: Comparison["notCompared"] = [];
    for (const [key, s] of new Map([...thenScopes, ...nowScopes])) {
        const then = thenScopes.get(key);
        const current = nowScopes.get(key);
        const reason = !then
            ? "not in the snapshot"
            : !current
              ? "not read now"
              : then.error
                ? `failed when the snapshot was taken: ${then.error}`
                : current.error
                  ? `failed now: ${current.error}`
                  : undefined;
        if (reason === undefined) {
            compared.add(key);
        } else {
            notCompared.push({ account: s.account, region: s.region, reason });
        }
    }
    const inCompared = (f: SnapshotFinding): boolean => compared.has(scopeKey(f.account, f.region));
    const active = (f: SnapshotFinding): boolean => f.status === "ACTIVE";
    const thenActive = new Map(before.findings.filter((f) => inCompared(f) && active(f)).map((f) => [f.arn, f]));
    const nowActive = new Map(now.findings.filter((f) => inCompared(f) && active(f)).map((f) => [f.arn, f]));
    const closed = [...thenActive.values()].filter((f) => !nowActive.has(f.arn));
    const stillOpen = [...nowActive.values()].filter((f) => thenActive.has(f.arn));
    const added = [...nowActive.values()].filter((f) => !thenActive.has(f.arn));

    const perInstance = new Map<string, InstanceChange & { closedList: SnapshotFinding[] }>();
    const bump = (f: SnapshotFinding, key: "closed" | "stillOpen" | "new"): void => {
        const id = `${scopeKey(f.account, f.region)}/${f.instanceId}`;
        const entry = perInstance.get(id) ?? { account: f.account, region: f.region, instanceId: f.instanceId, closed: 0, stillOpen: 0, new: 0, closedBySeverity: counts([]), closedList: [] };
        entry[key]++;
        if (key === "closed") {
            entry.closedList.push(f);
        }
        perInstance.set(id, entry);
    };
    closed.forEach((f) => bump(f, "closed"));
    stillOpen.forEach((f) => bump(f, "stillOpen"));
    added.forEach((f) => bump(f, "new"));
    const instances = [...perInstance.values()]
        .map(({ closedList, ...rest }) => ({ ...rest, closedBySeverity: counts(closedList) }))
        .sort((a, b) => `${a.account ?? ""}/${a.region}/${a.instanceId}`.localeCompare(`${b.account ?? ""}/${b.region}/${b.instanceId}`));
    return {
        since: before.takenAt,
        closed,
        stillOpen,
        new: added,
        bySeverity: { closed: counts(closed), stillOpen: counts(stillOpen), new: counts(added) },
        instances,
        notCompared,
        compliance: [...compared].map((key) => ({
            account: (nowScopes.get(key) as SnapshotScope).account,
            region: (nowScopes.get(key) as SnapshotScope).region,
            before: thenScopes.get(key)?.compliance ?? null,
            after: nowScopes.get(key)?.compliance ?? null,
        })),
    };
}

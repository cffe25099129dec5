// Which instance-launching resources a stack patches: pure matching of instances (their effective
// tags, id and placement) against what runs AWS-RunPatchBaseline (associations, maintenance
// windows, Quick Setup patch policies) and against patch groups. Three-valued: a value unknown
// during the preview makes an answer "maybe", never a guess. Linear in the number of resources:
// the patching resources are indexed by tag key/value, tag key and instance id, and each instance
// looks up only the entries its own tags and id select.
import { describeTagQuery, isPatchDocument } from "./ssm";
import { loose, TagSet } from "./tags";
import { isUnknown, Unknown } from "./values";

/** true, false, or unknown until the update (the Unknown says which value). */
export type Tri = true | false | Unknown;

/** Both; false wins, then the first unknown. */
export function and(a: Tri, b: Tri): Tri {
    if (a === false || b === false) return false;
    if (isUnknown(a)) return a;
    if (isUnknown(b)) return b;
    return true;
}

/** Either; true wins, then the first unknown. */
export function or(a: Tri, b: Tri): Tri {
    if (a === true || b === true) return true;
    if (isUnknown(a)) return a;
    if (isUnknown(b)) return b;
    return false;
}

/** Where a resource lives: its provider's Region and account; "" is the ambient one (not set on the provider). */
export interface Placement {
    region: string | Unknown;
    account: string | Unknown;
}

/** Where a patching resource reaches: Regions and accounts, "*" for any. */
export interface Reach {
    regions: "*" | (string | Unknown)[] | Unknown;
    accounts: "*" | (string | Unknown)[] | Unknown;
}

/** The reach of a resource that acts where its provider points. */
export function reachOf(p: Placement): Reach {
    return { regions: [p.region], accounts: [p.account] };
}

/** An SSM target as associations and windows take it: `{ key: "tag:Environment", values: ["Production"] }`. */
export interface SsmTarget {
    key: string | Unknown;
    values: (string | Unknown)[] | Unknown;
}

/** A resource that launches instances. */
export interface Member {
    urn: string;
    name: string;
    type: string;
    tags: TagSet;
    /** The instance id, when the engine sent outputs; unknown for an instance being created. */
    id?: string | Unknown;
    placement: Placement;
}

export interface PatchGroupInput {
    urn: string;
    name: string;
    patchGroup: string | Unknown | undefined;
    placement: Placement;
}

export interface AssociationInput {
    urn: string;
    name: string;
    /** The document (input `name`). */
    document: string | Unknown | undefined;
    targets: SsmTarget[] | Unknown | undefined;
    placement: Placement;
}

export interface WindowTargetInput {
    urn: string;
    name: string;
    /** Identity of its window (see the stack policy); unknown when it cannot be told. */
    window: string | Unknown;
    targets: SsmTarget[] | Unknown | undefined;
    /** The window target id, when known. */
    id?: string | Unknown;
    placement: Placement;
}

export interface WindowTaskInput {
    urn: string;
    name: string;
    window: string | Unknown;
    taskType: string | Unknown | undefined;
    taskArn: string | Unknown | undefined;
    targets: SsmTarget[] | Unknown | undefined;
    /** URNs the task depends on (to tell which window target its WindowTargetIds name). */
    dependsOn: ReadonlySet<string>;
    placement: Placement;
}

export interface QuickSetupDefinition {
    type: string | Unknown | undefined;
    parameters: Record<string, string | Unknown> | Unknown | undefined;
}

export interface QuickSetupInput {
    urn: string;
    name: string;
    definitions: (QuickSetupDefinition | Unknown)[] | Unknown;
    placement: Placement;
}

export interface CoverageInput {
    members: Member[];
    patchGroups: PatchGroupInput[];
    associations: AssociationInput[];
    windowTargets: WindowTargetInput[];
    windowTasks: WindowTaskInput[];
    quickSetups: QuickSetupInput[];
    /** Environments patched from another stack. */
    coveredEnvironments: readonly string[];
    /** The tag naming an instance's environment. */
    environmentTagKey: string;
}

/** A tag of an instance that differs only in case (or separators) from one a patching resource targets. */
export interface CaseMiss {
    /** The instance's tag. */
    key: string;
    value: string;
    /** What the patching resource targets. */
    targetKey: string;
    targetValue: string;
    /** The patching resource, e.g. "association 'dev-scan' (tag:Environment=Development)". */
    by: string;
}

export type Verdict =
    | { state: "covered"; by: string }
    | { state: "exempt"; environment: string }
    | { state: "undecided"; unknown: Unknown }
    | {
        state: "uncovered";
        /** What nearly covers it, and why it does not, for messages. */
        hints: string[];
        /** Tags that a patching resource targets but for case. */
        caseMisses: CaseMiss[];
        /** A resource that selects it but does not patch it (another document, a window target without a patch task), and its fix. */
        nearMiss?: { hint: string; fix?: string };
    };

export const QUICK_SETUP_PATCH_POLICY = "AWSQuickSetupType-PatchPolicy";
/** The instance tag keys Patch Manager reads a node's patch group from. */
export const PATCH_GROUP_TAG_KEYS = ["Patch Group", "PatchGroup"] as const;

type Cond =
    | { kind: "tag"; key: string; values: (string | Unknown)[] }
    | { kind: "tagKey"; keys: (string | Unknown)[] }
    | { kind: "ids"; ids: (string | Unknown)[] }
    | { kind: "unknown"; unknown: Unknown }
    | { kind: "unsupported"; key: string };

/** A patching resource reduced to what it selects: all conditions must hold (SSM ANDs targets). */
export interface Selector {
    conds: Cond[];
    reach: Reach;
    /** How messages name it: "association 'dev-scan' (tag:Environment=Development)". */
    label: string;
    /** For a selector that does not patch: why, for messages. */
    hint?: string;
    /** For a selector that does not patch: what would make it patch, for messages. */
    fix?: string;
    /** Whether it patches: true, or unknown until the update. */
    patches: true | Unknown;
}

/** Reads SSM targets into conditions. */
export function conditionsOf(targets: SsmTarget[] | Unknown | undefined): Cond[] {
    if (targets === undefined) return [];
    if (isUnknown(targets)) return [{ kind: "unknown", unknown: targets }];
    return targets.map((t): Cond => {
        if (isUnknown(t.key)) return { kind: "unknown", unknown: t.key };
        if (isUnknown(t.values)) return { kind: "unknown", unknown: t.values };
        const values = t.values;
        if (t.key.startsWith("tag:")) return { kind: "tag", key: t.key.slice(4), values };
        if (t.key === "tag-key") return { kind: "tagKey", keys: values };
        if (t.key === "InstanceIds") return { kind: "ids", ids: values };
        return { kind: "unsupported", key: t.key };
    });
}

function evalCond(c: Cond, m: Member): Tri {
    switch (c.kind) {
        case "tag": {
            const t = m.tags.get(c.key);
            if (t.state === "absent") return false;
            if (t.state === "maybe") return t.unknown;
            if (isUnknown(t.value)) return t.value;
            let r: Tri = false;
            for (const v of c.values) {
                if (v === t.value) return true;
                if (isUnknown(v)) r = or(r, v);
            }
            return r;
        }
        case "tagKey": {
            let r: Tri = false;
            for (const k of c.keys) {
                if (isUnknown(k)) {
                    r = or(r, k);
                    continue;
                }
                const t = m.tags.get(k);
                if (t.state === "present") return true;
                if (t.state === "maybe") r = or(r, t.unknown);
            }
            return r;
        }
        case "ids": {
            let r: Tri = false;
            for (const id of c.ids) {
                if (id === "*") return true;
                if (isUnknown(id)) r = or(r, id);
                else if (typeof m.id === "string" && id === m.id) return true;
            }
            return r;
        }
        case "unknown":
            return c.unknown;
        case "unsupported":
            return false;
    }
}

function inList(value: string | Unknown, list: "*" | (string | Unknown)[] | Unknown): Tri {
    if (list === "*") return true;
    if (isUnknown(list)) return list;
    if (isUnknown(value)) return value;
    // A provider that does not set its Region or account uses the ambient one, which nothing here
    // tells: it is taken to be the one it is compared with (rather than blocking on a guess).
    if (value === "") return true;
    let r: Tri = false;
    for (const v of list) {
        if (v === value || v === "") return true;
        if (isUnknown(v)) r = or(r, v);
    }
    return r;
}

/** Whether a member is within a reach. */
export function inReach(p: Placement, reach: Reach): Tri {
    return and(inList(p.region, reach.regions), inList(p.account, reach.accounts));
}

/** Whether a selector selects a member: true, false or unknown until the update. */
export function selects(s: Selector, m: Member): Tri {
    if (s.conds.length === 0) return false;
    let r: Tri = true;
    for (const c of s.conds) {
        r = and(r, evalCond(c, m));
        if (r === false) return false;
    }
    return and(r, inReach(m.placement, s.reach));
}

const kv = (k: string, v: string) => `${k}\u0000${v}`;

function push<K, V>(map: Map<K, V[]>, key: K, v: V): void {
    const list = map.get(key);
    if (list) list.push(v);
    else map.set(key, [v]);
}

/**
 * Selectors indexed by what they anchor on, so that an instance looks up only those its own tags
 * and id can select. Selectors that can never select (no targets, resource groups) are kept
 * apart, for messages.
 */
export class SelectorIndex {
    private readonly byTagValue = new Map<string, Selector[]>();
    private readonly byTagKeyAnchor = new Map<string, Selector[]>();
    private readonly byTagWithUnknownValue = new Map<string, Selector[]>();
    private readonly byTagKeyCond = new Map<string, Selector[]>();
    private readonly byId = new Map<string, Selector[]>();
    private readonly everyInstance: Selector[] = [];
    private readonly floating: Selector[] = [];
    /** Selectors that can never select an instance (no targets, or targets this pack cannot evaluate). */
    readonly never: Selector[] = [];
    /** Every selector that anchors on a tag, kept for instances whose tags are not all known. */
    private readonly tagAnchored: Selector[] = [];
    /** Tag-anchored selectors by their tag key and value with case and separators ignored, for near misses. */
    private readonly byLooseTag = new Map<string, Selector[]>();
    readonly all: Selector[] = [];

    add(s: Selector): void {
        this.all.push(s);
        if (s.conds.length === 0 || s.conds.some((c) => c.kind === "unsupported")) {
            this.never.push(s);
            return;
        }
        const tag = s.conds.find((c): c is Extract<Cond, { kind: "tag" }> => c.kind === "tag");
        if (tag) {
            this.tagAnchored.push(s);
            push(this.byTagKeyAnchor, tag.key, s);
            for (const v of tag.values) {
                if (isUnknown(v)) push(this.byTagWithUnknownValue, tag.key, s);
                else {
                    push(this.byTagValue, kv(tag.key, v), s);
                    push(this.byLooseTag, kv(loose(tag.key), v.toLowerCase()), s);
                }
            }
            return;
        }
        const tagKey = s.conds.find((c): c is Extract<Cond, { kind: "tagKey" }> => c.kind === "tagKey" && !c.keys.some(isUnknown));
        if (tagKey) {
            this.tagAnchored.push(s);
            for (const k of tagKey.keys as string[]) push(this.byTagKeyCond, k, s);
            return;
        }
        const ids = s.conds.find((c): c is Extract<Cond, { kind: "ids" }> => c.kind === "ids" && !c.ids.some(isUnknown));
        if (ids) {
            if ((ids.ids as string[]).includes("*")) this.everyInstance.push(s);
            else for (const id of ids.ids as string[]) push(this.byId, id, s);
            return;
        }
        this.floating.push(s);
    }

    /** The selectors a member's tags and id can select, each once; `unknown` when its tags are not all known and some selector anchors on a tag. */
    private *candidates(m: Member): Generator<Selector> {
        const seen = new Set<Selector>();
        const lists: (Selector[] | undefined)[] = [];
        for (const k of m.tags.keys()) {
            const t = m.tags.get(k);
            if (t.state !== "present") continue;
            if (isUnknown(t.value)) lists.push(this.byTagKeyAnchor.get(k));
            else lists.push(this.byTagValue.get(kv(k, t.value)), this.byTagWithUnknownValue.get(k));
            lists.push(this.byTagKeyCond.get(k));
        }
        // Keys a source may set (an aws.ec2.Tag whose target is unknown): selectors on them may select it.
        for (const k of m.tags.maybeKeys()) lists.push(this.byTagKeyAnchor.get(k), this.byTagKeyCond.get(k));
        lists.push(this.everyInstance, typeof m.id === "string" ? this.byId.get(m.id) : undefined, this.floating);
        for (const list of lists) {
            for (const s of list ?? []) {
                if (seen.has(s)) continue;
                seen.add(s);
                yield s;
            }
        }
    }

    /** The first selector that selects the member and patches (true), or the first unknown; false when none can. */
    match(m: Member): { result: Tri; by?: Selector } {
        let result: Tri = false;
        for (const s of this.candidates(m)) {
            const r = and(selects(s, m), s.patches);
            if (r === true) return { result: true, by: s };
            result = or(result, r);
        }
        // Tags not all known: any tag-anchored selector may select it.
        const unknown = m.tags.unknown;
        if (unknown && this.tagAnchored.length > 0) result = or(result, unknown);
        return { result };
    }

    /**
     * Tags of the member that a selector targets but for case or separators (`development` for
     * `Development`, `environment` for `Environment`): tag keys and values are case-sensitive.
     */
    caseMisses(m: Member, limit: number): CaseMiss[] {
        const out: CaseMiss[] = [];
        for (const k of m.tags.keys()) {
            const t = m.tags.get(k);
            if (t.state !== "present" || isUnknown(t.value)) continue;
            const value = t.value;
            for (const s of this.byLooseTag.get(kv(loose(k), value.toLowerCase())) ?? []) {
                if (out.length >= limit) return out;
                const tag = s.conds.find((c): c is Extract<Cond, { kind: "tag" }> => c.kind === "tag" && loose(c.key) === loose(k));
                const target = tag?.values.find((v): v is string => typeof v === "string" && v.toLowerCase() === value.toLowerCase());
                if (!tag || target === undefined || (tag.key === k && target === value)) continue;
                if (selects(s, m) !== false) continue;
                out.push({ key: k, value, targetKey: tag.key, targetValue: target, by: s.label });
            }
        }
        return out;
    }

    /** The values selectors target on a tag key (`tag:Environment=...`), in order, each once. */
    valuesOn(key: string): string[] {
        const out = new Set<string>();
        for (const s of this.byTagKeyAnchor.get(key) ?? []) {
            for (const c of s.conds) if (c.kind === "tag" && c.key === key) for (const v of c.values) if (typeof v === "string") out.add(v);
        }
        return [...out];
    }

    /** Up to `limit` selectors that select the member or may; then those that never select, whatever else they say. */
    selecting(m: Member, limit: number): Selector[] {
        const out: Selector[] = [];
        for (const s of this.candidates(m)) {
            if (out.length >= limit) return out;
            if (selects(s, m) !== false) out.push(s);
        }
        for (const s of this.never) {
            if (out.length >= limit) break;
            const probe: Selector = { ...s, conds: s.conds.filter((c) => c.kind !== "unsupported") };
            if (s.conds.length > 0 && (probe.conds.length === 0 || selects(probe, m) !== false)) out.push(s);
        }
        return out;
    }
}

/** Quick Setup patch policy parameters as SSM targets and a reach. */
export function quickSetupTargets(params: Record<string, string | Unknown>, placement: Placement): { targets: SsmTarget[] | Unknown; reach: Reach; unsupported?: string } {
    const list = (v: string | Unknown | undefined): (string | Unknown)[] | Unknown | undefined =>
        v === undefined ? undefined : isUnknown(v) ? v : v.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const regions = list(params.TargetRegions);
    const accounts = list(params.TargetAccounts);
    const reach: Reach = {
        regions: regions ?? [placement.region],
        // Organizational units: membership is not known here; any account may be in them.
        accounts: params.TargetOrganizationalUnits !== undefined ? "*" : (accounts ?? [placement.account]),
    };
    const type = params.TargetType;
    if (isUnknown(type)) return { targets: type, reach };
    switch (type) {
        case undefined:
        case "*":
            return { targets: [{ key: "InstanceIds", values: ["*"] }], reach };
        case "Tags": {
            const key = params.TargetTagKey;
            const value = params.TargetTagValue;
            if (isUnknown(key)) return { targets: key, reach };
            if (key === undefined) return { targets: [], reach };
            return { targets: [{ key: `tag:${key}`, values: value === undefined ? [] : [value] }], reach };
        }
        case "InstanceIds":
            return { targets: [{ key: "InstanceIds", values: list(params.TargetInstances) ?? [] }], reach };
        default:
            return { targets: [{ key: `TargetType=${type}`, values: [] }], reach, unsupported: type };
    }
}

function isPatchTask(t: WindowTaskInput): Tri {
    if (isUnknown(t.taskType)) return t.taskType;
    if (t.taskType !== "RUN_COMMAND") return false;
    return isPatchDocument(t.taskArn);
}

/** Whether a task's WindowTargetIds name a window target. */
function runsOn(task: WindowTaskInput, target: WindowTargetInput): Tri {
    if (task.targets === undefined) return false;
    if (isUnknown(task.targets)) return task.targets;
    let r: Tri = false;
    for (const t of task.targets) {
        if (isUnknown(t.key)) {
            r = or(r, t.key);
            continue;
        }
        if (t.key !== "WindowTargetIds") continue;
        if (task.dependsOn.has(target.urn)) return true;
        if (isUnknown(t.values)) {
            r = or(r, t.values);
            continue;
        }
        for (const v of t.values) {
            if (typeof target.id === "string" && v === target.id) return true;
            if (isUnknown(v)) r = or(r, v);
        }
    }
    return r;
}

const sameWindow = (a: string | Unknown, b: string | Unknown): Tri => (isUnknown(a) ? a : isUnknown(b) ? b : a === b);

/** The selectors of a stack's patching resources: those that patch, and those that look like they do but do not. */
export function buildSelectors(input: CoverageInput): { patching: SelectorIndex; nearMisses: SelectorIndex } {
    const patching = new SelectorIndex();
    const nearMisses = new SelectorIndex();

    for (const a of input.associations) {
        const conds = conditionsOf(a.targets);
        const label = `association '${a.name}' (${describeTargets(a.targets)})`;
        const doc = isPatchDocument(a.document);
        if (doc === false) {
            const shown = typeof a.document === "string" ? a.document : "another document";
            nearMisses.add({
                conds, reach: reachOf(a.placement), label, patches: true, hint: `${label} selects it but runs ${shown}, not AWS-RunPatchBaseline.`,
                fix: `add an aws.ssm.Association with name: "AWS-RunPatchBaseline" and the targets of association '${a.name}' (${describeTargets(a.targets)})`,
            });
        } else {
            const s = { conds, reach: reachOf(a.placement), label, patches: doc };
            if (conds.some((c) => c.kind === "unsupported")) {
                nearMisses.add({ ...s, hint: `${label} uses targets this policy cannot evaluate (${unsupportedKeys(conds)}).` });
            } else {
                patching.add(s);
            }
        }
    }

    // Maintenance windows: a target patches when a RUN_COMMAND AWS-RunPatchBaseline task of the same window runs on it.
    const tasksByWindow = new Map<string, WindowTaskInput[]>();
    const tasksOfUnknownWindow: WindowTaskInput[] = [];
    for (const t of input.windowTasks) {
        if (isUnknown(t.window)) tasksOfUnknownWindow.push(t);
        else push(tasksByWindow, t.window, t);
        // A task may also target instances directly (InstanceIds).
        const direct = Array.isArray(t.targets) && t.targets.some((x) => x.key === "InstanceIds");
        if (direct) {
            const patches = isPatchTask(t);
            const label = `maintenance window task '${t.name}' (${describeTargets(t.targets)})`;
            if (patches !== false) patching.add({ conds: conditionsOf(t.targets), reach: reachOf(t.placement), label, patches });
        }
    }
    for (const w of input.windowTargets) {
        const candidates = isUnknown(w.window) ? input.windowTasks : [...(tasksByWindow.get(w.window) ?? []), ...tasksOfUnknownWindow];
        let patches: Tri = false;
        for (const t of candidates) {
            patches = or(patches, and(and(sameWindow(w.window, t.window), isPatchTask(t)), runsOn(t, w)));
            if (patches === true) break;
        }
        const conds = conditionsOf(w.targets);
        const label = `maintenance window target '${w.name}' (${describeTargets(w.targets)})`;
        if (patches === false) {
            nearMisses.add({
                conds, reach: reachOf(w.placement), label, patches: true,
                hint: `${label} selects it, but no RUN_COMMAND task of AWS-RunPatchBaseline in its window runs on that target.`,
                fix: `add an aws.ssm.MaintenanceWindowTask { taskType: "RUN_COMMAND", taskArn: "AWS-RunPatchBaseline", targets: [{ key: "WindowTargetIds", values: [${identifier(w.name)}.id] }] } to its window`,
            });
        } else if (conds.some((c) => c.kind === "unsupported")) {
            nearMisses.add({ conds, reach: reachOf(w.placement), label, patches, hint: `${label} uses targets this policy cannot evaluate (${unsupportedKeys(conds)}).` });
        } else {
            patching.add({ conds, reach: reachOf(w.placement), label, patches });
        }
    }

    for (const q of input.quickSetups) {
        const defs = isUnknown(q.definitions) ? [q.definitions] : q.definitions;
        for (const d of defs) {
            const label = `Quick Setup configuration '${q.name}'`;
            if (isUnknown(d)) {
                patching.add({ conds: [{ kind: "unknown", unknown: d }], reach: reachOf(q.placement), label, patches: d });
                continue;
            }
            if (d.type !== QUICK_SETUP_PATCH_POLICY && !isUnknown(d.type)) continue;
            const patches: true | Unknown = isUnknown(d.type) ? d.type : true;
            if (d.parameters === undefined) continue;
            if (isUnknown(d.parameters)) {
                patching.add({ conds: [{ kind: "unknown", unknown: d.parameters }], reach: reachOf(q.placement), label, patches: d.parameters });
                continue;
            }
            const { targets, reach, unsupported } = quickSetupTargets(d.parameters, q.placement);
            const s = { conds: conditionsOf(targets), reach, label: `Quick Setup patch policy '${q.name}' (${describeTargets(targets)})`, patches };
            if (unsupported) nearMisses.add({ ...s, hint: `${s.label} targets ${unsupported}, which this policy cannot evaluate.` });
            else patching.add(s);
        }
    }
    return { patching, nearMisses };
}

function unsupportedKeys(conds: Cond[]): string {
    return conds.filter((c): c is Extract<Cond, { kind: "unsupported" }> => c.kind === "unsupported").map((c) => c.key).join(", ");
}

/** `tag:Environment=Development and InstanceIds=*`, for messages. */
export function describeTargets(targets: SsmTarget[] | Unknown | undefined): string {
    if (targets === undefined || (Array.isArray(targets) && targets.length === 0)) return "no targets";
    if (isUnknown(targets)) return "targets unknown until the update";
    return targets.map((t) => describeTagQuery(t.key, t.values)).join(" and ");
}

/** Patch groups of the stack by name, to find a member's group by its `Patch Group` tag. */
class PatchGroups {
    private readonly byName = new Map<string, PatchGroupInput[]>();
    private readonly unnamed: PatchGroupInput[] = [];
    readonly names: string[] = [];

    constructor(groups: PatchGroupInput[]) {
        for (const g of groups) {
            if (typeof g.patchGroup === "string") {
                push(this.byName, g.patchGroup, g);
                this.names.push(g.patchGroup);
            } else if (isUnknown(g.patchGroup)) {
                this.unnamed.push(g);
            }
        }
    }

    get empty(): boolean {
        return this.names.length === 0 && this.unnamed.length === 0;
    }

    match(m: Member): { result: Tri; by?: string } {
        if (this.empty) return { result: false };
        let result: Tri = false;
        for (const key of PATCH_GROUP_TAG_KEYS) {
            const t = m.tags.get(key);
            if (t.state === "absent") continue;
            if (t.state === "maybe") {
                result = or(result, t.unknown);
                continue;
            }
            if (isUnknown(t.value)) {
                result = or(result, t.value);
                continue;
            }
            for (const g of this.byName.get(t.value) ?? []) {
                const r = inReach(m.placement, reachOf(g.placement));
                if (r === true) return { result: true, by: `patch group '${t.value}' (${g.name})` };
                result = or(result, r);
            }
            for (const g of this.unnamed) result = or(result, g.patchGroup as Unknown);
        }
        return { result };
    }
}

/**
 * The verdict on each member, in order: covered (and by what), exempt (its environment is in
 * coveredEnvironments), undecided (values unknown until the update), or uncovered with hints.
 */
export function assessCoverage(input: CoverageInput): { verdicts: Verdict[]; patching: string[]; index: SelectorIndex } {
    const { patching, nearMisses } = buildSelectors(input);
    const groups = new PatchGroups(input.patchGroups);
    const covered = new Set(input.coveredEnvironments);
    const labels = [...patching.all.map((s) => s.label), ...groups.names.map((n) => `patch group '${n}'`)];
    const verdicts = input.members.map((m): Verdict => {
        const pg = groups.match(m);
        if (pg.result === true) return { state: "covered", by: pg.by ?? "a patch group" };
        const sel = patching.match(m);
        if (sel.result === true) return { state: "covered", by: sel.by?.label ?? "a patching resource" };

        let exempt: Tri = false;
        let environment = "";
        if (covered.size > 0) {
            const env = m.tags.get(input.environmentTagKey);
            if (env.state === "maybe") exempt = env.unknown;
            else if (env.state === "present") {
                if (isUnknown(env.value)) exempt = env.value;
                else if (covered.has(env.value)) {
                    exempt = true;
                    environment = env.value;
                }
            }
        }
        if (exempt === true) return { state: "exempt", environment };
        const maybe = or(or(pg.result, sel.result), exempt);
        if (isUnknown(maybe)) return { state: "undecided", unknown: maybe };
        const near = nearMisses.selecting(m, 3);
        return {
            state: "uncovered",
            hints: hintsFor(m, near, groups, patching),
            caseMisses: patching.caseMisses(m, 3),
            nearMiss: nearMissOf(near),
        };
    });
    return { verdicts, patching: labels, index: patching };
}

function nearMissOf(near: Selector[]): { hint: string; fix?: string } | undefined {
    const s = near.find((x) => x.hint);
    return s?.hint ? { hint: s.hint, fix: s.fix } : undefined;
}

/** A resource name as a TypeScript identifier for snippets: `staging-targets` as `stagingTargets`. */
export function identifier(name: string): string {
    const id = name.replace(/[^A-Za-z0-9_$]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : "")).replace(/^[^A-Za-z_$]+/, "");
    return id === "" ? "resource" : id;
}

function hintsFor(m: Member, near: Selector[], groups: PatchGroups, patching: SelectorIndex): string[] {
    const hints = near.map((s) => s.hint ?? s.label);
    // Tags the resource sets that never reach its instances, where they would matter.
    for (const t of m.tags.stray) {
        if (m.tags.get(t.key).state !== "absent") continue;
        const value = typeof t.value === "string" ? t.value : undefined;
        const targeted = (PATCH_GROUP_TAG_KEYS as readonly string[]).includes(t.key) || patching.valuesOn(t.key).length > 0;
        if (targeted) hints.push(`Its '${t.key}${value !== undefined ? `=${value}` : ""}' tag ${t.why}.`);
    }
    for (const key of PATCH_GROUP_TAG_KEYS) {
        const t = m.tags.get(key);
        if (t.state === "present" && typeof t.value === "string") {
            hints.push(`Its '${key}' tag is '${t.value}', but no patch group '${t.value}' is registered in this stack${groups.names.length ? ` (patch groups: ${groups.names.slice(0, 5).join(", ")})` : ""}.`);
        }
    }
    for (const k of m.tags.keys()) {
        if (!(PATCH_GROUP_TAG_KEYS as readonly string[]).includes(k) && k.toLowerCase().replace(/[\s_\-.]/g, "") === "patchgroup") {
            hints.push(`Patch Manager does not read its '${k}' tag: the key must be 'Patch Group' or 'PatchGroup'.`);
        }
    }
    return hints;
}

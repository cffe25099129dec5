// Values as the engine puts them on the wire for an analyzer: planned inputs as JSON for a
// protobuf Struct (unknowns as the unknown sentinel, secrets in their wire form), and
// enforcement levels as the protocol's enum.
import { isUnknown as isOutputUnknown } from "@pulumi/pulumi/output";
import type * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { EnforcementLevel } from "./types";

/** The string the engine sends for a value unknown during a preview. */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The key that marks a special value (a secret, an asset) in its wire form. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * A planned input as a JSON value for a protobuf Struct, as the engine marshals it for analyzers:
 * unknowns (what a preview under mocks deserializes them to) as the unknown sentinel, secrets in
 * their wire form; undefined drops the property.
 */
export function wireValue(v: unknown): unknown {
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v === "bigint") return Number(v);
    if (isOutputUnknown(v)) return UNKNOWN_SENTINEL;
    if (Array.isArray(v)) return v.map((e) => wireValue(e) ?? null);
    if (typeof v === "object") {
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null && !(SIG_KEY in (v as object))) return undefined; // resources, assets: not sent
        const out: Record<string, unknown> = {};
        for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
            const w = wireValue(e);
            if (w !== undefined) out[k] = w;
        }
        return out;
    }
    return undefined;
}

/** An enforcement level from the protocol's enum. */
export function fromEnforcementLevel(analyzer: typeof analyzerPb, el: number): EnforcementLevel {
    switch (el) {
        case analyzer.EnforcementLevel.MANDATORY: return "mandatory";
        case analyzer.EnforcementLevel.REMEDIATE: return "remediate";
        case analyzer.EnforcementLevel.DISABLED: return "disabled";
        default: return "advisory";
    }
}

/** An enforcement level as the protocol's enum. */
export function toEnforcementLevel(analyzer: typeof analyzerPb, el: EnforcementLevel): analyzerPb.EnforcementLevel {
    switch (el) {
        case "mandatory": return analyzer.EnforcementLevel.MANDATORY;
        case "remediate": return analyzer.EnforcementLevel.REMEDIATE;
        case "disabled": return analyzer.EnforcementLevel.DISABLED;
        default: return analyzer.EnforcementLevel.ADVISORY;
    }
}

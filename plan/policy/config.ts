// Policy config: the format of `pulumi preview --policy-pack-config <file>`, read and checked for
// shape (reconcile.ts checks it against the pack's policies once the pack has said what they are).
import { readYamlFile } from "../../lib/yamlFile";
import { ENFORCEMENT_LEVELS, EnforcementLevel, PolicyConfigError } from "./types";

/** Where a loaded policy config comes from, carried on the config itself for later errors. */
export const CONFIG_SOURCE = Symbol("policyConfigSource");

/** A normalized per-policy config entry. */
export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

function isEnforcementLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

export const show = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/**
 * Checks the shape of a policy config: an object mapping policy names (or "all") to an
 * enforcement level (`"mandatory"`) or to an object of config with an optional enforcementLevel
 * (`{ "enforcementLevel": "advisory", "allowedValues": ["Production"] }`).
 */
export function normalizePolicyConfig(raw: unknown, source = "policy config"): Record<string, PolicyConfigEntry> {
    if (raw === null || raw === undefined) return {};
    if (typeof raw !== "object" || Array.isArray(raw)) {
        throw new PolicyConfigError(`${source}: must be an object mapping policy names to an enforcement level or to an object of config`);
    }
    const out: Record<string, PolicyConfigEntry> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!isEnforcementLevel(value)) {
                throw new PolicyConfigError(`${source}: ${key}: ${show(value)} is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}`);
            }
            out[key] = { enforcementLevel: value, properties: {} };
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
                throw new PolicyConfigError(`${source}: ${key}.enforcementLevel: ${show(enforcementLevel)} is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}`);
            }
            out[key] = { enforcementLevel, properties };
        } else {
            throw new PolicyConfigError(`${source}: ${key}: must be an enforcement level or an object of config; got ${show(value)}`);
        }
    }
    if (out.all && Object.keys(out.all.properties).length > 0) {
        throw new PolicyConfigError(`${source}: all: only an enforcement level applies to all policies; give config under each policy's name`);
    }
    return out;
}

/**
 * Reads a policy config file (JSON, as `--policy-pack-config` takes; YAML is read as well) and
 * checks its shape. Errors are one line naming the file and the key. The returned config
 * remembers its file, so later errors (reconciling with the pack) name it too.
 */
export function loadPolicyConfigFile(file: string): Record<string, unknown> {
    const doc = readYamlFile(file, "policy config file", (m) => new PolicyConfigError(m));
    normalizePolicyConfig(doc, file);
    const config = { ...(doc as Record<string, unknown> | null ?? {}) };
    Object.defineProperty(config, CONFIG_SOURCE, { value: file, enumerable: false });
    return config;
}

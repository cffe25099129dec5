// Policy config reconciled with the pack's policies as the engine does before Configure: schema
// defaults, then "all", then each policy's own entry, validated against the policy's configSchema
// with a JSON Schema validator (ajv; the Pulumi CLI uses gojsonschema). Unlike the engine,
// unknown policy names and config keys are refused: they are typos.
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { CONFIG_SOURCE, normalizePolicyConfig, show } from "./config";
import { EnforcementLevel, JsonSchema, PackInfo, PackPolicyInfo, PolicyConfigError } from "./types";

/** What the engine sends in Configure for one policy. */
export interface ReconciledPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The validator of a policy's config: an object of its schema's properties, with its required keys, as the CLI builds it. */
function validatorOf(policy: PackPolicyInfo): ValidateFunction {
    const schema = { type: "object", properties: policy.configSchema?.properties ?? {}, required: policy.configSchema?.required ?? [] };
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (!validate) {
        // strict: false, as gojsonschema: a keyword or format the validator does not know is ignored, not an error.
        ajv ??= new Ajv({ allErrors: false, strict: false, verbose: true, validateFormats: false });
        try {
            validate = ajv.compile(schema);
        } catch (err) {
            throw new PolicyConfigError(`policy ${policy.name}: its configSchema is not a valid JSON schema: ${(err as Error).message}`);
        }
        validators.set(key, validate);
    }
    return validate;
}

/** A JSON pointer into the config (`/allowedValues/1`) as a key path (`.allowedValues[1]`). */
function keyPath(pointer: string, root: unknown): string {
    let out = "";
    let value = root;
    for (const raw of pointer.split("/").slice(1)) {
        const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        out += Array.isArray(value) ? `[${segment}]` : `.${segment}`;
        value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
    }
    return out;
}

const COMPARISONS: Record<string, string> = { ">=": "at least", "<=": "at most", ">": "more than", "<": "less than" };

/** An ajv error as what must be true and the value given. */
function describeError(e: ErrorObject): string {
    const p = e.params as Record<string, unknown>;
    const schema = (e.parentSchema ?? {}) as JsonSchema;
    switch (e.keyword) {
        case "type": {
            const types = Array.isArray(schema.type) ? schema.type : [String(p.type)];
            const want = types.map((t) => (t === "array" && typeof schema.items?.type === "string" ? `an array of ${schema.items.type}s` : `of type ${t}`)).join(" or ");
            return `must be ${want}; got ${show(e.data)}`;
        }
        case "enum":
            return `must be one of ${(p.allowedValues as unknown[]).map(show).join(", ")}; got ${show(e.data)}`;
        case "const":
            return `must be ${show(p.allowedValue)}; got ${show(e.data)}`;
        case "minimum":
        case "maximum":
        case "exclusiveMinimum":
        case "exclusiveMaximum":
            return `must be ${COMPARISONS[String(p.comparison)] ?? String(p.comparison)} ${p.limit}; got ${show(e.data)}`;
        case "minLength":
            return p.limit === 1 ? "must not be empty" : `must be at least ${p.limit} characters; got ${show(e.data)}`;
        case "maxLength":
            return `must be at most ${p.limit} characters; got ${show(e.data)}`;
        case "minItems":
            return `must have at least ${p.limit} item${p.limit === 1 ? "" : "s"}; got ${(e.data as unknown[]).length}`;
        case "maxItems":
            return `must have at most ${p.limit} item${p.limit === 1 ? "" : "s"}; got ${(e.data as unknown[]).length}`;
        case "pattern":
            return `must match the pattern ${p.pattern}; got ${show(e.data)}`;
        case "uniqueItems":
            return `must not repeat an item; [${Math.min(Number(p.i), Number(p.j))}] and [${Math.max(Number(p.i), Number(p.j))}] are both ${show((e.data as unknown[])[Number(p.i)])}`;
        default: {
            const got = e.data === null || typeof e.data !== "object" ? `; got ${show(e.data)}` : "";
            return `${e.message ?? `fails the schema's ${e.keyword} rule`}${got}`;
        }
    }
}

/** The first problem of a policy's reconciled config, as `<key path>: <what must be true>`, or undefined. */
function configProblem(policy: PackPolicyInfo, properties: Record<string, unknown>): string | undefined {
    const validate = validatorOf(policy);
    if (validate(properties)) return undefined;
    const e = validate.errors?.[0];
    if (!e) return "is not valid";
    const at = keyPath(e.instancePath, properties);
    const p = e.params as Record<string, unknown>;
    if (e.keyword === "required") return `${at}.${String(p.missingProperty)}: is required by the policy`;
    if (e.keyword === "additionalProperties") return `${at}.${String(p.additionalProperty)}: not a key of ${at.slice(1) || "the config"}`;
    return `${at}: ${describeError(e)}`;
}

/**
 * What the engine sends in Configure: for every policy, its enforcement level and config, from
 * the schema defaults, then "all", then the policy's own entry; validated against the schema.
 * Unlike the engine, unknown policy names and config keys are refused (they are typos).
 */
export function reconcilePolicyConfig(info: PackInfo, config: Record<string, unknown> | undefined, source?: string): Record<string, ReconciledPolicyConfig> {
    const where = source ?? (config as { [CONFIG_SOURCE]?: string } | undefined)?.[CONFIG_SOURCE] ?? "policy config";
    const given = normalizePolicyConfig(config ?? {}, where);
    const result: Record<string, ReconciledPolicyConfig> = {};
    for (const p of info.policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (s.default !== undefined) properties[k] = structuredClone(s.default);
        }
        result[p.name] = { enforcementLevel: given.all?.enforcementLevel ?? p.enforcementLevel, properties };
    }
    for (const [name, entry] of Object.entries(given)) {
        if (name === "all") continue;
        const policy = info.policies.find((p) => p.name === name);
        if (!policy) {
            throw new PolicyConfigError(`${where}: ${name}: no such policy in pack ${info.name}; its policies: ${info.policies.map((p) => p.name).join(", ")}`);
        }
        const known = Object.keys(policy.configSchema?.properties ?? {});
        for (const [k, v] of Object.entries(entry.properties)) {
            if (!known.includes(k)) {
                throw new PolicyConfigError(`${where}: ${name}.${k}: not a config key of the policy; ${known.length ? `its keys: ${known.join(", ")}, enforcementLevel` : "it takes only enforcementLevel"}`);
            }
            result[name].properties[k] = v;
        }
        if (entry.enforcementLevel) result[name].enforcementLevel = entry.enforcementLevel;
    }
    for (const p of info.policies) {
        if (!p.configSchema) continue;
        const problem = configProblem(p, result[p.name].properties);
        if (problem) throw new PolicyConfigError(`${where}: ${p.name}${problem}`);
    }
    return result;
}

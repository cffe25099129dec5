// Values as policies receive them: proxies that throw on values unknown during a preview. The
// policies turn them into plain data where an unknown value is an `Unknown` marker, decide what
// they can, and report what they cannot decide through the SDK's own "can't run during preview"
// advisory (never as a mandatory violation).
import * as policySdk from "@pulumi/policy";

/** The sentinels the engine sends for values unknown during a preview (any type; the engine uses the string one). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the one the engine sends for every computed value)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The unknown-string sentinel, for fixtures and for the driver. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * A value the policies cannot know, in plain data: unknown during the preview (the SDK's error is
 * kept, to rethrow it), or defined outside the stack (`why` says so). Either way no verdict rests
 * on it: a policy that needs it reports that it cannot decide, never a mandatory violation.
 */
export class Unknown {
    constructor(
        /** Where the value sits, e.g. `tags`, or what it is, e.g. `launch template 'lt-0abc'`. */
        readonly path: string,
        /** The SDK's UnknownValueError that reading the value raised, when it did. */
        readonly error?: Error,
        /** Why it cannot be known when not because of the preview, e.g. "is defined outside this stack". */
        readonly why?: string,
    ) {}

    /** `tags is unknown until the update`, or `launch template 'x' is defined outside this stack`. */
    describe(): string {
        return `${this.path} ${this.why ?? "is unknown until the update"}`;
    }
}

/** A value that no update will reveal: it is defined outside the stack, or pinned to a version the stack does not define. */
export function unknowable(what: string, why: string): Unknown {
    return new Unknown(what, undefined, why);
}

/** Whether a plain value is the unknown marker. */
export function isUnknown(v: unknown): v is Unknown {
    return v instanceof Unknown;
}

/** Plain JSON-like data in which any value may be `Unknown`. */
export type Plain = string | number | boolean | null | Unknown | Plain[] | { [key: string]: Plain };

type ErrorCtor = new (sentinel: string, props: string[]) => Error;

/** The SDK's UnknownValueError class: exported at run time by @pulumi/policy, absent from its typings. */
const UnknownValueError = (policySdk as unknown as { UnknownValueError?: ErrorCtor }).UnknownValueError;

/** Whether an error is the SDK's "value unknown during preview" error. */
export function isUnknownValueError(err: unknown): err is Error {
    if (UnknownValueError !== undefined) {
        return err instanceof UnknownValueError;
    }
    return err instanceof Error && err.constructor.name === "UnknownValueError";
}

/**
 * Reads `obj[key]` from a policy's (proxied) props and returns it as plain data, with every value
 * unknown during the preview replaced by an `Unknown` marker instead of throwing.
 */
export function field(obj: unknown, key: string, path = key): Plain | undefined {
    if (obj === null || obj === undefined || typeof obj !== "object" || isUnknown(obj)) {
        return undefined;
    }
    let v: unknown;
    try {
        v = (obj as Record<string, unknown>)[key];
    } catch (err) {
        if (isUnknownValueError(err)) return new Unknown(path, err);
        throw err;
    }
    return toPlain(v, path);
}

/** Converts a (proxied) value to plain data; see `field`. */
export function toPlain(v: unknown, path: string): Plain | undefined {
    if (v === undefined) return undefined;
    if (v === null || typeof v === "number" || typeof v === "boolean") return v;
    if (typeof v === "string") return UNKNOWN_SENTINELS.has(v) ? new Unknown(path) : v;
    if (isUnknown(v)) return v;
    if (Array.isArray(v)) {
        const out: Plain[] = [];
        for (let i = 0; i < v.length; i++) {
            const e = field(v, String(i), `${path}[${i}]`);
            out.push(e === undefined ? null : e);
        }
        return out;
    }
    if (typeof v === "object") {
        const out: { [key: string]: Plain } = {};
        for (const k of Object.keys(v)) {
            const e = field(v, k, `${path}.${k}`);
            if (e !== undefined) out[k] = e;
        }
        return out;
    }
    return undefined;
}

/** A plain value as a known string, or undefined. */
export function str(v: Plain | undefined): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** A plain value as a known object, or undefined. */
export function obj(v: Plain | undefined): { [key: string]: Plain } | undefined {
    return v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? v : undefined;
}

/**
 * Ends a policy that cannot decide because of values unknown during the preview. The SDK turns
 * the thrown error into an advisory "can't run policy ... during preview: <reason>", whatever the
 * policy's enforcement level; the update, where the values are known, decides.
 */
export function undecidable(reason: string, unknown?: Unknown): never {
    let err = unknown?.error;
    if (err === undefined && UnknownValueError !== undefined) {
        err = new UnknownValueError(UNKNOWN_STRING, []);
    }
    if (err === undefined) {
        // No SDK error to rethrow (never the case with @pulumi/policy 1.x): report nothing rather than guess.
        throw new Error(`cannot decide during the preview: ${reason}`);
    }
    err.message = reason;
    throw err;
}

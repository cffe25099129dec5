/**
 * Zod schemas that fail like the rest of the project: the first problem becomes one
 * ValidationError naming the input's path (`ssm-patching:patchPolicy.maxErrors`,
 * `accounts[0].roleArn`) and saying what is allowed.
 */
import { z } from "zod";
import { ValidationError } from "./validation";

/** An object schema that refuses keys it does not know, naming the allowed ones. */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what = "an object") {
    const allowed = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) => issue.code === "unrecognized_keys"
            ? `is not a known key; allowed here: ${allowed}`
            : `must be ${what} with keys among ${allowed}; got ${show(issue.input)}`,
    });
}

/** A string schema with a one-line message of what is allowed. */
export function str(what: string) {
    return z.string({ error: (issue) => `must be ${what}; got ${show(issue.input)}` });
}

/** A boolean schema. */
export function bool() {
    return z.boolean({ error: (issue) => `must be true or false; got ${show(issue.input)}` });
}

/** A list schema. */
export function list<T extends z.ZodType>(item: T, what: string) {
    return z.array(item, { error: (issue) => `must be ${what}; got ${show(issue.input)}` });
}

/** A string-to-string map (tags). */
export function stringMap(what = "a map of keys to string values") {
    return z.record(z.string(), z.string({ error: (issue) => `must be a string; got ${show(issue.input)}` }), {
        error: (issue) => `must be ${what}; got ${show(issue.input)}`,
    });
}

/** Checks a value against a rule that returns why it is wrong (or undefined), as a refinement. */
export function rule<T>(problem: (value: T) => string | undefined) {
    return (value: T, ctx: z.RefinementCtx) => {
        const reason = problem(value);
        if (reason !== undefined) ctx.addIssue({ code: "custom", message: reason, input: value });
    };
}

/**
 * Runs a resolver that validates with ValidationError (the components' `resolve*Args`) inside a
 * schema: its errors become issues at their own path under the value's, and its result is the
 * schema's output, so a value is checked and defaulted once.
 */
export function resolveWith<I, O>(resolve: (input: I) => O) {
    return (input: I, ctx: z.RefinementCtx): O => {
        try {
            return resolve(input);
        } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            ctx.addIssue({ code: "custom", message: err.reason, path: splitPath(err.path), input });
            return z.NEVER;
        }
    };
}

/** Parses `value`, throwing a ValidationError at `root` + the first problem's path. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root = ""): z.output<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    // A misspelt key explains the other problems of its object best: report it first.
    const issues = [...result.error.issues].sort((a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"));
    const issue = issues[0];
    const path = [...issue.path];
    if (issue.code === "unrecognized_keys") path.push(issue.keys[0]);
    // A missing value reaches the schema as undefined: say it is required.
    const missing = issue.code === "invalid_type" && issue.message.endsWith("; got undefined");
    const message = missing ? `is required: ${issue.message.slice(0, -"; got undefined".length).replace(/^must be /, "")}` : issue.message;
    throw new ValidationError(joinPath(root, path), message);
}

/** `root` + [patchPolicy, targets, 0] → `root.patchPolicy.targets[0]`. */
export function joinPath(root: string, path: readonly PropertyKey[]): string {
    let out = root;
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" || out.endsWith(":") ? String(part) : `.${String(part)}`;
    }
    return out;
}

/** `a.b[0].c` → [a, b, 0, c]; the inverse of joinPath for ValidationError paths. */
export function splitPath(path: string): (string | number)[] {
    const parts: (string | number)[] = [];
    for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
        parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    }
    return parts;
}

function show(value: unknown): string {
    return typeof value === "string" ? `"${value}"` : value === undefined ? "undefined" : JSON.stringify(value);
}

/**
 * The one error type of the project's validation: it names the input that is wrong (an argument
 * path such as `approvalRules[0].approveAfterDays` or a stack config key such as
 * `ssm-patching:patchPolicy.maxErrors`) and says what is allowed.
 */
export class ValidationError extends Error {
    constructor(
        /** The argument or config path at fault. */
        public readonly path: string,
        /** What is wrong and what is allowed, without the path. */
        public readonly reason: string,
    ) {
        super(`${path}: ${reason}`);
        this.name = "ValidationError";
    }

    /** The same error re-rooted under a prefix, e.g. `baseline` + `name` → `baseline.name`. */
    under(prefix: string): ValidationError {
        const joined = this.path === "" ? prefix
            : this.path.startsWith("[") || this.path.startsWith(".") ? `${prefix}${this.path}`
            : `${prefix}.${this.path}`;
        return new ValidationError(joined, this.reason);
    }
}

/** Runs `fn`, re-rooting any ValidationError it throws under `prefix`. */
export function within<T>(prefix: string, fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        if (err instanceof ValidationError) {
            throw err.under(prefix);
        }
        throw err;
    }
}

/** Throws a ValidationError at `path` unless `ok`. */
export function check(ok: boolean, path: string, reason: string): asserts ok {
    if (!ok) {
        throw new ValidationError(path, reason);
    }
}

/** Shows a user's value in an error message. */
export function show(value: unknown): string {
    return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

declare const resolvedBrand: unique symbol;
/**
 * Arguments a component's resolver has validated and completed with defaults. A component given
 * them (the stack config passes them so) uses them as they are: every value is checked and
 * defaulted once. Only the resolvers make them.
 */
export type Resolved<T> = T & { readonly [resolvedBrand]: true };

/** Marks the result of a resolver. */
export function resolved<T>(value: T): Resolved<T> {
    return value as Resolved<T>;
}

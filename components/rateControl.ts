import { check, show } from "./errors";

/** The shapes SSM accepts for MaxConcurrency: a count from 1, or a percentage from 1% to 100%. */
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
/** The shapes SSM accepts for MaxErrors: a count from 0, or a percentage from 0% to 100%. */
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** Rate control of a Run Command, association or maintenance-window task. */
export interface RateControl {
    /** How many targets run at once: a count ("1") or a percentage ("50%"). */
    maxConcurrency: string;
    /** How many errors stop the run: a count ("0", "1") or a percentage ("50%"). N stops on the (N+1)th. */
    maxErrors: string;
}

/** Checks SSM's MaxConcurrency and MaxErrors syntax; `path` names the object holding them ("" for top-level arguments). */
export function validateRateControl(rate: RateControl, path: string): void {
    const at = (key: string) => (path ? `${path}.${key}` : key);
    check(
        typeof rate.maxConcurrency === "string" && MAX_CONCURRENCY.test(rate.maxConcurrency),
        at("maxConcurrency"),
        `must be a count from 1 or a percentage from 1% to 100% (for example "1" or "50%"); got ${show(rate.maxConcurrency)}`,
    );
    check(
        typeof rate.maxErrors === "string" && MAX_ERRORS.test(rate.maxErrors),
        at("maxErrors"),
        `must be a count from 0 or a percentage from 0% to 100% (for example "1" or "50%"); got ${show(rate.maxErrors)}`,
    );
}

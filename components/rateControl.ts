import { maxConcurrencyProblem, maxErrorsProblem } from "../lib/aws";
import { check } from "./errors";

/** Rate control of a Run Command, association or maintenance-window task. */
export interface RateControl {
    /** How many targets run at once: a count ("1") or a percentage ("50%"). */
    maxConcurrency: string;
    /** How many errors SSM tolerates before it stops the run: "0" stops at the first error, "1" at the second, or a percentage ("50%"). */
    maxErrors: string;
}

/** Checks SSM's MaxConcurrency and MaxErrors rules (lib/aws/rateControl.ts); `path` names the object holding them ("" for top-level arguments). */
export function validateRateControl(rate: RateControl, path: string): void {
    const at = (key: string) => (path ? `${path}.${key}` : key);
    const concurrency = maxConcurrencyProblem(rate.maxConcurrency);
    check(concurrency === undefined, at("maxConcurrency"), concurrency ?? "");
    const errors = maxErrorsProblem(rate.maxErrors);
    check(errors === undefined, at("maxErrors"), errors ?? "");
}

import { check, show, ValidationError } from "./errors";

/**
 * Schedule expressions as Systems Manager reads them. Associations and maintenance windows share
 * the syntax but not the limits:
 * - associations: cron with 5 or 6 fields and no month (the month field, and a year if given,
 *   must be `*`), or rate from 30 minutes to under 31 days;
 * - maintenance windows: any AWS cron (6 fields) or rate, and `at(...)` for a single run.
 * In every AWS cron exactly one of day-of-month and day-of-week is `?`.
 */
export type Schedule =
    | { kind: "cron"; fields: string[] }
    | { kind: "rate"; value: number; unit: "minutes" | "hours" | "days" }
    | { kind: "at"; timestamp: string };

const CRON = /^cron\((.*)\)$/;
const RATE = /^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

const FIELD_NAMES = ["minutes", "hours", "day-of-month", "month", "day-of-week", "year"];
const MINUTES = /^(\*|[0-5]?[0-9]([,-][0-5]?[0-9])*|([0-5]?[0-9]|\*)\/[1-9][0-9]?)$/;
const HOURS = /^(\*|(1?[0-9]|2[0-3])([,-](1?[0-9]|2[0-3]))*|((1?[0-9]|2[0-3])|\*)\/[1-9][0-9]?)$/;
const DAY_OF_MONTH = /^(\?|\*|L|([1-9]|[12][0-9]|3[01])W?([,-]([1-9]|[12][0-9]|3[01]))*|([1-9]|[12][0-9]|3[01])\/[1-9][0-9]?)$/;
const DAY = "(SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])";
const DAY_OF_WEEK = new RegExp(`^(\\?|\\*|${DAY}(L|#[1-5])?|${DAY}([,-]${DAY})*)$`, "i");
const MONTH_NAME = "(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|[1-9]|1[0-2])";
const MONTH = new RegExp(`^(\\*|${MONTH_NAME}([,-]${MONTH_NAME})*|${MONTH_NAME}/[1-9][0-9]?)$`, "i");
const YEAR = /^(\*|(19[7-9][0-9]|2[01][0-9]{2})([,-](19[7-9][0-9]|2[01][0-9]{2}))*)$/;

/** Parses a schedule expression; throws a ValidationError at `path` if it is not one. */
export function parseSchedule(expression: string, path: string): Schedule {
    check(typeof expression === "string" && expression.length > 0, path, "must be a schedule expression such as cron(30 23 ? * SAT *) or rate(1 day)");
    const cron = CRON.exec(expression);
    if (cron) {
        return { kind: "cron", fields: cron[1].trim().split(/\s+/) };
    }
    const rate = RATE.exec(expression);
    if (rate) {
        const unit = rate[2].endsWith("s") ? rate[2] : `${rate[2]}s`;
        return { kind: "rate", value: Number(rate[1]), unit: unit as "minutes" | "hours" | "days" };
    }
    const at = AT.exec(expression);
    if (at) {
        return { kind: "at", timestamp: at[1] };
    }
    throw new ValidationError(path, `must be cron(...), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss); got ${show(expression)}`);
}

function checkCronFields(fields: string[], path: string, expression: string): void {
    const patterns = [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR];
    fields.forEach((field, i) => {
        check(patterns[i].test(field), path, `${FIELD_NAMES[i]} field ${show(field)} is not valid in ${show(expression)}`);
    });
    const dom = fields[2];
    const dow = fields[4];
    check(
        (dom === "?") !== (dow === "?"),
        path,
        `exactly one of day-of-month and day-of-week must be "?" in ${show(expression)} (for example cron(30 23 ? * SAT *))`,
    );
}

/** Minutes in a rate schedule. */
function rateMinutes(s: { value: number; unit: "minutes" | "hours" | "days" }): number {
    return s.value * (s.unit === "minutes" ? 1 : s.unit === "hours" ? 60 : 1440);
}

/** Validates a State Manager association schedule. Returns the parsed schedule. */
export function validateAssociationSchedule(expression: string, path: string): Schedule {
    const s = parseSchedule(expression, path);
    if (s.kind === "cron") {
        check(
            s.fields.length === 5 || s.fields.length === 6,
            path,
            `an association cron has 5 or 6 fields (minutes hours day-of-month month day-of-week [year]); got ${s.fields.length} in ${show(expression)}`,
        );
        checkCronFields(s.fields, path, expression);
        check(s.fields[3] === "*", path, `associations do not support a month: the month field must be "*" in ${show(expression)}`);
        check(s.fields.length === 5 || s.fields[5] === "*", path, `associations do not support a year: the year field must be "*" in ${show(expression)}`);
    } else if (s.kind === "rate") {
        const minutes = rateMinutes(s);
        check(
            minutes >= 30 && minutes < 31 * 1440,
            path,
            `an association rate must be at least 30 minutes and under 31 days; got ${show(expression)}`,
        );
    }
    return s;
}

/** Validates a maintenance-window schedule (any 6-field AWS cron, rate, or at). */
export function validateWindowSchedule(expression: string, path: string): Schedule {
    const s = parseSchedule(expression, path);
    if (s.kind === "cron") {
        check(
            s.fields.length === 6,
            path,
            `a maintenance-window cron has 6 fields (minutes hours day-of-month month day-of-week year); got ${s.fields.length} in ${show(expression)}`,
        );
        checkCronFields(s.fields, path, expression);
    }
    return s;
}

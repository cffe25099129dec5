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
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Each field's range, names (1-based) and the extras AWS allows in it. */
const FIELDS: { min: number; max: number; names?: string[] }[] = [
    { min: 0, max: 59 },
    { min: 0, max: 23 },
    { min: 1, max: 31 },
    { min: 1, max: 12, names: MONTHS },
    { min: 1, max: 7, names: DAYS },
    { min: 1970, max: 2199 },
];

/** A field value: a number in range, or (month, day-of-week) a name. Returns undefined if neither. */
function fieldValue(text: string, i: number): number | undefined {
    const f = FIELDS[i];
    const named = f.names?.indexOf(text.toUpperCase()) ?? -1;
    if (named >= 0) return named + 1;
    if (!/^\d{1,4}$/.test(text)) return undefined;
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : undefined;
}

/** Whether one comma-separated part of field `i` is valid AWS cron syntax. */
function validPart(part: string, i: number): boolean {
    if (i === 2 && /^(L|LW|([1-9]|[12][0-9]|3[01])W)$/.test(part)) return true; // last day, last weekday, nearest weekday
    if (i === 4) {
        if (part.toUpperCase() === "L") return true; // last day of the week
        const m = /^(.+?)(L|#([1-5]))$/i.exec(part);
        if (m) return fieldValue(m[1], 4) !== undefined; // last <day> of the month, <day>#<n>
    }
    const [base, step, extra] = part.split("/");
    if (extra !== undefined) return false;
    if (step !== undefined && !(/^[1-9][0-9]*$/.test(step) && Number(step) <= FIELDS[i].max)) return false;
    if (base === "*") return true;
    const bounds = base.split("-");
    if (bounds.length > 2) return false;
    const values = bounds.map((b) => fieldValue(b, i));
    return values.every((v) => v !== undefined);
}

/** The minutes of the hour a minutes field selects. */
function minutesOf(field: string): number[] {
    const minutes = new Set<number>();
    for (const part of field.split(",")) {
        const [base, step] = part.split("/");
        const by = step === undefined ? 1 : Number(step);
        const [from, to] = base === "*" ? [0, 59] : base.includes("-") ? base.split("-").map(Number) : [Number(base), step === undefined ? Number(base) : 59];
        for (let m = from; m <= to; m += by) minutes.add(m);
    }
    return [...minutes].sort((a, b) => a - b);
}

/** Parses a schedule expression; throws a ValidationError at `path` if it is not one. */
export function parseSchedule(expression: string, path: string): Schedule {
    check(typeof expression === "string" && expression.length > 0, path, "must be a schedule expression such as cron(30 23 ? * SAT *) or rate(1 day)");
    const cron = CRON.exec(expression);
    if (cron) {
        return { kind: "cron", fields: cron[1].trim().split(/\s+/) };
    }
    const rate = RATE.exec(expression);
    if (rate) {
        const value = Number(rate[1]);
        const plural = rate[2].endsWith("s");
        check(plural === (value !== 1), path, `use "${value} ${rate[2].replace(/s$/, "")}${value === 1 ? "" : "s"}": the unit is singular for 1 and plural otherwise; got ${show(expression)}`);
        const unit = plural ? rate[2] : `${rate[2]}s`;
        return { kind: "rate", value, unit: unit as "minutes" | "hours" | "days" };
    }
    const at = AT.exec(expression);
    if (at) {
        return { kind: "at", timestamp: at[1] };
    }
    throw new ValidationError(path, `must be cron(...), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss); got ${show(expression)}`);
}

function checkCronFields(fields: string[], path: string, expression: string): void {
    fields.forEach((field, i) => {
        const ok = field === "?" ? i === 2 || i === 4 : field.split(",").every((part) => validPart(part, i));
        check(ok, path, `${FIELD_NAMES[i]} field ${show(field)} is not valid in ${show(expression)}`);
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
        const minutes = minutesOf(s.fields[0]);
        const gaps = minutes.map((m, i) => (i + 1 < minutes.length ? minutes[i + 1] - m : 60 - m + minutes[0]));
        check(
            minutes.length === 1 || Math.min(...gaps) >= 30,
            path,
            `an association runs at most every 30 minutes; ${show(expression)} runs ${minutes.length} times an hour`,
        );
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

import { strict as assert } from "assert";
import { parseSchedule, validateAssociationSchedule, validateWindowSchedule, ValidationError } from "../../components";

describe("schedules", () => {
    it("parses the reference install cron into six fields", () => {
        const s = parseSchedule("cron(30 23 ? * SAT *)", "installSchedule");
        assert.deepEqual(s, { kind: "cron", fields: ["30", "23", "?", "*", "SAT", "*"] });
    });

    it("parses rate expressions with singular and plural units", () => {
        assert.deepEqual(parseSchedule("rate(1 day)", "s"), { kind: "rate", value: 1, unit: "days" });
        assert.deepEqual(parseSchedule("rate(30 minutes)", "s"), { kind: "rate", value: 30, unit: "minutes" });
    });

    const associationOk = [
        "cron(30 23 ? * SAT *)", "cron(0 1 * * ? *)", "cron(0 2 ? * SUN)", "cron(0 0 ? * THU#2 *)", "cron(0/30 * * * ? *)",
        "cron(15,45 * * * ? *)", "cron(0 8-17/2 ? * MON-FRI *)", "cron(0 2 L * ? *)", "cron(0 2 LW * ? *)", "cron(0 2 ? * 6L *)",
        "cron(0 2 */2 * ? *)", "rate(30 minutes)", "rate(30 days)", "rate(12 hours)", "rate(1 day)",
    ];
    for (const expr of associationOk) {
        it(`accepts ${expr} for an association`, () => {
            assert.doesNotThrow(() => validateAssociationSchedule(expr, "scanSchedule"));
        });
    }

    const associationBad: [string, RegExp][] = [
        ["rate(29 minutes)", /at least 30 minutes/],
        ["rate(31 days)", /under 31 days/],
        ["cron(0 1 * JAN ? *)", /month/],
        ["cron(0 1 * * ? 2027)", /year/],
        ["cron(0 1 * * * *)", /exactly one of day-of-month and day-of-week/],
        ["cron(0 1 ? * ? *)", /exactly one of day-of-month and day-of-week/],
        ["cron(61 1 * * ? *)", /minutes field/],
        ["cron(0 25 * * ? *)", /hours field/],
        ["cron(0 1 ? * FUNDAY *)", /day-of-week field/],
        ["cron(0 1 * *)", /5 or 6 fields/],
        ["every saturday", /must be cron/],
        ["cron(0/15 * * * ? *)", /at most every 30 minutes/],
        ["cron(*/5 * * * ? *)", /at most every 30 minutes/],
        ["cron(0,20 * * * ? *)", /at most every 30 minutes/],
        ["cron(0 2 15W-20 * ? *)", /day-of-month field/],
        ["cron(0 2 ? * SUN#6 *)", /day-of-week field/],
        ["cron(0 2/0 * * ? *)", /hours field/],
        ["rate(1 hours)", /singular for 1/],
        ["rate(5 hour)", /plural otherwise/],
    ];
    for (const [expr, reason] of associationBad) {
        it(`refuses ${expr} for an association, naming the key`, () => {
            assert.throws(() => validateAssociationSchedule(expr, "installSchedule"), (err: Error) => {
                assert.ok(err instanceof ValidationError);
                assert.equal(err.path, "installSchedule");
                assert.match(err.message, reason);
                return true;
            });
        });
    }

    it("lets a maintenance window use a month and a year", () => {
        assert.doesNotThrow(() => validateWindowSchedule("cron(0 2 ? JAN,JUL SUN#1 2027)", "schedule"));
    });

    it("requires six fields in a maintenance-window cron", () => {
        assert.throws(() => validateWindowSchedule("cron(0 2 ? * SUN)", "schedule"), /6 fields/);
    });

    it("accepts at() for a one-off window", () => {
        assert.equal(validateWindowSchedule("at(2027-01-02T03:04:05)", "schedule").kind, "at");
    });
});

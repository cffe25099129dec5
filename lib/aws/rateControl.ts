/**
 * Rate control of Run Command, State Manager associations and maintenance window tasks. SendCommand,
 * CreateAssociation and RegisterTaskWithMaintenanceWindow take MaxConcurrency and MaxErrors as
 * strings of 1-7 characters: a count or a percentage
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html):
 * - MaxConcurrency `^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`: at least one target at a time;
 * - MaxErrors `^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`. SSM stops sending the command once the
 *   errors exceed the value: "0" stops after the first error, "1" after the second
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html#send-commands-maxerrors).
 */

const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
/** The APIs' length limit of both values. */
export const RATE_CONTROL_MAX_LENGTH = 7;

/** Why `value` is not a valid MaxConcurrency, or undefined. */
export function maxConcurrencyProblem(value: unknown): string | undefined {
    return typeof value === "string" && value.length <= RATE_CONTROL_MAX_LENGTH && MAX_CONCURRENCY.test(value)
        ? undefined
        : `must be a count from 1 or a percentage from 1% to 100%, at most ${RATE_CONTROL_MAX_LENGTH} characters (for example "1" or "50%"); got ${JSON.stringify(value)}`;
}

/** Why `value` is not a valid MaxErrors, or undefined. */
export function maxErrorsProblem(value: unknown): string | undefined {
    return typeof value === "string" && value.length <= RATE_CONTROL_MAX_LENGTH && MAX_ERRORS.test(value)
        ? undefined
        : `must be a count from 0 or a percentage from 0% to 100%, at most ${RATE_CONTROL_MAX_LENGTH} characters (for example "0" to stop at the first error, or "50%"); got ${JSON.stringify(value)}`;
}

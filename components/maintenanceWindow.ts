import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { PATCH_DOCUMENT } from "../lib/aws";
import { check, Resolved, resolved, show } from "./errors";
import { RateControl, validateRateControl } from "./rateControl";
import { validateWindowSchedule } from "./schedule";
import { buildTargets, describeTargets, SsmTarget, TargetArgs } from "./targets";

export type RebootOption = "RebootIfNeeded" | "NoReboot";
export type PatchOperation = "Scan" | "Install";

/** One AWS-RunPatchBaseline task of a window. */
export interface PatchTaskArgs {
    /** Reboot after installing when a patch needs it (RebootIfNeeded) or never (NoReboot). Defaults to RebootIfNeeded for Install; Scan never reboots. */
    rebootOption?: RebootOption;
    /** Nodes patched at once, a count or a percentage. Defaults to "1". */
    maxConcurrency?: string;
    /** Errors SSM tolerates before it stops the task, a count or a percentage: "0" stops at the first error, "1" at the second. Defaults to "1", the reference workflow's error threshold. */
    maxErrors?: string;
    /** Task priority in the window, from 0; lower runs first, equal ones run together. Defaults to 1 for Scan and 2 for Install. */
    priority?: number;
    /** Seconds SSM waits for a node to start the command. Defaults to 600. */
    timeoutSeconds?: number;
}

export interface MaintenanceWindowArgs {
    /** Window name, 3-128 characters. Defaults to the component name. */
    windowName?: string;
    /** When the window opens: a 6-field AWS cron, a rate, or at(...). Required, e.g. "cron(0 2 ? * SUN *)". */
    schedule: string;
    /** IANA time zone of the schedule, e.g. "Europe/Berlin". Defaults to UTC. */
    scheduleTimezone?: string;
    /** Days to wait after the cron date before opening, 1-6 (cron schedules only). Defaults to none. */
    scheduleOffset?: number;
    /** Hours the window stays open, 1-24. Defaults to 3. */
    duration?: number;
    /** Hours before the end when no new task starts, 0-23 and below the duration. Defaults to 1. */
    cutoff?: number;
    /** The nodes the window patches, by tags or instance ids (not all managed nodes). Required, e.g. { tags: { Environment: "Production" } }. */
    targets: TargetArgs;
    /** The patch operations the window runs, in priority order. Defaults to ["Scan", "Install"]. */
    operations?: PatchOperation[];
    /** Settings of the Scan task. Defaults as in PatchTaskArgs. */
    scan?: PatchTaskArgs;
    /** Settings of the Install task. Defaults as in PatchTaskArgs (RebootIfNeeded, 1 at a time, error threshold 1: the run stops at the second error). */
    install?: PatchTaskArgs;
    /** Send command output to CloudWatch Logs, in this log group. Defaults to CloudWatch output on, in SSM's default group. */
    cloudWatchLogGroupName?: string;
    /** Also write command output to this S3 bucket. Defaults to no S3 output. */
    outputS3BucketName?: pulumi.Input<string>;
    /** Key prefix of the S3 output. Defaults to "patching/<window name>". */
    outputS3KeyPrefix?: string;
    /** SNS notifications of command status. Defaults to none. */
    notifications?: {
        /** Topic ARN. */
        topicArn: pulumi.Input<string>;
        /** Events: All, InProgress, Success, TimedOut, Cancelled, Failed. Defaults to ["Failed", "TimedOut"]. */
        events?: string[];
        /** Command (one message a command) or Invocation (one a node). Defaults to Command. */
        type?: "Command" | "Invocation";
    };
    /**
     * The role Systems Manager assumes to run the tasks. Defaults to a role this component creates
     * with the AWS managed policy AmazonSSMMaintenanceWindowRole (and sns:Publish on the topic).
     */
    serviceRoleArn?: pulumi.Input<string>;
    /** Tags on the window. Defaults to none. */
    tags?: Record<string, string>;
}

export interface ResolvedTask {
    operation: PatchOperation;
    rebootOption: RebootOption;
    rate: RateControl;
    priority: number;
    timeoutSeconds: number;
}

const NOTIFICATION_EVENTS = ["All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"];

function resolveTask(operation: PatchOperation, t: PatchTaskArgs | undefined, path: string): ResolvedTask {
    const task = t ?? {};
    const rate = { maxConcurrency: task.maxConcurrency ?? "1", maxErrors: task.maxErrors ?? "1" };
    validateRateControl(rate, path);
    const rebootOption = operation === "Scan" ? "NoReboot" : (task.rebootOption ?? "RebootIfNeeded");
    check(["RebootIfNeeded", "NoReboot"].includes(rebootOption), `${path}.rebootOption`, `must be RebootIfNeeded or NoReboot; got ${show(rebootOption)}`);
    const priority = task.priority ?? (operation === "Scan" ? 1 : 2);
    check(Number.isInteger(priority) && priority >= 0, `${path}.priority`, `must be a whole number from 0 (lower runs first); got ${show(priority)}`);
    const timeoutSeconds = task.timeoutSeconds ?? 600;
    check(Number.isInteger(timeoutSeconds) && timeoutSeconds >= 30 && timeoutSeconds <= 2592000, `${path}.timeoutSeconds`, `must be 30 to 2592000 seconds; got ${show(timeoutSeconds)}`);
    return { operation, rebootOption, rate, priority, timeoutSeconds };
}

/** MaintenanceWindow arguments checked and completed with defaults. */
export type ResolvedMaintenanceWindowArgs = Resolved<Omit<MaintenanceWindowArgs, "targets" | "notifications"> & {
    windowName: string;
    duration: number;
    cutoff: number;
    targets: SsmTarget[];
    tasks: ResolvedTask[];
    notifications?: { topicArn: pulumi.Input<string>; events: string[]; type: "Command" | "Invocation" };
}>;

/** Validates MaintenanceWindow arguments and fills in the defaults (`name` is the default window name). */
export function resolveMaintenanceWindowArgs(name: string, args: MaintenanceWindowArgs): ResolvedMaintenanceWindowArgs {
    const windowName = args.windowName ?? name;
    check(typeof windowName === "string" && /^[a-zA-Z0-9_\-.]{3,128}$/.test(windowName), "windowName", `must be 3-128 characters of letters, digits, "_", "-", "."; got ${show(windowName)}`);
    const schedule = validateWindowSchedule(args.schedule, "schedule");
    const duration = args.duration ?? 3;
    check(Number.isInteger(duration) && duration >= 1 && duration <= 24, "duration", `must be a whole number of hours from 1 to 24; got ${show(args.duration)}`);
    const cutoff = args.cutoff ?? 1;
    check(Number.isInteger(cutoff) && cutoff >= 0 && cutoff <= 23, "cutoff", `must be a whole number of hours from 0 to 23; got ${show(args.cutoff)}`);
    check(cutoff < duration, "cutoff", `must be below the duration (${duration} h) so tasks can start; got ${cutoff}`);
    if (args.scheduleOffset !== undefined) {
        check(Number.isInteger(args.scheduleOffset) && args.scheduleOffset >= 1 && args.scheduleOffset <= 6, "scheduleOffset", `must be a whole number of days from 1 to 6; got ${show(args.scheduleOffset)}`);
        check(schedule.kind === "cron", "scheduleOffset", "is only allowed with a cron schedule");
    }
    if (args.scheduleTimezone !== undefined) {
        check(isTimeZone(args.scheduleTimezone), "scheduleTimezone", `must be an IANA time zone such as "Etc/UTC" or "America/New_York"; got ${show(args.scheduleTimezone)}`);
    }
    check(!args.targets?.allManagedNodes, "targets.allManagedNodes", "maintenance windows cannot target all managed nodes (InstanceIds=* is for State Manager); use a tag or instance ids");
    const targets: SsmTarget[] = buildTargets(args.targets, "targets");
    const operations = args.operations ?? ["Scan", "Install"];
    check(
        Array.isArray(operations) && operations.length > 0 && operations.every((o) => o === "Scan" || o === "Install") && new Set(operations).size === operations.length,
        "operations",
        `must list Scan and/or Install once each; got ${show(operations)}`,
    );
    const tasks = operations.map((op) => resolveTask(op, op === "Scan" ? args.scan : args.install, op === "Scan" ? "scan" : "install"));
    let notifications: ResolvedMaintenanceWindowArgs["notifications"];
    if (args.notifications) {
        const events = args.notifications.events ?? ["Failed", "TimedOut"];
        events.forEach((e, i) => check(NOTIFICATION_EVENTS.includes(e), `notifications.events[${i}]`, `must be one of ${NOTIFICATION_EVENTS.join(", ")}; got ${show(e)}`));
        const type = args.notifications.type ?? "Command";
        check(type === "Command" || type === "Invocation", "notifications.type", `must be Command or Invocation; got ${show(type)}`);
        notifications = { topicArn: args.notifications.topicArn, events, type };
    }
    return resolved({ ...args, windowName, duration, cutoff, targets, tasks, notifications });
}

function isTimeZone(tz: string): boolean {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
    } catch {
        return false;
    }
}

/**
 * A maintenance window that runs AWS-RunPatchBaseline on its targets: a scan and/or an install
 * task, with rate control, output to CloudWatch (and optionally S3) and SNS notifications.
 */
export class MaintenanceWindow extends pulumi.ComponentResource {
    /** Window id (mw-...). */
    public readonly windowId: pulumi.Output<string>;
    /** Window name. */
    public readonly windowName: string;
    /** The window target's id. */
    public readonly targetId: pulumi.Output<string>;
    /** Task ids by operation. */
    public readonly taskIds: Record<string, pulumi.Output<string>>;
    /** The role the tasks run as. */
    public readonly serviceRoleArn: pulumi.Output<string>;

    constructor(name: string, args: MaintenanceWindowArgs | { resolved: ResolvedMaintenanceWindowArgs }, opts: pulumi.ComponentResourceOptions = {}) {
        super("patching:ssm:MaintenanceWindow", name, {}, opts);
        const w = "resolved" in args ? args.resolved : resolveMaintenanceWindowArgs(name, args);

        const window = new aws.ssm.MaintenanceWindow(name, {
            name: w.windowName,
            description: `Patch ${describeTargets(w.targets)} with AWS-RunPatchBaseline (${w.tasks.map((t) => t.operation).join(", ")})`,
            schedule: w.schedule,
            scheduleTimezone: w.scheduleTimezone,
            scheduleOffset: w.scheduleOffset,
            duration: w.duration,
            cutoff: w.cutoff,
            allowUnassociatedTargets: false,
            tags: w.tags,
        }, { parent: this });

        const target = new aws.ssm.MaintenanceWindowTarget(`${name}-targets`, {
            windowId: window.id,
            name: `${w.windowName}-targets`.slice(0, 128),
            resourceType: "INSTANCE",
            targets: w.targets,
        }, { parent: window });

        const serviceRoleArn = w.serviceRoleArn !== undefined
            ? pulumi.output(w.serviceRoleArn)
            : this.createServiceRole(name, w.notifications?.topicArn, window);

        this.taskIds = {};
        for (const task of w.tasks) {
            const parameters = [
                { name: "Operation", values: [task.operation] },
                { name: "RebootOption", values: [task.rebootOption] },
            ];
            const created = new aws.ssm.MaintenanceWindowTask(`${name}-${task.operation.toLowerCase()}`, {
                windowId: window.id,
                name: `${task.operation}Patches`,
                description: `AWS-RunPatchBaseline Operation=${task.operation}`,
                taskType: "RUN_COMMAND",
                taskArn: PATCH_DOCUMENT,
                priority: task.priority,
                maxConcurrency: task.rate.maxConcurrency,
                maxErrors: task.rate.maxErrors,
                serviceRoleArn,
                targets: [{ key: "WindowTargetIds", values: [target.id] }],
                taskInvocationParameters: {
                    runCommandParameters: {
                        documentVersion: "$DEFAULT",
                        timeoutSeconds: task.timeoutSeconds,
                        parameters,
                        cloudwatchConfig: {
                            cloudwatchOutputEnabled: true,
                            cloudwatchLogGroupName: w.cloudWatchLogGroupName,
                        },
                        outputS3Bucket: w.outputS3BucketName,
                        outputS3KeyPrefix: w.outputS3BucketName ? (w.outputS3KeyPrefix ?? `patching/${w.windowName}`) : undefined,
                        serviceRoleArn: w.notifications ? serviceRoleArn : undefined,
                        notificationConfig: w.notifications ? {
                            notificationArn: w.notifications.topicArn,
                            notificationEvents: w.notifications.events,
                            notificationType: w.notifications.type,
                        } : undefined,
                    },
                },
            }, { parent: window });
            this.taskIds[task.operation] = created.id;
        }

        this.windowId = window.id;
        this.windowName = w.windowName;
        this.targetId = target.id;
        this.serviceRoleArn = serviceRoleArn;
        this.registerOutputs({ windowId: this.windowId, windowName: this.windowName, targetId: this.targetId, taskIds: this.taskIds, serviceRoleArn });
    }

    private createServiceRole(name: string, topicArn: pulumi.Input<string> | undefined, parent: pulumi.Resource): pulumi.Output<string> {
        const partition = aws.getPartitionOutput({}, { parent }).partition;
        const role = new aws.iam.Role(`${name}-role`, {
            description: "Runs the patching tasks of a maintenance window",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, { parent });
        new aws.iam.RolePolicyAttachment(`${name}-role-mw`, {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole`,
        }, { parent: role });
        if (topicArn !== undefined) {
            new aws.iam.RolePolicy(`${name}-role-sns`, {
                role: role.name,
                policy: pulumi.output(topicArn).apply((arn) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: arn }],
                })),
            }, { parent: role });
        }
        return role.arn;
    }
}

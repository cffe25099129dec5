/**
 * Run Command plumbing shared by scan, install and watch: SendCommand of AWS-RunPatchBaseline,
 * waiting on the commands (one ListCommands call per unfinished command per poll), then one
 * paginated ListCommandInvocations with Details per command (ceil(N/50) calls for N nodes) to read
 * every node's status and patch plugin output, and the patch states the run left behind
 * (DescribeInstancePatchStates, ceil(N/50) calls, overlapping the invocation pages): the patch
 * counts come from there, not from the plugin output.
 */
import { randomBytes } from "node:crypto";
import type { Command, InstancePatchState, SSMClient, Target } from "@aws-sdk/client-ssm";
import { PATCH_DOCUMENT, type PatchPolicyOperation } from "../../lib/aws/patchDocument";
import { sleep } from "../aws/concurrency";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { errorCode } from "../aws/resilience";
import { ssmSdk } from "../aws/sdk";
import { pollUntil, withDeadline, type WaitSettings, type WaitState } from "../aws/wait";
import { describeError, isAbortError } from "../output/errors";
import { byText } from "../output/report";
import { outputDetail, patchPlugin } from "./patchOutput";
import { patchStateFetcher } from "./patchStates";
import { sendCommandTargets, type TargetSpec } from "./targets";

/**
 * A patch state that ended up to this long before the command was requested still counts as this
 * run's (clocks of the node and of the service may differ slightly).
 */
export const PATCH_STATE_CLOCK_SKEW_MS = 60_000;

/** AWS-RunPatchBaseline's Operation. */
export type PatchOperation = PatchPolicyOperation;
export type RebootOption = "RebootIfNeeded" | "NoReboot";

export interface SendInput {
    operation: PatchOperation;
    targets: TargetSpec;
    /** SendCommand MaxConcurrency, e.g. "1" or "50%". */
    maxConcurrency: string;
    /** SendCommand MaxErrors, e.g. "1" or "10%". */
    maxErrors: string;
    /** Install only. */
    rebootOption?: RebootOption;
    comment?: string;
}

export interface CommandInfo {
    commandId: string;
    operation?: PatchOperation;
    status: string;
    statusDetails?: string;
    targetCount: number;
    completedCount: number;
    errorCount: number;
    deliveryTimedOutCount: number;
    requestedAt?: Date;
    /** The instance ids this command was sent to (--instance-ids batches); undefined with tag targets. */
    instanceIds?: string[];
    /** Found again by its Comment marker after SendCommand got no answer. */
    recovered?: boolean;
}

export interface InvocationInfo {
    commandId: string;
    instanceId: string;
    instanceName?: string;
    status: string;
    statusDetails?: string;
    requestedAt?: Date;
    plugin?: string;
    responseCode?: number;
    /** One line from the plugin output (secondary information; see patchOutput.ts). */
    detail: string;
    /**
     * The node's patch state (DescribeInstancePatchStates) when it was reported by this run, i.e.
     * ended after the command was requested: the source of the patch counts. Undefined when the
     * invocation has not ended, or the node reported no patch state since (e.g. it failed first).
     */
    patchState?: InstancePatchState;
    output?: string;
}

/** "failed": a call failed for good after the commands were sent; they are still listed. */
export type RunState = "sent" | WaitState | "failed";

export interface RunResult {
    state: RunState;
    commands: CommandInfo[];
    invocations: InvocationInfo[];
    /** Why the patch states could not be read; the invocations are still listed, without counts. */
    patchStatesError?: unknown;
    /** With state "failed" (or "timeout" when reading stalled): the call that failed after sending. */
    error?: unknown;
    /** A SendCommand batch that failed after others were sent: the nodes not sent the command. */
    sendFailure?: SendFailure;
}

/** Command statuses after which nothing changes any more. */
export const TERMINAL_COMMAND_STATUSES = new Set(["Success", "Cancelled", "Failed", "TimedOut"]);
/** Invocation statuses that may still change. */
export const RUNNING_INVOCATION_STATUSES = new Set(["Pending", "InProgress", "Delayed", "Cancelling"]);

/** A batch of a send that went wrong: what it targeted and why. */
export interface SendFailure {
    error: unknown;
    /** Instance ids whose batch was not sent (this batch and the ones after it); empty with tag targets. */
    unsentInstanceIds: string[];
    /**
     * Set when SendCommand got no answer (connection reset, timeout, 5xx, unreadable response, Ctrl-C)
     * and no command carrying this marker in its Comment was found: the command may be running.
     */
    uncertainMarker?: string;
}

/** What sendPatchCommands did: the commands AWS accepted, and the failure that stopped it, if any. */
export interface SendResult {
    commands: CommandInfo[];
    failure?: SendFailure;
}

/** SendCommand attempts when AWS answers with throttling (a refused request: sending again is safe). */
export const SEND_THROTTLE_ATTEMPTS = 5;
/** ListCommands look-ups for the marker of a SendCommand that got no answer, and the pause before each next one. */
export const MARKER_LOOKUPS = 3;
export const MARKER_LOOKUP_DELAY_MS = 1_000;

/** Error codes that mean the request never reached AWS: nothing can have been accepted. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function httpStatus(error: unknown): number | undefined {
    return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isThrottling(error: unknown): boolean {
    const name = (error as { name?: string } | undefined)?.name ?? "";
    return httpStatus(error) === 400 && /Throttl|TooManyRequests|RequestLimitExceeded/.test(name);
}

/**
 * Whether a failed SendCommand may still have been accepted. AWS answered with a 4xx error: it was
 * refused, nothing runs. The request never left (connection refused, unknown host): nothing runs.
 * Anything else (connection reset, timeout, a 5xx, a response that could not be read, an abort
 * while in flight) is ambiguous: SendCommand has no client token
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html: no
 * ClientToken parameter, unlike StartAutomationExecution), so sending again could start a second
 * command on every node.
 */
export function sendMayHaveBeenAccepted(error: unknown): boolean {
    const status = httpStatus(error);
    if (status !== undefined && status >= 400 && status < 500) {
        return false;
    }
    const code = errorCode(error);
    return !(code !== undefined && NOT_SENT_CODES.has(code));
}

/** A unique tag for one SendCommand, carried in its Comment so the command can be found again. */
export function newMarker(): string {
    return `pc-${randomBytes(6).toString("hex")}`;
}

/** Removes the SDK's retry from one command: SendCommand must be sent at most once per batch. */
function withoutSdkRetry<C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(command: C): C {
    // A middleware of the command's own stack replaces the client's one of the same name
    // (`override`), for this command only.
    (command.middlewareStack as unknown as { add(mw: unknown, options: Record<string, unknown>): void }).add(
        (next: (args: unknown) => Promise<unknown>) => (args: unknown) => next(args),
        { step: "finalizeRequest", priority: "high", name: "retryMiddleware", tags: ["RETRY"], override: true },
    );
    return command;
}

/**
 * Looks for the command a SendCommand without an answer may have created, by the marker in its
 * Comment (ListCommands since shortly before it was sent, AWS-RunPatchBaseline only; paged and
 * capped). A few tries, a second apart: a fresh command may take a moment to be listed.
 */
export async function findCommandByMarker(ssm: SSMClient, marker: string, since: Date, signal?: AbortSignal): Promise<CommandInfo | undefined> {
    const { paginateListCommands } = await ssmSdk();
    for (let attempt = 0; attempt < MARKER_LOOKUPS; attempt++) {
        if (attempt > 0) {
            await sleep(MARKER_LOOKUP_DELAY_MS * attempt, signal);
        }
        try {
            const pages = paginateListCommands(
                { client: ssm, pageSize: PAGE_SIZE.ListCommands },
                {
                    Filters: [
                        { key: "InvokedAfter", value: new Date(since.getTime() - PATCH_STATE_CLOCK_SKEW_MS).toISOString() },
                        { key: "DocumentName", value: PATCH_DOCUMENT },
                    ],
                },
            );
            const listed = await collectPages(pages, (page) => page.Commands, { operation: "ListCommands", maxPages: 20 });
            const match = listed.find((c) => (c.Comment ?? "").includes(marker));
            if (match?.CommandId) {
                return commandInfo(match);
            }
        } catch (error) {
            if (isAbortError(error) || signal?.aborted) {
                throw error;
            }
            // try again; after the last try the command counts as not found (and may be running)
        }
    }
    return undefined;
}

/** "tag:Environment=Development" or "50 nodes i-0a...-i-0b...", for the line printed when a command is sent. */
export function describeSendTarget(target: { Targets: Target[] } | { InstanceIds: string[] }): string {
    if ("Targets" in target) {
        return target.Targets.map((t) => `${t.Key}=${(t.Values ?? []).join("|")}`).join(" and ");
    }
    const ids = target.InstanceIds;
    return ids.length === 1 ? ids[0] : `${ids.length} nodes ${ids[0]} .. ${ids[ids.length - 1]}`;
}

/**
 * Sends AWS-RunPatchBaseline: one call with tag Targets, or one call per 50 instance ids, each at
 * most once (see sendMayHaveBeenAccepted). Sequential on purpose: a failure part-way leaves a clear
 * list of what was sent. `onSent` hears of each command the moment AWS accepted it. Throws only
 * when nothing was sent at all and nothing may be running; otherwise returns the commands with the
 * failure that stopped it.
 */
export async function sendPatchCommands(
    ssm: SSMClient,
    input: SendInput,
    options: { signal?: AbortSignal; onSent?: (command: CommandInfo, recovered: boolean) => void } = {},
): Promise<SendResult> {
    const parameters: Record<string, string[]> = { Operation: [input.operation] };
    if (input.operation === "Install") {
        parameters.RebootOption = [input.rebootOption ?? "RebootIfNeeded"];
    }
    const { SendCommandCommand } = await ssmSdk();
    const commands: CommandInfo[] = [];
    const batches = sendCommandTargets(input.targets);
    for (const [index, target] of batches.entries()) {
        const marker = newMarker();
        const comment = `${(input.comment ?? `patchctl ${input.operation.toLowerCase()}`).slice(0, 80)} ${marker}`;
        const since = new Date();
        const unsentFromHere = (): string[] => batches.slice(index).flatMap((b) => ("InstanceIds" in b ? b.InstanceIds : []));
        let response;
        try {
            for (let attempt = 1; ; attempt++) {
                try {
                    response = await ssm.send(
                        withoutSdkRetry(
                            new SendCommandCommand({
                                DocumentName: PATCH_DOCUMENT,
                                Parameters: parameters,
                                MaxConcurrency: input.maxConcurrency,
                                MaxErrors: input.maxErrors,
                                Comment: comment,
                                ...target,
                            }),
                        ),
                        { abortSignal: options.signal },
                    );
                    break;
                } catch (error) {
                    if (isThrottling(error) && attempt < SEND_THROTTLE_ATTEMPTS) {
                        await sleep(Math.floor(Math.random() * 500 * 2 ** attempt), options.signal);
                        continue;
                    }
                    throw error;
                }
            }
        } catch (error) {
            let recovered: CommandInfo | undefined;
            if (sendMayHaveBeenAccepted(error) && !isAbortError(error) && !options.signal?.aborted) {
                recovered = await findCommandByMarker(ssm, marker, since, options.signal).catch(() => undefined);
            }
            if (recovered) {
                recovered.instanceIds = "InstanceIds" in target ? target.InstanceIds : undefined;
                recovered.recovered = true;
                commands.push(recovered);
                options.onSent?.(recovered, true);
                continue;
            }
            const uncertain = sendMayHaveBeenAccepted(error);
            const failure: SendFailure = {
                error: uncertain ? new SendUncertainError(input.operation, describeSendTarget(target), marker, since, error) : error,
                unsentInstanceIds: uncertain ? batches.slice(index + 1).flatMap((b) => ("InstanceIds" in b ? b.InstanceIds : [])) : unsentFromHere(),
                ...(uncertain ? { uncertainMarker: marker } : {}),
            };
            if (commands.length === 0 && !uncertain) {
                throw error;
            }
            if (commands.length === 0) {
                throw new SendUncertainError(input.operation, describeSendTarget(target), marker, since, error);
            }
            return { commands, failure };
        }
        if (!response?.Command?.CommandId) {
            throw new Error("SendCommand returned no command id");
        }
        const info = commandInfo(response.Command);
        info.instanceIds = "InstanceIds" in target ? target.InstanceIds : undefined;
        commands.push(info);
        options.onSent?.(info, false);
    }
    return { commands };
}

/** SendCommand got no answer and its command was not found: it may be running (the message says how to check). */
export class SendUncertainError extends Error {
    constructor(
        readonly operation: string,
        readonly target: string,
        readonly marker: string,
        readonly since: Date,
        readonly cause: unknown,
    ) {
        super(
            `SendCommand (${operation} on ${target}) got no answer (${describeError(cause)}) and no command with '${marker}' in its comment was found: ` +
                `the ${operation} MAY BE RUNNING; patchctl did not send it again. Check with: aws ssm list-commands --filters key=InvokedAfter,value=${new Date(since.getTime() - PATCH_STATE_CLOCK_SKEW_MS).toISOString()} --query "Commands[?contains(Comment,'${marker}')].[CommandId,Status]"`,
        );
        this.name = "SendUncertain";
    }
}

export function commandInfo(command: Command): CommandInfo {
    const operation = command.Parameters?.Operation?.[0];
    return {
        commandId: command.CommandId ?? "",
        operation: operation === "Scan" || operation === "Install" ? operation : undefined,
        status: command.Status ?? "Pending",
        statusDetails: command.StatusDetails,
        targetCount: command.TargetCount ?? 0,
        completedCount: command.CompletedCount ?? 0,
        errorCount: command.ErrorCount ?? 0,
        deliveryTimedOutCount: command.DeliveryTimedOutCount ?? 0,
        requestedAt: command.RequestedDateTime,
    };
}

/** Reads one command's status (one ListCommands call). */
export async function describeCommand(ssm: SSMClient, commandId: string, signal?: AbortSignal): Promise<CommandInfo> {
    const { ListCommandsCommand } = await ssmSdk();
    let response;
    try {
        response = await ssm.send(new ListCommandsCommand({ CommandId: commandId }), { abortSignal: signal });
    } catch (error) {
        if ((error as Error).name === "InvalidCommandId") {
            // AWS's answer carries no message ("UnknownError" once the SDK has read it): say what it means.
            throw Object.assign(new Error(`command ${commandId} was not found in this account and Region (InvalidCommandId): check the id, --region and the account`), {
                name: "InvalidCommandId",
            });
        }
        throw error;
    }
    const command = response.Commands?.find((c) => c.CommandId === commandId);
    if (!command) {
        throw Object.assign(new Error(`command ${commandId} was not found in this account and Region`), { name: "InvalidCommandId" });
    }
    return commandInfo(command);
}

/** Consecutive polls that may fail with a transient error (after the SDK's own retries) before the wait gives up. */
export const MAX_FAILED_POLLS = 3;

/** A failure worth polling through: throttling, a 5xx, a timeout or a network error (not a refusal). */
function isTransient(error: unknown): boolean {
    const status = httpStatus(error);
    return status === undefined || status >= 500 || isThrottling(error);
}

/**
 * Waits until every command reaches a terminal status. Each poll reads only the commands still
 * running; a poll that fails with a transient error is tolerated MAX_FAILED_POLLS times in a row.
 * Never loses a command: it returns the last known state of every command, with state "failed"
 * and the error when a call failed for good.
 */
export async function waitForCommands(
    ssm: SSMClient,
    commands: CommandInfo[],
    wait: WaitSettings,
    delayFirst = true,
): Promise<{ state: WaitState | "failed"; commands: CommandInfo[]; error?: unknown }> {
    const latest = new Map(commands.map((c) => [c.commandId, c]));
    const current = (): CommandInfo[] => commands.map((c) => ({ ...c, ...latest.get(c.commandId), instanceIds: c.instanceIds, recovered: c.recovered }));
    const key = wait.progressKey ?? "";
    const report = (): void => {
        let done = 0;
        let total = 0;
        let failed = 0;
        for (const c of latest.values()) {
            done += c.completedCount;
            total += c.targetCount;
            failed += c.errorCount + c.deliveryTimedOutCount;
        }
        wait.progress?.update(key, done, total, failed);
    };
    if (commands.every((c) => TERMINAL_COMMAND_STATUSES.has(c.status))) {
        report();
        return { state: "done", commands };
    }
    let failedPolls = 0;
    try {
        const result = await pollUntil(
            async () => {
                try {
                    for (const c of latest.values()) {
                        if (!TERMINAL_COMMAND_STATUSES.has(c.status)) {
                            latest.set(c.commandId, await describeCommand(ssm, c.commandId, wait.signal));
                        }
                    }
                    failedPolls = 0;
                } catch (error) {
                    if (isAbortError(error) || !isTransient(error) || ++failedPolls > MAX_FAILED_POLLS) {
                        throw error;
                    }
                    return { done: false, value: undefined };
                }
                report();
                return { done: [...latest.values()].every((c) => TERMINAL_COMMAND_STATUSES.has(c.status)), value: undefined };
            },
            wait,
            delayFirst,
        );
        return { state: result.state, commands: current() };
    } catch (error) {
        return { state: "failed", commands: current(), error };
    }
}

/**
 * Every invocation of a command with its patch plugin's output (ListCommandInvocations, Details, 50
 * a page). `onPage` gets each page as it arrives.
 */
export async function listInvocations(ssm: SSMClient, commandId: string, onPage?: (page: InvocationInfo[]) => void): Promise<InvocationInfo[]> {
    const { paginateListCommandInvocations } = await ssmSdk();
    const pages = paginateListCommandInvocations({ client: ssm, pageSize: PAGE_SIZE.ListCommandInvocations }, { CommandId: commandId, Details: true });
    return collectPages(
        pages,
        (page) =>
            (page.CommandInvocations ?? []).map((invocation): InvocationInfo => {
                const plugin = patchPlugin(invocation);
                const status = invocation.Status ?? "Pending";
                return {
                    commandId,
                    instanceId: invocation.InstanceId ?? "",
                    instanceName: invocation.InstanceName || undefined,
                    status,
                    statusDetails: invocation.StatusDetails,
                    requestedAt: invocation.RequestedDateTime,
                    plugin: plugin?.Name,
                    responseCode: plugin?.ResponseCode,
                    detail: outputDetail(plugin?.Output, status !== "Success" && !RUNNING_INVOCATION_STATUSES.has(status), invocation.StatusDetails ?? ""),
                    output: plugin?.Output,
                };
            }),
        { onPage, operation: "ListCommandInvocations", keyOf: (inv) => inv.instanceId },
    );
}

/** Whether a patch state was reported after `requestedAt` (allowing for clock skew); true when either time is unknown. */
export function reportedSince(state: InstancePatchState, requestedAt: Date | undefined): boolean {
    const ended = state.OperationEndTime?.getTime();
    return ended === undefined || requestedAt === undefined || ended >= requestedAt.getTime() - PATCH_STATE_CLOCK_SKEW_MS;
}

/**
 * Sends AWS-RunPatchBaseline and, unless `shouldWait` is false (--no-wait), runs it to completion:
 * scan and install alike. Whatever fails after a command was accepted, the command is in the result.
 */
export async function runPatchOperation(ssm: SSMClient, input: SendInput, wait: WaitSettings, shouldWait: boolean): Promise<RunResult> {
    const sent = await sendPatchCommands(ssm, input, { signal: wait.signal, onSent: wait.onSent });
    const failure = sent.failure ? { sendFailure: sent.failure } : {};
    if (!shouldWait || wait.signal?.aborted) {
        return { state: wait.signal?.aborted ? "interrupted" : "sent", commands: sent.commands, invocations: [], ...failure };
    }
    return { ...(await runToCompletion(ssm, sent.commands, wait)), ...failure };
}

/** Time the reading of invocations and patch states may take beyond --timeout, when the wait ended in time. */
export const READ_GRACE_MS = 60_000;

/**
 * Waits for the commands, then reads their invocations (also after a timeout: what finished is
 * shown) and the patch states of the nodes whose invocation ended: ceil(N/50)
 * DescribeInstancePatchStates calls for N nodes, sent while later invocation pages load. A failure
 * to read patch states keeps the invocations (without counts) and is returned as patchStatesError.
 * Any other failure, a stall past --timeout (plus READ_GRACE_MS to read) or Ctrl-C keeps the
 * commands (state "failed", "timeout" or "interrupted").
 */
export async function runToCompletion(ssm: SSMClient, commands: CommandInfo[], wait: WaitSettings, delayFirst = true): Promise<RunResult> {
    const startedAt = Date.now();
    const waited = await waitForCommands(ssm, commands, wait, delayFirst);
    if (waited.state === "interrupted" || waited.state === "failed") {
        return { state: waited.state, commands: waited.commands, invocations: [], ...(waited.error !== undefined ? { error: waited.error } : {}) };
    }
    const fetcher = patchStateFetcher(ssm);
    const ended = (inv: InvocationInfo): boolean => !RUNNING_INVOCATION_STATUSES.has(inv.status);
    const invocations: InvocationInfo[] = [];
    const readBudget = Math.max(0, wait.timeoutMs - (Date.now() - startedAt)) + READ_GRACE_MS;
    let patchStatesError: unknown;
    let states = new Map<string, InstancePatchState>();
    try {
        await withDeadline(
            (async () => {
                for (const command of waited.commands) {
                    const listed = await listInvocations(ssm, command.commandId, (page) => fetcher.add(page.filter(ended).map((inv) => inv.instanceId)));
                    invocations.push(...listed.map((inv) => ({ ...inv, requestedAt: inv.requestedAt ?? command.requestedAt })));
                }
                try {
                    states = await fetcher.done();
                } catch (error) {
                    if (isAbortError(error) || wait.signal?.aborted) {
                        throw error;
                    }
                    patchStatesError = error;
                }
            })(),
            readBudget,
            wait.signal,
            `reading the invocations did not end within --timeout plus ${READ_GRACE_MS / 1000} s`,
        );
    } catch (error) {
        if (isAbortError(error) || wait.signal?.aborted) {
            return { state: "interrupted", commands: waited.commands, invocations: [] };
        }
        const isDeadline = (error as Error).name === "DeadlineError";
        return { state: isDeadline ? "timeout" : "failed", commands: waited.commands, invocations: [], error };
    }
    for (const inv of invocations) {
        const state = ended(inv) ? states.get(inv.instanceId) : undefined;
        if (state && reportedSince(state, inv.requestedAt)) {
            inv.patchState = state;
        }
    }
    invocations.sort((a, b) => byText(a.instanceId, b.instanceId));
    return { state: waited.state, commands: waited.commands, invocations, ...(patchStatesError !== undefined ? { patchStatesError } : {}) };
}

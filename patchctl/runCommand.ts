/**
 * Run Command plumbing shared by scan, install and watch: SendCommand of AWS-RunPatchBaseline,
 * waiting on the commands (one ListCommands call per unfinished command per poll), then one
 * paginated ListCommandInvocations with Details per command (ceil(N/50) calls for N nodes) to read
 * every node's status and patch plugin output, and the patch states the run left behind
 * (DescribeInstancePatchStates, ceil(N/50) calls, overlapping the invocation pages): the patch
 * counts come from there, not from the plugin output.
 */
import {
    ListCommandsCommand,
    SendCommandCommand,
    paginateListCommandInvocations,
    type Command,
    type InstancePatchState,
    type SSMClient,
} from "@aws-sdk/client-ssm";
import { outputDetail, patchPlugin } from "./patchOutput";
import { patchStateFetcher } from "./patchStates";
import { sendCommandTargets, type TargetSpec } from "./targets";
import { pollUntil, type WaitSettings, type WaitState } from "./wait";

export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";
/** ListCommandInvocations page size (the API maximum). */
export const INVOCATIONS_PAGE_SIZE = 50;
/**
 * A patch state that ended up to this long before the command was requested still counts as this
 * run's (clocks of the node and of the service may differ slightly).
 */
export const PATCH_STATE_CLOCK_SKEW_MS = 60_000;

export type PatchOperation = "Scan" | "Install";
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

export type RunState = "sent" | WaitState;

export interface RunResult {
    state: RunState;
    commands: CommandInfo[];
    invocations: InvocationInfo[];
    /** Why the patch states could not be read; the invocations are still listed, without counts. */
    patchStatesError?: unknown;
}

/** Command statuses after which nothing changes any more. */
export const TERMINAL_COMMAND_STATUSES = new Set(["Success", "Cancelled", "Failed", "TimedOut"]);
/** Invocation statuses that may still change. */
export const RUNNING_INVOCATION_STATUSES = new Set(["Pending", "InProgress", "Delayed", "Cancelling"]);

/** Sends AWS-RunPatchBaseline: one call with tag Targets, or one call per 50 instance ids. Returns the command ids. */
export async function sendPatchCommands(ssm: SSMClient, input: SendInput): Promise<CommandInfo[]> {
    const parameters: Record<string, string[]> = { Operation: [input.operation] };
    if (input.operation === "Install") {
        parameters.RebootOption = [input.rebootOption ?? "RebootIfNeeded"];
    }
    const commands: CommandInfo[] = [];
    // Sequential on purpose: a failure part-way leaves a clear list of what was sent.
    for (const target of sendCommandTargets(input.targets)) {
        const response = await ssm.send(
            new SendCommandCommand({
                DocumentName: PATCH_DOCUMENT,
                Parameters: parameters,
                MaxConcurrency: input.maxConcurrency,
                MaxErrors: input.maxErrors,
                Comment: (input.comment ?? `patchctl ${input.operation.toLowerCase()}`).slice(0, 100),
                ...target,
            }),
        );
        if (!response.Command?.CommandId) {
            throw new Error("SendCommand returned no command id");
        }
        commands.push(commandInfo(response.Command));
    }
    return commands;
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
    const response = await ssm.send(new ListCommandsCommand({ CommandId: commandId }), { abortSignal: signal });
    const command = response.Commands?.find((c) => c.CommandId === commandId);
    if (!command) {
        throw Object.assign(new Error(`command ${commandId} was not found in this account and Region`), { name: "InvalidCommandId" });
    }
    return commandInfo(command);
}

/**
 * Waits until every command reaches a terminal status. Each poll reads only the commands still
 * running. Returns the last known state of every command.
 */
export async function waitForCommands(
    ssm: SSMClient,
    commands: CommandInfo[],
    wait: WaitSettings,
    delayFirst = true,
): Promise<{ state: WaitState; commands: CommandInfo[] }> {
    const latest = new Map(commands.map((c) => [c.commandId, c]));
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
    const result = await pollUntil(
        async () => {
            for (const c of latest.values()) {
                if (!TERMINAL_COMMAND_STATUSES.has(c.status)) {
                    latest.set(c.commandId, await describeCommand(ssm, c.commandId, wait.signal));
                }
            }
            report();
            return { done: [...latest.values()].every((c) => TERMINAL_COMMAND_STATUSES.has(c.status)), value: undefined };
        },
        wait,
        delayFirst,
    );
    return { state: result.state, commands: commands.map((c) => latest.get(c.commandId) ?? c) };
}

/**
 * Every invocation of a command with its patch plugin's output (ListCommandInvocations, Details, 50
 * a page). `onPage` gets each page as it arrives.
 */
export async function listInvocations(ssm: SSMClient, commandId: string, onPage?: (page: InvocationInfo[]) => void): Promise<InvocationInfo[]> {
    const invocations: InvocationInfo[] = [];
    const pages = paginateListCommandInvocations({ client: ssm, pageSize: INVOCATIONS_PAGE_SIZE }, { CommandId: commandId, Details: true });
    for await (const page of pages) {
        const list: InvocationInfo[] = [];
        for (const invocation of page.CommandInvocations ?? []) {
            const plugin = patchPlugin(invocation);
            const status = invocation.Status ?? "Pending";
            list.push({
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
            });
        }
        invocations.push(...list);
        onPage?.(list);
    }
    return invocations;
}

/** Whether a patch state was reported after `requestedAt` (allowing for clock skew); true when either time is unknown. */
export function reportedSince(state: InstancePatchState, requestedAt: Date | undefined): boolean {
    const ended = state.OperationEndTime?.getTime();
    return ended === undefined || requestedAt === undefined || ended >= requestedAt.getTime() - PATCH_STATE_CLOCK_SKEW_MS;
}

/** Sends AWS-RunPatchBaseline and, unless `shouldWait` is false (--no-wait), runs it to completion: scan and install alike. */
export async function runPatchOperation(ssm: SSMClient, input: SendInput, wait: WaitSettings, shouldWait: boolean): Promise<RunResult> {
    const commands = await sendPatchCommands(ssm, input);
    if (!shouldWait) {
        return { state: "sent", commands, invocations: [] };
    }
    return runToCompletion(ssm, commands, wait);
}

/**
 * Waits for the commands, then reads their invocations (also after a timeout: what finished is
 * shown) and the patch states of the nodes whose invocation ended: ceil(N/50)
 * DescribeInstancePatchStates calls for N nodes, sent while later invocation pages load. A failure
 * to read patch states keeps the invocations (without counts) and is returned as patchStatesError.
 */
export async function runToCompletion(ssm: SSMClient, commands: CommandInfo[], wait: WaitSettings, delayFirst = true): Promise<RunResult> {
    const waited = await waitForCommands(ssm, commands, wait, delayFirst);
    if (waited.state === "interrupted") {
        return { state: "interrupted", commands: waited.commands, invocations: [] };
    }
    const fetcher = patchStateFetcher(ssm);
    const ended = (inv: InvocationInfo): boolean => !RUNNING_INVOCATION_STATUSES.has(inv.status);
    const invocations: InvocationInfo[] = [];
    for (const command of waited.commands) {
        const listed = await listInvocations(ssm, command.commandId, (page) => fetcher.add(page.filter(ended).map((inv) => inv.instanceId)));
        invocations.push(...listed.map((inv) => ({ ...inv, requestedAt: inv.requestedAt ?? command.requestedAt })));
    }
    let patchStatesError: unknown;
    let states = new Map<string, InstancePatchState>();
    try {
        states = await fetcher.done();
    } catch (error) {
        patchStatesError = error;
    }
    for (const inv of invocations) {
        const state = ended(inv) ? states.get(inv.instanceId) : undefined;
        if (state && reportedSince(state, inv.requestedAt)) {
            inv.patchState = state;
        }
    }
    invocations.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    return { state: waited.state, commands: waited.commands, invocations, ...(patchStatesError !== undefined ? { patchStatesError } : {}) };
}

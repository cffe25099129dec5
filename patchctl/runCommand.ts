/**
 * Run Command plumbing shared by scan, install and watch: SendCommand of AWS-RunPatchBaseline,
 * waiting on the commands (one ListCommands call per unfinished command per poll), then one
 * paginated ListCommandInvocations with Details per command (ceil(N/50) calls for N nodes) to read
 * every node's status and patch plugin output.
 */
import {
    ListCommandsCommand,
    SendCommandCommand,
    paginateListCommandInvocations,
    type Command,
    type SSMClient,
} from "@aws-sdk/client-ssm";
import { patchPlugin, parsePatchCounts, summarizeOutput, type PatchCounts } from "./patchOutput";
import { sendCommandTargets, type TargetSpec } from "./targets";
import { pollUntil, type WaitSettings, type WaitState } from "./wait";

export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";
/** ListCommandInvocations page size (the API maximum). */
export const INVOCATIONS_PAGE_SIZE = 50;

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
    plugin?: string;
    responseCode?: number;
    summary: string;
    counts?: PatchCounts;
    output?: string;
}

export type RunState = "sent" | WaitState;

export interface RunResult {
    state: RunState;
    commands: CommandInfo[];
    invocations: InvocationInfo[];
}

/** Command statuses after which nothing changes any more. */
export const TERMINAL_COMMAND_STATUSES = new Set(["Success", "Cancelled", "Failed", "TimedOut"]);

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

/** Every invocation of a command with its patch plugin's output (ListCommandInvocations, Details, 50 a page). */
export async function listInvocations(ssm: SSMClient, commandId: string): Promise<InvocationInfo[]> {
    const invocations: InvocationInfo[] = [];
    const pages = paginateListCommandInvocations({ client: ssm, pageSize: INVOCATIONS_PAGE_SIZE }, { CommandId: commandId, Details: true });
    for await (const page of pages) {
        for (const invocation of page.CommandInvocations ?? []) {
            const plugin = patchPlugin(invocation);
            invocations.push({
                commandId,
                instanceId: invocation.InstanceId ?? "",
                instanceName: invocation.InstanceName || undefined,
                status: invocation.Status ?? "Pending",
                statusDetails: invocation.StatusDetails,
                plugin: plugin?.Name,
                responseCode: plugin?.ResponseCode,
                summary: summarizeOutput(plugin?.Output, invocation.StatusDetails ?? ""),
                counts: parsePatchCounts(plugin?.Output),
                output: plugin?.Output,
            });
        }
    }
    return invocations;
}

/** Waits for the commands, then reads their invocations (also after a timeout: what finished is shown). */
export async function runToCompletion(ssm: SSMClient, commands: CommandInfo[], wait: WaitSettings, delayFirst = true): Promise<RunResult> {
    const waited = await waitForCommands(ssm, commands, wait, delayFirst);
    if (waited.state === "interrupted") {
        return { state: "interrupted", commands: waited.commands, invocations: [] };
    }
    const invocations: InvocationInfo[] = [];
    for (const command of waited.commands) {
        invocations.push(...(await listInvocations(ssm, command.commandId)));
    }
    invocations.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    return { state: waited.state, commands: waited.commands, invocations };
}

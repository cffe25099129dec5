/** `patchctl watch <command-id...>`: resume waiting on commands sent earlier (e.g. after Ctrl-C). */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { describeCommand, runToCompletion, type RunResult } from "../runCommand";
import type { WaitSettings } from "../wait";

export function createWatch(clients: { ssm: SSMClient }) {
    return async function watch(commandIds: string[], wait: WaitSettings): Promise<RunResult> {
        const commands = [];
        for (const id of commandIds) {
            commands.push(await describeCommand(clients.ssm, id, wait.signal));
        }
        // The first poll already happened above: check again only after one interval.
        return runToCompletion(clients.ssm, commands, wait, true);
    };
}

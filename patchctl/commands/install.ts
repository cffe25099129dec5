/**
 * `patchctl install`: AWS-RunPatchBaseline, Operation=Install, with the workflow's safe defaults
 * (1 node at a time, stop after the first error, RebootIfNeeded).
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { listManagedNodes } from "../nodes";
import { runPatchOperation, type RebootOption, type RunResult } from "../runCommand";
import type { TargetSpec } from "../targets";
import type { WaitSettings } from "../wait";

export const INSTALL_DEFAULTS = { maxConcurrency: "1", maxErrors: "1", rebootOption: "RebootIfNeeded" } as const;

export interface InstallInput {
    targets: TargetSpec;
    maxConcurrency: string;
    maxErrors: string;
    rebootOption: RebootOption;
    wait: boolean;
}

/** Maps --reboot to the document's RebootOption. */
export function rebootOption(value: string): RebootOption | undefined {
    switch (value) {
        case "if-needed":
            return "RebootIfNeeded";
        case "never":
            return "NoReboot";
        default:
            return undefined;
    }
}

export function createInstall(clients: { ssm: SSMClient }) {
    return {
        /** How many managed nodes the targets select (for the confirmation prompt). */
        async countNodes(targets: TargetSpec): Promise<number> {
            return targets.kind === "instances" ? targets.instanceIds.length : (await listManagedNodes(clients.ssm, targets)).length;
        },

        async install(input: InstallInput, wait: WaitSettings): Promise<RunResult> {
            const { targets, maxConcurrency, maxErrors, rebootOption } = input;
            return runPatchOperation(clients.ssm, { operation: "Install", targets, maxConcurrency, maxErrors, rebootOption }, wait, input.wait);
        },
    };
}

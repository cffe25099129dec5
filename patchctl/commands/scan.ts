/** `patchctl scan`: Run Command AWS-RunPatchBaseline, Operation=Scan, then each node's result. */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { runPatchOperation, type RunResult } from "../runCommand";
import type { TargetSpec } from "../targets";
import type { WaitSettings } from "../wait";

/** The Run Command console defaults the workflow keeps for scans: 50 nodes at a time, stop on the first error. */
export const SCAN_DEFAULTS = { maxConcurrency: "50", maxErrors: "0" } as const;

export interface ScanInput {
    targets: TargetSpec;
    maxConcurrency: string;
    maxErrors: string;
    /** false: return right after SendCommand (--no-wait). */
    wait: boolean;
}

export function createScan(clients: { ssm: SSMClient }) {
    return async function scan(input: ScanInput, wait: WaitSettings): Promise<RunResult> {
        const { targets, maxConcurrency, maxErrors } = input;
        return runPatchOperation(clients.ssm, { operation: "Scan", targets, maxConcurrency, maxErrors }, wait, input.wait);
    };
}

/**
 * `patchctl compliance`: patch compliance of the target nodes, and one node's missing patches.
 *
 * API calls for N nodes targeted by tag: ceil(N/50) DescribeInstanceInformation pages plus
 * ceil(N/50) DescribeInstancePatchStates calls (its limit is 50 ids a call). Nodes targeted by id
 * skip DescribeInstanceInformation.
 */
import {
    paginateDescribeInstancePatchStates,
    paginateDescribeInstancePatches,
    type InstancePatchState,
    type SSMClient,
} from "@aws-sdk/client-ssm";
import { chunk, mapLimit } from "../batching";
import { listManagedNodes } from "../nodes";
import type { TargetSpec } from "../targets";

/** DescribeInstancePatchStates accepts at most 50 instance ids a call. */
export const PATCH_STATES_BATCH = 50;
/** Patch-state calls in flight at once within one account and Region. */
export const PATCH_STATES_PARALLEL = 4;
/** DescribeInstancePatches' largest page. */
export const INSTANCE_PATCHES_PAGE_SIZE = 100;

export type ComplianceStatus = "COMPLIANT" | "NON_COMPLIANT" | "NO_DATA";
export type FailOn = "critical" | "security" | "any";

export interface NodeCompliance {
    instanceId: string;
    name?: string;
    platform?: string;
    pingStatus?: string;
    status: ComplianceStatus;
    state?: InstancePatchState;
}

export interface MissingPatch {
    title: string;
    kbId: string;
    classification: string;
    severity: string;
    state: string;
    cves: string[];
}

/**
 * A node is non-compliant when any patch is missing, failed, installed but waiting for a reboot,
 * or installed though rejected, or when the baseline reports critical, security or other
 * non-compliant patches. No patch state at all (never scanned) is NO_DATA.
 */
export function complianceStatus(state: InstancePatchState | undefined): ComplianceStatus {
    if (!state) {
        return "NO_DATA";
    }
    const counts = [
        state.MissingCount,
        state.FailedCount,
        state.InstalledPendingRebootCount,
        state.InstalledRejectedCount,
        state.CriticalNonCompliantCount,
        state.SecurityNonCompliantCount,
        state.OtherNonCompliantCount,
    ];
    return counts.some((n) => (n ?? 0) > 0) ? "NON_COMPLIANT" : "COMPLIANT";
}

/**
 * Whether a node trips the --fail-on gate. `critical`: critical non-compliant patches;
 * `security`: critical or security non-compliant patches; `any`: non-compliant or never scanned.
 */
export function failsGate(node: NodeCompliance, failOn: FailOn): boolean {
    const critical = (node.state?.CriticalNonCompliantCount ?? 0) > 0;
    const security = (node.state?.SecurityNonCompliantCount ?? 0) > 0;
    switch (failOn) {
        case "critical":
            return critical;
        case "security":
            return critical || security;
        case "any":
            return node.status !== "COMPLIANT";
    }
}

export function createCompliance(clients: { ssm: SSMClient }) {
    const { ssm } = clients;

    async function patchStates(instanceIds: string[]): Promise<Map<string, InstancePatchState>> {
        const states = new Map<string, InstancePatchState>();
        await mapLimit(chunk(instanceIds, PATCH_STATES_BATCH), PATCH_STATES_PARALLEL, async (batch) => {
            const pages = paginateDescribeInstancePatchStates({ client: ssm, pageSize: PATCH_STATES_BATCH }, { InstanceIds: batch });
            for await (const page of pages) {
                for (const state of page.InstancePatchStates ?? []) {
                    if (state.InstanceId) {
                        states.set(state.InstanceId, state);
                    }
                }
            }
        });
        return states;
    }

    return {
        /** Compliance of every targeted node, sorted by instance id. */
        async nodes(targets: TargetSpec): Promise<NodeCompliance[]> {
            const base: Array<Omit<NodeCompliance, "status">> =
                targets.kind === "instances"
                    ? targets.instanceIds.map((instanceId) => ({ instanceId }))
                    : (await listManagedNodes(ssm, targets))
                          .filter((node) => node.InstanceId)
                          .map((node) => ({
                              instanceId: node.InstanceId as string,
                              name: node.ComputerName || node.Name || undefined,
                              platform: [node.PlatformName, node.PlatformVersion].filter(Boolean).join(" ") || undefined,
                              pingStatus: node.PingStatus,
                          }));
            const states = await patchStates(base.map((node) => node.instanceId));
            return base
                .map((node) => {
                    const state = states.get(node.instanceId);
                    return { ...node, state, status: complianceStatus(state) };
                })
                .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
        },

        /** The missing patches of one node (DescribeInstancePatches, filter State=Missing, paginated). */
        async missing(instanceId: string): Promise<MissingPatch[]> {
            const patches: MissingPatch[] = [];
            const pages = paginateDescribeInstancePatches(
                { client: ssm, pageSize: INSTANCE_PATCHES_PAGE_SIZE },
                { InstanceId: instanceId, Filters: [{ Key: "State", Values: ["Missing"] }] },
            );
            for await (const page of pages) {
                for (const patch of page.Patches ?? []) {
                    patches.push({
                        title: patch.Title ?? "",
                        kbId: patch.KBId ?? "",
                        classification: patch.Classification ?? "",
                        severity: patch.Severity ?? "",
                        state: patch.State ?? "",
                        cves: (patch.CVEIds ?? "")
                            .split(/[,\s]+/)
                            .map((cve) => cve.trim())
                            .filter((cve) => cve !== ""),
                    });
                }
            }
            return patches;
        },
    };
}

/**
 * `patchctl compliance`: patch compliance of the target nodes, and one node's missing patches.
 *
 * API calls for N nodes targeted by tag: ceil(N/50) DescribeInstanceInformation pages plus
 * ceil(N/50) DescribeInstancePatchStates calls (its limit is 50 ids a call). Nodes targeted by id
 * skip DescribeInstanceInformation.
 */
import { paginateDescribeInstancePatches, type InstancePatchState, type SSMClient } from "@aws-sdk/client-ssm";
import { listManagedNodes } from "../nodes";
import { patchStateFetcher } from "../patchStates";
import type { TargetSpec } from "../targets";

export { PATCH_STATES_BATCH, PATCH_STATES_PARALLEL } from "../patchStates";

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
    return {
        /** Compliance of every targeted node, sorted by instance id. */
        async nodes(targets: TargetSpec): Promise<NodeCompliance[]> {
            // Each DescribeInstanceInformation page's ids go out in one DescribeInstancePatchStates call
            // while the next page loads, so the two operations overlap instead of running one after the other.
            const fetcher = patchStateFetcher(ssm);
            let base: Array<Omit<NodeCompliance, "status">>;
            if (targets.kind === "instances") {
                base = targets.instanceIds.map((instanceId) => ({ instanceId }));
                fetcher.add(targets.instanceIds);
            } else {
                const nodes = await listManagedNodes(ssm, targets, (page) =>
                    fetcher.add(page.map((node) => node.InstanceId).filter((id): id is string => Boolean(id))),
                );
                base = nodes
                    .filter((node) => node.InstanceId)
                    .map((node) => ({
                        instanceId: node.InstanceId as string,
                        name: node.ComputerName || node.Name || undefined,
                        platform: [node.PlatformName, node.PlatformVersion].filter(Boolean).join(" ") || undefined,
                        pingStatus: node.PingStatus,
                    }));
            }
            const states = await fetcher.done();
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

/**
 * Serves the fake Inspector and Security Hub (fakeFindings.ts) and the fake SSM on one loopback URL:
 * Inspector and Security Hub paths are answered by the findings fake, every other request (SSM's
 * POST / with X-Amz-Target, STS) by the FakeSsm's handler. patchctl points every client at one
 * endpoint (PATCHCTL_ENDPOINT), so `patchctl findings` needs both behind it.
 *
 * The findings follow the SSM fleets: `findingsForFleets` builds, for each fleet, findings whose CVE
 * ids are those of its nodes' missing patches, so an install through the fake SSM closes them.
 */
import { FakeFindings, type FakeFindingsOptions } from "./fakeFindings";
import type { FakeFleet, FakeSsm } from "./fakeSsm";
import { findingsForFleet, type FindingsData, type FindingsForFleetOptions } from "./findingsModel";

/** Findings data for fleets keyed like FakeSsm's ("account/region", "account", ...), each consistent with its fleet. */
export function findingsForFleets(fleets: Record<string, FakeFleet>, options: (key: string) => FindingsForFleetOptions = () => ({})): Record<string, FindingsData> {
    return Object.fromEntries(
        Object.entries(fleets).map(([key, fleet]) => {
            const [account, region] = key.split("/");
            const accountId = /^\d{12}$/.test(account) ? account : undefined;
            return [key, findingsForFleet(fleet, { account: accountId, region: region ?? undefined, ...options(key) })];
        }),
    );
}

export interface MountedFindings {
    url: string;
    findings: FakeFindings;
    close(): Promise<void>;
}

/** Starts one loopback server: Inspector and Security Hub answered by the findings fake, the rest by `ssm`'s handler. */
export async function mountFindings(ssm: FakeSsm, options: FakeFindingsOptions): Promise<MountedFindings> {
    const findings = new FakeFindings(options, ssm.listener());
    const url = await findings.start();
    return { url, findings, close: () => findings.close() };
}

/**
 * For serveSsm.ts: serves `ssm` and the findings of its workshop `fleets` (Security
 * Hub is not enabled in account 333333333333, so the walk-through can show that case). Resolves to
 * the one URL to use and how to stop both.
 */
export async function serveWithFindings(ssm: FakeSsm, fleets: Record<string, FakeFleet>): Promise<{ url: string; close: () => Promise<void> }> {
    const mounted = await mountFindings(ssm, { data: findingsForFleets(fleets, (key) => ({ securityHub: !key.startsWith("333333333333") })), latencyMs: 5 });
    return { url: mounted.url, close: mounted.close };
}

/**
 * Serves the fake Inspector and Security Hub (fakeFindings.ts) on the fake SSM endpoint's address
 * space: one loopback URL answers Inspector and Security Hub paths itself and passes every other
 * request (SSM's POST / with X-Amz-Target, STS) on to a started FakeSsm, unchanged. patchctl points
 * every client at one endpoint (PATCHCTL_ENDPOINT), so `patchctl findings` needs both behind it.
 *
 * The findings follow the SSM fleets: `findingsForFleets` builds, for each fleet, findings whose CVE
 * ids are those of its nodes' missing patches, so an install through the fake SSM closes them.
 */
import { createServer, request, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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

/** Starts a loopback server in front of the started `ssm`: Inspector and Security Hub here, the rest to it. */
export async function mountFindings(ssm: FakeSsm, options: FakeFindingsOptions): Promise<MountedFindings> {
    const findings = new FakeFindings(options);
    const target = new URL(ssm.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const server: Server = createServer(
        findings.listener((req, res) => {
            const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            });
            upstream.on("error", () => res.destroy());
            req.pipe(upstream);
        }),
    );
    server.keepAliveTimeout = 2_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        findings,
        async close() {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            agent.destroy();
        },
    };
}

/**
 * For serveSsm.ts: starts `ssm` and the findings of its workshop `fleets` in front of it (Security
 * Hub is not enabled in account 333333333333, so the walk-through can show that case). Resolves to
 * the one URL to use and how to stop both.
 */
export async function serveWithFindings(ssm: FakeSsm, fleets: Record<string, FakeFleet>): Promise<{ url: string; close: () => Promise<void> }> {
    await ssm.start();
    const mounted = await mountFindings(ssm, { data: findingsForFleets(fleets, (key) => ({ securityHub: !key.startsWith("333333333333") })), latencyMs: 5 });
    return {
        url: mounted.url,
        close: async () => {
            await mounted.close();
            await ssm.close();
        },
    };
}

/** Shared set-up of the findings tests: the fake SSM with the fake Inspector and Security Hub in front, and patchctl run in-process against it. */
import { ClientPool } from "../../patchctl/aws/clients";
import { main } from "../../patchctl/main";
import { FakeSsm, makeFleet, type FakeFleet, type FakeSsmOptions } from "../../testing/fakeSsm";
import { mountFindings, type MountedFindings } from "../../testing/mountFindings";
import type { FakeFindingsOptions } from "../../testing/fakeFindings";
import { argv, harness } from "../patchctl/helpers";

export const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };

/** Six Development nodes (0, 2 and 4 miss 3 patches each) and two compliant Production nodes, as serveSsm's. */
export function workshop(prefix = "0a", count = 6): FakeFleet {
    return { nodes: [...makeFleet(count, { env: "Development", prefix, nonCompliantEvery: 2 }), ...makeFleet(2, { env: "Production", prefix: `${prefix}f`, nonCompliantEvery: 0 })] };
}

export interface Endpoint {
    ssm: FakeSsm;
    mounted: MountedFindings;
    url: string;
    close(): Promise<void>;
}

export async function startEndpoint(ssmOptions: FakeSsmOptions, findingsOptions: FakeFindingsOptions): Promise<Endpoint> {
    const ssm = new FakeSsm(ssmOptions);
    const mounted = await mountFindings(ssm, findingsOptions);
    return { ssm, mounted, url: mounted.url, close: mounted.close };
}

/** Runs patchctl in-process against `url`; resolves to its exit code and output. */
export async function patchctl(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const h = harness({ env: { PATCHCTL_ENDPOINT: url } });
    h.deps.clientPool = (settings) => new ClientPool({ ...settings, credentials });
    const code = await main(argv(...args, ...(args.includes("--accounts") ? [] : ["--region", "us-east-1"])), h.deps);
    return { code, stdout: h.stdout.text, stderr: h.stderr.text };
}

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AccountRegion as Target } from "../lib/accounts";
import { ValidationError } from "../components";
import { readStackConfig, StackConfig } from "./config";
import { deployEnvironment, EnvironmentOutputs } from "./environment";

/** The session name the deployment role's sessions carry in CloudTrail unless an account sets one. */
export const DEFAULT_SESSION_NAME = "pulumi-ssm-patching";

/**
 * One account and Region of the stack: a component whose provider assumes the account's role in
 * that Region, so `pulumi preview` shows each resource under the account and Region it lands in.
 */
export class AccountRegion extends pulumi.ComponentResource {
    constructor(name: string, args: { accountId?: string; region: string }, opts: pulumi.ComponentResourceOptions) {
        super("patching:deploy:AccountRegion", name, {}, opts);
        this.registerOutputs({ accountId: args.accountId, region: args.region });
    }
}

/** The explicit AWS provider of one deployment target. */
export function providerFor(stack: string, t: Target, cfg: StackConfig): aws.Provider {
    return new aws.Provider(`${stack}-${t.key}`, {
        region: t.region as aws.Region,
        allowedAccountIds: t.accountId ? [t.accountId] : undefined,
        assumeRoles: t.roleArn ? [{ roleArn: t.roleArn, externalId: t.externalId, sessionName: t.sessionName ?? DEFAULT_SESSION_NAME }] : undefined,
        defaultTags: { tags: cfg.tags },
    });
}

/**
 * Builds the environment's patch management set from a resolved stack config in every account and
 * Region of the stack (or once, with the default provider, when the stack lists none) and returns
 * the outputs.
 */
export function deploy(cfg: StackConfig): Record<string, unknown> {
    const stack = pulumi.getStack();
    if (cfg.targets.length === 1 && cfg.targets[0].key === "") {
        return { environment: cfg.environment, ...deployEnvironment(stack, cfg) };
    }
    // Logical names carry the account and Region, never a position: adding or removing one
    // account or Region leaves every other resource's URN as it was.
    const deployments: Record<string, Record<string, EnvironmentOutputs>> = {};
    for (const t of cfg.targets) {
        const provider = providerFor(stack, t, cfg);
        const scope = new AccountRegion(`${stack}-${t.key}`, { accountId: t.accountId, region: t.region }, { provider });
        const account = t.accountId ?? "current";
        deployments[account] = deployments[account] ?? {};
        deployments[account][t.region] = deployEnvironment(`${stack}-${t.key}`, cfg, { parent: scope, provider }, t.accountId);
    }
    return { environment: cfg.environment, deployments };
}

/**
 * The program: validates and resolves the whole stack config first (no resource is registered
 * when a key is wrong), then deploys it.
 */
export async function main(): Promise<Record<string, unknown>> {
    let cfg: StackConfig;
    try {
        cfg = readStackConfig();
    } catch (err) {
        if (err instanceof ValidationError) {
            // A RunError prints its message alone, without a stack trace.
            throw new pulumi.RunError(`invalid stack config: ${err.message}`);
        }
        throw err;
    }
    return deploy(cfg);
}

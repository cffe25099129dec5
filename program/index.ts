import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../components";
import { parseStackConfig, readStackConfig } from "./config";
import { deployEnvironment } from "./environment";

/**
 * The program: validates the whole stack config first (no resource is registered when a key is
 * wrong), then builds the environment's patch management set and returns the stack outputs.
 */
export async function main(): Promise<Record<string, unknown>> {
    let cfg;
    try {
        cfg = parseStackConfig(readStackConfig());
    } catch (err) {
        if (err instanceof ValidationError) {
            // A RunError prints its message alone, without a stack trace.
            throw new pulumi.RunError(`invalid stack config: ${err.message}`);
        }
        throw err;
    }
    const prefix = pulumi.getStack();
    const env = deployEnvironment(prefix, cfg);
    return { environment: cfg.environment, ...env };
}

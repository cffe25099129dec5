/**
 * What `policy run` and `policy history` share on the command line: the policy name argument, the
 * --operation flag, and "this account-Region has no such policy". Their SSM calls are shared in
 * ssm/policies.ts.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { Option } from "commander";
import { UsageError } from "../../output/errors";
import { expectedNames, findPolicy, type PolicyAssociation } from "../../ssm/policies";
import type { PatchOperation } from "../../ssm/runCommand";

/**
 * A policy name or Quick Setup configuration id, as patchctl accepts it. Wider than lib/aws's
 * POLICY_NAME (this project's names, 1-64 characters): any association name suffix up to 128.
 */
const POLICY_NAME = /^[\w.-]{1,128}$/;

/** The <name> argument, validated. */
export function policyName(name: string): string {
    if (!POLICY_NAME.test(name)) {
        throw new UsageError(`policy name '${name}': expected 1 to 128 letters, digits, '.', '_' or '-'`);
    }
    return name;
}

/** --operation scan|install|all, defaulting to `defaultValue`. */
export function operationOption(defaultValue: "scan" | "all"): Option {
    return new Option("--operation <which>", "which associations: scan, install or all").choices(["scan", "install", "all"]).default(defaultValue);
}

/** The operations an --operation value selects. */
export function operationsOf(value: string): PatchOperation[] {
    return value === "all" ? ["Scan", "Install"] : value === "install" ? ["Install"] : ["Scan"];
}

/** The policy's associations for `operations` in one account and Region; none is an error of that account-Region. */
export async function findOrFail(ssm: SSMClient, name: string, operations: readonly PatchOperation[]): Promise<PolicyAssociation[]> {
    const associations = await findPolicy(ssm, name, operations);
    if (associations.length === 0) {
        throw new Error(`policy ${name} has no association here (looked for ${expectedNames(name, operations)})`);
    }
    return associations;
}

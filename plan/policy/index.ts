// Runs a policy pack over a plan the way the Pulumi engine does during `pulumi preview
// --policy-pack <dir> [--policy-pack-config <file>]`:
//   config.ts     the policy config file, read and checked for shape
//   reconcile.ts  the policy config reconciled with the pack's policies, validated (JSON Schema)
//   pack.ts       the pack process, started with @pulumi/pulumi/cmd/run-policy-pack
//   protocol.ts   the protocol's modules, from the pack's own copy of @pulumi/pulumi
//   analyzer.ts   GetAnalyzerInfo, ConfigureStack, Configure, Analyze, AnalyzeStack
//   wire.ts       values as the engine sends them (unknowns, secrets, enforcement levels)
//   providers.ts  the provider each resource is described with (default providers from the stack config)
//   compiledPack.ts  the JavaScript pack the build lays out in dist/policies
export * from "./types";
export { loadPolicyConfigFile, normalizePolicyConfig, PolicyConfigEntry } from "./config";
export { reconcilePolicyConfig, ReconciledPolicyConfig } from "./reconcile";
export { analyzeWithPack, stackEnv, startPack } from "./analyzer";
export { UNKNOWN_SENTINEL, wireValue } from "./wire";
export { COMPILED_POLICY_PACK_DIR, POLICY_PACK_SOURCE_DIR } from "./compiledPack";
import { COMPILED_POLICY_PACK_DIR } from "./compiledPack";

/**
 * The policy pack of this project as the offline plan starts it: compiled to JavaScript by `npm
 * run build` (the Pulumi CLI loads the same pack from its TypeScript sources in policies/).
 */
export const PATCH_COMPLIANCE_PACK_DIR = COMPILED_POLICY_PACK_DIR;

/** `patchctl policy`: the group of the patch policy commands; each registers with one line below. */
import type { CommandDefinition } from "../../cli/session";
import { policyHistoryCommand } from "./history";
import { policyRunCommand } from "./run";

const SUBCOMMANDS: CommandDefinition[] = [policyRunCommand, policyHistoryCommand];

export const policyCommand: CommandDefinition = (parent, cli) => {
    const policy = parent
        .command("policy")
        .description("Apply a patch policy's associations now, or read their execution history")
        .addHelpText(
            "after",
            `\n<name> is this project's policy name (associations PatchPolicy-ScanForPatches-<name>,\nPatchPolicy-InstallPatches-<name>) or, for an AWS Quick Setup patch policy, its configuration id\n(associations AWS-QuickSetup-PatchPolicy-ScanForPatches-[LA-]<id>): the SSM API does not carry a\nQuick Setup policy's name on its associations.`,
        );
    for (const define of SUBCOMMANDS) {
        define(policy, cli);
    }
    return policy;
};

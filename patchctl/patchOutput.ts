/**
 * Summarizing the output of AWS-RunPatchBaseline's patch plugin (PatchLinux on Linux; PatchWindows
 * and PatchMacOS elsewhere). ListCommandInvocations with Details returns at most the first 2,500
 * characters of a plugin's output, so the summary is best effort: patch counts when the output has
 * "Name: number" count lines, else its last meaningful line.
 */
import type { CommandInvocation, CommandPlugin } from "@aws-sdk/client-ssm";

/** Plugin names of AWS-RunPatchBaseline, preferred first. */
export const PATCH_PLUGINS = ["PatchLinux", "PatchWindows", "PatchMacOS"] as const;

export type PatchCounts = Partial<Record<"installed" | "installedOther" | "installedPendingReboot" | "installedRejected" | "missing" | "failed" | "notApplicable", number>>;

const COUNT_NAMES: Record<string, keyof PatchCounts> = {
    installed: "installed",
    installedother: "installedOther",
    installedpendingreboot: "installedPendingReboot",
    installedrejected: "installedRejected",
    missing: "missing",
    failed: "failed",
    notapplicable: "notApplicable",
};

const COUNT_LINE = /^\s*(Installed|InstalledOther|InstalledPendingReboot|InstalledRejected|Missing|Failed|NotApplicable)(?:\s*Count)?\s*[:=]\s*(\d+)\s*$/i;

/** Picks the patch plugin of an invocation: PatchLinux first, then the other patch plugins, then any that ran. */
export function patchPlugin(invocation: CommandInvocation): CommandPlugin | undefined {
    const plugins = invocation.CommandPlugins ?? [];
    for (const name of PATCH_PLUGINS) {
        const plugin = plugins.find((p) => p.Name === name && p.Status !== "Cancelled" && p.StatusDetails !== "Skipped");
        if (plugin) {
            return plugin;
        }
    }
    return plugins.find((p) => p.Name && PATCH_PLUGINS.includes(p.Name as (typeof PATCH_PLUGINS)[number])) ?? plugins[0];
}

/** Extracts patch counts from plugin output lines like "Missing: 3" or "InstalledCount = 12". */
export function parsePatchCounts(output: string | undefined): PatchCounts | undefined {
    if (!output) {
        return undefined;
    }
    const counts: PatchCounts = {};
    let found = false;
    for (const line of output.split(/\r?\n/)) {
        const match = COUNT_LINE.exec(line);
        if (match) {
            counts[COUNT_NAMES[match[1].toLowerCase()]] = Number(match[2]);
            found = true;
        }
    }
    return found ? counts : undefined;
}

/** One-line summary of a plugin's output. */
export function summarizeOutput(output: string | undefined, fallback = ""): string {
    const counts = parsePatchCounts(output);
    if (counts) {
        const parts = [`${counts.missing ?? 0} missing`, `${counts.failed ?? 0} failed`];
        if ((counts.installedPendingReboot ?? 0) > 0) {
            parts.push(`${counts.installedPendingReboot} pending reboot`);
        }
        if (counts.installed !== undefined) {
            parts.push(`${counts.installed} installed`);
        }
        return parts
            .join(", ");
    }
    const lines = (output ?? "")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !/^-{3}/.test(line));
    const last = lines.length > 0 ? lines[lines.length - 1] : fallback;
    return last.length > 100 ? `${last.slice(0, 97)}...` : last;
}

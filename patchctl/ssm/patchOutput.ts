/**
 * A short detail line from the output of AWS-RunPatchBaseline's patch plugin (PatchLinux on Linux;
 * PatchWindows and PatchMacOS elsewhere), as ListCommandInvocations with Details returns it: at most
 * the first 2,500 characters. Secondary information only: patch counts come from the node's patch
 * state (DescribeInstancePatchStates, see patchStates.ts), never from this text, whose format AWS
 * does not document.
 *
 * The SSM Agent reports a plugin's output as its standard output, then, when the plugin wrote to
 * standard error, a "----------ERROR-------" line and the standard error, each cut with a
 * "---Output truncated---" / "---Error truncated----" marker when the whole does not fit.
 */
import type { CommandInvocation, CommandPlugin } from "@aws-sdk/client-ssm";

/** Plugin names of AWS-RunPatchBaseline, preferred first. */
export const PATCH_PLUGINS = ["PatchLinux", "PatchWindows", "PatchMacOS"] as const;

/** The line the SSM Agent puts between a plugin's standard output and its standard error. */
export const STDERR_SEPARATOR = "----------ERROR-------";

/** Longest detail kept. */
export const DETAIL_MAX = 100;

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

/** Splits a plugin output into its standard output and standard error parts. */
export function splitOutput(output: string | undefined): { stdout: string; stderr: string } {
    const text = output ?? "";
    const lines = text.split(/\r?\n/);
    const at = lines.findIndex((line) => line.trim() === STDERR_SEPARATOR);
    if (at < 0) {
        return { stdout: text, stderr: "" };
    }
    return { stdout: lines.slice(0, at).join("\n"), stderr: lines.slice(at + 1).join("\n") };
}

/** Non-empty lines, without the agent's truncation markers. */
function meaningfulLines(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !/^-{3}/.test(line));
}

function shorten(line: string): string {
    return line.length > DETAIL_MAX ? `${line.slice(0, DETAIL_MAX - 3)}...` : line;
}

/**
 * One line about how the plugin ended: on failure the first line of its standard error, otherwise
 * (or when it wrote none) the last meaningful line of its standard output; `fallback` (the
 * invocation's status details) when the output has neither.
 */
export function outputDetail(output: string | undefined, failed: boolean, fallback = ""): string {
    const { stdout, stderr } = splitOutput(output);
    const errors = meaningfulLines(stderr);
    if (failed && errors.length > 0) {
        return shorten(errors[0]);
    }
    const lines = meaningfulLines(stdout);
    return shorten(lines.length > 0 ? lines[lines.length - 1] : fallback);
}

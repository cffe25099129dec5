/**
 * The command lines patchctl prints as hints (`resume with: patchctl watch ...`, `Missing patches of
 * one node: patchctl compliance ...`), made so that they run as printed: started as `npx patchctl`
 * or `npm exec patchctl`, patchctl may not be on the PATH, so the hint starts `npx patchctl`;
 * through `npm run patchctl -- ...`, it starts `npm run patchctl --`; otherwise `patchctl`.
 * Arguments are shell-quoted, and the flags that reach the same account and Region (--region,
 * --role-arn, --external-id, --profile) are added.
 *
 * npm tells what it started in the environment: npm_command=exec and npm_lifecycle_script the
 * program (`'patchctl'`, shell-quoted; `patchctl ...` with `npx -c`). Both are inherited by
 * everything below, so npm_command alone would also match a patchctl that `npx mocha` or
 * `npx some-script` started from the PATH.
 */
import type { ResolvedScope } from "../aws/scopes";

/** npm exec's program is patchctl: `'patchctl'`, `patchctl`, `./node_modules/.bin/patchctl ...`. */
const NPX_PATCHCTL = /^['"]?(?:[^\s'"]*\/)?patchctl['"]?(?:\s|$)/;

/** How the user started patchctl, as the first words of a command line. */
export function invocation(env: NodeJS.ProcessEnv): string[] {
    if (env.npm_command === "exec" && NPX_PATCHCTL.test(env.npm_lifecycle_script ?? "")) {
        return ["npx", "patchctl"];
    }
    if (env.npm_command === "run-script" && env.npm_lifecycle_event === "patchctl") {
        return ["npm", "run", "patchctl", "--"];
    }
    return ["patchctl"];
}

/** Shell-quotes one argument. */
export function shellArg(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The global flags that reach `scope` again. */
export function scopeFlags(scope: ResolvedScope, profile: string | undefined): string[] {
    const flags = ["--region", scope.region];
    if (scope.roleArn) {
        flags.push("--role-arn", scope.roleArn);
        if (scope.externalId) {
            flags.push("--external-id", scope.externalId);
        }
    }
    if (profile) {
        flags.push("--profile", profile);
    }
    return flags;
}

/** `patchctl <args...> --region ...`, runnable as printed. */
export function commandLine(env: NodeJS.ProcessEnv, args: string[], scope: ResolvedScope, profile?: string): string {
    return [...invocation(env), ...[...args, ...scopeFlags(scope, profile)].map(shellArg)].join(" ");
}

/**
 * `--profile <name>` checked before any call: a profile that neither shared file defines would
 * otherwise surface as a credentials error several lines long that does not name it. The files
 * are the SDK's (https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html):
 * AWS_CONFIG_FILE (default ~/.aws/config, sections `[profile name]`, or `[default]`) and
 * AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, sections `[name]`).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

function sections(path: string): Set<string> | undefined {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch {
        return undefined;
    }
    const names = new Set<string>();
    for (const line of text.split(/\r?\n/)) {
        const match = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
        if (match) {
            names.add(match[1].replace(/^profile\s+/, ""));
        }
    }
    return names;
}

/** Why `--profile <name>` cannot work, or undefined when a shared file defines it. */
export function profileProblem(name: string, env: NodeJS.ProcessEnv): string | undefined {
    const home = env.HOME ?? env.USERPROFILE ?? homedir();
    const config = env.AWS_CONFIG_FILE ?? join(home, ".aws", "config");
    const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials");
    const inConfig = sections(config);
    const inCredentials = sections(credentials);
    if (inConfig?.has(name) || inCredentials?.has(name)) {
        return undefined;
    }
    const known = [...new Set([...(inConfig ?? []), ...(inCredentials ?? [])])].sort();
    return `--profile '${name}': no such profile in ${config} or ${credentials}${known.length > 0 ? ` (profiles there: ${known.join(", ")})` : " (neither file has a profile)"}`;
}

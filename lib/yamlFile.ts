import * as fs from "fs";
import * as YAML from "yaml";

/**
 * Reads a YAML (or JSON, which is YAML) file that a user names: the stack config, the policy
 * config, patchctl's accounts file. Failures become one line naming the file, through `error`,
 * so each caller keeps its own error type (and exit code). An empty file reads as `{}`.
 */
export function readYamlFile(file: string, what: string, error: (message: string) => Error): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw error(`${file}: cannot read the ${what}${code ? ` (${code})` : ""}`);
    }
    try {
        return text.trim() === "" ? {} : YAML.parse(text);
    } catch (err) {
        throw error(`${file}: not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
    }
}

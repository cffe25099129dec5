import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readYamlFile } from "../lib/yamlFile";
import { PROJECT_DIR } from "./project";

export { PROJECT_DIR };

/** Thrown for a stack or config file that cannot be read; the plan prints it and exits 2. */
export class StackFileError extends Error {}

/** The project name from Pulumi.yaml. */
export function projectName(dir = PROJECT_DIR): string {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name?: string };
    if (!doc?.name) throw new StackFileError("Pulumi.yaml: missing name");
    return doc.name;
}

/** Stacks bundled with the project: the names of its Pulumi.<stack>.yaml files. */
export function bundledStacks(dir = PROJECT_DIR): string[] {
    return fs.readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Reads a stack config file (Pulumi.<stack>.yaml format: a `config:` map of namespaced keys) and
 * returns the config as the engine hands it to a program: every value a string, structured
 * values JSON-encoded.
 */
export function loadStackConfigFile(file: string): Record<string, string> {
    const doc = readYamlFile(file, "stack config file", (m) => new StackFileError(m));
    if (doc === null || typeof doc !== "object" || Array.isArray(doc) || !("config" in doc)) {
        throw new StackFileError(`${file}: missing the top-level \`config:\` key; a Pulumi.<stack>.yaml file keeps the stack's settings under \`config:\``);
    }
    const config = (doc as { config: unknown }).config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`${file}: "config" must be a map of keys like ssm-patching:environment to values`);
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        if (!/^[^:]+:[^:]+$/.test(key)) {
            throw new StackFileError(`${file}: config key "${key}" must be namespaced, like ssm-patching:${key} or aws:region`);
        }
        if (typeof value === "object" && value !== null && "secure" in value) {
            throw new StackFileError(`${file}: ${key} is a secret; the offline plan cannot decrypt secrets, give a plain value in a --config-file`);
        }
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

/** The config file of a bundled stack. */
export function stackConfigPath(stack: string, dir = PROJECT_DIR): string {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = bundledStacks(dir);
        throw new StackFileError(`--stack: no stack "${stack}" (no Pulumi.${stack}.yaml); bundled stacks: ${known.join(", ")}`);
    }
    return file;
}

/** The stack a config file is for, from its name when it is `Pulumi.<stack>.yaml`; undefined otherwise. */
export function stackOfConfigFile(file: string): string | undefined {
    return /^Pulumi\.([^/\\]+)\.yaml$/.exec(path.basename(file))?.[1];
}

// The providers the engine describes each resource with: the provider resource it names, or the
// default provider of its package, which the engine creates from the stack config.
import * as fs from "fs";
import { createRequire } from "module";
import { projectPath } from "../project";
import { AnalyzedResource } from "./types";

/** A provider as Analyze and AnalyzeStack describe it. */
export interface ProviderView {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** The project and stack from a URN: `urn:pulumi:<stack>::<project>::...`. */
export function projectAndStack(urn: string | undefined): { project: string; stack: string } {
    const m = urn ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) : null;
    return m ? { stack: m[1], project: m[2] } : { project: "project", stack: "stack" };
}

/** The version of a provider package of the program (this project), for default provider names (`default_7_48_0`). */
function providerVersion(pkg: string): string {
    try {
        const file = createRequire(projectPath("package.json")).resolve(`@pulumi/${pkg}/package.json`);
        const version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
        return typeof version === "string" ? version.replace(/^v/, "") : "";
    } catch {
        return "";
    }
}

/**
 * The provider each resource uses: the provider resource it names, or the default provider of its
 * package, which the engine creates from the stack config (`aws:region`, `aws:defaultTags`, ...:
 * string values, structured ones JSON) and registers before the resources that use it.
 */
export function providersOf(resources: AnalyzedResource[], stackConfig: Record<string, string>, project: string, stack: string) {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const defaults = new Map<string, ProviderView>();
    const of = (r: AnalyzedResource): ProviderView | undefined => {
        if (r.provider) {
            const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
            const p = byUrn.get(urn);
            if (p) return { urn, type: p.type, name: p.name, inputs: p.inputs };
            const type = urn.split("::")[2] ?? "pulumi:providers:unknown";
            return { urn, type, name: urn.split("::")[3] ?? "", inputs: {} };
        }
        if (!r.custom || r.type.startsWith("pulumi:")) return undefined;
        const pkg = r.type.split(":")[0];
        let d = defaults.get(pkg);
        if (!d) {
            const version = providerVersion(pkg);
            const inputs: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(stackConfig)) {
                if (k.startsWith(`${pkg}:`)) inputs[k.slice(pkg.length + 1)] = v;
            }
            if (version) inputs.version = version;
            const name = version ? `default_${version.replace(/[.-]/g, "_")}` : "default";
            d = { urn: `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::${name}`, type: `pulumi:providers:${pkg}`, name, inputs };
            defaults.set(pkg, d);
        }
        return d;
    };
    return { of, defaults };
}

// Systems Manager facts the policies share: resource types, the patch document, SSM targets.
import { isUnknown, obj, Plain, Unknown } from "./values";

// The pack is published on its own, so it keeps its own copy of the AWS rules it needs; the project's
// are in lib/aws, and tests/policies/rules.test.ts checks that the two agree.
export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";

/** The account of an IAM role ARN in any partition (`arn:aws:iam::123456789012:role/Name`), or undefined. */
export function roleArnAccount(arn: unknown): string | undefined {
    const m = typeof arn === "string" ? /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/.exec(arn) : null;
    return m ? m[1] : undefined;
}

export const PATCH_BASELINE = "aws:ssm/patchBaseline:PatchBaseline";
export const PATCH_GROUP = "aws:ssm/patchGroup:PatchGroup";
export const ASSOCIATION = "aws:ssm/association:Association";
export const MAINTENANCE_WINDOW = "aws:ssm/maintenanceWindow:MaintenanceWindow";
export const WINDOW_TARGET = "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget";
export const WINDOW_TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
export const QUICK_SETUP = "aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager";

/**
 * Whether a document (an association's `name`, a task's `taskArn`) is AWS-RunPatchBaseline, by
 * name or ARN (`arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline`).
 */
export function isPatchDocument(doc: string | Unknown | undefined): boolean | Unknown {
    if (isUnknown(doc)) return doc;
    if (typeof doc !== "string") return false;
    return doc === PATCH_DOCUMENT || /^arn:[\w-]+:ssm:[\w-]*:\d*:document\/AWS-RunPatchBaseline$/.test(doc);
}

/** `tag:Environment=Development,Staging`; unknown values show as `(unknown)`. */
export function describeTagQuery(key: string | Unknown, values: (string | Unknown)[] | Unknown): string {
    const k = isUnknown(key) ? "(unknown key)" : key;
    const v = isUnknown(values) ? "(unknown)" : values.map((x) => (isUnknown(x) ? "(unknown)" : x)).join(",");
    return `${k}=${v}`;
}

/** SSM targets (`[{ key, values }]`) from plain data; unknown when the list is. */
export function targetsOf(v: Plain | undefined): { key: string | Unknown; values: (string | Unknown)[] | Unknown }[] | Unknown | undefined {
    if (v === undefined || v === null) return undefined;
    if (isUnknown(v)) return v;
    if (!Array.isArray(v)) return undefined;
    const out: { key: string | Unknown; values: (string | Unknown)[] | Unknown }[] = [];
    for (const t of v) {
        if (isUnknown(t)) {
            out.push({ key: t, values: t });
            continue;
        }
        const o = obj(t);
        if (!o) continue;
        const key = isUnknown(o.key) ? o.key : typeof o.key === "string" ? o.key : "";
        const values = isUnknown(o.values)
            ? o.values
            : Array.isArray(o.values)
                ? o.values.map((x) => (isUnknown(x) ? x : String(x)))
                : [];
        out.push({ key, values });
    }
    return out;
}

/** The value of a known string, an unknown, or undefined. */
export function strOrUnknown(v: Plain | undefined): string | Unknown | undefined {
    return typeof v === "string" || isUnknown(v) ? v : undefined;
}

// Advisory policies a security reviewer asks for: baselines approve critical security patches
// quickly and report missing patches at a severity; patching runs limit how much of the fleet
// they touch at once; buckets that hold patch output or baseline overrides are protected.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { Resource } from "@pulumi/pulumi";
import { ASSOCIATION, isPatchDocument, PATCH_BASELINE, WINDOW_TASK } from "./ssm";
import { field, isUnknown, obj, Plain, str, undecidable, Unknown } from "./values";

// ---------------------------------------------------------------------------------------------
// patch-baseline-critical-approval

/** Config of patch-baseline-critical-approval. */
export interface CriticalApprovalConfig {
    /** The most days a baseline may wait before approving critical security patches, 0-360. Defaults to 14. */
    maxApproveAfterDays?: number;
}

export const CRITICAL_APPROVAL_DEFAULTS = { maxApproveAfterDays: 14 };

/** The patch filters that select critical security patches, per operating system. */
export function criticalSecurityFilters(os: string): { key: string; accepted: string[] }[] {
    switch (os) {
        case "WINDOWS":
            return [{ key: "CLASSIFICATION", accepted: ["SecurityUpdates", "CriticalUpdates"] }, { key: "MSRC_SEVERITY", accepted: ["Critical"] }];
        case "UBUNTU":
        case "DEBIAN":
        case "RASPBIAN":
            return [{ key: "PRIORITY", accepted: ["Required", "Important"] }];
        case "MACOS":
            return [{ key: "CLASSIFICATION", accepted: ["Security"] }];
        default:
            // Amazon Linux, RHEL, CentOS, Oracle, SUSE, Rocky, Alma.
            return [{ key: "CLASSIFICATION", accepted: ["Security"] }, { key: "SEVERITY", accepted: ["Critical"] }];
    }
}

type Tri = boolean | Unknown;

/**
 * A stand-in for the @pulumi/aws class of a resource type, for validateResourceOfType: the SDK
 * reads only its type token, and skips other types without deserializing them. The pack does not
 * load @pulumi/aws, which would cost seconds at every start.
 */
export function resourceClass(type: string): new (name: string, args: Record<string, unknown>) => Resource {
    return class {
        static readonly __pulumiType = type;
    } as unknown as new (name: string, args: Record<string, unknown>) => Resource;
}

/** Whether a rule's patch filters select critical security patches for the operating system. */
function selectsCriticalSecurity(filters: Plain | undefined, os: string): Tri {
    if (isUnknown(filters)) return filters;
    const list = Array.isArray(filters) ? filters : [];
    let result: Tri = true;
    for (const need of criticalSecurityFilters(os)) {
        const f = list.map(obj).find((x) => x?.key === need.key);
        if (!f) continue; // no filter on that key: everything passes it
        if (isUnknown(f.values)) {
            if (result === true) result = f.values;
            continue;
        }
        const values = Array.isArray(f.values) ? f.values : [];
        if (values.some((v) => v === "*" || (typeof v === "string" && need.accepted.includes(v)))) continue;
        const u = values.find(isUnknown);
        if (u === undefined) return false;
        if (result === true) result = u as Unknown;
    }
    return result;
}

/** Pure check of patch-baseline-critical-approval. */
export function checkCriticalApproval(name: string, props: { operatingSystem?: Plain; approvalRules?: Plain }, maxDays: number): { ok: true } | { ok: false; message: string } | { ok: "unknown"; reason: string; unknown: Unknown } {
    const what = `Patch baseline '${name}'`;
    if (isUnknown(props.operatingSystem)) return { ok: "unknown", unknown: props.operatingSystem, reason: `the operating system of ${what} is unknown until the update` };
    const os = str(props.operatingSystem) ?? "WINDOWS";
    const rules = props.approvalRules;
    if (isUnknown(rules)) return { ok: "unknown", unknown: rules, reason: `the approval rules of ${what} are unknown until the update` };
    const must = `${what} must approve critical security patches within ${maxDays} days`;
    const list = Array.isArray(rules) ? rules : [];
    if (list.length === 0) return { ok: false, message: `${must}; it has no approval rules. Add one that selects ${describeFilters(os)} with approveAfterDays at most ${maxDays}.` };
    let unknown: Unknown | undefined;
    const late: string[] = [];
    for (const [i, raw] of list.entries()) {
        if (isUnknown(raw)) {
            unknown ??= raw;
            continue;
        }
        const rule = obj(raw) ?? {};
        const selects = selectsCriticalSecurity(rule.patchFilters, os);
        if (selects === false) continue;
        const days = rule.approveAfterDays;
        if (isUnknown(days)) {
            unknown ??= days;
            continue;
        }
        if (typeof days === "number") {
            if (days <= maxDays) {
                if (selects === true) return { ok: true };
                unknown ??= selects;
            } else if (selects === true) {
                late.push(`rule ${i + 1} approves them after ${days} days`);
            }
        } else if (typeof rule.approveUntilDate === "string" && selects === true) {
            late.push(`rule ${i + 1} approves them only up to a fixed date (approveUntilDate ${rule.approveUntilDate}); use approveAfterDays`);
        }
    }
    if (unknown) return { ok: "unknown", unknown, reason: `the approval rules of ${what} are partly unknown until the update (${unknown.path})` };
    if (late.length > 0) return { ok: false, message: `${must}; ${late.join(", ")}. Set approveAfterDays to at most ${maxDays}.` };
    return { ok: false, message: `${must}; none of its ${list.length} approval rule(s) selects them. Add a rule that selects ${describeFilters(os)} with approveAfterDays at most ${maxDays}.` };
}

function describeFilters(os: string): string {
    return criticalSecurityFilters(os).map((f) => `${f.key} ${f.accepted.join(" or ")}`).join(" and ") + " (or '*', or no filter on those keys)";
}

export const patchBaselineCriticalApproval: ResourceValidationPolicy = {
    name: "patch-baseline-critical-approval",
    displayName: "Baselines approve critical security patches promptly",
    description: "Checks whether patch baselines approve critical security patches within a number of days (CLASSIFICATION Security and SEVERITY Critical on Linux, their equivalents elsewhere).",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["patching"],
    configSchema: {
        properties: {
            maxApproveAfterDays: { type: "integer", minimum: 0, maximum: 360, default: CRITICAL_APPROVAL_DEFAULTS.maxApproveAfterDays, description: "The most days a baseline may wait before approving critical security patches." },
        },
    },
    validateResource: validateResourceOfType(resourceClass(PATCH_BASELINE), (_props, args, reportViolation) => {
        const c = args.getConfig<CriticalApprovalConfig>();
        const max = typeof c.maxApproveAfterDays === "number" ? c.maxApproveAfterDays : CRITICAL_APPROVAL_DEFAULTS.maxApproveAfterDays;
        const r = checkCriticalApproval(args.name, { operatingSystem: field(args.props, "operatingSystem"), approvalRules: field(args.props, "approvalRules") }, max);
        if (r.ok === "unknown") undecidable(r.reason, r.unknown);
        if (r.ok === false) reportViolation(r.message);
    }),
};

// ---------------------------------------------------------------------------------------------
// patch-baseline-compliance-level

const COMPLIANCE_LEVELS = "CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL";

/** Pure check of patch-baseline-compliance-level: which rules leave the compliance level unspecified. */
export function checkComplianceLevel(name: string, props: { approvalRules?: Plain; approvedPatches?: Plain; approvedPatchesComplianceLevel?: Plain }): { ok: true } | { ok: false; message: string } | { ok: "unknown"; reason: string; unknown: Unknown } {
    const unspecified: string[] = [];
    let unknown: Unknown | undefined;
    const level = (v: Plain | undefined): "set" | "unset" | Unknown => (isUnknown(v) ? v : v === undefined || v === null || v === "" || v === "UNSPECIFIED" ? "unset" : "set");
    if (isUnknown(props.approvalRules)) unknown = props.approvalRules;
    for (const [i, raw] of (Array.isArray(props.approvalRules) ? props.approvalRules : []).entries()) {
        const l = isUnknown(raw) ? raw : level(obj(raw)?.complianceLevel);
        if (isUnknown(l)) unknown ??= l;
        else if (l === "unset") unspecified.push(`rule ${i + 1}`);
    }
    const approved = props.approvedPatches;
    if (isUnknown(approved)) unknown ??= approved;
    else if (Array.isArray(approved) && approved.length > 0) {
        const l = level(props.approvedPatchesComplianceLevel);
        if (isUnknown(l)) unknown ??= l;
        else if (l === "unset") unspecified.push("its approved patches (approvedPatchesComplianceLevel)");
    }
    if (unspecified.length > 0) {
        return {
            ok: false,
            message: `Patch baseline '${name}' must give every approval a compliance level, so that missing patches make nodes non-compliant at a known severity; ${unspecified.join(", ")} ${unspecified.length === 1 ? "has" : "have"} UNSPECIFIED. Set complianceLevel to ${COMPLIANCE_LEVELS}.`,
        };
    }
    if (unknown) return { ok: "unknown", unknown, reason: `the compliance levels of patch baseline '${name}' are unknown until the update` };
    return { ok: true };
}

export const patchBaselineComplianceLevel: ResourceValidationPolicy = {
    name: "patch-baseline-compliance-level",
    displayName: "Baselines report missing patches at a severity",
    description: "Checks whether every approval rule of a patch baseline (and its approved patches) sets a compliance level other than UNSPECIFIED.",
    enforcementLevel: "advisory",
    severity: "low",
    tags: ["patching", "compliance"],
    validateResource: validateResourceOfType(resourceClass(PATCH_BASELINE), (_props, args, reportViolation) => {
        const r = checkComplianceLevel(args.name, {
            approvalRules: field(args.props, "approvalRules"),
            approvedPatches: field(args.props, "approvedPatches"),
            approvedPatchesComplianceLevel: field(args.props, "approvedPatchesComplianceLevel"),
        });
        if (r.ok === "unknown") undecidable(r.reason, r.unknown);
        if (r.ok === false) reportViolation(r.message);
    }),
};

// ---------------------------------------------------------------------------------------------
// patch-run-rate-control

/** Pure check of patch-run-rate-control for one association or maintenance window task of AWS-RunPatchBaseline. */
export function checkRateControl(what: string, r: { maxConcurrency?: Plain; maxErrors?: Plain; operation?: Plain }): { ok: true } | { ok: false; message: string } | { ok: "unknown"; reason: string; unknown: Unknown } {
    const missing = (["maxConcurrency", "maxErrors"] as const).filter((k) => r[k] === undefined || r[k] === null || r[k] === "");
    if (missing.length > 0) {
        return {
            ok: false,
            message: `${what} runs AWS-RunPatchBaseline and must set rate control; it has no ${missing.join(" and no ")}. Set maxConcurrency (e.g. "10%") and maxErrors (e.g. "1") so that a bad patch stops before it reaches the whole fleet.`,
        };
    }
    for (const k of ["maxConcurrency", "maxErrors", "operation"] as const) {
        const v = r[k];
        if (isUnknown(v)) return { ok: "unknown", unknown: v, reason: `the ${k} of ${what} is unknown until the update` };
    }
    if (r.operation !== "Install") return { ok: true };
    const problems: string[] = [];
    if (r.maxConcurrency === "100%") problems.push(`maxConcurrency is 100%: every target installs (and may reboot) at once`);
    if (r.maxErrors === "100%") problems.push(`maxErrors is 100%: it never stops on errors`);
    if (problems.length > 0) {
        return { ok: false, message: `${what} installs patches and must limit its blast radius; ${problems.join("; ")}. Use a lower percentage or a count.` };
    }
    return { ok: true };
}

export const patchRunRateControl: ResourceValidationPolicy = {
    name: "patch-run-rate-control",
    displayName: "Patching runs use rate control",
    description: "Checks whether associations and maintenance window tasks that run AWS-RunPatchBaseline set maxConcurrency and maxErrors, and install on less than 100% of their targets at once.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["patching", "availability"],
    validateResource: (args, reportViolation) => {
        let check: ReturnType<typeof checkRateControl>;
        if (args.type === ASSOCIATION) {
            const doc = field(args.props, "name");
            const patches = isPatchDocument(typeof doc === "string" || isUnknown(doc) ? doc : undefined);
            if (isUnknown(patches)) undecidable(`the document of association '${args.name}' is unknown until the update`, patches);
            if (!patches) return args.notApplicable("The association does not run AWS-RunPatchBaseline");
            const params = field(args.props, "parameters");
            check = checkRateControl(`Association '${args.name}'`, {
                maxConcurrency: field(args.props, "maxConcurrency"),
                maxErrors: field(args.props, "maxErrors"),
                operation: isUnknown(params) ? params : obj(params)?.Operation,
            });
        } else if (args.type === WINDOW_TASK) {
            const arn = field(args.props, "taskArn");
            const patches = isPatchDocument(typeof arn === "string" || isUnknown(arn) ? arn : undefined);
            if (isUnknown(patches)) undecidable(`the task of maintenance window task '${args.name}' is unknown until the update`, patches);
            if (!patches) return args.notApplicable("The task does not run AWS-RunPatchBaseline");
            const params = field(args.props, "taskInvocationParameters");
            const run = isUnknown(params) ? params : obj(obj(params)?.runCommandParameters);
            let operation: Plain | undefined;
            if (isUnknown(run)) operation = run;
            else {
                const list = run?.parameters;
                if (isUnknown(list)) operation = list;
                else {
                    const op = (Array.isArray(list) ? list : []).map(obj).find((p) => p?.name === "Operation");
                    const values = op?.values;
                    operation = isUnknown(values) ? values : Array.isArray(values) ? values[0] : undefined;
                }
            }
            check = checkRateControl(`Maintenance window task '${args.name}'`, {
                maxConcurrency: field(args.props, "maxConcurrency"),
                maxErrors: field(args.props, "maxErrors"),
                operation,
            });
        } else {
            return args.notApplicable(`Policy only applies to ${ASSOCIATION} and ${WINDOW_TASK}`);
        }
        if (check.ok === "unknown") undecidable(check.reason, check.unknown);
        if (check.ok === false) reportViolation(check.message);
    },
};

// ---------------------------------------------------------------------------------------------
// patch-bucket-protection

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/** The bucket of an S3 URL (`s3://bucket/key`, `https://bucket.s3.<region>.amazonaws.com/key`). */
export function bucketOfUrl(url: string): string | undefined {
    return /^s3:\/\/([^/]+)/.exec(url)?.[1] ?? /^https:\/\/([^./]+)\.s3[.-][^/]*amazonaws\.com/.exec(url)?.[1];
}

/** The buckets a patching run writes output to or reads overrides from: names (or unknown) it gives. */
function bucketRefs(r: PolicyResource): { names: (string | Unknown)[]; what: string } | undefined {
    const names: (string | Unknown)[] = [];
    const fromValue = (v: Plain | undefined) => {
        if (isUnknown(v)) names.push(v);
        else if (typeof v === "string") {
            const b = bucketOfUrl(v);
            if (b) names.push(b);
        }
    };
    if (r.type === ASSOCIATION) {
        const doc = field(r.props, "name");
        if (isPatchDocument(typeof doc === "string" || isUnknown(doc) ? doc : undefined) !== true) return undefined;
        const out = field(r.props, "outputLocation");
        if (isUnknown(out)) names.push(out);
        else {
            const b = obj(out)?.s3BucketName;
            if (typeof b === "string" || isUnknown(b)) names.push(b);
        }
        const params = field(r.props, "parameters");
        if (isUnknown(params)) names.push(params);
        else for (const v of Object.values(obj(params) ?? {})) fromValue(v);
        return { names, what: `association '${r.name}'` };
    }
    if (r.type === WINDOW_TASK) {
        const arn = field(r.props, "taskArn");
        if (isPatchDocument(typeof arn === "string" || isUnknown(arn) ? arn : undefined) !== true) return undefined;
        const tip = field(r.props, "taskInvocationParameters");
        const run = isUnknown(tip) ? tip : obj(obj(tip)?.runCommandParameters);
        if (isUnknown(run)) names.push(run);
        else if (run) {
            const b = run.outputS3Bucket;
            if (typeof b === "string" || isUnknown(b)) names.push(b);
            const list = run.parameters;
            if (isUnknown(list)) names.push(list);
            else for (const p of Array.isArray(list) ? list : []) {
                const values = obj(p)?.values;
                if (isUnknown(values)) names.push(values);
                else for (const v of Array.isArray(values) ? values : []) fromValue(v);
            }
        }
        return { names, what: `maintenance window task '${r.name}'` };
    }
    return undefined;
}

export const patchBucketProtection: StackValidationPolicy = {
    name: "patch-bucket-protection",
    displayName: "Patch output and override buckets are protected",
    description: "Checks whether the S3 buckets of the stack that receive AWS-RunPatchBaseline output or hold baseline overrides have a default-encryption configuration and block public access.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["patching", "data-protection"],
    validateStack: (args, reportViolation) => {
        const buckets = args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
        if (buckets.length === 0) return args.notApplicable("The stack manages no S3 buckets");
        const byName = new Map<string, PolicyResource>();
        for (const b of buckets) {
            for (const k of ["bucket", "id"]) {
                const n = field(b.props, k);
                if (typeof n === "string") byName.set(n, b);
            }
        }
        const depsOf = (r: PolicyResource) => {
            const deps = new Set<PolicyResource>(r.dependencies ?? []);
            for (const list of Object.values(r.propertyDependencies ?? {})) for (const d of list) deps.add(d);
            return [...deps].filter((d) => BUCKET_TYPES.includes(d.type));
        };
        /** The bucket resource a name (or unknown) designates: by name, else the one bucket the resource depends on. */
        const resolve = (name: string | Unknown, r: PolicyResource): PolicyResource | undefined => {
            if (typeof name === "string" && byName.has(name)) return byName.get(name);
            const deps = depsOf(r);
            return deps.length === 1 ? deps[0] : undefined;
        };
        const encrypted = new Set<string>();
        const blocked = new Set<string>();
        let accountBlocked = false;
        let unknown: Unknown | undefined;
        for (const b of buckets) {
            const inline = field(b.props, "serverSideEncryptionConfiguration");
            if (isUnknown(inline)) unknown ??= inline;
            else if (obj(inline)) encrypted.add(b.urn);
        }
        const allBlocked = (r: PolicyResource): boolean | Unknown => {
            let result: boolean | Unknown = true;
            for (const k of BLOCK_SETTINGS) {
                const v = field(r.props, k);
                if (isUnknown(v)) result = result === false ? false : v;
                else if (v !== true) return false;
            }
            return result;
        };
        for (const r of args.resources) {
            if (SSE_TYPES.includes(r.type) || r.type === PUBLIC_ACCESS_BLOCK) {
                const name = field(r.props, "bucket");
                const b = resolve(typeof name === "string" || isUnknown(name) ? name : new Unknown("bucket"), r);
                if (!b) continue;
                if (SSE_TYPES.includes(r.type)) encrypted.add(b.urn);
                else {
                    const all = allBlocked(r);
                    if (all === true) blocked.add(b.urn);
                    else if (isUnknown(all)) unknown ??= all;
                }
            } else if (r.type === ACCOUNT_PUBLIC_ACCESS_BLOCK) {
                const all = allBlocked(r);
                if (all === true) accountBlocked = true;
                else if (isUnknown(all)) unknown ??= all;
            }
        }
        const referenced = new Map<string, { bucket: PolicyResource; by: string[] }>();
        for (const r of args.resources) {
            const refs = bucketRefs(r);
            if (!refs) continue;
            for (const n of refs.names) {
                const b = resolve(n, r);
                if (!b) continue;
                const entry = referenced.get(b.urn) ?? { bucket: b, by: [] };
                if (!entry.by.includes(refs.what)) entry.by.push(refs.what);
                referenced.set(b.urn, entry);
            }
        }
        let undecided: { bucket: PolicyResource; unknown: Unknown } | undefined;
        for (const { bucket, by } of referenced.values()) {
            const missing: string[] = [];
            if (!encrypted.has(bucket.urn)) missing.push("it has no default-encryption configuration (aws.s3.BucketServerSideEncryptionConfiguration)");
            if (!blocked.has(bucket.urn) && !accountBlocked) missing.push("it does not block public access (aws.s3.BucketPublicAccessBlock with all four settings true)");
            if (missing.length === 0) continue;
            if (unknown) {
                undecided ??= { bucket, unknown };
                continue;
            }
            reportViolation(
                `S3 bucket '${bucket.name}' receives patch output or baseline overrides (${by.join(", ")}) and must be encrypted and private; ${missing.join("; ")}.`,
                bucket.urn,
            );
        }
        if (undecided) undecidable(`whether S3 bucket '${undecided.bucket.name}' is protected depends on values unknown until the update`, undecided.unknown);
    },
};

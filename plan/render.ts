import { PlannedResource } from "./run";

/** `aws:ssm/patchBaseline:PatchBaseline` → `aws:ssm:PatchBaseline`, as `pulumi preview` shows types. */
export function displayType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    return mod && name ? `${pkg}:${mod.split("/")[0]}:${name}` : type;
}

const get = (o: Record<string, unknown>, path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);

const targets = (v: unknown) => Array.isArray(v)
    ? v.map((t: { key: string; values: string[] }) => `${t.key}=${(t.values ?? []).join(",")}`).join(" ")
    : undefined;

/** The inputs worth a glance, per type; a preview-like line shows these. */
const KEY_INPUTS: Record<string, (i: Record<string, unknown>) => Record<string, unknown>> = {
    "pulumi:providers:aws": (i) => ({ region: i.region, assumeRole: ((): unknown => {
        try {
            return JSON.parse(String(i.assumeRoles ?? "[]"))[0]?.roleArn;
        } catch {
            return undefined;
        }
    })() }),
    "aws:ssm/patchBaseline:PatchBaseline": (i) => ({
        name: i.name,
        operatingSystem: i.operatingSystem,
        approvalRules: Array.isArray(i.approvalRules)
            ? i.approvalRules.map((r: Record<string, unknown>) => `${r.approveAfterDays ?? r.approveUntilDate}d→${r.complianceLevel}`).join(", ")
            : undefined,
    }),
    "aws:ssm/association:Association": (i) => ({
        associationName: i.associationName,
        document: i.name,
        operation: get(i, "parameters.Operation"),
        schedule: i.scheduleExpression,
        applyOnlyAtCronInterval: i.applyOnlyAtCronInterval,
        targets: targets(i.targets),
        rate: `${i.maxConcurrency}/${i.maxErrors}`,
    }),
    "aws:ssm/maintenanceWindow:MaintenanceWindow": (i) => ({ name: i.name, schedule: i.schedule, duration: i.duration, cutoff: i.cutoff }),
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (i) => ({ targets: targets(i.targets) }),
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": (i) => ({
        task: i.taskArn,
        operation: (get(i, "taskInvocationParameters.runCommandParameters.parameters") as { name: string; values: string[] }[] | undefined)
            ?.find((p) => p.name === "Operation")?.values[0],
        priority: i.priority,
        rate: `${i.maxConcurrency}/${i.maxErrors}`,
    }),
    "aws:ssm/patchGroup:PatchGroup": (i) => ({ patchGroup: i.patchGroup }),
    "aws:s3/bucketObjectv2:BucketObjectv2": (i) => ({ key: i.key }),
    "aws:s3/bucketVersioning:BucketVersioning": (i) => ({ status: get(i, "versioningConfiguration.status") }),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (i) => ({
        sse: get(i, "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"),
    }),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i) => ({ policyArn: i.policyArn }),
    "aws:ec2/instance:Instance": (i) => ({ instanceType: i.instanceType, Environment: get(i, "tags.Environment") }),
    "aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager": (i) => ({
        type: get(i, "configurationDefinitions.0.type"),
    }),
};

/** The key inputs of a resource, as `k=v` text. */
export function keyInputs(r: PlannedResource): string {
    const pick = KEY_INPUTS[r.type];
    if (!pick) return "";
    return Object.entries(pick(r.inputs))
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join("  ");
}

/** A preview-like tree of the plan: one line a resource, children under their parent. */
export function renderTree(resources: PlannedResource[]): string[] {
    const children = new Map<string, PlannedResource[]>();
    const roots: PlannedResource[] = [];
    const byUrn = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        if (r.parent && byUrn.has(r.parent)) {
            const list = children.get(r.parent) ?? [];
            list.push(r);
            children.set(r.parent, list);
        } else {
            roots.push(r);
        }
    }
    const rows: [string, string, string][] = [];
    const walk = (r: PlannedResource, prefix: string, last: boolean, depth: number) => {
        const branch = depth === 0 ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
        rows.push([`${branch}${displayType(r.type)}`, r.name, keyInputs(r)]);
        const kids = children.get(r.urn) ?? [];
        const nextPrefix = depth === 0 ? "" : `${prefix}${last ? "   " : "│  "}`;
        kids.forEach((k, i) => walk(k, nextPrefix, i === kids.length - 1, depth + 1));
    };
    roots.forEach((r, i) => walk(r, "", i === roots.length - 1, 0));
    const w1 = Math.max(4, ...rows.map((r) => r[0].length));
    const w2 = Math.max(4, ...rows.map((r) => r[1].length));
    return [
        `     ${"Type".padEnd(w1)}  ${"Name".padEnd(w2)}  Key inputs`,
        ...rows.map(([t, n, k]) => ` +   ${t.padEnd(w1)}  ${n.padEnd(w2)}  ${k}`.trimEnd()),
    ];
}

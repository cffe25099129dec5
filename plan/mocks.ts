import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The account every mocked call answers with unless a provider assumes a role in another. */
export const MOCK_ACCOUNT_ID = "111111111111";

/** Where a provider points: its Region and account. */
export interface Placement {
    region: string;
    accountId: string;
}

const hex = (seed: string, n: number) => crypto.createHash("sha256").update(seed).digest("hex").slice(0, n);
const uuid = (seed: string) => {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** Reads a provider's Region and account from its inputs, as @pulumi/aws registers them. */
export function placementOfProvider(inputs: Record<string, unknown>, fallback: Placement): Placement {
    const region = typeof inputs.region === "string" ? inputs.region : fallback.region;
    let accountId = fallback.accountId;
    const roles = typeof inputs.assumeRoles === "string" ? safeJson(inputs.assumeRoles) : inputs.assumeRoles;
    const first = Array.isArray(roles) ? roles[0] : undefined;
    const arn = typeof first?.roleArn === "string" ? first.roleArn : undefined;
    const m = arn ? /^arn:[\w-]+:iam::(\d{12}):role\//.exec(arn) : null;
    if (m) accountId = m[1];
    return { region, accountId };
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/**
 * Deterministic, plausible provider answers for the offline plan: ids shaped like AWS's, ARNs in
 * the resource's account and Region, and the few data-source calls the program makes. A call the
 * program is not known to make throws, so a new one is noticed.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
    /** Placement of each provider reference (`urn::id`); the empty reference is the default provider. */
    readonly placements = new Map<string, Placement>();

    constructor(readonly defaultPlacement: Placement) {
        this.placements.set("", defaultPlacement);
    }

    placementOf(providerRef: string | undefined): Placement {
        return this.placements.get(providerRef ?? "") ?? this.defaultPlacement;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const { type, name, inputs } = args;
        const seed = `${type}::${name}::${args.provider ?? ""}`;
        const { region, accountId } = this.placementOf(args.provider);
        const partition = partitionOf(region);
        const arn = (service: string, resource: string, r = region, a: string = accountId) => `arn:${partition}:${service}:${r}:${a}:${resource}`;
        const autoName = (max = 64) => (inputs.name as string | undefined) ?? `${name}-${hex(seed, 7)}`.slice(0, max);
        switch (type) {
            case "pulumi:providers:aws": {
                const id = uuid(seed);
                return { id, state: { ...inputs } };
            }
            case "aws:ssm/patchBaseline:PatchBaseline": {
                const id = `pb-0${hex(seed, 16)}`;
                return { id, state: { ...inputs, arn: arn("ssm", `patchbaseline/${id}`), jsonOutput: "" } };
            }
            case "aws:ssm/association:Association": {
                const id = uuid(seed);
                return { id, state: { ...inputs, associationId: id, arn: arn("ssm", `association/${id}`) } };
            }
            case "aws:ssm/maintenanceWindow:MaintenanceWindow": {
                const id = `mw-0${hex(seed, 16)}`;
                return { id, state: { ...inputs, enabled: inputs.enabled ?? true } };
            }
            case "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget":
            case "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": {
                const id = uuid(seed);
                return { id, state: { ...inputs, windowTaskId: id, arn: arn("ssm", `windowtask/${id}`) } };
            }
            case "aws:ssm/patchGroup:PatchGroup":
                return { id: `${inputs.patchGroup},${inputs.baselineId}`, state: { ...inputs } };
            case "aws:s3/bucket:Bucket": {
                const bucket = (inputs.bucket as string | undefined) ?? `${name}-${hex(seed, 7)}`.toLowerCase().slice(0, 63);
                return { id: bucket, state: { ...inputs, bucket, arn: `arn:${partition}:s3:::${bucket}`, region } };
            }
            case "aws:s3/bucketObjectv2:BucketObjectv2":
                return { id: String(inputs.key), state: { ...inputs, versionId: hex(seed, 32), etag: hex(`${seed}${inputs.content}`, 32) } };
            case "aws:iam/role:Role": {
                const roleName = autoName();
                return { id: roleName, state: { ...inputs, name: roleName, arn: `arn:${partition}:iam::${accountId}:role/${roleName}`, uniqueId: `AROA${hex(seed, 17).toUpperCase()}` } };
            }
            case "aws:iam/instanceProfile:InstanceProfile": {
                const profileName = autoName(128);
                return { id: profileName, state: { ...inputs, name: profileName, arn: `arn:${partition}:iam::${accountId}:instance-profile/${profileName}` } };
            }
            case "aws:ec2/instance:Instance": {
                const id = `i-0${hex(seed, 16)}`;
                return { id, state: { ...inputs, arn: arn("ec2", `instance/${id}`), privateIp: "10.0.0.10", instanceState: "running" } };
            }
            case "aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager": {
                const id = uuid(seed);
                return { id, state: { ...inputs, managerArn: arn("ssm-quicksetup", `configuration-manager/${id}`) } };
            }
            default:
                return { id: `${name}-${hex(seed, 8)}`, state: { ...inputs } };
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const { region, accountId } = this.placementOf(args.provider);
        const partition = partitionOf(region);
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId, arn: `arn:${partition}:sts::${accountId}:assumed-role/pulumi-deploy/plan`, userId: "AROAPLANPLANPLAN:plan", id: accountId };
            case "aws:index/getRegion:getRegion":
                return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
            case "aws:index/getPartition:getPartition":
                return { partition, id: partition, dnsSuffix: partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            case "aws:ec2/getAmi:getAmi":
                return {
                    id: `ami-0${hex(`${region}${JSON.stringify(args.inputs)}`, 16)}`,
                    name: "amzn2-ami-hvm-2.0.20261101.0-x86_64-gp2",
                    architecture: "x86_64",
                    ownerId: "137112412989",
                    platformDetails: "Linux/UNIX",
                    rootDeviceType: "ebs",
                    state: "available",
                };
            default:
                throw new Error(`the offline plan does not mock the call ${args.token}; add it to plan/mocks.ts`);
        }
    }
}

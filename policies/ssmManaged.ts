// ec2-instance-ssm-managed: the instances a stack launches can be managed by Systems Manager, so a
// patch baseline can reach them at all. Systems Manager User Guide, "Setting up Systems Manager for
// EC2 instances": a node is managed when SSM Agent can call Systems Manager, with the permissions
// of its instance profile's role (AmazonSSMManagedInstanceCore), or of the account's Default Host
// Management Configuration role ("Default Host Management Configuration allows Systems Manager to
// manage your Amazon EC2 instances automatically ... without instance profiles"), which the service
// setting /ssm/managed-instance/default-ec2-instance-management-role turns on, per account and Region.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { and, assessCoverage, CoverageInput, identifier, inReach, Member, or, reachOf, Tri } from "./coverage";
import { CORE_POLICY, IamIndex, ProfileVerdict } from "./iam";
import { Launches, LaunchVariant, Launcher } from "./launch";
import { nameOf, profileFix } from "./messages";
import { quickSetupDefinitions } from "./patchCoverage";
import { QUICK_SETUP } from "./ssm";
import { Placement, partitionOf, StackIndex } from "./stack";
import { INSTANCE_TYPES, kindOf } from "./tags";
import { field, isUnknown, undecidable, Unknown } from "./values";

export const SERVICE_SETTING = "aws:ssm/serviceSetting:ServiceSetting";
/** The service setting of Default Host Management Configuration: its value is the role's name. */
export const DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role";

/** Config of ec2-instance-ssm-managed. */
export interface SsmManagedConfig {
    /** The accounts and Regions the stack deploys to have Default Host Management Configuration, set up outside the stack. Defaults to false. */
    defaultHostManagement?: boolean;
}

export const SSM_MANAGED_DEFAULTS = { defaultHostManagement: false };

export function ssmManagedConfig(c: SsmManagedConfig): Required<SsmManagedConfig> {
    return { defaultHostManagement: c.defaultHostManagement === true };
}

/** Whether a service setting's id names Default Host Management Configuration, by id or ARN. */
export function isDhmcSetting(id: string): boolean {
    return id === DHMC_SETTING || id.endsWith(`:servicesetting${DHMC_SETTING}`);
}

/** Where the stack turns on Default Host Management Configuration: each setting's placement, and whether it is on. */
function dhmcSettings(stack: StackIndex): { placement: Placement; on: Tri }[] {
    const out: { placement: Placement; on: Tri }[] = [];
    for (const r of stack.ofType(SERVICE_SETTING)) {
        const id = field(r.props, "settingId");
        const value = field(r.props, "settingValue");
        let on: Tri;
        if (isUnknown(id)) on = id;
        else if (typeof id !== "string" || !isDhmcSetting(id)) continue;
        else if (isUnknown(value)) on = value;
        else on = typeof value === "string" && value.trim() !== "";
        out.push({ placement: stack.placement(r), on });
    }
    return out;
}

/**
 * Quick Setup patch policies that add AmazonSSMManagedInstanceCore to the instance profiles of the
 * instances they target (parameter IsPolicyAttachAllowed, "Add required IAM policies to existing
 * instance profiles attached to your instances"): which members they reach.
 */
function quickSetupAttaches(stack: StackIndex, members: Member[]): Tri[] {
    if (members.length === 0 || stack.ofType(QUICK_SETUP).length === 0) return members.map(() => false);
    const input: CoverageInput = {
        members, patchGroups: [], associations: [], windowTargets: [], windowTasks: [], quickSetups: [],
        coveredEnvironments: [], environmentTagKey: "",
    };
    for (const r of stack.ofType(QUICK_SETUP)) {
        const definitions = quickSetupDefinitions(r as PolicyResource);
        const attaching = isUnknown(definitions) ? definitions : definitions.filter((d) => {
            if (isUnknown(d) || isUnknown(d.parameters)) return true;
            const allowed = d.parameters?.IsPolicyAttachAllowed;
            return isUnknown(allowed) || allowed === "true";
        }).map((d) => {
            if (isUnknown(d) || isUnknown(d.parameters)) return d;
            const allowed = d.parameters?.IsPolicyAttachAllowed;
            // An unknown IsPolicyAttachAllowed leaves the definition's type unknown: it may attach.
            return isUnknown(allowed) ? { ...d, type: allowed } : d;
        });
        if (isUnknown(attaching) || attaching.length > 0) input.quickSetups.push({ urn: r.urn, name: r.name, placement: stack.placement(r), definitions: attaching });
    }
    if (input.quickSetups.length === 0) return members.map(() => false);
    return assessCoverage(input).verdicts.map((v): Tri => (v.state === "covered" ? true : v.state === "undecided" ? v.unknown : false));
}

type Outcome = { ok: true } | { ok: false; message: string } | { ok: "unknown"; unknown: Unknown };

/** The message for a variant whose instances SSM cannot manage. */
function message(l: Launcher, v: LaunchVariant, verdict: Extract<ProfileVerdict, { state: "none" | "lacking" }>, placement: Placement): string {
    const what = nameOf(l, v);
    const arn = `arn:${partitionOf(placement.region)}:iam::aws:policy/${CORE_POLICY}`;
    const head = `${what} must be manageable by Systems Manager`;
    const dhmc = `Or turn on Default Host Management Configuration (aws.ssm.ServiceSetting "${DHMC_SETTING}"), or set defaultHostManagement in this policy's config if the account has it.`;
    if (verdict.state === "none") {
        return `${head}, but it has no instance profile, so SSM Agent never registers it and nothing patches it: ${profileFix(l, v, "profile.name")}, for an aws.iam.InstanceProfile whose role has the policy ${arn}. ${dhmc}`;
    }
    if (!verdict.role) {
        return `${head}, but its ${verdict.profile} has no role, so SSM Agent has no credentials: set role on the profile to a role with the policy ${arn}. ${dhmc}`;
    }
    const role = verdict.role.name !== undefined ? JSON.stringify(verdict.role.name) : `${identifier(verdict.role.resourceName)}.name`;
    const attachment = JSON.stringify(`${verdict.role.name ?? verdict.role.resourceName}-ssm-core`);
    return `${head}, but ${verdict.role.label} of its ${verdict.profile} lacks SSM Agent's permissions: add new aws.iam.RolePolicyAttachment(${attachment}, { role: ${role}, policyArn: "${arn}" }). ${dhmc}`;
}

export const ec2InstanceSsmManaged: StackValidationPolicy = {
    name: "ec2-instance-ssm-managed",
    displayName: "Instances can be managed by Systems Manager",
    description: "Checks whether Systems Manager can manage the EC2 instances a stack launches: their instance profile's role has AmazonSSMManagedInstanceCore, or Default Host Management Configuration is on.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["patching", "systems-manager"],
    remediationSteps: "Give the instances an instance profile whose role has the AWS managed policy AmazonSSMManagedInstanceCore (aws.iam.RolePolicyAttachment), or turn on Default Host Management Configuration (aws.ssm.ServiceSetting /ssm/managed-instance/default-ec2-instance-management-role); set defaultHostManagement when the account has it already.",
    configSchema: {
        properties: {
            defaultHostManagement: {
                type: "boolean",
                default: SSM_MANAGED_DEFAULTS.defaultHostManagement,
                description: "The accounts and Regions the stack deploys to have Default Host Management Configuration, set up outside the stack.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        if (!args.resources.some((r) => INSTANCE_TYPES.includes(r.type))) {
            return args.notApplicable("The stack launches no EC2 instances");
        }
        const cfg = ssmManagedConfig(args.getConfig<SsmManagedConfig>());
        if (cfg.defaultHostManagement) return;
        const stack = new StackIndex(args.resources);
        const launches = new Launches(stack);
        const iam = new IamIndex(stack);
        const settings = dhmcSettings(stack);
        const origins: { launcher: Launcher; variant: LaunchVariant; placement: Placement; dhmc: Tri; verdict?: ProfileVerdict }[] = [];
        for (const l of launches.launchers) {
            const placement = stack.placement(l.resource);
            let dhmc: Tri = false;
            for (const s of settings) dhmc = or(dhmc, and(s.on, inReach(placement, reachOf(s.placement))));
            for (const variant of l.variants) {
                origins.push({ launcher: l, variant, placement, dhmc, verdict: dhmc === true ? undefined : iam.profileVerdict(variant.profile) });
            }
        }
        // Quick Setup adds the policy to an existing profile (it gives none to an instance without one):
        // matched only for the instances whose profile needs it.
        const needy = origins.filter((o) => o.verdict && (o.verdict.state === "lacking" || o.verdict.state === "unknown"));
        const attaches = new Map<object, Tri>();
        const matched = quickSetupAttaches(stack, needy.map(({ launcher, variant, placement }): Member => {
            const m: Member = { urn: launcher.urn, name: launcher.name, type: launcher.type, tags: variant.tags, placement };
            if (launcher.id !== undefined) m.id = launcher.id;
            return m;
        }));
        needy.forEach((o, i) => attaches.set(o, matched[i]));
        const outcomes: Outcome[] = origins.map((o): Outcome => {
            const { launcher, variant, placement, dhmc, verdict } = o;
            if (dhmc === true || !verdict || verdict.state === "ok") return { ok: true };
            const attached: Tri = attaches.get(o) ?? false;
            if (attached === true) return { ok: true };
            const open: Tri = or(or(dhmc, attached), verdict.state === "unknown" ? verdict.unknown : false);
            if (isUnknown(open)) return { ok: "unknown", unknown: open };
            if (verdict.state === "unknown") return { ok: "unknown", unknown: verdict.unknown };
            return { ok: false, message: message(launcher, variant, verdict, placement) };
        });
        const byLauncher = new Map<Launcher, Outcome[]>();
        outcomes.forEach((o, i) => {
            const l = origins[i].launcher;
            const list = byLauncher.get(l);
            if (list) list.push(o);
            else byLauncher.set(l, [o]);
        });
        const undecided: { launcher: Launcher; unknown: Unknown }[] = [];
        for (const [launcher, list] of byLauncher) {
            const failed = list.find((o): o is Extract<Outcome, { ok: false }> => o.ok === false);
            if (failed) {
                reportViolation(failed.message, launcher.urn);
                continue;
            }
            const open = list.find((o): o is Extract<Outcome, { ok: "unknown" }> => o.ok === "unknown");
            if (open) undecided.push({ launcher, unknown: open.unknown });
        }
        if (undecided.length > 0) {
            const first = undecided[0];
            const what = `${kindOf(first.launcher.type)} '${first.launcher.name}'`;
            undecidable(
                first.unknown.why
                    ? `whether ${undecided.length} instance resource(s) can be managed by Systems Manager cannot be known here, e.g. ${what}: ${first.unknown.describe()}`
                    : `whether ${undecided.length} instance resource(s) can be managed by Systems Manager depends on values unknown until the update, e.g. ${what} (unknown: ${first.unknown.path})`,
                first.unknown,
            );
        }
    },
};

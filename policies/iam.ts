// Whether an instance profile of the stack lets SSM Agent run on the instances it is attached to:
// its role has AmazonSSMManagedInstanceCore, or policies that allow the same agent actions. The
// role's policies come from the role itself (managedPolicyArns, inlinePolicies) and from
// attachments anywhere in the stack (aws.iam.RolePolicyAttachment, RolePolicy, PolicyAttachment,
// RolePolicyAttachmentsExclusive), including attachments to a role defined outside the stack.
import { PolicyResource } from "@pulumi/policy";
import { ProfileRef } from "./launch";
import { StackIndex } from "./stack";
import { field, isUnknown, obj, Plain, str, unknowable, Unknown } from "./values";

export const ROLE = "aws:iam/role:Role";
export const IAM_POLICY = "aws:iam/policy:Policy";
export const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
export const ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";

/** The AWS managed policy an instance role needs for Systems Manager. */
export const CORE_POLICY = "AmazonSSMManagedInstanceCore";

/**
 * AWS managed policies that give SSM Agent what it needs: AmazonSSMManagedInstanceCore (Systems
 * Manager User Guide, "Configure instance permissions required for Systems Manager": "enables an
 * instance to use Systems Manager service core functionality"), the policy of Default Host
 * Management Configuration's role, the deprecated AmazonEC2RoleforSSM, and AdministratorAccess.
 */
const AGENT_MANAGED_POLICIES = new Set([CORE_POLICY, "AmazonSSMManagedEC2InstanceDefaultPolicy", "AmazonEC2RoleforSSM", "AdministratorAccess"]);

/**
 * The actions SSM Agent needs to register the node (ssm:UpdateInstanceInformation), receive Run
 * Command and maintenance window commands (ec2messages), run State Manager associations, and run
 * AWS-RunPatchBaseline (a patch snapshot, compliance): a subset of AmazonSSMManagedInstanceCore's.
 */
export const AGENT_ACTIONS: readonly string[] = [
    "ssm:UpdateInstanceInformation",
    "ec2messages:GetMessages", "ec2messages:AcknowledgeMessage", "ec2messages:SendReply",
    "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint",
    "ssm:ListInstanceAssociations", "ssm:UpdateInstanceAssociationStatus", "ssm:DescribeAssociation",
    "ssm:GetDocument", "ssm:DescribeDocument",
    "ssm:GetDeployablePatchSnapshotForInstance", "ssm:PutComplianceItems",
];

/** What an instance profile does for SSM Agent. */
export type ProfileVerdict =
    | { state: "none" }
    | { state: "ok"; by: string }
    /** Its role (or lack of one) does not let the agent run. */
    | { state: "lacking"; profile: string; role?: { label: string; name: string | undefined; resourceName: string } }
    | { state: "unknown"; unknown: Unknown };

/** What one policy grants the agent. */
interface Grant {
    allows: RegExp[];
    denies: RegExp[];
    /** An AWS managed policy that grants everything the agent needs. */
    managed?: string;
    /** Statements this reading does not evaluate (conditions, NotAction), or values it cannot know. */
    unknown?: Unknown;
}

type RoleKey = string;

/** `ssm:Get*` as a regular expression; IAM action names are case-insensitive. */
function actionPattern(p: string): RegExp {
    return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

/** The name of an AWS managed policy from its ARN (`arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore`), or undefined. */
export function awsManagedPolicyName(arn: string): string | undefined {
    const m = /^arn:aws[\w-]*:iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
    return m ? m[1] : undefined;
}

/** Reads an IAM policy document (a JSON string or an object) into what it grants the agent. */
export function grantOf(doc: Plain | undefined, what: string): Grant {
    const grant: Grant = { allows: [], denies: [] };
    if (isUnknown(doc)) return { ...grant, unknown: doc };
    let value: unknown = doc;
    if (typeof doc === "string") {
        try {
            value = JSON.parse(doc);
        } catch {
            return grant;
        }
    }
    const statements = (value as { Statement?: unknown } | null)?.Statement;
    if (isUnknown(statements)) return { ...grant, unknown: statements };
    for (const s of Array.isArray(statements) ? statements : statements ? [statements] : []) {
        if (isUnknown(s) || s === null || typeof s !== "object") {
            if (isUnknown(s)) grant.unknown ??= s;
            continue;
        }
        const st = s as Record<string, unknown>;
        const actions = st.Action;
        if (isUnknown(actions) || isUnknown(st.Effect)) {
            grant.unknown ??= isUnknown(actions) ? actions : (st.Effect as Unknown);
            continue;
        }
        const list = (Array.isArray(actions) ? actions : [actions]).filter((a): a is string => typeof a === "string").map(actionPattern);
        if (st.Effect === "Deny") {
            grant.denies.push(...list);
        } else if (st.Effect === "Allow") {
            if (st.Condition !== undefined || st.NotAction !== undefined) {
                grant.unknown ??= unknowable(what, "grants actions under conditions (Condition or NotAction) this policy does not evaluate");
                continue;
            }
            grant.allows.push(...list);
        }
    }
    return grant;
}

/** Whether grants together let the agent run: true, false, or the unknown that leaves it open. */
export function agentAllowed(grants: readonly Grant[]): { ok: true; by: string } | { ok: false } | { ok: "unknown"; unknown: Unknown } {
    const denied = (a: string) => grants.some((g) => g.denies.some((d) => d.test(a)));
    const managed = grants.find((g) => g.managed);
    if (managed && !AGENT_ACTIONS.some(denied)) return { ok: true, by: managed.managed ?? CORE_POLICY };
    const allowed = (a: string) => grants.some((g) => g.allows.some((p) => p.test(a)));
    if (AGENT_ACTIONS.every((a) => allowed(a) && !denied(a))) return { ok: true, by: "policies that allow SSM Agent's actions" };
    const unknown = grants.find((g) => g.unknown)?.unknown;
    return unknown ? { ok: "unknown", unknown } : { ok: false };
}

/** The stack's roles, instance profiles and policies, indexed once. */
export class IamIndex {
    private readonly grantsByRole = new Map<RoleKey, Grant[]>();
    /** Grants attached to a role this reading cannot tell (its name unknown during the preview). */
    private readonly floating: Grant[] = [];
    private readonly roleCache = new Map<RoleKey, ReturnType<typeof agentAllowed>>();

    constructor(private readonly stack: StackIndex) {
        for (const r of stack.ofType(ROLE)) {
            const key = `urn:${r.urn}`;
            const managed = field(r.props, "managedPolicyArns");
            if (isUnknown(managed)) this.push(key, { allows: [], denies: [], unknown: managed });
            for (const arn of Array.isArray(managed) ? managed : []) this.push(key, this.arnGrant(r, "managedPolicyArns", arn));
            const inline = field(r.props, "inlinePolicies");
            if (isUnknown(inline)) this.push(key, { allows: [], denies: [], unknown: inline });
            for (const p of Array.isArray(inline) ? inline : []) {
                const o = obj(p);
                if (isUnknown(p)) this.push(key, { allows: [], denies: [], unknown: p });
                else if (o) this.push(key, grantOf(o.policy, `an inline policy of role '${r.name}'`));
            }
        }
        for (const a of stack.ofType(ROLE_POLICY_ATTACHMENT)) {
            this.attach(a, "role", field(a.props, "role"), this.arnGrant(a, "policyArn", field(a.props, "policyArn")));
        }
        for (const a of stack.ofType(ROLE_POLICY)) {
            this.attach(a, "role", field(a.props, "role"), grantOf(field(a.props, "policy"), `role policy '${a.name}'`));
        }
        for (const a of stack.ofType(POLICY_ATTACHMENT)) {
            const grant = this.arnGrant(a, "policyArn", field(a.props, "policyArn"));
            const roles = field(a.props, "roles");
            if (isUnknown(roles)) this.floating.push(grant);
            for (const role of Array.isArray(roles) ? roles : []) this.attach(a, "roles", role, grant);
        }
        for (const a of stack.ofType(ROLE_POLICY_ATTACHMENTS_EXCLUSIVE)) {
            const arns = field(a.props, "policyArns");
            const grants = isUnknown(arns) ? [{ allows: [], denies: [], unknown: arns }] : (Array.isArray(arns) ? arns : []).map((arn) => this.arnGrant(a, "policyArns", arn));
            for (const g of grants) this.attach(a, "roleName", field(a.props, "roleName"), g);
        }
    }

    private push(key: RoleKey, g: Grant): void {
        const list = this.grantsByRole.get(key);
        if (list) list.push(g);
        else this.grantsByRole.set(key, [g]);
    }

    private attach(a: PolicyResource, prop: string, role: Plain | undefined, grant: Grant): void {
        const res = this.stack.resolve(a, prop, role, [ROLE], ["name", "id"]);
        if (res.state === "resource") this.push(`urn:${res.target.urn}`, grant);
        else if (res.state === "outside") this.push(`name:${res.value}`, grant);
        else if (res.state === "unknown") this.floating.push(grant);
    }

    /** What a policy ARN grants: an AWS managed policy by name, a policy of the stack by its document. */
    private arnGrant(r: PolicyResource, prop: string, arn: Plain | undefined): Grant {
        const none: Grant = { allows: [], denies: [] };
        if (typeof arn === "string") {
            const managed = awsManagedPolicyName(arn);
            if (managed !== undefined) return AGENT_MANAGED_POLICIES.has(managed) ? { ...none, managed } : none;
        }
        const res = this.stack.resolve(r, prop, arn, [IAM_POLICY], ["arn", "id"]);
        switch (res.state) {
            case "resource":
                return grantOf(field(res.target.props, "policy"), `policy '${res.target.name}'`);
            case "outside":
                return { ...none, unknown: unknowable(`policy '${res.value}'`, "is defined outside this stack") };
            case "unknown":
                return { ...none, unknown: res.unknown };
            case "absent":
                return none;
        }
    }

    private roleAccess(key: RoleKey): ReturnType<typeof agentAllowed> {
        let v = this.roleCache.get(key);
        if (!v) {
            v = agentAllowed(this.grantsByRole.get(key) ?? []);
            if (v.ok === false) {
                // An attachment to a role whose name is unknown until the update may be to this one.
                const floating = agentAllowed(this.floating);
                if (floating.ok === true) v = { ok: "unknown", unknown: this.floatingUnknown() };
            }
            this.roleCache.set(key, v);
        }
        return v;
    }

    private floatingUnknown(): Unknown {
        return new Unknown("the role of a policy attachment");
    }

    /** What an instance profile reference does for SSM Agent. */
    profileVerdict(ref: ProfileRef | Unknown): ProfileVerdict {
        if (isUnknown(ref)) return { state: "unknown", unknown: ref };
        const res = ref.resolution;
        switch (res.state) {
            case "absent":
                return { state: "none" };
            case "outside":
                return { state: "unknown", unknown: unknowable(`instance profile '${res.value}'`, "is defined outside this stack") };
            case "unknown":
                return { state: "unknown", unknown: res.unknown };
            case "resource":
                break;
        }
        const profile = res.target;
        const profileLabel = `instance profile '${str(field(profile.props, "name")) ?? profile.name}'`;
        const role = this.stack.resolve(profile, "role", field(profile.props, "role"), [ROLE], ["name", "id"]);
        let key: RoleKey;
        let label: string;
        let name: string | undefined;
        let resourceName: string;
        switch (role.state) {
            case "absent":
                return { state: "lacking", profile: profileLabel };
            case "unknown":
                return { state: "unknown", unknown: role.unknown };
            case "outside":
                key = `name:${role.value}`;
                label = `role '${role.value}'`;
                name = role.value;
                resourceName = role.value;
                break;
            case "resource":
                key = `urn:${role.target.urn}`;
                name = str(field(role.target.props, "name"));
                resourceName = role.target.name;
                label = `role '${name ?? role.target.name}'`;
                break;
        }
        const access = this.roleAccess(key);
        if (access.ok === true) return { state: "ok", by: `${label} (${access.by})` };
        if (access.ok === "unknown") return { state: "unknown", unknown: access.unknown };
        // A role defined outside the stack may have policies this stack does not see.
        if (role.state === "outside") return { state: "unknown", unknown: unknowable(label, "is defined outside this stack") };
        return { state: "lacking", profile: profileLabel, role: { label, name, resourceName } };
    }
}

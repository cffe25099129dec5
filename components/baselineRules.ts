import { check, show } from "./errors";

/** Operating systems a patch baseline can target, as the PatchBaseline API spells them. */
export const OPERATING_SYSTEMS = [
    "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "AMAZON_LINUX_2023", "ALMA_LINUX", "CENTOS",
    "DEBIAN", "MACOS", "ORACLE_LINUX", "RASPBIAN", "REDHAT_ENTERPRISE_LINUX", "ROCKY_LINUX", "SUSE",
    "UBUNTU", "WINDOWS",
] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

export type FilterKey = "PRODUCT" | "CLASSIFICATION" | "SEVERITY" | "PRIORITY" | "PRODUCT_FAMILY" | "MSRC_SEVERITY";

/** The filter keys an approval rule may use, per operating system family. */
export function filterKeysFor(os: OperatingSystem): FilterKey[] {
    switch (os) {
        case "UBUNTU":
        case "DEBIAN":
        case "RASPBIAN":
            return ["PRODUCT", "PRIORITY"];
        case "MACOS":
            return ["PRODUCT", "CLASSIFICATION"];
        case "WINDOWS":
            return ["PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY"];
        default:
            return ["PRODUCT", "CLASSIFICATION", "SEVERITY"];
    }
}

const RPM_CLASSIFICATIONS = ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"];
const RPM_SEVERITIES = ["Critical", "Important", "Medium", "Low", "None"];

/**
 * The values DescribePatchProperties returns for the keys whose values are a short fixed list;
 * keys not listed here (products, product families) are passed through unchecked. `*` is always
 * allowed and means all values.
 */
export function knownFilterValues(os: OperatingSystem, key: FilterKey): string[] | undefined {
    const rpm = !["UBUNTU", "DEBIAN", "RASPBIAN", "MACOS", "WINDOWS"].includes(os);
    if (rpm && key === "CLASSIFICATION") return RPM_CLASSIFICATIONS;
    if (rpm && key === "SEVERITY") return RPM_SEVERITIES;
    if (key === "PRIORITY") return ["Required", "Important", "Standard", "Optional", "Extra"];
    if (os === "WINDOWS" && key === "MSRC_SEVERITY") return ["Critical", "Important", "Moderate", "Low", "Unspecified"];
    if (os === "WINDOWS" && key === "CLASSIFICATION") {
        return ["CriticalUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "SecurityUpdates", "ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"];
    }
    if (os === "MACOS" && key === "CLASSIFICATION") return ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"];
    return undefined;
}

/** One approval rule, in the words of the console. Unset filters mean "all" for that key. */
export interface ApprovalRuleArgs {
    /** Products, e.g. ["AmazonLinux2"]. Defaults to all ("*"). */
    products?: string[];
    /** Classifications, e.g. ["Security", "Bugfix"] (not on Debian/Ubuntu). Defaults to all. */
    classifications?: string[];
    /** Severities, e.g. ["Critical", "Important"] (Linux RPM families; MSRC severities on Windows). Defaults to all. */
    severities?: string[];
    /** Debian/Ubuntu priorities, e.g. ["Required", "Important"]. Defaults to all on those systems. */
    priorities?: string[];
    /** Windows product families, e.g. ["Windows"]. Not set by default. */
    productFamilies?: string[];
    /** Days after release before a patch is approved, 0-360. Defaults to 7 unless approveUntilDate is set. */
    approveAfterDays?: number;
    /** Approve patches released on or before this date (YYYY-MM-DD) instead of approveAfterDays. */
    approveUntilDate?: string;
    /** Compliance level reported for a missing patch approved by this rule. Defaults to UNSPECIFIED. */
    complianceLevel?: ComplianceLevel;
    /** Also install non-security updates from the repositories (Linux). Defaults to false. */
    enableNonSecurity?: boolean;
}

export interface PatchFilter {
    key: FilterKey;
    values: string[];
}

/** An approval rule resolved to the API's shape. */
export interface ApprovalRule {
    patchFilters: PatchFilter[];
    approveAfterDays?: number;
    approveUntilDate?: string;
    complianceLevel: ComplianceLevel;
    enableNonSecurity: boolean;
}

export const MAX_APPROVAL_RULES = 10;
const MAX_FILTERS = 4;
const MAX_FILTER_VALUES = 20;

function validateFilterValues(os: OperatingSystem, key: FilterKey, values: unknown, path: string): string[] {
    check(Array.isArray(values) && values.length > 0, path, `must be a non-empty list of ${key} values (use ["*"] for all)`);
    check(values.length <= MAX_FILTER_VALUES, path, `at most ${MAX_FILTER_VALUES} values a filter; got ${values.length}`);
    const known = knownFilterValues(os, key);
    values.forEach((v, i) => {
        check(typeof v === "string" && v.length > 0, `${path}[${i}]`, "must be a non-empty string");
        if (known && v !== "*") {
            check(known.includes(v), `${path}[${i}]`, `${show(v)} is not a ${key} value for ${os}; allowed: ${known.join(", ")} or "*"`);
        }
    });
    return values as string[];
}

/** Validates an approval rule for `os` and resolves it to the API's shape. */
export function buildApprovalRule(os: OperatingSystem, rule: ApprovalRuleArgs, path: string): ApprovalRule {
    check(typeof rule === "object" && rule !== null && !Array.isArray(rule), path, "must be an object with products, classifications, severities, approveAfterDays, complianceLevel");
    const allowedKeys = filterKeysFor(os);
    const requested: [FilterKey, string, string[] | undefined][] = [
        ["PRODUCT", "products", rule.products],
        ["PRODUCT_FAMILY", "productFamilies", rule.productFamilies],
        ["CLASSIFICATION", "classifications", rule.classifications],
        ["SEVERITY", "severities", os === "WINDOWS" ? undefined : rule.severities],
        ["MSRC_SEVERITY", "severities", os === "WINDOWS" ? rule.severities : undefined],
        ["PRIORITY", "priorities", rule.priorities],
    ];
    const filters: PatchFilter[] = [];
    for (const [key, field, values] of requested) {
        if (values === undefined) continue;
        check(allowedKeys.includes(key), `${path}.${field}`, `${os} approval rules cannot filter on ${key}; they filter on ${allowedKeys.join(", ")}`);
        filters.push({ key, values: validateFilterValues(os, key, values, `${path}.${field}`) });
    }
    if (!filters.some((f) => f.key === "PRODUCT")) {
        filters.unshift({ key: "PRODUCT", values: ["*"] });
    }
    check(filters.length <= MAX_FILTERS, path, `at most ${MAX_FILTERS} patch filters a rule; got ${filters.length}`);

    check(
        !(rule.approveAfterDays !== undefined && rule.approveUntilDate !== undefined),
        path,
        "set approveAfterDays or approveUntilDate, not both",
    );
    let approveAfterDays: number | undefined;
    let approveUntilDate: string | undefined;
    if (rule.approveUntilDate !== undefined) {
        check(
            typeof rule.approveUntilDate === "string" && /^\d{4}-\d{2}-\d{2}$/.test(rule.approveUntilDate) && !isNaN(Date.parse(rule.approveUntilDate)),
            `${path}.approveUntilDate`,
            `must be a date YYYY-MM-DD; got ${show(rule.approveUntilDate)}`,
        );
        approveUntilDate = rule.approveUntilDate;
    } else {
        approveAfterDays = rule.approveAfterDays ?? 7;
        check(
            Number.isInteger(approveAfterDays) && approveAfterDays >= 0 && approveAfterDays <= 360,
            `${path}.approveAfterDays`,
            `must be a whole number of days from 0 to 360; got ${show(rule.approveAfterDays)}`,
        );
    }
    const complianceLevel = rule.complianceLevel ?? "UNSPECIFIED";
    check(
        (COMPLIANCE_LEVELS as readonly string[]).includes(complianceLevel),
        `${path}.complianceLevel`,
        `must be one of ${COMPLIANCE_LEVELS.join(", ")}; got ${show(complianceLevel)}`,
    );
    check(
        rule.enableNonSecurity === undefined || typeof rule.enableNonSecurity === "boolean",
        `${path}.enableNonSecurity`,
        `must be true or false; got ${show(rule.enableNonSecurity)}`,
    );
    return {
        patchFilters: filters,
        ...(approveAfterDays !== undefined ? { approveAfterDays } : {}),
        ...(approveUntilDate !== undefined ? { approveUntilDate } : {}),
        complianceLevel,
        enableNonSecurity: rule.enableNonSecurity ?? false,
    };
}

/** Validates a list of approval rules (at most 10). */
export function buildApprovalRules(os: OperatingSystem, rules: ApprovalRuleArgs[], path: string): ApprovalRule[] {
    check(Array.isArray(rules), path, "must be a list of approval rules");
    check(rules.length <= MAX_APPROVAL_RULES, path, `at most ${MAX_APPROVAL_RULES} approval rules a baseline; got ${rules.length}`);
    return rules.map((r, i) => buildApprovalRule(os, r, `${path}[${i}]`));
}

/** Checks that `os` is an operating system the PatchBaseline API knows. */
export function validateOperatingSystem(os: unknown, path: string): OperatingSystem {
    check(
        typeof os === "string" && (OPERATING_SYSTEMS as readonly string[]).includes(os),
        path,
        `must be one of ${OPERATING_SYSTEMS.join(", ")}; got ${show(os)}`,
    );
    return os as OperatingSystem;
}

/** Checks a patch baseline name: 3-128 characters of letters, digits, `_`, `-` and `.`. */
export function validateBaselineName(name: unknown, path: string): string {
    check(
        typeof name === "string" && /^[a-zA-Z0-9_\-.]{3,128}$/.test(name),
        path,
        `must be 3-128 characters of letters, digits, "_", "-" and "."; got ${show(name)}`,
    );
    return name;
}

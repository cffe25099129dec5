/**
 * Escaping and number/time formatting shared by the HTML and Markdown renderers. Every string that
 * comes from the data (names, errors, titles, ids, even account and Region) goes through
 * escapeHtml or escapeMarkdown before it is written.
 */

const HTML_SPECIAL = /[&<>"']/;
const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe in HTML element content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
    const text = value === null || value === undefined ? "" : String(value);
    return HTML_SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]) : text;
}

/**
 * Text safe in a Markdown table cell (GitHub-flavoured, as in a CI job summary): no line breaks,
 * pipes and Markdown punctuation escaped, and no HTML (GitHub renders HTML in Markdown).
 */
export function escapeMarkdown(value: unknown): string {
    const text = value === null || value === undefined ? "" : String(value);
    return text
        .replace(/[\r\n\t]+/g, " ")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/([\\`*_[\]{}()#+!|~])/g, "\\$1");
}

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
    const text = String(n);
    return n >= 1000 || n <= -1000 ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text;
}

/** A count from the report, or an em dash where the report has none (null). */
export function formatMaybe(n: number | null | undefined): string {
    return typeof n === "number" && Number.isFinite(n) ? formatCount(n) : "—";
}

/** "2026-11-23 16:37Z", as patchctl's tables show times. */
export function formatTime(date: Date | undefined): string {
    return date ? `${date.toISOString().slice(0, 16).replace("T", " ")}Z` : "—";
}

/** "2026-11-23 16:37:58 UTC". */
export function formatTimeLong(date: Date): string {
    return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** An age in words: "5 hours", "1 day", "23 days". */
export function formatAge(days: number): string {
    if (days < 1) {
        const hours = Math.floor(days * 24);
        return hours < 1 ? "under an hour" : `${hours} hour${hours === 1 ? "" : "s"}`;
    }
    const whole = Math.floor(days);
    return `${formatCount(whole)} day${whole === 1 ? "" : "s"}`;
}

/** "3 of 6 (50%)"-style share, as a percentage with no decimals ("—" of nothing). */
export function formatPercent(part: number, whole: number): string {
    return whole > 0 ? `${Math.round((part / whole) * 100)}%` : "—";
}

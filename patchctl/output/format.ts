/**
 * Report rendering: a readable table (default), --json (one JSON document) or --csv (RFC 4180).
 * Commands build a Report; only this file knows how it is printed.
 */

export type Format = "table" | "json" | "csv";

export interface Column {
    key: string;
    header: string;
    /** Right-align in tables (numbers). */
    numeric?: boolean;
}

export type Cell = string | number | boolean | null | undefined | Date | string[];
export type Row = Record<string, Cell>;

export interface Report {
    columns: Column[];
    /** Columns for --csv when they differ from the table's (e.g. ids too wide for a terminal). */
    csvColumns?: Column[];
    rows: Row[];
    /** The --json document. */
    json: unknown;
    /** Lines printed under the table (summaries, hints). Not printed in --json / --csv. */
    notes?: string[];
    /** Printed instead of an empty table. */
    emptyMessage?: string;
}

export function render(report: Report, format: Format): string {
    if (format === "json") {
        return `${JSON.stringify(report.json, jsonReplacer, 2)}\n`;
    }
    if (format === "csv") {
        return renderCsv(report.csvColumns ?? report.columns, report.rows);
    }
    const parts: string[] = [];
    if (report.rows.length > 0) {
        parts.push(renderTable(report.columns, report.rows));
    } else if (report.emptyMessage) {
        parts.push(report.emptyMessage);
    }
    if (report.notes && report.notes.length > 0) {
        parts.push(report.notes.join("\n"));
    }
    return parts.length > 0 ? `${parts.join("\n\n")}\n` : "";
}

/** Formats one cell as text (dates as "2024-05-04 23:30Z", lists comma-separated, empty as "-"). */
export function formatCell(value: Cell): string {
    if (value === null || value === undefined || value === "") {
        return "-";
    }
    if (value instanceof Date) {
        return formatTime(value);
    }
    if (Array.isArray(value)) {
        return value.length === 0 ? "-" : value.join(",");
    }
    return String(value);
}

export function formatTime(date: Date): string {
    if (Number.isNaN(date.getTime())) {
        return "-";
    }
    return `${date.toISOString().slice(0, 16).replace("T", " ")}Z`;
}

export function renderTable(columns: Column[], rows: Row[]): string {
    const cells = rows.map((row) => columns.map((column) => formatCell(row[column.key])));
    const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i].length)));
    const pad = (text: string, i: number): string =>
        columns[i].numeric ? text.padStart(widths[i]) : i === columns.length - 1 ? text : text.padEnd(widths[i]);
    const lines = [columns.map((column, i) => pad(column.header, i)), ...cells.map((line) => line.map(pad))];
    return lines.map((line) => line.join("  ").trimEnd()).join("\n");
}

export function renderCsv(columns: Column[], rows: Row[]): string {
    const field = (value: Cell): string => {
        const text =
            value === null || value === undefined
                ? ""
                : value instanceof Date
                  ? value.toISOString()
                  : Array.isArray(value)
                    ? value.join(" ")
                    : String(value);
        return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const lines = [columns.map((column) => field(column.key)), ...rows.map((row) => columns.map((column) => field(row[column.key])))];
    return `${lines.map((line) => line.join(",")).join("\r\n")}\r\n`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
    return value === undefined ? null : value;
}

// Reads the code blocks of the project's Markdown pages, for the test that walks them.
import * as fs from "fs";

/** One fenced code block. */
export interface CodeBlock {
    /** The info string: sh, ts, yaml, json, or "" for a transcript. */
    lang: string;
    /** 1-based line of the opening fence. */
    line: number;
    /** The block's lines, without the fences. */
    lines: string[];
}

/** One `$ command` of a transcript block, with the output shown under it. */
export interface TranscriptStep {
    command: string;
    /** The comment after the command (`# Ctrl-C while waiting`), if any. */
    comment?: string;
    /** What the page shows the command printing. */
    output: string[];
    /** The `[exit N]` line, when shown. */
    exitCode?: number;
    line: number;
}

/** The fenced code blocks of a Markdown file, in order. A `>` quote's blocks are included. */
export function codeBlocks(file: string): CodeBlock[] {
    const blocks: CodeBlock[] = [];
    const lines = fs.readFileSync(file, "utf8").split("\n");
    let open: CodeBlock | undefined;
    let quote = "";
    lines.forEach((raw, i) => {
        const m = /^(>\s?)?(\s*)```(\S*)\s*$/.exec(raw);
        if (!open && m) {
            quote = (m[1] ?? "") + m[2];
            open = { lang: m[3], line: i + 1, lines: [] };
        } else if (open && m && (m[1] ?? "") + m[2] === quote) {
            blocks.push(open);
            open = undefined;
        } else if (open) {
            open.lines.push(raw.startsWith(quote) ? raw.slice(quote.length) : raw.replace(/^>\s?/, ""));
        }
    });
    if (open) throw new Error(`${file}:${open.line}: a code block is never closed`);
    return blocks;
}

/** The commands of a shell block: comments dropped, `\` continuations joined. */
export function shellCommands(block: CodeBlock): { command: string; line: number }[] {
    const out: { command: string; line: number }[] = [];
    let pending: { command: string; line: number } | undefined;
    block.lines.forEach((raw, i) => {
        const text = stripComment(raw).trim();
        if (pending) {
            pending.command += " " + text.replace(/\\$/, "").trim();
        } else if (text !== "") {
            pending = { command: text.replace(/\\$/, "").trim(), line: block.line + 1 + i };
        }
        if (pending && !text.endsWith("\\")) {
            out.push(pending);
            pending = undefined;
        }
    });
    return out;
}

/** Whether a block is a transcript: `$ command` lines followed by what they print. */
export function isTranscript(block: CodeBlock): boolean {
    return block.lang === "" && block.lines.some((l) => l.startsWith("$ "));
}

/** The steps of a transcript block. */
export function transcriptSteps(block: CodeBlock): TranscriptStep[] {
    const steps: TranscriptStep[] = [];
    block.lines.forEach((raw, i) => {
        if (raw.startsWith("$ ")) {
            const text = raw.slice(2);
            const command = stripComment(text).trim();
            const comment = text.slice(command.length).replace(/^\s*#\s*/, "").trim() || undefined;
            steps.push({ command, comment, output: [], line: block.line + 1 + i });
            return;
        }
        const step = steps[steps.length - 1];
        if (!step) return;
        const exit = /^\[exit (\d+)\]$/.exec(raw);
        if (exit) step.exitCode = Number(exit[1]);
        else step.output.push(raw);
    });
    for (const step of steps) {
        while (step.output.length > 0 && step.output[step.output.length - 1] === "") step.output.pop();
    }
    return steps;
}

/** A shell line without its trailing `# comment` (a `#` inside quotes stays). */
function stripComment(line: string): string {
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = undefined;
        } else if (c === "'" || c === "\"") {
            quote = c;
        } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
            return line.slice(0, i);
        }
    }
    return line;
}

/**
 * Masks what the loopback endpoint makes up anew on every run (times, ids) with same-length
 * placeholders, so that table columns stay aligned and the rest compares exactly.
 */
export function mask(line: string): string {
    return line
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, (s) => "T".repeat(s.length))
        .replace(/\d{4}-\d\d-\d\d \d\d:\d\dZ/g, (s) => "T".repeat(s.length))
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (s) => "U".repeat(s.length));
}

/**
 * Lines that account-Regions worked on in parallel print in the order they finish (`patchctl: sent
 * ... command ... in account ...`): each run of them is compared as a set.
 */
function unordered(lines: string[]): string[] {
    const out = [...lines];
    const parallel = /^patchctl: sent \w+ command /;
    for (let i = 0; i < out.length; ) {
        let j = i;
        while (j < out.length && parallel.test(out[j])) j++;
        if (j - i > 1) out.splice(i, j - i, ...out.slice(i, j).sort());
        i = Math.max(j, i + 1);
    }
    return out;
}

/**
 * Compares what a command printed with what the page shows. A shown line `...` stands for any
 * number of printed lines. Returns a description of the first difference, or undefined.
 */
export function compareOutput(shown: string[], printed: string[]): string | undefined {
    const want = unordered(shown.map(mask));
    const got = unordered(printed.map(mask));
    const match = (w: number, g: number): boolean => {
        if (w === want.length) return g === got.length;
        if (want[w].trim() === "...") {
            for (let k = g; k <= got.length; k++) if (match(w + 1, k)) return true;
            return false;
        }
        return g < got.length && want[w].trimEnd() === got[g].trimEnd() && match(w + 1, g + 1);
    };
    if (match(0, 0)) return undefined;
    // The first line that differs, for the failure message.
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
        if (want[i] === undefined || got[i] === undefined || (want[i].trim() !== "..." && want[i].trimEnd() !== got[i].trimEnd())) {
            return `line ${i + 1}:\n  shown:   ${JSON.stringify(shown[i])}\n  printed: ${JSON.stringify(printed[i])}\nprinted in full:\n${printed.join("\n")}`;
        }
        if (want[i].trim() === "...") break;
    }
    return `the output differs after a "..." line; printed in full:\n${printed.join("\n")}`;
}

// Walks a page (README.md, docs/*.md) as a newcomer would: every shell line is run as printed (or
// is on the list below of lines that cannot run here, with the reason), and every transcript
// (`$ command`, its output, `[exit N]`) is run against the loopback endpoint the README starts, in
// page order, and must print what the page shows (times and ids masked).
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { codeBlocks, compareOutput, isTranscript, shellCommands, transcriptSteps } from "./markdown";

const ROOT = path.join(__dirname, "..", "..");

/** The pages walked: README.md (tests/docs/readme.test.ts) and every docs/*.md (tests/docs/pages.test.ts). */
export const DOC_PAGES = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);

type Rule = { pattern: RegExp; run: "run" | "endpoint" | "env" } | { pattern: RegExp; skip: string };

/** Every shell line of the pages must match one of these; the first match decides. */
const RULES: Rule[] = [
    { pattern: /^npm ci && npm run (-s )?plan\b/, run: "run" },
    { pattern: /^npm ci\b/, skip: "installs from the lock file: .ci/run does it before this test runs" },
    { pattern: /^npm test$/, skip: "the test command itself" },
    { pattern: /^npm run bench\b/, skip: "benchmarks take minutes; their figures are in the README" },
    { pattern: /^npm link$/, skip: "links into the global prefix; this test puts the same link on its own PATH" },
    { pattern: /^pulumi\b/, skip: "needs the Pulumi CLI and an AWS account; the offline plan runs the same program and pack" },
    { pattern: /^cd policies && (npm install|pulumi)\b/, skip: "installs from the registry for the Pulumi CLI; tests/policies/package.test.ts checks its lock file" },
    { pattern: /^apt-get install\b/, skip: "installs a system package" },
    { pattern: /serveSsm\.js\b.*&$/, run: "endpoint" },
    { pattern: /^export \w+=/, run: "env" },
    { pattern: /^npm run (-s )?plan\b/, run: "run" },
    { pattern: /^(npx )?patchctl\b/, run: "run" },
];

function ruleFor(command: string): Rule | undefined {
    return RULES.find((r) => r.pattern.test(command));
}

/** A shell for the walk: the repo as working directory, `patchctl` on PATH (what `npm link` does), the README's environment. */
class Walker {
    readonly env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_COLOR: "1" };
    private readonly bin = fs.mkdtempSync(path.join(os.tmpdir(), "walk-"));
    private endpoint?: ChildProcess;
    private proxy?: http.Server;
    private url?: string;
    /** Called with each SSM operation the proxy forwards. */
    onOperation?: (operation: string) => void;

    constructor() {
        fs.symlinkSync(path.join(ROOT, "bin", "patchctl"), path.join(this.bin, "patchctl"));
        this.env.PATH = `${this.bin}${path.delimiter}${process.env.PATH}`;
        for (const key of Object.keys(this.env)) if (key.startsWith("AWS_") || key === "PATCHCTL_ENDPOINT") delete this.env[key];
    }

    /** Starts the endpoint as the page's command does, behind a proxy that tells which operation each request is. */
    async startEndpoint(command: string): Promise<void> {
        const child = spawn("bash", ["-c", `exec ${command.replace(/&$/, "")}`], { cwd: ROOT, env: this.env, stdio: ["pipe", "pipe", "pipe"] });
        this.endpoint = child;
        const target = await new Promise<string>((resolve, reject) => {
            let out = "";
            let err = "";
            child.stdout!.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
                if (m) resolve(m[0]);
            });
            child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
            child.on("exit", (code) => reject(new Error(`the endpoint exited (${code}) before printing its address: ${err}`)));
        });
        this.proxy = http.createServer((req, res) => {
            const operation = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
            if (operation) this.onOperation?.(operation);
            const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
            });
            upstream.on("error", () => res.destroy());
            req.pipe(upstream);
        });
        await new Promise<void>((resolve) => this.proxy!.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.proxy.address() as { port: number }).port}`;
    }

    /** Applies an `export A=1 B=2` line, with the endpoint's address for `<port>`. */
    exportLine(command: string): void {
        for (const m of command.slice("export ".length).matchAll(/(\w+)=(\S+)/g)) {
            this.env[m[1]] = m[2].replace(/http:\/\/127\.0\.0\.1:<port>/, () => {
                assert.ok(this.url, "the page exports the endpoint's address before starting it");
                return this.url;
            });
        }
    }

    /**
     * Runs a command as bash would, stdout and stderr in one stream as a terminal shows them.
     * `answer` is typed at a prompt through a pseudo-terminal; `interruptOn` sends Ctrl-C once
     * the command has made that SSM call.
     */
    /** Files the walk's commands wrote (--html, --markdown, --save, --snapshot), removed when the page is done. */
    readonly written = new Set<string>();

    run(command: string, opts: { answer?: string; interruptOn?: string } = {}): Promise<{ code: number; output: string[] }> {
        for (const m of command.matchAll(/--(?:html|markdown|save|snapshot)[ =](\S+)/g)) {
            const file = path.resolve(ROOT, m[1]);
            if (!fs.existsSync(file)) this.written.add(file);
        }
        const args = opts.answer !== undefined
            ? ["-qec", command, "/dev/null"]
            : ["-c", `exec 2>&1; ${command}`];
        const child = spawn(opts.answer !== undefined ? "script" : "bash", args, { cwd: ROOT, env: this.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
        let raw = "";
        child.stdout!.on("data", (d: Buffer) => (raw += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (raw += d.toString()));
        let answered = opts.answer === undefined;
        const onData = (): void => {
            // Typed at the prompt, as a person would: only once the question is on the screen.
            if (!answered && raw.includes("[y/N]")) {
                answered = true;
                child.stdin!.write(`${opts.answer}\n`);
            }
        };
        child.stdout!.on("data", onData);
        if (opts.answer === undefined) child.stdin!.end();
        if (opts.interruptOn) {
            const operation = opts.interruptOn;
            this.onOperation = (op) => {
                if (op !== operation) return;
                this.onOperation = undefined;
                // Ctrl-C signals the terminal's whole foreground process group.
                setTimeout(() => process.kill(-child.pid!, "SIGINT"), 50);
            };
        }
        return new Promise((resolve) => {
            child.on("close", (code, signal) => {
                this.onOperation = undefined;
                resolve({ code: code ?? (signal === "SIGINT" ? 130 : 1), output: screen(raw) });
            });
        });
    }

    async close(): Promise<void> {
        this.proxy?.close();
        if (this.endpoint && this.endpoint.exitCode === null) {
            const exited = new Promise((resolve) => this.endpoint!.once("exit", resolve));
            this.endpoint.kill("SIGTERM");
            await exited;
        }
        fs.rmSync(this.bin, { recursive: true, force: true });
        for (const file of this.written) fs.rmSync(file, { force: true });
    }
}

/** What a terminal shows of a program's output: escape sequences applied, a line rewritten after `\r` shown as its last version. */
function screen(raw: string): string[] {
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what this removes
    const lines = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").split(/\r?\n/).map((l) => l.split("\r").filter((s) => s !== "").pop() ?? "");
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * `WALK_UPDATE=1 npx mocha ... tests/docs/readme.test.ts tests/docs/pages.test.ts` writes what each transcript printed into
 * its page (for the steps whose output no longer matches), to refresh samples after a change to
 * the output; review the diff before committing it.
 */
const UPDATE = process.env.WALK_UPDATE === "1";

/** Replaces the output (and `[exit N]`) shown under the `$ command` at `line` with what it printed. */
function rewriteStep(lines: string[], line: number, output: string[], code: number): void {
    let end = line; // index of the first line after the step's output
    while (end < lines.length && !lines[end].startsWith("$ ") && !/^\s*```/.test(lines[end])) end++;
    // Keep the blank line that separates steps.
    const trailingBlank = end < lines.length && lines[end].startsWith("$ ") && lines[end - 1] === "";
    lines.splice(line, end - line, ...output, `[exit ${code}]`, ...(trailingBlank ? [""] : []));
}

/** Declares the walk of one page (a describe block with a step per line): README.md, or a docs/ page after the README's set-up. */
export function walkPage(page: string): void {
    describe(`${page}, line by line`, function () {
        this.timeout(120_000);
        const blocks = codeBlocks(path.join(ROOT, page));
        const readme = codeBlocks(path.join(ROOT, "README.md"));
        const walker = new Walker();
        const updates: { line: number; output: string[]; code: number }[] = [];
        after(() => walker.close());
        after(() => {
            if (!UPDATE || updates.length === 0) return;
            const file = path.join(ROOT, page);
            const lines = fs.readFileSync(file, "utf8").split("\n");
            for (const u of [...updates].sort((a, b) => b.line - a.line)) rewriteStep(lines, u.line, u.output, u.code);
            fs.writeFileSync(file, lines.join("\n"));
        });

        // The README's endpoint set-up serves the other pages too.
        const setup = page === "README.md" ? [] : readme.filter((b) => b.lang === "sh").flatMap(shellCommands).filter((c) => {
            const rule = ruleFor(c.command);
            return rule && "run" in rule && (rule.run === "endpoint" || rule.run === "env");
        });

        let lastPrinted: string[] = [];
        const steps: { line: number; title: string; fn: () => Promise<void> }[] = [];
        for (const c of setup) {
            steps.push({ line: c.line, title: `(README set-up) ${c.command}`, fn: () => runShell(c.command) });
        }
        for (const block of blocks) {
            if (block.lang === "sh") {
                for (const c of shellCommands(block)) steps.push({ line: c.line, title: c.command, fn: () => runShell(c.command) });
            } else if (isTranscript(block)) {
                for (const step of transcriptSteps(block)) {
                    steps.push({
                        line: step.line,
                        title: `$ ${step.command}`,
                        fn: async () => {
                            const rule = ruleFor(step.command);
                            assert.ok(rule && "run" in rule && rule.run === "run", `${page}:${step.line}: a transcript of a command this test cannot run: ${step.command}`);
                            // An id the page shows from an earlier step is the id that step printed here.
                            const shownIds = new Set(lastPrinted.join("\n").match(UUID) ?? []);
                            const earlier = [...shownIds].pop();
                            const command = earlier ? step.command.replace(UUID, (id) => (shownIds.has(id) ? id : earlier)) : step.command;
                            const answer = step.output.find((l) => /\[y\/N\] y$/.test(l)) ? "y" : undefined;
                            const interruptOn = step.comment?.includes("Ctrl-C while waiting") ? "ListCommands" : undefined;
                            const result = await walker.run(command, { answer, interruptOn });
                            lastPrinted = result.output;
                            const diff = compareOutput(step.output, result.output);
                            if (UPDATE && (diff !== undefined || (step.exitCode !== undefined && step.exitCode !== result.code))) {
                                updates.push({ line: step.line, output: result.output, code: result.code });
                                return;
                            }
                            assert.equal(diff, undefined, `${page}:${step.line}: \`${step.command}\` printed other than shown: ${diff}`);
                            if (step.exitCode !== undefined) assert.equal(result.code, step.exitCode, `${page}:${step.line}: exit code`);
                        },
                    });
                }
            }
        }

        async function runShell(command: string): Promise<void> {
            const rule = ruleFor(command);
            assert.ok(rule, `${page}: a shell line this test does not know how to run or why not to: ${command}`);
            if ("skip" in rule) return;
            if (rule.run === "endpoint") return walker.startEndpoint(command);
            if (rule.run === "env") return walker.exportLine(command);
            // `npm ci && <command>`: the install is .ci/run's first step; the command after it runs here.
            const result = await walker.run(command.replace(/^npm ci && /, ""));
            assert.equal(result.code, 0, `${page}: \`${command}\` exited ${result.code}:\n${result.output.join("\n")}`);
        }

        for (const step of steps) {
            const rule = step.title.startsWith("$ ") ? undefined : ruleFor(step.title.replace(/^\(README set-up\) /, ""));
            const label = `${page}:${step.line}: ${step.title}${rule && "skip" in rule ? ` (not run: ${rule.skip})` : ""}`;
            it(label, step.fn);
        }
    });
}

/** Confirmation prompts for commands that change machines. */

export interface Prompter {
    /** True when a person can answer (stdin and stderr are terminals). */
    interactive(): boolean;
    /** Asks a yes/no question; resolves true only for "y" or "yes". */
    confirm(question: string): Promise<boolean>;
}

/**
 * A prompter on the process's terminal (stdin by default); the question goes to stderr so stdout
 * stays a clean report. stdin and readline are touched only when asked: most runs never ask.
 */
export function terminalPrompter(stdin?: NodeJS.ReadStream, output: NodeJS.WriteStream = process.stderr): Prompter {
    const input = (): NodeJS.ReadStream => stdin ?? process.stdin;
    return {
        interactive: () => Boolean(input().isTTY && output.isTTY),
        confirm: async (question) => {
            const { createInterface } = await import("node:readline");
            return new Promise((resolve) => {
                const rl = createInterface({ input: input(), output, terminal: true });
                let answered = false;
                rl.on("SIGINT", () => {
                    output.write("\n");
                    rl.close();
                });
                rl.on("close", () => {
                    if (!answered) {
                        resolve(false);
                    }
                });
                rl.question(`${question} [y/N] `, (answer) => {
                    answered = true;
                    rl.close();
                    resolve(/^(y|yes)$/i.test(answer.trim()));
                });
            });
        },
    };
}

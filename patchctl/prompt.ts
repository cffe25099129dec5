/** Confirmation prompts for commands that change machines. */
import { createInterface } from "node:readline";

export interface Prompter {
    /** True when a person can answer (stdin and stderr are terminals). */
    interactive(): boolean;
    /** Asks a yes/no question; resolves true only for "y" or "yes". */
    confirm(question: string): Promise<boolean>;
}

/** A prompter on the process's terminal; the question goes to stderr so stdout stays a clean report. */
export function terminalPrompter(
    input: NodeJS.ReadStream = process.stdin,
    output: NodeJS.WriteStream = process.stderr,
): Prompter {
    return {
        interactive: () => Boolean(input.isTTY && output.isTTY),
        confirm: (question) =>
            new Promise((resolve) => {
                const rl = createInterface({ input, output, terminal: true });
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
            }),
    };
}

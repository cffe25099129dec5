/** Shared test helpers for the patchctl suite. */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SSMClient } from "@aws-sdk/client-ssm";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import type { Prompter } from "../../patchctl/cli/prompt";
import type { MainDeps, OutputStream } from "../../patchctl/main";

// The SDK's notice about future Node.js versions is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export class Capture implements OutputStream {
    text = "";
    isTTY = false;
    write(chunk: string): boolean {
        this.text += chunk;
        return true;
    }
    lines(): string[] {
        return this.text.split("\n").filter((line) => line !== "");
    }
}

export interface Harness {
    deps: MainDeps;
    stdout: Capture;
    stderr: Capture;
    questions: string[];
}

/** Dependencies for an in-process main(): captured output, a scripted prompter, no process signals. */
export function harness(options: { interactive?: boolean; answer?: boolean; env?: NodeJS.ProcessEnv } = {}): Harness {
    const stdout = new Capture();
    const stderr = new Capture();
    const questions: string[] = [];
    const prompter: Prompter = {
        interactive: () => options.interactive ?? false,
        confirm: async (question) => {
            questions.push(question);
            return options.answer ?? false;
        },
    };
    return {
        deps: { stdout, stderr, prompter, env: options.env ?? {}, signals: new EventEmitter() as unknown as MainDeps["signals"] },
        stdout,
        stderr,
        questions,
    };
}

/** process.argv-shaped arguments. */
export const argv = (...args: string[]): string[] => ["node", "patchctl", ...args];

/**
 * Mocks SSMClient for the enclosing describe block (created in its `before`, so other suites keep
 * real clients): reset before each test, and a call no test expected fails loudly instead of
 * returning undefined. `use` receives the stub.
 */
export function useStrictSsmMock(use: (stub: AwsClientStub<SSMClient>) => void): void {
    let stub: AwsClientStub<SSMClient>;
    before(() => {
        stub = mockClient(SSMClient);
        use(stub);
    });
    beforeEach(() => {
        stub.reset();
        stub.onAnyCommand().rejects(new Error("unexpected SSM call"));
    });
    after(() => stub.restore());
}

/**
 * A temporary folder for the enclosing describe block: made on first use, removed with everything
 * in it after the block, so no test leaves `patchctl-*` folders behind.
 */
export function useTempDir(prefix: string): () => string {
    let dir: string | undefined;
    after(() => {
        if (dir !== undefined) {
            rmSync(dir, { recursive: true, force: true });
        }
    });
    return () => (dir ??= mkdtempSync(join(tmpdir(), prefix)));
}

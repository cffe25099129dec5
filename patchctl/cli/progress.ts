/** Progress on stderr while waiting: a single rewritten line on a terminal, nothing when piped. */

export interface ProgressSink {
    /** Sets the progress of one unit of work (e.g. one command in one account/Region). */
    update(key: string, done: number, total: number, failed: number): void;
    /** Removes the progress line. */
    clear(): void;
}

export interface ProgressStream {
    isTTY?: boolean;
    write(text: string): boolean;
}

/** A progress sink writing to `stream` only when it is a terminal. */
export function createProgress(stream: ProgressStream, label: string): ProgressSink {
    if (!stream.isTTY) {
        return { update: () => undefined, clear: () => undefined };
    }
    const units = new Map<string, { done: number; total: number; failed: number }>();
    let shown = false;
    const started = Date.now();
    return {
        update(key, done, total, failed) {
            units.set(key, { done, total, failed });
            let sumDone = 0;
            let sumTotal = 0;
            let sumFailed = 0;
            for (const unit of units.values()) {
                sumDone += unit.done;
                sumTotal += unit.total;
                sumFailed += unit.failed;
            }
            const seconds = Math.round((Date.now() - started) / 1000);
            const where = units.size > 1 ? ` in ${units.size} account-Regions` : "";
            stream.write(`\r\x1b[2K${label}: ${sumDone}/${sumTotal} done, ${sumFailed} failed${where} (${seconds}s, Ctrl-C stops waiting)`);
            shown = true;
        },
        clear() {
            if (shown) {
                stream.write("\r\x1b[2K");
                shown = false;
            }
        },
    };
}

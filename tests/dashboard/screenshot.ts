/**
 * Writes the README's picture of the dashboard: the sample fleet (fixtures.ts, real output of
 * patchctl against the loopback endpoint), from the top of the page to the end of the compliance
 * summary, in Debian's chromium with the browser tests' flags.
 *
 *   npx ts-node --transpile-only tests/dashboard/screenshot.ts [docs/dashboard.png]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";
import { renderDashboardHtml } from "../../patchctl/dashboard/html";
import { sampleData } from "./fixtures";

async function main(out: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchctl-screenshot-"));
    try {
        const file = path.join(dir, "dashboard.html");
        fs.writeFileSync(file, await renderDashboardHtml(sampleData()));
        const context = await chromium.launchPersistentContext(path.join(dir, "profile"), {
            executablePath: "/usr/bin/chromium",
            headless: true,
            args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            viewport: { width: 1280, height: 900 },
        });
        try {
            const page = context.pages()[0] ?? (await context.newPage());
            await page.goto(`file://${file}`);
            const bottom = Number(await page.evaluate("Math.ceil(document.getElementById('severity').getBoundingClientRect().top + scrollY) - 24"));
            await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: bottom } });
        } finally {
            await context.close();
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    process.stdout.write(`${out}: ${fs.statSync(out).size} bytes\n`);
}

main(process.argv[2] ?? path.join(__dirname, "..", "..", "docs", "dashboard.png")).catch((error: unknown) => {
    process.stderr.write(`screenshot: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});

/// <reference lib="dom" />
// cw ui in a real browser, for the *.browser.test.ts files: Debian's Chromium (/usr/bin/chromium),
// driven by playwright-core, never a downloaded browser. Where it is missing the tests are skipped
// with a message; CI installs it (.ci/run). Screenshots go to test-results/, and with
// UPDATE_SCREENSHOT=1 to docs/ as well, for the README.

import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

export function warnIfNoChromium(file: string): void {
  if (!haveChromium) {
    console.warn(
      `${file}: skipped, ${CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it`,
    );
  }
}

export interface OpenPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Alerts, confirms and prompts the page opened (none should). */
  readonly dialogs: string[];
  /** Errors the page's scripts threw. */
  readonly errors: string[];
}

export interface LaunchOptions {
  readonly viewport?: { width: number; height: number };
  readonly downloads?: boolean;
}

/** Debian's Chromium, headless, with a fresh profile in `dir` (for the tests and npm run bench). */
export function launchChromium(dir: string, options: LaunchOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: options.viewport ?? { width: 1400, height: 1000 },
    acceptDownloads: options.downloads === true,
  });
}

/** A fresh Chromium profile in `dir`, one page at `url`. */
export async function openPage(dir: string, url: string, options: LaunchOptions = {}): Promise<OpenPage> {
  const context = await launchChromium(dir, options);
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { context, page, dialogs, errors };
}

/** Copies a topology and its lock file (when there is one) into `dir`; the copy's path. */
export function copyTopology(from: string, dir: string): string {
  const topology = join(dir, "federation.yaml");
  copyFileSync(join(from, "federation.yaml"), topology);
  if (existsSync(join(from, "federation.lock.yaml")))
    copyFileSync(join(from, "federation.lock.yaml"), join(dir, "federation.lock.yaml"));
  return topology;
}

/** The SVG of the picture the page shows now (the image's own address, fetched by the page). */
export async function pictureSvg(page: Page): Promise<string> {
  await page.waitForFunction(() => {
    const img = document.getElementById("graph") as HTMLImageElement | null;
    return img?.complete === true && img.naturalWidth > 0;
  });
  return page.evaluate(async () => {
    const src = (document.getElementById("graph") as HTMLImageElement).getAttribute("src") ?? "";
    return (await fetch(src)).text();
  });
}

/** Saves a screenshot of the page (or of one part) as test-results/<name>, and docs/<name> if asked. */
export async function screenshot(target: Page | Locator, name: string, fullPage = false): Promise<void> {
  mkdirSync("test-results", { recursive: true });
  const path = join("test-results", name);
  if ("goto" in target) await target.screenshot({ path, fullPage });
  else await target.screenshot({ path });
  if (process.env.UPDATE_SCREENSHOT) {
    mkdirSync("docs", { recursive: true });
    copyFileSync(path, join("docs", name));
  }
}

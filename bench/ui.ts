// `npm run bench -- --only ui`: how long cw ui takes on large synthetic federations (bench/synthetic.ts),
// in Debian's Chromium driven by playwright-core (skipped where /usr/bin/chromium is missing). For each
// size: the server's start (reading and compiling the topology), then, from opening the page, when
// the first page of the verify matrix is shown, when the picture is, when every part of the page is,
// when verify's summary is complete (the rest of the checks are judged in the background), and how
// long opening a cell's traces and the matrix's next page of services take. Writes bench/ui.json and
// bench/ui.md.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startUi } from "../src/ui/server.js";
import { CHROMIUM, launchChromium } from "../test/support/browser.js";
import { type SyntheticSize, synthesize } from "./synthetic.js";

const here = new URL(".", import.meta.url).pathname;

export const UI_SIZES: readonly SyntheticSize[] = [
  { clusters: 100, services: 1000, fanout: 10, maxFanout: 50 },
  { clusters: 100, services: 5000, fanout: 10, maxFanout: 50 },
];

export interface UiTimes {
  readonly clusters: number;
  readonly services: number;
  readonly checks: number;
  /** Seconds. */
  readonly serverStart: number;
  readonly matrixShown: number;
  readonly pictureShown: number;
  readonly pageComplete: number;
  readonly summaryComplete: number;
  readonly cellOpened: number;
  readonly nextPage: number;
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;

async function measure(size: SyntheticSize): Promise<UiTimes> {
  const dir = mkdtempSync(join(tmpdir(), "cw-bench-ui-"));
  const topology = join(dir, "federation.yaml");
  writeFileSync(topology, synthesize(size).text);
  let t = performance.now();
  const ui = await startUi({ topology, port: 0, watch: false });
  const serverStart = seconds(performance.now() - t);
  const context = await launchChromium(dir);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const wait = { timeout: 600_000 };
    t = performance.now();
    const opened = t;
    await page.goto(ui.url);
    await page.locator("#verify-matrix table").waitFor(wait);
    const matrixShown = seconds(performance.now() - t);
    await page.waitForFunction(
      'document.getElementById("graph").complete && document.getElementById("graph").naturalWidth > 0',
      undefined,
      wait,
    );
    const pictureShown = seconds(performance.now() - t);
    await page.locator("#matrix table").waitFor(wait);
    await page.locator("#file-list li").first().waitFor(wait);
    const pageComplete = seconds(performance.now() - t);
    // The next page is judged when asked for, unless the background has judged it already.
    t = performance.now();
    await page.locator('#verify-pagers button[aria-label="next services"]').click();
    await page.locator("#verify-pagers").getByText("services 13–24").waitFor(wait);
    const nextPage = seconds(performance.now() - t);
    t = performance.now();
    await page.locator("#verify-matrix button.cell").first().click();
    await page.locator("#verify-detail .check").first().waitFor(wait);
    const cellOpened = seconds(performance.now() - t);
    await page.locator("#verify-verdict.good, #verify-verdict.bad").waitFor(wait);
    const summaryComplete = seconds(performance.now() - opened);
    const verdict = (await page.locator("#verify-verdict").textContent()) ?? "";
    const checks = Number(/(\d+) checks/.exec(verdict)?.[1] ?? 0);
    return {
      clusters: size.clusters,
      services: size.services,
      checks,
      serverStart,
      matrixShown,
      pictureShown,
      pageComplete,
      summaryComplete,
      cellOpened,
      nextPage,
    };
  } finally {
    await context.close();
    await ui.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function uiTable(results: readonly UiTimes[], date: string): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const rows = results.map(
    (r) =>
      `| ${r.clusters} × ${n(r.services)} | ${n(r.checks)} | ${r.serverStart} | ${r.matrixShown} | ${r.pictureShown} | ${r.pageComplete} | ${r.summaryComplete} | ${r.nextPage} | ${r.cellOpened} |`,
  );
  return [
    `cw ui on synthetic federations, in Chromium: seconds. *Server start* reads and compiles the topology; the next columns count from opening the page: the first page of the verify matrix (25 callers × 12 services, judged on demand), the picture, every section, and verify's summary (every check, judged in the background between requests). *Next page* shows the matrix's next 12 services, asked for as soon as the page is complete; *cell* opens a cell's checks with their traces. ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}, ${date.slice(0, 10)}.`,
    "",
    "| clusters × services | checks | server start | matrix | picture | whole page | summary | next page | cell |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ].join("\n");
}

/** Measures every size (or those whose label contains `only`), prints the table, writes bench/ui.*. */
export async function benchUi(quick: boolean): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`bench: cw ui skipped, ${CHROMIUM} is not installed\n`);
    return;
  }
  const results: UiTimes[] = [];
  for (const size of quick ? UI_SIZES.slice(0, 1) : UI_SIZES) {
    process.stderr.write(`bench: cw ui on ${size.clusters} clusters x ${size.services} services ...`);
    const started = performance.now();
    results.push(await measure(size));
    process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  const date = new Date().toISOString();
  const markdown = uiTable(results, date);
  if (!quick) {
    writeFileSync(join(here, "ui.json"), `${JSON.stringify({ date, results }, null, 2)}\n`);
    writeFileSync(join(here, "ui.md"), markdown);
  }
  process.stdout.write(`${markdown}\n`);
}

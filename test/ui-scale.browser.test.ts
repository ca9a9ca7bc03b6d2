/// <reference lib="dom" />
// cw ui in Chromium (test/support/browser.ts) on a 100-cluster, 1,000-service federation (the
// benchmark's synthetic one, bench/synthetic.ts): the page stays usable. The verify matrix shows a
// page of callers x services, pages and filters through 202 callers and 1,000 services, and opens a
// cell; the picture draws the services chosen, not all of them; the service x cluster matrix and the
// YAML are paged or fetched per cluster. How long it takes is measured by npm run bench -- --only ui
// (bench/ui.ts), not here.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../bench/synthetic.js";
import { startUi, type UiServer } from "../src/ui/server.js";
import { haveChromium, type OpenPage, openPage, pictureSvg, warnIfNoChromium } from "./support/browser.js";

warnIfNoChromium("ui-scale.browser.test.ts");

describe.skipIf(!haveChromium)("cw ui in Chromium on 100 clusters x 1,000 services", () => {
  let dir: string;
  let ui: UiServer;
  let open: OpenPage;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-ui-scale-"));
    const topology = join(dir, "federation.yaml");
    writeFileSync(topology, synthesize({ clusters: 100, services: 1000, fanout: 10, maxFanout: 50 }).text);
    ui = await startUi({ topology, port: 0, watch: false });
    open = await openPage(dir, ui.url);
    page = open.page;
    await page.locator("#verify-matrix table").waitFor({ timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await open?.context.close();
    await ui?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pagers = () => page.locator("#verify-pagers .pager > span").allTextContents();

  it("shows one page of the verify matrix, and pages and filters through the rest", async () => {
    expect(await pagers()).toEqual(["callers 1–25 of 202", "services 1–12 of 1000"]);
    expect(await page.locator("#verify-matrix tbody tr").count()).toBe(25);
    expect(await page.locator("#verify-matrix thead th[data-service]").count()).toBe(12);
    await page.locator('#verify-pagers button[aria-label="next callers"]').click();
    await expect.poll(pagers).toEqual(["callers 26–50 of 202", "services 1–12 of 1000"]);
    await page.locator("#verify-name").fill("s000999");
    await expect.poll(pagers).toEqual(["callers 1–25 of 202", "services 1–1 of 1"]);
    await page.locator("#verify-caller").fill("c0042/");
    await expect.poll(pagers).toEqual(["callers 1–1 of 1", "services 1–1 of 1"]);
    const cell = page.locator("#verify-matrix button.cell").first();
    expect(["allowed", "refused"]).toContain(await cell.getAttribute("data-status"));
    await cell.click();
    await page.locator("#verify-detail .check").first().waitFor({ timeout: 60_000 });
    expect(await page.locator("#verify-detail-title").textContent()).toBe("c0042/default/default → s000999");
  }, 120_000);

  it("draws the services chosen, not the whole federation", async () => {
    expect(await page.locator("#graph-focus-note").textContent()).toBe(
      "Showing 1 service of 1000: name up to 40, separated by commas.",
    );
    await page.locator("#graph-focus").fill("s000001, s000002");
    await page.locator("#graph-focus-apply").click();
    await expect.poll(() => page.locator("#graph").getAttribute("src")).toContain("focus=s000001%2Cs000002");
    const svg = await pictureSvg(page);
    expect(svg).toContain("s000001");
    expect(svg).not.toContain("s000003");
  }, 120_000);

  it("pages the service x cluster matrix and fetches one cluster's files at a time", async () => {
    expect(await page.locator("#matrix-pagers .pager > span").allTextContents()).toEqual([
      "services 1–25 of 1000",
      "clusters 1–16 of 100",
    ]);
    expect(await page.locator("#cluster-tabs button").count()).toBe(100);
    await page.locator('#cluster-tabs button[data-cluster="c0099"]').click();
    await expect.poll(() => page.locator("#file-name").textContent()).toMatch(/^c0099\//);
    expect(open.errors).toEqual([]);
  }, 120_000);
});

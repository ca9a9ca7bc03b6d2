/// <reference lib="dom" />
// cw ui in Chromium (test/support/browser.ts) on the golden cases that route in shares: the picture
// of a 75/15/10 split has an arrow for every share, with its weight and subset; taking a cluster down
// ("what if a cluster fails") changes the shares in the matrix and the picture, as cw trace --down
// traces them; a failover order moves calls to the next cluster. Screenshots: docs/ui-split.png,
// docs/ui-what-if.png.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUi, type UiServer } from "../src/ui/server.js";
import {
  copyTopology,
  haveChromium,
  type OpenPage,
  openPage,
  pictureSvg,
  screenshot,
  warnIfNoChromium,
} from "./support/browser.js";

warnIfNoChromium("ui-routing.browser.test.ts");

/** The text of the picture's SVG, one line per text element. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]?.replace(/&#45;/g, "-"));

async function start(golden: string) {
  const dir = mkdtempSync(join(tmpdir(), "cw-ui-routing-"));
  const ui = await startUi({ topology: copyTopology(`test/golden/${golden}`, dir), port: 0 });
  const open = await openPage(dir, ui.url);
  await open.page.locator("#verify-matrix table").waitFor();
  return { dir, ui, open };
}

describe.skipIf(!haveChromium)("cw ui in Chromium: splits, failover and what if a cluster fails", () => {
  let split: { dir: string; ui: UiServer; open: OpenPage };
  let page: Page;

  beforeAll(async () => {
    split = await start("split-75-15-10");
    page = split.open.page;
  }, 30_000);

  afterAll(async () => {
    await split?.open.context.close();
    await split?.ui.close();
    if (split) rmSync(split.dir, { recursive: true, force: true });
  });

  const cell = (row: string, service: string) =>
    page.locator(`#verify-matrix button.cell[data-row="${row}"][data-service="${service}"]`);

  it("draws every share of the split: its weight, its subset, the local ones too", async () => {
    const svg = await pictureSvg(page);
    const labels = texts(svg);
    for (const line of [
      "reviews.global · subset v3",
      "from cluster-1 75%",
      "reviews.global · subset v1",
      "from cluster-1 15%",
      "reviews.global · subset v2",
      "from cluster-1 10%",
    ]) {
      expect(labels, line).toContain(line);
    }
    // Three arrows carry calls: to cluster-2's gateway, on to v3, and the local shares to v1 and v2.
    expect(svg.match(/<g id="edge\d+" class="edge">/g)).toHaveLength(3);
    expect(svg).toContain('stroke="#7c3aed"');
    await screenshot(page.locator("#graph-section"), "ui-split.png");
  });

  it("takes cluster-2 down: the matrix and the picture show its 75% failing and the local 25% arriving", async () => {
    expect(await cell("cluster-1/default/default", "reviews").getAttribute("data-status")).toBe("allowed");
    await page.locator('#whatif-clusters input[data-cluster="cluster-2"]').check();
    await expect
      .poll(() => cell("cluster-1/default/default", "reviews").textContent())
      .toBe("◐ cluster-1/v1 15%, cluster-1/v2 10%, fails 75%");
    expect(await cell("cluster-1/default/default", "reviews").getAttribute("data-status")).toBe("partial");
    expect(await cell("cluster-2/default/default", "reviews").textContent()).toBe("— down");
    await expect.poll(() => page.locator("#graph").getAttribute("src")).toContain("down=cluster-2");
    const labels = texts(await pictureSvg(page));
    expect(labels).toContain("cluster cluster-2 · DOWN");
    expect(labels).toContain("✘ calls fail here");
    expect(labels).toContain("from cluster-1 75%");
    expect(labels).toContain("from cluster-1 15%");
    expect(labels).not.toContain("reviews.global · subset v3");
    // The cell opens on the trace with cluster-2 down.
    await cell("cluster-1/default/default", "reviews").click();
    const check = page.locator("#verify-detail .check").first();
    await check.waitFor();
    expect(await check.locator("summary").textContent()).toBe(
      "partly refused: reached reviews.default.svc.cluster.local:9080 subset v1 in cluster cluster-1 (15%); reached reviews.default.svc.cluster.local:9080 subset v2 in cluster cluster-1 (10%); cluster-down in cluster cluster-1 (75%)",
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "ui-what-if.png");
    await page.locator("#whatif-clear").click();
    await expect
      .poll(() => cell("cluster-1/default/default", "reviews").getAttribute("data-status"))
      .toBe("allowed");
    expect(split.open.errors).toEqual([]);
  });
});

describe.skipIf(!haveChromium)("cw ui in Chromium: a failover order", () => {
  let failover: { dir: string; ui: UiServer; open: OpenPage };

  beforeAll(async () => {
    failover = await start("failover");
  }, 30_000);

  afterAll(async () => {
    await failover?.open.context.close();
    await failover?.ui.close();
    if (failover) rmSync(failover.dir, { recursive: true, force: true });
  });

  it("sends shop's calls to x, dashes y and z as standby, and moves them to y when x is down", async () => {
    const page = failover.open.page;
    const labels = texts(await pictureSvg(page));
    expect(labels).toContain("from shop");
    expect(labels).toContain("for shop (failover 2)");
    await page.locator('#whatif-clusters input[data-cluster="x"]').check();
    const shop = page.locator(
      '#verify-matrix button.cell[data-row="shop/default/default"][data-service="catalog"]',
    );
    await expect.poll(() => shop.textContent()).toBe("✔ y 100%");
    await expect.poll(() => page.locator("#graph").getAttribute("src")).toContain("down=x");
    const down = texts(await pictureSvg(page));
    expect(down).toContain("cluster x · DOWN");
    expect(down).toContain("for shop (failover 2)");
    expect(down).not.toContain("for legacy (failover 1), shop (failover 1)");
  });
});

describe.skipIf(!haveChromium)("cw ui in Chromium: modes by colour, with a legend", () => {
  /** Each arrow of the picture, "from -> to colour". */
  const arrows = (svg: string) =>
    [
      ...svg.matchAll(
        /<g id="edge\d+" class="edge">\s*<title>([^<]*)<\/title>\s*<path[^>]*stroke="([^"]+)"/g,
      ),
    ].map((m) => `${m[1]?.replace(/&#45;&gt;/g, " -> ")} ${m[2]}`);
  // The legend's colours, as the page computes them: gateway #2563eb, passthrough #059669, egress #d97706.
  const LEGEND = { gateway: "rgb(37, 99, 235)", passthrough: "rgb(5, 150, 105)", egress: "rgb(217, 119, 6)" };

  it.each([
    [
      "mode-egress",
      // locked's calls leave through its own egress gateway, a node of its own.
      [
        "locked/callers -> locked/egress #d97706",
        "locked/egress -> shop/ingress #d97706",
        "shop/ingress -> shop/svc/orders #d97706",
      ],
    ],
    [
      "mode-passthrough",
      // payments in passthrough and accounts in gateway mode, through the same ingress gateway.
      [
        "front/callers -> back/ingress #2563eb",
        "front/callers -> back/ingress #059669",
        "back/ingress -> back/svc/accounts #2563eb",
        "back/ingress -> back/svc/payments #059669",
      ],
    ],
  ])("%s: each arrow in its mode's colour, the one the legend gives", async (golden, expected) => {
    const { dir, ui, open } = await start(golden);
    try {
      const svg = await pictureSvg(open.page);
      expect(arrows(svg)).toEqual(expected);
      if (golden === "mode-egress") expect(texts(svg)).toContain("egress gateway");
      for (const [mode, rgb] of Object.entries(LEGEND)) {
        const swatch = open.page.locator(`#graph-section .legend .mode.${mode}`);
        expect(await swatch.evaluate((e) => getComputedStyle(e).color), mode).toBe(rgb);
      }
    } finally {
      await open.context.close();
      await ui.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/// <reference lib="dom" />
// cw ui in a real browser (test/support/browser.ts: Debian's Chromium, never a downloaded browser), on
// the split-bookinfo example: the verify matrix and its cells' traces, the trace form (its host
// picker, URLs, whole hop text, links to the YAML) and the trace drawn on the picture, the service x
// cluster matrix, a cluster's YAML (copy and download), keyboard access to every control, the
// favicon, live reload, names that look like markup shown as text, sorted diagnostics and the empty
// state of a topology with errors. Screenshots: docs/ui.png, docs/ui-verify.png, docs/ui-trace.png.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

warnIfNoChromium("ui.browser.test.ts");

describe.skipIf(!haveChromium)("cw ui in Chromium, on the split-bookinfo example", () => {
  let dir: string;
  let topology: string;
  let ui: UiServer;
  let open: OpenPage;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-ui-browser-"));
    topology = copyTopology("examples/split-bookinfo", dir);
    ui = await startUi({ topology, port: 0 });
    open = await openPage(dir, ui.url, { downloads: true });
    page = open.page;
    await open.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: ui.url.replace(/\/$/, ""),
    });
    await page.locator("#verify-matrix table").waitFor();
  }, 30_000);

  afterAll(async () => {
    await open?.context.close();
    await ui?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const topologyCell = (service: string, cluster: string) =>
    page.locator(`#matrix tr[data-service="${service}"] td[data-cluster="${cluster}"]`);
  const verifyCell = (row: string, service: string) =>
    page.locator(`#verify-matrix button.cell[data-row="${row}"][data-service="${service}"]`);

  it("proves who can call whom: verify's summary, and a matrix of callers x services", async () => {
    await expect.poll(() => page.locator("#verify-verdict").textContent()).toBe("verified: 63 checks hold");
    expect(await page.locator("#verify-table tbody tr").allInnerTexts()).toEqual([
      "consumer call\t4\t4\t0\t0",
      "local call\t9\t9\t0\t0",
      "refused call\t1\t1\t0\t0",
      "gateway probe\t49\t49\t0\t0",
    ]);
    expect(await page.locator("#verify-matrix tbody th").allInnerTexts()).toEqual([
      "a/default/default",
      "b/default/default",
      "straight to a gateway, as cluster b's identity",
      "straight to a gateway, as a caller without a mesh identity",
      "straight to a gateway, as an outsider",
    ]);
    expect(await verifyCell("a/default/default", "reviews").getAttribute("data-status")).toBe("allowed");
    expect(await verifyCell("b/default/default", "productpage").getAttribute("data-status")).toBe("refused");
    expect(await verifyCell("probe/an outsider", "reviews").getAttribute("data-status")).toBe("refused");
    expect(await page.locator("#status").textContent()).toContain("0 errors, 0 warnings");
  });

  it("opens a cell's checks with their traces, and draws one on the picture hop by hop", async () => {
    await verifyCell("b/default/default", "productpage").click();
    const refused = page.locator('#verify-detail .check[data-kind="refused call"]');
    await refused.waitFor();
    expect(await refused.locator(".verdict").textContent()).toBe("✔ holds");
    expect(await refused.locator("summary").textContent()).toBe(
      "refused: name-not-resolved in cluster b (100%)",
    );
    expect(await refused.locator("li.hop.failed .hop-text").textContent()).toContain(
      "no such host productpage.global",
    );

    await verifyCell("a/default/default", "reviews").click();
    await page.locator("#verify-detail-title").getByText("a/default/default → reviews").waitFor();
    const call = page.locator('#verify-detail .check[data-kind="consumer call"]').first();
    expect(
      await call.locator("li.hop").evaluateAll((hs) => hs.map((h) => h.getAttribute("data-kind"))),
    ).toEqual([
      "dns",
      "listener",
      "route",
      "cluster",
      "endpoint",
      "gateway",
      "authz",
      "route",
      "cluster",
      "arrive",
      "arrived",
    ]);
    await call.locator("button.show-on-picture").click();
    await expect
      .poll(() => page.locator("#graph").getAttribute("src"))
      .toContain("from=a%2Fdefault%2Fdefault");
    const svg = await pictureSvg(page);
    expect(svg).toContain("trace: hops 1–5");
    expect(svg).toContain("trace: hops 6–10");
    await screenshot(page.locator("#verify-section"), "ui-verify.png");
    await page.locator("#graph-trace-clear").click();
    await expect.poll(() => page.locator("#graph").getAttribute("src")).not.toContain("from=");
  });

  it("picks from what the caller may call, and from what it may not, and shows why it is refused", async () => {
    await page.locator("#trace-cluster").selectOption("b");
    await expect
      .poll(() =>
        page.locator('#trace-pick optgroup[label="b may not call (refused)"] option').allTextContents(),
      )
      .toEqual(["productpage.global — not exported: private to a"]);
    expect(await page.locator('#trace-pick optgroup[label="b may call"] option').allTextContents()).toEqual([
      "details.global — runs in b",
      "details.default.global — runs in b",
      "ratings.global — b is a consumer",
      "ratings.default.global — b is a consumer",
      "reviews.global — runs in b",
      "reviews.default.global — runs in b",
    ]);
    await page.locator("#trace-pick").selectOption("productpage.global:9080");
    expect(await page.locator("#trace-to").inputValue()).toBe("productpage.global:9080");
    await page.locator("#trace-run").click();
    await expect
      .poll(() => page.locator("#trace-outcome").textContent())
      .toBe("b/default/default -> productpage.global:9080: refused: name-not-resolved in cluster b (100%)");
    expect(await page.locator("#trace-outcome").getAttribute("class")).toBe("bad");
  });

  it("traces a URL as the CLI does, with every hop's whole text and a link to each object's YAML", async () => {
    await page.locator("#trace-cluster").selectOption("a");
    await page.locator("#trace-to").fill("http://reviews.global:9080/reviews/0");
    await page.locator("#trace-run").click();
    await expect
      .poll(() => page.locator("#trace-outcome").textContent())
      .toBe(
        "a/default/default -> reviews.global:9080/reviews/0: ok: reached reviews.default.svc.cluster.local:9080 in cluster b (100%)",
      );
    const answer: { paths: { hops: { text: string }[] }[] } = await page.evaluate(async () => {
      const response = await fetch("/api/trace", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ cluster: "a", to: "http://reviews.global:9080/reviews/0" }),
      });
      return response.json();
    });
    // Every hop shows the server's whole text (no hop is cut), beside links to its objects.
    const texts = await page
      .locator("#trace-result li.hop:not(.arrived) .hop-text")
      .evaluateAll((spans) => spans.map((s) => s.firstChild?.textContent ?? ""));
    expect(texts).toEqual(answer.paths[0]?.hops.map((h) => h.text));
    expect(Math.max(...texts.map((t) => t.length))).toBeGreaterThan(145);
    expect(await page.locator("#trace-result").textContent()).not.toContain("…");
    // The page is 1400 pixels wide: the longest hop wraps instead of leaving the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1400);
    const authz = page.locator('#trace-result li.hop[data-kind="authz"]');
    expect(await authz.locator(".hop-text").textContent()).toContain(
      "AuthorizationPolicy istio-system/reviews-global-ingress",
    );
    await authz.locator("button.link").click();
    await expect
      .poll(() => page.locator("#file-name").textContent())
      .toBe("b/authorizationpolicy-reviews-global-ingress.yaml");
    expect(await page.locator("#yaml").textContent()).toContain("kind: AuthorizationPolicy");
    expect(await page.locator('#cluster-tabs button[aria-selected="true"]').textContent()).toBe("b");
    // The trace is drawn on the picture too.
    expect(await pictureSvg(page)).toContain("trace: hops 6–10");
    await screenshot(page.locator("#trace-section"), "ui-trace.png");
  });

  it("shows the service x cluster matrix: who runs, serves and calls what", async () => {
    expect(
      await page
        .locator("#matrix tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-service"))),
    ).toEqual(["details", "productpage", "ratings", "reviews"]);
    expect(await topologyCell("reviews", "b").textContent()).toBe("runsserves a");
    expect(await topologyCell("reviews", "a").textContent()).toBe("calls b (gateway)");
    expect(await topologyCell("ratings", "a").textContent()).toBe("runsserves b");
    expect(await topologyCell("productpage", "b").textContent()).toBe("–");
  });

  it("opens a cluster's generated YAML, copies it and downloads the cluster's objects", async () => {
    await page.locator('#cluster-tabs button[data-cluster="b"]').click();
    await page.locator('#file-list button[data-path="gateway-reviews-global.yaml"]').click();
    await expect.poll(() => page.locator("#file-name").textContent()).toBe("b/gateway-reviews-global.yaml");
    const yaml = await page.locator("#yaml").textContent();
    expect(yaml).toContain("kind: Gateway");
    expect(yaml).toContain("reviews.global");

    await page.locator("#copy").click();
    await expect.poll(() => page.locator("#copy").textContent()).toBe("Copied");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(yaml);

    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
    expect(download.suggestedFilename()).toBe("bookinfo-b.yaml");
    const saved = join(dir, "download.yaml");
    await download.saveAs(saved);
    const text = readFileSync(saved, "utf8");
    expect(text).toContain("kind: Gateway");
    expect(text.split("\n---\n").length).toBeGreaterThan(5);
  });

  it("reaches every control by keyboard, with a visible focus", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator("#verify-name").focus();
    const seen = new Set<string>();
    let outline = "";
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press("Tab");
      const at = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        if (!a) return "";
        const name = a.id || a.dataset.path || a.dataset.cluster || a.className || a.tagName;
        return `${a.tagName.toLowerCase()}#${name}|${getComputedStyle(a).outlineStyle}`;
      });
      const [id = "", style = ""] = at.split("|");
      seen.add(id);
      if (id.startsWith("button#cell")) outline = style;
    }
    for (const control of [
      "button#cell allowed",
      "button#trace-run",
      "select#trace-pick",
      "input#trace-to",
      "input#matrix-filter",
      "button#copy",
      "a#download",
      "button#live-run",
    ]) {
      expect([...seen], control).toContain(control);
    }
    expect(outline).toBe("solid");
    // One matrix cell at a time is in the tab order; arrow keys move between them, Enter opens one.
    const first = page.locator('#verify-matrix [data-i="0"][data-j="0"]');
    await first.focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.j)).toBe("1");
    await page.keyboard.press("ArrowDown");
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement).dataset);
    expect([focused.row, focused.service]).toEqual(["b/default/default", "productpage"]);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("verify-detail-title");
    // A cluster goes down with the space bar, and comes back.
    await page.locator('#whatif-clusters input[data-cluster="b"]').focus();
    await page.keyboard.press("Space");
    await expect.poll(() => page.locator("#whatif-status").textContent()).toContain("With b down");
    await page.keyboard.press("Space");
    await expect.poll(() => page.locator("#whatif-status").textContent()).toContain("Every cluster is up");
    // The trace form runs on Enter.
    await page.locator("#trace-to").fill("ratings.global:9080");
    await page.locator("#trace-cluster").selectOption("b");
    await page.locator("#trace-to").press("Enter");
    await expect
      .poll(() => page.locator("#trace-outcome").textContent())
      .toContain("b/default/default -> ratings.global:9080: ok");
  });

  it("has a favicon", async () => {
    const icon = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? "";
      const response = await fetch(href);
      return {
        href,
        status: response.status,
        type: response.headers.get("content-type"),
        body: await response.text(),
      };
    });
    expect(icon).toMatchObject({ href: "/favicon.svg", status: 200, type: "image/svg+xml; charset=utf-8" });
    expect(icon.body).toContain("<svg");
    await page.locator("#trace-section").scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "ui.png");
  });

  it("reloads when the topology file changes", async () => {
    const before = Number(await page.locator("body").getAttribute("data-generation"));
    const text = readFileSync(topology, "utf8").replace(
      "  services:\n",
      "  services:\n    - name: inventory\n      ports: [{ name: tcp, protocol: TCP, port: 5432 }]\n      backends: [{ cluster: b }]\n      consumers: [a]\n",
    );
    writeFileSync(topology, text);
    await page.locator('#matrix tr[data-service="inventory"]').waitFor({ timeout: 10_000 });
    expect(Number(await page.locator("body").getAttribute("data-generation"))).toBeGreaterThan(before);
    expect(await topologyCell("inventory", "a").textContent()).toBe("calls b (gateway)");
    // The verify matrix follows: a new column, proven.
    await verifyCell("a/default/default", "inventory").waitFor({ timeout: 10_000 });
    expect(await verifyCell("a/default/default", "inventory").getAttribute("data-status")).toBe("allowed");
  });

  it("shows names that look like markup as text, the diagnostics sorted, and what a topology with errors leaves", async () => {
    const text = readFileSync(topology, "utf8")
      .replace(
        "    - name: inventory\n",
        '    - name: "<img src=x onerror=alert(1)><script>alert(2)</script>"\n',
      )
      // A second error, on an earlier line, found later (when the topology is compiled).
      .replace("        - cluster: b\n      consumers: [a]", "        - cluster: zz\n      consumers: [a]");
    writeFileSync(topology, text);
    await page.locator("#diagnostics .diagnostic.error").first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator("#diagnostics .diagnostic").count()).toBeGreaterThan(1);
    const diagnostics = await page.locator("#diagnostics").textContent();
    expect(diagnostics).toContain("CW1005");
    expect(diagnostics).toContain("<img src=x onerror=alert(1)><script>alert(2)</script>");
    const lines = await page
      .locator("#diagnostics .diagnostic")
      .evaluateAll((ds) => ds.map((d) => Number(d.getAttribute("data-line"))));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    // The source line and its caret are shown under the message.
    expect(await page.locator('#diagnostics .diagnostic[data-code="CW1005"] pre').textContent()).toMatch(
      /^\d+ \| {5}- name: "<img/,
    );
    expect(await page.locator("main img:not(#graph), main script").count()).toBe(0);
    expect(open.dialogs).toEqual([]);
    expect(await page.locator("#status").getAttribute("class")).toBe("bad");
    // Nothing was generated: each section says so, and no empty box is left.
    expect(await page.locator("#yaml-empty").textContent()).toMatch(
      /^Nothing was generated: the topology has \d+ errors?\./,
    );
    expect(await page.locator("#yaml").isVisible()).toBe(false);
    expect(await page.locator("#verify-matrix").textContent()).toContain("Nothing to verify");
    expect(await page.locator("#trace-empty").isVisible()).toBe(true);
    expect(await page.locator("#trace-run").isDisabled()).toBe(true);
    expect(open.errors).toEqual([]);
  });
});

// cw ui in a real browser: Debian's Chromium driven by playwright-core (never a downloaded browser),
// on the split-bookinfo example. It checks the matrix, opens a cluster's YAML (copy and download),
// runs a trace and sees its path drawn, watches the page reload when the topology changes, and shows
// that a service named like markup stays text. It saves a screenshot to test-results/ui.png (and, with
// UPDATE_SCREENSHOT=1, to docs/ui.png for the README).
// Skipped, with a message, only where /usr/bin/chromium is missing; CI installs it (.ci/run).

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUi, type UiServer } from "../src/ui/server.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `ui.browser.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it`,
  );
}

const EXAMPLE = "examples/split-bookinfo";

describe.skipIf(!haveChromium)("cw ui in Chromium, on the split-bookinfo example", () => {
  let dir: string;
  let topology: string;
  let ui: UiServer;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-ui-browser-"));
    topology = join(dir, "federation.yaml");
    copyFileSync(join(EXAMPLE, "federation.yaml"), topology);
    copyFileSync(join(EXAMPLE, "federation.lock.yaml"), join(dir, "federation.lock.yaml"));
    ui = await startUi({ topology, port: 0 });
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
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
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: ui.url.replace(/\/$/, ""),
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(ui.url);
    await page.locator("#matrix table").waitFor();
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await ui?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cell = (service: string, cluster: string) =>
    page.locator(`#matrix tr[data-service="${service}"] td[data-cluster="${cluster}"]`);

  it("shows the service x cluster matrix: who runs, serves and calls what", async () => {
    expect(await page.locator("#federation-name").textContent()).toContain("bookinfo");
    expect(await page.locator("#matrix thead th[data-cluster]").allTextContents()).toEqual([
      expect.stringContaining("a"),
      expect.stringContaining("b"),
    ]);
    expect(
      await page
        .locator("#matrix tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-service"))),
    ).toEqual(["details", "productpage", "ratings", "reviews"]);
    expect(await cell("reviews", "b").textContent()).toBe("runsserves a");
    expect(await cell("reviews", "a").textContent()).toBe("calls b (gateway)");
    expect(await cell("ratings", "a").textContent()).toBe("runsserves b");
    expect(await cell("productpage", "b").textContent()).toBe("–");
    expect(await page.locator("#status").textContent()).toContain("0 errors, 0 warnings");
    // The federation picture is rendered on the server and shown as an image.
    await page.waitForFunction('document.getElementById("graph").naturalWidth > 100');
  });

  it("opens a cluster's generated YAML, copies it and downloads the cluster's objects", async () => {
    await page.locator('#cluster-tabs button[data-cluster="b"]').click();
    await page.locator('#file-list button[data-path="gateway-reviews-global.yaml"]').click();
    const yaml = await page.locator("#yaml").textContent();
    expect(yaml).toContain("kind: Gateway");
    expect(yaml).toContain("reviews.global");
    expect(await page.locator("#file-name").textContent()).toBe("b/gateway-reviews-global.yaml");

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

  it("runs a trace and draws the path from a's sidecar to reviews in b", async () => {
    await page.locator("#trace-cluster").selectOption("a");
    await page.locator("#trace-host").fill("reviews.global");
    await page.locator("#trace-port").fill("9080");
    await page.locator("#trace-run").click();
    await expect
      .poll(() => page.locator("#trace-outcome").textContent())
      .toContain("ok: reached reviews.default.svc.cluster.local:9080 in cluster b");
    const kinds = await page
      .locator("#trace-result g.hop")
      .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-kind")));
    expect(kinds[0]).toBe("dns");
    expect(kinds).toContain("gateway");
    expect(kinds.at(-1)).toBe("arrived");

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/ui.png", fullPage: true });
    if (process.env.UPDATE_SCREENSHOT) {
      mkdirSync("docs", { recursive: true });
      copyFileSync("test-results/ui.png", "docs/ui.png");
    }
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
    expect(await cell("inventory", "a").textContent()).toBe("calls b (gateway)");
  });

  it("shows names that look like markup as text, and the diagnostics with their source lines", async () => {
    const text = readFileSync(topology, "utf8").replace(
      "    - name: inventory\n",
      '    - name: "<img src=x onerror=alert(1)><script>alert(2)</script>"\n',
    );
    writeFileSync(topology, text);
    await page.locator("#diagnostics .diagnostic.error").first().waitFor({ timeout: 10_000 });
    const diagnostics = await page.locator("#diagnostics").textContent();
    expect(diagnostics).toContain("CW1005");
    expect(diagnostics).toContain("<img src=x onerror=alert(1)><script>alert(2)</script>");
    // The source line and its caret are shown under the message.
    expect(await page.locator("#diagnostics pre").first().textContent()).toMatch(/^\d+ \| {5}- name: "<img/);
    expect(await page.locator("main img:not(#graph), main script").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator("#status").getAttribute("class")).toBe("bad");
  });
});

// cw ui's live section against stand-in Kubernetes API servers (test/support/kube-stand-in.ts): the
// server's /api/live answer, and in Chromium (skipped where /usr/bin/chromium is missing, as in
// ui.browser.test.ts) the button that shows the preflight and status per cluster, with an unreachable
// cluster said plainly.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uiLive } from "../src/cli/ui-live.js";
import { startUi, type UiServer } from "../src/ui/server.js";
import { haveChromium, launchChromium } from "./support/browser.js";
import { ready } from "./support/example-clusters.js";
import { StandInKubeApi, unreachableUrl, writeKubeconfig } from "./support/kube-stand-in.js";

let dir: string;
let topology: string;
let a: StandInKubeApi;
let ui: UiServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cw-ui-live-"));
  topology = join(dir, "federation.yaml");
  copyFileSync("examples/split-bookinfo/federation.yaml", topology);
  copyFileSync("examples/split-bookinfo/federation.lock.yaml", join(dir, "federation.lock.yaml"));
  a = await StandInKubeApi.start({ objects: ready(topology, "a") });
  const kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
    { name: "a", url: a.url },
    { name: "b", url: await unreachableUrl() },
  ]);
  ui = await startUi({ topology, port: 0, live: uiLive({ topology, kubeconfig, timeout: 5 }) });
});

afterAll(async () => {
  await ui?.close();
  await a?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("cw ui /api/live (stand-in API servers)", () => {
  it("answers the preflight and status of each cluster, an unreachable one with why", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the page's JSON, read field by field below
    const live: any = await (await fetch(new URL("/api/live", ui.url))).json();
    expect(
      live.status.clusters.map((c: { cluster: string; inSync: boolean }) => [c.cluster, c.inSync]),
    ).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(live.status.clusters[1].error).toMatch(/ECONNREFUSED/);
    const [pa, pb] = live.preflight.clusters;
    expect(pa.lines.every((l: { verdict: string }) => l.verdict === "pass")).toBe(true);
    expect(pb.lines.map((l: { title: string; verdict: string }) => [l.title, l.verdict])).toEqual([
      ["API server reachable", "fail"],
    ]);
  });

  it("says live checks are off when the server has no access to clusters", async () => {
    const plain = await startUi({ topology, port: 0 });
    try {
      expect(await (await fetch(new URL("/api/live", plain.url))).json()).toEqual({
        off: "this server was started without access to clusters",
      });
    } finally {
      await plain.close();
    }
  });
});

describe.skipIf(!haveChromium)("cw ui live section in Chromium (stand-in API servers)", () => {
  let context: BrowserContext;

  afterAll(async () => {
    await context?.close();
  });

  it("shows the status table and each cluster's checks, and says plainly which cluster it cannot reach", async () => {
    context = await launchChromium(dir);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(ui.url);
    await page.locator("#live-run").click();
    await page.locator("#live-status").waitFor();
    expect(await page.locator("#live-status tbody tr").allInnerTexts()).toEqual([
      expect.stringMatching(/^a\t12\t12\t0\t0\t0\t0\t0\t✔ in sync$/),
      expect.stringMatching(/^b\t–\t–\t–\t–\t–\t–\t–\t✘ unreachable$/),
    ]);
    expect(await page.locator("p.unreachable").innerText()).toMatch(
      /^Cannot reach cluster b \(kubeconfig context b\): .*ECONNREFUSED/,
    );
    expect(await page.locator('.live-cluster[data-cluster="a"] li[data-verdict="pass"]').count()).toBe(9);
    expect(await page.locator('.live-cluster[data-cluster="b"] li').allInnerTexts()).toEqual([
      expect.stringMatching(/^✘ API server reachable/),
    ]);
    expect(await page.locator("#live-outcome").innerText()).toBe("1 check failed (✘).");
  }, 30_000);
});

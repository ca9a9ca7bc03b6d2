// `cw generate` end to end, in-process: the example into a folder, one cluster to stdout, the
// original's files, and a second run that finds nothing to do.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { cw } from "./support/cw.js";

const EXAMPLE = "examples/split-bookinfo/federation.yaml";
// Copies of the original tool's files (a clone has no ../shared).
const LEGACY = "test/golden/legacy-cli";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-cli-"));
});

/** The example generated into out/ once; and the change that stops b calling ratings. */
async function generatedExample(...options: string[]) {
  const topology = join(dir, "federation.yaml");
  const text = readFileSync(EXAMPLE, "utf8");
  writeFileSync(topology, text);
  const args = ["generate", topology, "-o", join(dir, "out"), ...options];
  expect((await cw(...args)).code).toBe(0);
  return {
    args,
    dropRatingsConsumer: () => writeFileSync(topology, text.replace("      consumers: [b]\n", "")),
  };
}

describe("cw generate", () => {
  it("writes the example and says what it wrote", async () => {
    const lock = join(dir, "lock.yaml");
    const r = await cw("generate", EXAMPLE, "-o", join(dir, "out"), "--lock", lock);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("wrote");
    // One file of objects per cluster, its kustomization.yaml, and the DNS and mesh settings.
    expect(r.out).toMatch(/out\/a\/: 5 files \(5 added\)/);
    expect(readFileSync(join(dir, "out/b/objects.yaml"), "utf8")).toContain("name: reviews-global\n");
    expect(readFileSync(lock, "utf8")).toContain("reviews: 240.241.");
  });

  it("writes one object per file with --layout object", async () => {
    const lock = join(dir, "lock.yaml");
    const r = await cw("generate", EXAMPLE, "-o", join(dir, "out"), "--lock", lock, "--layout", "object");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/out\/a\/: 16 files \(16 added\)/);
    expect(readFileSync(join(dir, "out/b/gateway-reviews-global.yaml"), "utf8")).toContain("reviews.global");
  });

  it("writes nothing the second time and says the folder is up to date", async () => {
    const args = ["generate", EXAMPLE, "-o", join(dir, "out"), "--lock", join(dir, "lock.yaml")];
    await cw(...args);
    const r = await cw(...args);
    expect(r.code).toBe(0);
    expect(r.out).toContain("up to date");
  });

  it("reports the files of a service that left the topology", async () => {
    const { args, dropRatingsConsumer } = await generatedExample("--layout", "object");
    // Stop exporting ratings to b: b loses its imports, a loses the gateway objects.
    dropRatingsConsumer();
    const r = await cw(...args);
    expect(r.code).toBe(0);
    expect(r.out).toContain("removed gateway-ratings-global.yaml");
    expect(r.out).toContain("removed serviceentry-ratings-global.yaml");
    expect(r.out).toContain("prune");
    expect(existsSync(join(dir, "out/a/gateway-ratings-global.yaml"))).toBe(false);
  });

  it("names the objects no longer generated when one file holds them all", async () => {
    const { args, dropRatingsConsumer } = await generatedExample();
    dropRatingsConsumer();
    const r = await cw(...args);
    expect(r.code).toBe(0);
    // a no longer exports ratings (its Gateway goes), b no longer calls it (its ServiceEntry goes).
    expect(r.out).toMatch(
      /out\/a\/: 5 files \(1 changed\)\n(.*\n)*? {4}no longer generated: gateway-ratings-global\n/,
    );
    expect(r.out).toMatch(
      /out\/b\/: 5 files \(1 changed\)\n(.*\n)*? {4}no longer generated: serviceentry-ratings-global\n/,
    );
    expect(r.out).toContain("prune");
    expect(readFileSync(join(dir, "out/a/objects.yaml"), "utf8")).not.toContain("kind: Gateway\n");
  });

  it("names them from the old files, not the manifest, which lists only each cluster's key", async () => {
    const { args, dropRatingsConsumer } = await generatedExample();
    const manifest = join(dir, "out/.coddiwomple-manifest");
    const clusters = () => Object.values(JSON.parse(readFileSync(manifest, "utf8")).clusters as object);
    for (const entry of clusters()) expect(Object.keys(entry)).toEqual(["key"]);
    // A folder written before: its manifest listed the objects, and those are what the run compares.
    const old = JSON.parse(readFileSync(manifest, "utf8"));
    old.clusters.a.objects = "gateway-ratings-global\nserviceentry-left-before";
    writeFileSync(manifest, JSON.stringify(old, null, 2));
    dropRatingsConsumer();
    const r = await cw(...args);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /out\/a\/: 5 files \(1 changed\)\n(.*\n)*? {4}no longer generated: gateway-ratings-global\n/,
    );
    expect(r.out).toContain("    no longer generated: serviceentry-left-before\n");
    for (const entry of clusters()) expect(Object.keys(entry)).toEqual(["key"]);
  });

  it("names them from a file edited by hand that --force replaces", async () => {
    const { args, dropRatingsConsumer } = await generatedExample();
    const objects = join(dir, "out/a/objects.yaml");
    writeFileSync(
      objects,
      readFileSync(objects, "utf8").replace("kind: Gateway\n", "kind:   Gateway # mine\n"),
    );
    dropRatingsConsumer();
    expect((await cw(...args)).code).not.toBe(0);
    const r = await cw(...args, "--force");
    expect(r.code).toBe(0);
    expect(r.out).toContain("    no longer generated: gateway-ratings-global\n");
  });

  it("prints one cluster's objects to stdout with -o - and writes nothing", async () => {
    const lock = join(dir, "lock.yaml");
    const r = await cw("generate", EXAMPLE, "--cluster", "a", "-o", "-", "--lock", lock);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toContain("ServiceEntry/reviews-global");
    expect(docs.some((d) => d.kind === "Kustomization" || d.kind === "IstioOperator")).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });

  it("asks for --cluster when printing to stdout", async () => {
    const r = await cw("generate", EXAMPLE, "-o", "-", "--lock", join(dir, "lock.yaml"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("--cluster");
  });

  it("reads the original Coddiwomple's files unchanged", async () => {
    const r = await cw(
      "generate",
      "--cluster-file",
      `${LEGACY}/clusters.json`,
      "--service-file",
      `${LEGACY}/services.json`,
      "-o",
      join(dir, "out"),
      "--lock",
      join(dir, "lock.yaml"),
    );
    // The original's files cannot name the gateways' service accounts: only CW1041 warnings.
    expect(r.err.match(/(error|warning) CW\d+/g)).toEqual(Array(3).fill("warning CW1041"));
    expect(r.code).toBe(0);
    // car keeps the original's fixed address; everyone but c consumes it.
    const objects = readFileSync(join(dir, "out/a/objects.yaml"), "utf8");
    const se = objects
      .split("---\n")
      .find((d) => d.includes("kind: ServiceEntry\n") && d.includes("name: car-global\n"));
    expect(se).toContain("- 1.2.3.4");
    expect(readFileSync(join(dir, "lock.yaml"), "utf8")).toContain("car: 1.2.3.4");
  });

  it("refuses an output folder it did not create, with exit code 1", async () => {
    const out = join(dir, "mine");
    await cw("generate", EXAMPLE, "-o", out, "--lock", join(dir, "lock.yaml"));
    writeFileSync(join(dir, "other"), "");
    const r = await cw("generate", EXAMPLE, "-o", dir, "--lock", join(dir, "lock.yaml"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("CW3001");
  });
});

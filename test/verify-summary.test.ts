// `cw verify`'s text report from a summary (verifySummary: counts, and only the checks that do not
// hold) is the report the full list of checks gives, byte for byte: on every golden case, on its
// folders with an object taken out (mismatches), and on random topologies, with and without --verbose.
// The reference below is the report as it was written over the full list, before issue 15.

import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHECK_KINDS,
  type Check,
  formatSummary,
  type VerifyInput,
  type VerifyResult,
  verify,
  verifySummary,
} from "../src/analysis/verify.js";
import { readWithExisting } from "../src/cli/output-folder.js";
import type { ClusterConfig } from "../src/trace/config.js";
import { formatTrace } from "../src/trace/format.js";
import { topologyOf } from "./support/golden-topology.js";
import { compileDoc, federationArbitrary, supportedFeatures } from "./support/random-topology.js";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "golden");

/** The report as formatVerify wrote it from every check, before summaries. */
function reference(result: VerifyResult, verbose: boolean): string {
  const rows = CHECK_KINDS.map((kind) => {
    const of = result.checks.filter((c) => c.kind === kind);
    const n = (s: Check["status"]) => of.filter((c) => c.status === s).length;
    return [kind, String(of.length), String(n("ok")), String(n("mismatch")), String(n("unenforced"))];
  }).filter((r) => r[1] !== "0");
  const header = ["check", "total", "ok", "mismatch", "unenforced"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = [line(header), ...rows.map(line)];
  for (const c of result.checks.filter((c) => c.status !== "ok")) {
    if (c.status === "unenforced" && !verbose) continue;
    out.push("", `${c.status.toUpperCase()} ${c.kind}: ${c.call}`, `  expected ${c.expected}; ${c.problem}`);
    out.push(formatTrace("  trace:", c.trace).trimEnd());
  }
  const mismatches = result.checks.filter((c) => c.status === "mismatch").length;
  const unenforced = result.checks.filter((c) => c.status === "unenforced").length;
  out.push(
    "",
    mismatches === 0
      ? `verified: ${result.checks.length} checks hold${unenforced > 0 ? ` (${unenforced} unenforced, as cw warned)` : ""}`
      : `${mismatches} of ${result.checks.length} checks do not hold`,
    "",
    "This rests on what no file shows; check these on the clusters (cw check --live):",
    ...result.assumptions.map((a) => `  - ${a}`),
  );
  return `${out.join("\n")}\n`;
}

function sameReport(input: VerifyInput): VerifyResult {
  const full = verify(input);
  const summary = verifySummary(input);
  expect(summary.ok).toBe(full.ok);
  expect(summary.total).toBe(full.checks.length);
  for (const verbose of [false, true])
    expect(formatSummary(summary, { verbose })).toBe(reference(full, verbose));
  return full;
}

/** The folder with one object taken out of one cluster: some calls no longer arrive. */
function without(
  clusters: ReadonlyMap<string, ClusterConfig>,
  cluster: string,
  index: number,
): Map<string, ClusterConfig> {
  const copy = new Map(clusters);
  const config = clusters.get(cluster);
  if (config) copy.set(cluster, { ...config, objects: config.objects.filter((_, i) => i !== index) });
  return copy;
}

const goldens = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(GOLDEN, e.name, "expected")))
  .map((e) => e.name);

describe("verify's summary gives the full report", () => {
  it.each(goldens)("golden %s, and with objects taken out", (name) => {
    const dir = join(GOLDEN, name);
    const topology = topologyOf(dir);
    if (!topology) throw new Error(`${name} does not read`);
    const existing = existsSync(join(dir, "existing")) ? join(dir, "existing") : undefined;
    const clusters = readWithExisting(join(dir, "expected"), existing).clusters;
    const withExisting = existing !== undefined;
    sameReport({ topology, clusters, withExisting });
    // Every fifth object of the first cluster taken out in turn, to compare reports with mismatches.
    const [first, config] = [...clusters][0] ?? [];
    for (let i = 0; first && config && i < config.objects.length; i += 5)
      sameReport({ topology, clusters: without(clusters, first, i), withExisting });
  });

  it("on random topologies, each also with one object taken out", () => {
    const features = supportedFeatures();
    const docs = fc.sample(federationArbitrary({ maxServices: 6, features, existing: true }), {
      numRuns: 25,
      seed: 20261207,
    });
    let unenforced = 0;
    let mismatched = 0;
    for (const doc of docs) {
      const compiled = compileDoc(doc, { validate: false });
      if (!compiled.topology) continue;
      const input = { topology: compiled.topology, clusters: compiled.clusters, withExisting: true };
      const full = sameReport(input);
      unenforced += full.checks.filter((c) => c.status === "unenforced").length;
      const [name, config] = [...compiled.clusters][0] ?? [];
      if (!name || !config || config.objects.length === 0) continue;
      const broken = sameReport({
        ...input,
        clusters: without(compiled.clusters, name, config.objects.length >> 1),
      });
      if (!broken.ok) mismatched++;
    }
    // The comparison covered reports with unenforced checks and with mismatches.
    expect(unenforced).toBeGreaterThan(0);
    expect(mismatched).toBeGreaterThan(0);
  });
});

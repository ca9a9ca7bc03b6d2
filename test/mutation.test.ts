// Mutation check: change one object at a time (test/support/mutations.ts) and see whether `cw verify`
// notices. Of the mutations that change reachability, at least 95% must be caught; of the controls
// (which change nothing Istio does), none may be flagged. Two populations: cw's own objects in random
// federations, and the config the clusters already have (--existing) in random federations that carry
// some. Prints the caught share and the misses by operator, so the note on what verify misses stays true.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verify } from "../src/analysis/verify.js";
import { readWithExisting } from "../src/cli/output-folder.js";
import type { Topology } from "../src/topology/model.js";
import { readFederation } from "../src/topology/read.js";
import type { ClusterConfig } from "../src/trace/config.js";
import { EXISTING_OPERATORS, type Mutation, mutate, OPERATORS, type Operator } from "./support/mutations.js";
import { compileDoc, federationArbitrary, supportedFeatures } from "./support/random-topology.js";

const TOPOLOGIES = 10;
const MUTATIONS_PER_TOPOLOGY = 40;

/** A small deterministic generator, so that the run is the same every time. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Result {
  readonly m: Mutation;
  readonly caught: boolean;
}

interface Case {
  readonly topology: Topology;
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
}

/** The golden cases that come with existing config (existing/), as `cw verify --existing` reads them. */
function goldenCasesWithExisting(): Case[] {
  const root = join(dirname(fileURLToPath(import.meta.url)), "golden");
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, "existing")))
    .flatMap((name) => {
      const dir = join(root, name);
      const topology = readFederation(
        "federation.yaml",
        readFileSync(join(dir, "federation.yaml"), "utf8"),
      ).topology;
      if (!topology) return [];
      const clusters = readWithExisting(join(dir, "expected"), join(dir, "existing"), topology.name).clusters;
      return [{ topology, clusters }];
    });
}

/** Up to MUTATIONS_PER_TOPOLOGY mutations of each topology by the operators, each verified. */
function run(existing: boolean, operators: readonly Operator[], seed: number): Result[] {
  // The existing config's population draws the patterns too (passthrough relies on an existing
  // east-west Gateway); cw's own keeps the population its figures were first measured on.
  const features = existing ? { features: supportedFeatures() } : {};
  const docs = fc.sample(
    federationArbitrary({ minClusters: 2, maxClusters: 5, maxServices: 7, existing, ...features }),
    { numRuns: TOPOLOGIES, seed },
  );
  const random = seeded(7);
  const results: Result[] = [];
  const cases: Case[] = docs.flatMap((doc) => {
    const compiled = compileDoc(doc, { validate: false });
    return compiled.topology ? [{ topology: compiled.topology, clusters: compiled.clusters }] : [];
  });
  for (const compiled of existing ? [...cases, ...goldenCasesWithExisting()] : cases) {
    const topology = compiled.topology;
    const base = verify({ topology, clusters: compiled.clusters, withExisting: existing });
    expect(
      base.ok,
      base.checks
        .filter((c) => c.status === "mismatch")
        .map((c) => c.call)
        .join("\n"),
    ).toBe(true);
    const sites = [...compiled.clusters].flatMap(([cluster, config]) =>
      config.objects.map((_, index) => ({ cluster, index })),
    );
    if (sites.length === 0) continue;
    let made = 0;
    for (let attempt = 0; made < MUTATIONS_PER_TOPOLOGY && attempt < MUTATIONS_PER_TOPOLOGY * 10; attempt++) {
      const op = operators[Math.floor(random() * operators.length)];
      const fit = sites.filter((s) => {
        const o = compiled.clusters.get(s.cluster)?.objects[s.index];
        return (
          o !== undefined && op?.kinds.includes(o.kind) && (op.existing === true) === (o.existing === true)
        );
      });
      const site = fit[Math.floor(random() * fit.length)];
      if (!site || !op) continue;
      const m = mutate(compiled.clusters, op, site, random);
      if (!m) continue;
      made++;
      results.push({ m, caught: !verify({ topology, clusters: m.clusters, withExisting: existing }).ok });
    }
  }
  return results;
}

function report(title: string, results: readonly Result[]) {
  const changing = results.filter((r) => r.m.changesReachability);
  const caught = changing.filter((r) => r.caught);
  const controls = results.filter((r) => !r.m.changesReachability);
  const falseAlarms = controls.filter((r) => r.caught);
  const byOperator = new Map<string, { n: number; caught: number; neutral: number; flagged: number }>();
  for (const r of results) {
    const row = byOperator.get(r.m.operator) ?? { n: 0, caught: 0, neutral: 0, flagged: 0 };
    if (r.m.changesReachability) {
      row.n++;
      if (r.caught) row.caught++;
    } else {
      row.neutral++;
      if (r.caught) row.flagged++;
    }
    byOperator.set(r.m.operator, row);
  }
  const share = caught.length / Math.max(1, changing.length);
  console.log(
    [
      `${title}: ${caught.length}/${changing.length} reachability-changing mutations caught (${(share * 100).toFixed(1)}%); ${falseAlarms.length}/${controls.length} neutral ones flagged`,
      ...[...byOperator].map(
        ([op, r]) =>
          `  ${op.padEnd(64)} caught ${r.caught}/${r.n}, neutral ${r.neutral} (flagged ${r.flagged})`,
      ),
      ...changing
        .filter((r) => !r.caught)
        .map((r) => `  MISSED ${r.m.operator}: ${r.m.cluster} ${r.m.object}: ${r.m.description}`),
      ...falseAlarms.map(
        (r) => `  FLAGGED NEUTRAL ${r.m.operator}: ${r.m.cluster} ${r.m.object}: ${r.m.description}`,
      ),
    ].join("\n"),
  );
  return { changing, share, falseAlarms };
}

describe("mutation check", () => {
  it("catches at least 95% of single-object mutations of cw's output that change reachability", () => {
    const { changing, share, falseAlarms } = report("mutation check", run(false, OPERATORS, 4242));
    expect(changing.length).toBeGreaterThan(200);
    expect(share).toBeGreaterThanOrEqual(0.95);
    expect(falseAlarms).toEqual([]);
  });

  it("catches at least 95% of changes to the clusters' existing config that change reachability", () => {
    const { changing, share, falseAlarms } = report("existing config", run(true, EXISTING_OPERATORS, 4243));
    expect(changing.length).toBeGreaterThan(40);
    expect(share).toBeGreaterThanOrEqual(0.95);
    expect(falseAlarms).toEqual([]);
  });
});

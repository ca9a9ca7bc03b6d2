// Mutation check: change one generated object at a time (test/support/mutations.ts) and see whether
// `cw verify` notices. Of the mutations that change reachability, at least 95% must be caught; of the
// controls (which change nothing Istio does), none may be flagged. Prints the caught share and the
// misses by operator, so the note on what verify misses stays true.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verify } from "../src/analysis/verify.js";
import { type Mutation, mutate, OPERATORS } from "./support/mutations.js";
import { compileDoc, federationArbitrary } from "./support/random-topology.js";

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

describe("mutation check", () => {
  it("catches at least 95% of single-object mutations that change reachability", () => {
    const docs = fc.sample(federationArbitrary({ minClusters: 2, maxClusters: 5, maxServices: 7 }), {
      numRuns: TOPOLOGIES,
      seed: 4242,
    });
    const random = seeded(7);
    const results: { m: Mutation; caught: boolean }[] = [];
    for (const doc of docs) {
      const compiled = compileDoc(doc, { validate: false });
      if (!compiled.topology) continue;
      const topology = compiled.topology;
      expect(verify({ topology, clusters: compiled.clusters }).ok).toBe(true);
      const sites = [...compiled.clusters].flatMap(([cluster, config]) =>
        config.objects.map((_, index) => ({ cluster, index })),
      );
      if (sites.length === 0) continue;
      let made = 0;
      for (
        let attempt = 0;
        made < MUTATIONS_PER_TOPOLOGY && attempt < MUTATIONS_PER_TOPOLOGY * 10;
        attempt++
      ) {
        const op = OPERATORS[Math.floor(random() * OPERATORS.length)];
        const fit = sites.filter((s) =>
          op?.kinds.includes(compiled.clusters.get(s.cluster)?.objects[s.index]?.kind ?? ""),
        );
        const site = fit[Math.floor(random() * fit.length)];
        if (!site || !op) continue;
        const m = mutate(compiled.clusters, op, site, random);
        if (!m) continue;
        made++;
        results.push({ m, caught: !verify({ topology, clusters: m.clusters }).ok });
      }
    }
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
    const lines = [
      `mutation check: ${caught.length}/${changing.length} reachability-changing mutations caught (${(share * 100).toFixed(1)}%); ${falseAlarms.length}/${controls.length} neutral ones flagged`,
      ...[...byOperator].map(
        ([op, r]) =>
          `  ${op.padEnd(48)} caught ${r.caught}/${r.n}, neutral ${r.neutral} (flagged ${r.flagged})`,
      ),
      ...changing
        .filter((r) => !r.caught)
        .map((r) => `  MISSED ${r.m.operator}: ${r.m.cluster} ${r.m.object}: ${r.m.description}`),
      ...falseAlarms.map(
        (r) => `  FLAGGED NEUTRAL ${r.m.operator}: ${r.m.cluster} ${r.m.object}: ${r.m.description}`,
      ),
    ];
    console.log(lines.join("\n"));
    expect(changing.length).toBeGreaterThan(200);
    expect(share).toBeGreaterThanOrEqual(0.95);
    expect(falseAlarms).toEqual([]);
  });
});

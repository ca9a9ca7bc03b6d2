// Property: for random topologies (test/support/random-topology.ts), some clusters with Istio config of
// their own (--existing), cw generates output that passes Istio's schema checks, and `cw verify` holds
// on it, the clusters' own config included: every allowed call arrives where the topology
// says, every other call and every direct probe of a gateway is refused. A counterexample that
// fast-check shrinks is kept under test/golden-regressions/<name>.json and replayed here for good.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatVerify, verify } from "../src/analysis/verify.js";
import {
  compileDoc,
  federationArbitrary,
  MORE_VERSIONS,
  type RandomOptions,
  supportedFeatures,
} from "./support/random-topology.js";

const REGRESSIONS = join(dirname(fileURLToPath(import.meta.url)), "golden-regressions");
const features = supportedFeatures();

function holds(doc: Record<string, unknown>): void {
  const compiled = compileDoc(doc);
  const errors = compiled.diagnostics.filter((d) => d.level === "error");
  // CW9001 is a generated object that fails Istio's schemas; any other error is a bad random input.
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(compiled.topology).toBeDefined();
  if (!compiled.topology) return;
  const result = verify({ topology: compiled.topology, clusters: compiled.clusters });
  if (!result.ok) {
    throw new Error(`verify fails for\n${JSON.stringify(doc)}\n${formatVerify(result)}`);
  }
}

describe("random topologies", () => {
  it("probes which new features the generator emits", () => {
    console.log(`property tests draw these features: ${JSON.stringify(features)}`);
    expect(typeof features.passthrough).toBe("boolean");
    // Issue 14's options are generated now: the random topologies must keep drawing them.
    expect(features).toMatchObject({ kubernetesName: true, egressSplit: true, egressPassthrough: true });
  });

  it("draws clusters with config of their own: the east-west Gateway, deny-by-default namespaces, other rules", () => {
    const docs = fc.sample(federationArbitrary({ maxServices: 8, features, existing: true }), {
      numRuns: 60,
      seed: 20260103,
    });
    const kinds = new Set(
      docs
        .flatMap((d) => compileDoc(d, { validate: false }).existing ?? [])
        .flatMap((f) => f.text.match(/"kind":"\w+"|"name":"[\w-]+"/g) ?? []),
    );
    for (const mark of [
      '"name":"cross-network-gateway"',
      '"name":"allow-nothing"',
      '"name":"egress-monitoring"',
      '"kind":"DestinationRule"',
    ])
      expect(kinds, mark).toContain(mark);
  });

  const run = (name: string, options: RandomOptions, numRuns: number, seed: number, shrink = true) =>
    it(`${name}: generate passes the schema checks and verify holds (${numRuns} runs)`, () => {
      fc.assert(
        fc.property(
          federationArbitrary({ ...options, features, existing: true, versions: MORE_VERSIONS }),
          (doc) => {
            holds(doc);
          },
        ),
        // Shrinking a 40-service counterexample takes minutes: the small runs shrink, the big one reports.
        { numRuns, seed, endOnFailure: !shrink },
      );
    });
  // Many small federations (where most wiring mistakes show), a few full-size ones.
  run("2-8 clusters, up to 8 services", { maxServices: 8 }, 160, 20260101);
  run("2-8 clusters, up to 40 services", { maxServices: 40 }, 8, 20260102, false);

  const kept = existsSync(REGRESSIONS)
    ? readdirSync(REGRESSIONS)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
  // Shrunk counterexamples of bugs found here, kept so that they stay fixed.
  for (const file of kept) {
    const doc = JSON.parse(readFileSync(join(REGRESSIONS, file), "utf8")) as Record<string, unknown>;
    it(`regression ${file}`, () => holds(doc));
  }
});

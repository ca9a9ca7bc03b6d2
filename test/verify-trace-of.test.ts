// verify judges a check on traceOf(expectation) and, when it holds, keeps only retraceOf(expectation)
// to trace it again when it is read (analysis/verify.ts HeldCheck): the two must trace the same call
// or probe, with the same clusters down, for every kind of expectation, on random topologies.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meshFactsFromTopology } from "../src/analysis/mesh-facts.js";
import { expectations } from "../src/analysis/verify-expectations.js";
import { retraceOf, traceAgain, traceOf } from "../src/analysis/verify-judge.js";
import { createTracer } from "../src/trace/trace.js";
import { compileDoc, federationArbitrary, supportedFeatures } from "./support/random-topology.js";

describe("traceOf, the trace a check is judged on", () => {
  it("is the trace its retrace gives again, for every kind, on random topologies", () => {
    const docs = fc.sample(federationArbitrary({ maxServices: 4, features: supportedFeatures() }), {
      numRuns: 15,
      seed: 20261207,
    });
    const kinds = new Set<string>();
    for (const doc of docs) {
      const compiled = compileDoc(doc, { validate: false });
      if (!compiled.topology) continue;
      const tracer = createTracer({
        clusters: compiled.clusters,
        mesh: meshFactsFromTopology(compiled.topology),
      });
      for (const e of expectations(compiled.topology)) {
        expect(traceOf(tracer, e)).toEqual(traceAgain(tracer, retraceOf(e)));
        kinds.add(e.kind);
      }
    }
    // Failover (a cluster down) and gateway probes are among what was compared.
    expect(kinds).toContain("failover");
    expect(kinds).toContain("gateway probe");
    expect(kinds).toContain("consumer call");
  });
});

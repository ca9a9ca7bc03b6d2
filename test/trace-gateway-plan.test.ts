// A gateway's plan (gateway.ts: listener, chain, handshake and routes, made once per tracer for a
// gateway and connection but its principal) gives the traces a tracer without plans gives: every
// check of `cw verify` on random topologies (with the clusters' existing config, so passthrough and
// AUTO_PASSTHROUGH chains too) traced twice on one tracer, so that the second pass reads plans the
// first made, equals the same check traced on a fresh tracer of its own.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meshFactsFromTopology } from "../src/analysis/mesh-facts.js";
import { expectations } from "../src/analysis/verify-expectations.js";
import { retraceOf, traceAgain } from "../src/analysis/verify-judge.js";
import { createTracer } from "../src/trace/trace.js";
import type { Trace } from "../src/trace/types.js";
import { compileDoc, federationArbitrary, supportedFeatures } from "./support/random-topology.js";

/** Gateway hops a trace passes whose policies let the call on (the plan's shared routes). */
const allowedAtGateways = (t: Trace): number =>
  t.hops.filter((h, i) => {
    const next = t.hops[i + 1];
    return h.kind === "gateway" && next?.kind === "authz" && next.verdict === "allow";
  }).length;

describe("gateway plans, shared between callers", () => {
  it("give the traces a fresh tracer gives, on random topologies", () => {
    const docs = fc.sample(
      federationArbitrary({ maxServices: 5, features: supportedFeatures(), existing: true }),
      {
        numRuns: 20,
        seed: 20261207,
      },
    );
    let probes = 0;
    let allowed = 0;
    for (const doc of docs) {
      const compiled = compileDoc(doc, { validate: false });
      if (!compiled.topology) continue;
      const input = { clusters: compiled.clusters, mesh: meshFactsFromTopology(compiled.topology) };
      const shared = createTracer(input);
      const retraces = [...expectations(compiled.topology)].map(retraceOf);
      for (const r of retraces) traceAgain(shared, r);
      for (const r of retraces) {
        const planned = traceAgain(shared, r);
        expect(planned).toEqual(traceAgain(createTracer(input), r));
        if ("probe" in r) probes++;
        allowed += allowedAtGateways(planned);
      }
    }
    // The comparison covered gateway probes and calls a gateway let on through its shared routes.
    expect(probes).toBeGreaterThan(100);
    expect(allowed).toBeGreaterThan(10);
  });
});

// A service's consumers: each once, each a cluster (or "*"), none that runs the service itself
// unless a split sends its calls away, and service accounts only with the namespaces they live in.

import { diag } from "../../diagnostics/catalog.js";
import { suggestion } from "../issues.js";
import { at, child } from "../source.js";
import type { CheckContext, ServiceFacts, TopologyCheck } from "./check.js";
import { uniqueBy } from "./unique.js";

export const consumers: TopologyCheck = {
  name: "consumers",
  codes: ["CW1009", "CW1012", "CW1020", "CW1033"],
  run(ctx) {
    for (const facts of ctx.services) {
      consumerClusters(facts, ctx);
      for (const c of facts.service.consumers) {
        if (c.serviceAccounts && !c.namespaces) {
          const where = at(child(c.origin, "serviceAccounts"), "key");
          ctx.report(diag("CW1033", { cluster: c.cluster, service: facts.service.name }, where));
        }
      }
    }
  },
};

function consumerClusters({ service: s, backendClusters }: ServiceFacts, ctx: CheckContext): void {
  const named = s.consumers.filter((c) => c.cluster !== "*");
  const repeats = new Set(uniqueBy(named, (c) => c.cluster).map((r) => r.item));
  for (const c of named) {
    if (repeats.has(c)) {
      const args = { kind: "consumer", service: s.name, name: c.cluster } as const;
      ctx.report(diag("CW1009", args, at(c.origins.cluster)));
    } else if (!ctx.clusters.has(c.cluster)) {
      const hint = suggestion(c.cluster, ctx.clusterNames);
      ctx.report(diag("CW1012", { cluster: c.cluster, service: s.name, hint }, at(c.origins.cluster)));
    } else if (backendClusters.has(c.cluster) && s.split.length === 0) {
      // A backend cluster that consumes the service sends calls away only through a split.
      ctx.report(diag("CW1020", { cluster: c.cluster, service: s.name }, at(c.origin)));
    }
  }
}

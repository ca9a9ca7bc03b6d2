// A service's backends: at least one, each cluster once, and each in a defined cluster.

import { diag } from "../../diagnostics/catalog.js";
import { suggestion } from "../issues.js";
import { at } from "../source.js";
import type { TopologyCheck } from "./check.js";
import { uniqueBy } from "./unique.js";

export const backends: TopologyCheck = {
  name: "backends",
  codes: ["CW1008", "CW1009", "CW1018"],
  run({ services, clusters, clusterNames, report }) {
    for (const { service: s } of services) {
      if (s.backends.length === 0 && !s.invalidFields?.has("backends")) {
        report(diag("CW1018", { service: s.name, missing: "backends" }, at(s.origins.name)));
      }
      const repeats = new Set(uniqueBy(s.backends, (b) => b.cluster).map((r) => r.item));
      for (const b of s.backends) {
        // Found only for a diagnostic: finding a place costs a walk of the text, and most backends are fine.
        const where = () => at(b.origins.cluster, b.origins.clusterAt);
        if (repeats.has(b)) {
          report(diag("CW1009", { kind: "backend", service: s.name, name: b.cluster }, where()));
        } else if (!clusters.has(b.cluster)) {
          const hint = suggestion(b.cluster, clusterNames);
          report(diag("CW1008", { service: s.name, cluster: b.cluster, hint }, where()));
        }
      }
    }
  },
};

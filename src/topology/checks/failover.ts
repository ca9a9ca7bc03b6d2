// A service's failover order: each cluster once, each a backend cluster.

import { diag } from "../../diagnostics/catalog.js";
import { at } from "../source.js";
import type { TopologyCheck } from "./check.js";
import { notBackend } from "./split.js";
import { uniqueBy } from "./unique.js";

export const failover: TopologyCheck = {
  name: "failover",
  codes: ["CW1009", "CW1026"],
  run({ services, report }) {
    for (const { service: s, backendClusters } of services) {
      for (const { item: f } of uniqueBy(s.failover, (f) => f.cluster)) {
        report(diag("CW1009", { kind: "failover", service: s.name, name: f.cluster }, at(f.origin)));
      }
      for (const f of s.failover) {
        if (backendClusters.has(f.cluster)) continue;
        report(diag("CW1026", notBackend(s, f.cluster, backendClusters, "the failover list"), at(f.origin)));
      }
    }
  },
};

// Each cluster once, on an Istio release with the multicluster support cw uses.

import { diag } from "../../diagnostics/catalog.js";
import { at } from "../source.js";
import type { TopologyCheck } from "./check.js";
import { uniqueBy } from "./unique.js";

export const clusters: TopologyCheck = {
  name: "clusters",
  codes: ["CW1009", "CW1017"],
  run(ctx) {
    for (const { item: c, first } of uniqueBy(ctx.topology.clusters, (c) => c.name)) {
      const firstLine = at(first.origins.name).line;
      ctx.report(diag("CW1009", { kind: "cluster", name: c.name, firstLine }, at(c.origins.name)));
    }
    for (const c of ctx.topology.clusters) {
      const [major, minor] = c.istioVersion.split(".").map(Number);
      if (major === 1 && minor !== undefined && minor < 1) {
        const where = at(c.origins.istioVersion ?? c.origin);
        ctx.report(diag("CW1017", { kind: "no-multicluster", version: c.istioVersion }, where));
      }
    }
  },
};

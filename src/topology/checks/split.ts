// A service's split: weights that add up to 100, each share once, to a backend cluster and a subset
// the service defines, and consumers whose callers it applies to.

import { diag } from "../../diagnostics/catalog.js";
import { suggestion } from "../issues.js";
import type { Service } from "../model.js";
import { at, child } from "../source.js";
import type { CheckContext, ServiceFacts, TopologyCheck } from "./check.js";
import { uniqueBy } from "./unique.js";

export const split: TopologyCheck = {
  name: "split",
  codes: ["CW1009", "CW1018", "CW1024", "CW1026", "CW1027"],
  run(ctx) {
    for (const facts of ctx.services) {
      const s = facts.service;
      if (s.split.length === 0) continue;
      // Found only for a diagnostic (a walk of the text).
      const where = () => at(s.origins.split ?? s.origin, "key");
      const total = s.split.reduce((n, share) => n + share.weight, 0);
      if (total !== 100 && !s.invalidFields?.has("split")) {
        ctx.report(diag("CW1024", { service: s.name, total }, where()));
      }
      shares(facts, ctx);
      if (facts.consumers.size === 0) {
        ctx.report(diag("CW1018", { service: s.name, missing: "consumers" }, where()));
      }
    }
  },
};

function shares({ service: s, backendClusters, subsets }: ServiceFacts, { report }: CheckContext): void {
  for (const { item: share } of uniqueBy(s.split, (sh) => `${sh.cluster}/${sh.subset ?? ""}`)) {
    const args = { kind: "share", service: s.name, cluster: share.cluster } as const;
    const subset = share.subset ? { subset: share.subset } : {};
    report(diag("CW1009", { ...args, ...subset }, at(share.origin)));
  }
  for (const share of s.split) {
    if (!backendClusters.has(share.cluster)) {
      const args = notBackend(s, share.cluster, backendClusters, "a split share");
      report(diag("CW1026", args, at(child(share.origin, "cluster"))));
    }
    if (share.subset !== undefined && !subsets.has(share.subset) && !s.invalidFields?.has("subsets")) {
      const hint = suggestion(share.subset, [...subsets]);
      const where = at(child(share.origin, "subset"));
      report(diag("CW1027", { service: s.name, subset: share.subset, hint }, where));
    }
  }
}

/** CW1026's arguments: a cluster named where only the service's backend clusters may be. */
export function notBackend(
  s: Service,
  cluster: string,
  backendClusters: ReadonlySet<string>,
  where: "a split share" | "the failover list",
) {
  const backends = [...backendClusters];
  return { cluster, service: s.name, where, backends, hint: suggestion(cluster, backends) };
}

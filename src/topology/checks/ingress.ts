// Remote consumers reach backends through each backend cluster's ingress gateway, so a backend
// cluster that another cluster reaches needs an ingress address. A consumer that runs no backend
// reaches every backend cluster, one that does reaches the clusters its split sends calls to (a
// failover order only ranks the clusters a consumer reaches anyway).

import { diag } from "../../diagnostics/catalog.js";
import type { Cluster } from "../model.js";
import { at } from "../source.js";
import type { ServiceFacts, TopologyCheck } from "./check.js";

export const ingress: TopologyCheck = {
  name: "ingress",
  codes: ["CW1011"],
  run({ services, clusters, report }) {
    // One diagnostic per cluster, however many services it exports.
    const needsIngress = new Map<Cluster, string[]>();
    for (const facts of services) {
      for (const name of [...reached(facts)].sort()) {
        const cluster = clusters.get(name);
        if (!cluster || !facts.backendClusters.has(name) || cluster.ingress.addresses.length > 0) continue;
        // In place: a copy per service would be quadratic in the services a cluster exports.
        const list = needsIngress.get(cluster);
        if (list) list.push(facts.service.name);
        else needsIngress.set(cluster, [facts.service.name]);
      }
    }
    for (const [cluster, services] of needsIngress) {
      // An ingress in error is already reported: the address the user wrote may be right behind it.
      if (cluster.invalidFields?.has("ingress")) continue;
      const where =
        cluster.origins.ingress === cluster.origin
          ? at(cluster.origins.name)
          : at(cluster.origins.ingress, "key");
      report(diag("CW1011", { cluster: cluster.name, services }, where));
    }
  },
};

/** The backend clusters the service's consumers call across clusters. */
function reached({ service: s, backendClusters, consumers }: ServiceFacts): Set<string> {
  const out = new Set<string>();
  for (const c of consumers) {
    if (!backendClusters.has(c)) for (const b of backendClusters) out.add(b);
    else for (const share of s.split) if (share.cluster !== c) out.add(share.cluster);
  }
  return out;
}

// The context the checks share, computed once: which name each cluster reference means, and each
// service's backend clusters, consumers and subsets as the checks read them.

import type { Reporter } from "../../diagnostics/reporter.js";
import type { Cluster, Service, Topology } from "../model.js";
import type { CheckContext, ServiceFacts } from "./check.js";

export function checkContext(topology: Topology, reporter: Reporter): CheckContext {
  const clusters = new Map<string, Cluster>();
  for (const c of topology.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
  const clusterNames = [...clusters.keys()];
  return {
    topology,
    clusters,
    clusterNames,
    services: topology.services.map((s) => serviceFacts(s, clusters, clusterNames)),
    report: (...diagnostics) => reporter.report(...diagnostics),
  };
}

function serviceFacts(
  service: Service,
  clusters: ReadonlyMap<string, Cluster>,
  clusterNames: readonly string[],
): ServiceFacts {
  const consumers = new Set<string>();
  const listed = new Set<string>();
  for (const c of service.consumers) {
    if (c.cluster === "*") for (const name of clusterNames) consumers.add(name);
    else if (!listed.has(c.cluster)) {
      listed.add(c.cluster);
      if (clusters.has(c.cluster)) consumers.add(c.cluster);
    }
  }
  return {
    service,
    backendClusters: new Set(service.backends.map((b) => b.cluster)),
    consumers,
    subsets: new Set(service.subsets.map((subset) => subset.name)),
  };
}

// What `cw verify` takes for granted: facts about the clusters that no file in the folder shows.
// Printed under verify's table (and in its JSON) so that nobody reads "verified" as more than it is;
// `cw check --live` checks what can be checked on running clusters.

import type { Topology } from "../topology/model.js";

export function assumptionsOf(topology: Topology, withExisting: boolean): string[] {
  const ports = [...new Set(topology.clusters.map((c) => c.ingress.port))].sort((a, b) => a - b);
  const versions = topology.clusters.map((c) => `${c.name} ${c.istioVersion}`).join(", ");
  return [
    "every cluster's Istio CA chains to one shared root of trust, so gateways and sidecars accept each other's certificates",
    `each ingress gateway's Service exposes port ${ports.join("/")} at the addresses in ingress.addresses, and its pods carry ingress.selector's labels and run as ingress.serviceAccount`,
    "the settings cw wrote outside kustomization.yaml (dns/, mesh/) are merged into each cluster's Istio and CoreDNS, and the calling workloads were restarted since (sidecar DNS capture on)",
    "each service's pods carry its selector labels (default app: <name>), have sidecars, and listen on its targetPort",
    `the clusters run the Istio releases the topology names (${versions})`,
    withExisting
      ? "the --existing folder holds all the Istio config each cluster has besides cw's (Gateways, Sidecars, DestinationRules, policies, mesh config)"
      : "the clusters have no Istio config of their own that touches these names or gateways (east-west Gateway, Sidecars, default-deny policies, DestinationRules): run with --existing (cw discover --existing) to include it",
    "nothing the tracer does not model stands in the way: EnvoyFilters, CUSTOM policies, waypoints, network policies and firewalls",
  ];
}

// The mesh facts a topology states (trace/mesh.ts): trust domains, gateways, and the Kubernetes
// Services backends run, read from the typed topology.

import type { Service, Topology } from "../topology/model.js";
import { parseIstioVersion } from "../trace/istio-version.js";
import type { ClusterFacts, EgressFacts, KubernetesService, MeshFacts } from "../trace/mesh.js";

export function meshFactsFromTopology(topology: Topology): MeshFacts {
  const clusters = new Map<string, ClusterFacts>();
  // Each cluster's backends, in the order of the services and their backends.
  const backendsIn = new Map<string, { s: Service; b: Service["backends"][number] }[]>();
  for (const s of topology.services) {
    for (const b of s.backends) {
      const list = backendsIn.get(b.cluster);
      if (list) list.push({ s, b });
      else backendsIn.set(b.cluster, [{ s, b }]);
    }
  }
  for (const c of topology.clusters) {
    const services: KubernetesService[] = [];
    for (const { s, b } of backendsIn.get(c.name) ?? []) {
      const labels = { ...s.selector };
      const existing = services.find((k) => k.host === b.host);
      const ports = [...new Set([...(existing?.ports ?? []), ...s.ports.map((p) => p.targetPort)])];
      // The Service's ports carry the topology's protocols (their names or appProtocol say so).
      const protocols = {
        ...Object.fromEntries(s.ports.map((p) => [p.targetPort, p.protocol])),
        ...existing?.protocols,
      };
      if (existing) services.splice(services.indexOf(existing), 1);
      const sa = s.serviceAccount;
      services.push({
        host: b.host,
        ports,
        protocols,
        labels,
        ...(sa !== undefined && { serviceAccount: sa }),
      });
    }
    const egress = egressFactsOf(c);
    if (egress) for (const h of egress.hosts) services.push({ host: h, labels: egress.labels });
    const istio = parseIstioVersion(c.istioVersion);
    clusters.set(c.name, {
      name: c.name,
      trustDomain: c.trustDomain,
      ...(istio && { istio }),
      ...(c.region !== undefined && { locality: [c.region, c.zone ?? ""].join("/") }),
      ingress: {
        addresses: [...c.ingress.addresses],
        port: c.ingress.port,
        labels: { ...c.ingress.selector },
        namespace: c.ingress.namespace,
        serviceAccount: c.ingress.serviceAccount,
      },
      ...(egress && { egress }),
      services,
    });
  }
  return { clusters };
}

/** A cluster's egress gateway as the tracer knows it: its pods, its Service's host and port. */
function egressFactsOf(c: Topology["clusters"][number]): EgressFacts | undefined {
  if (!c.egress) return undefined;
  const { service, port } = c.egress;
  return {
    labels: { ...c.egress.selector },
    namespace: c.egress.namespace,
    serviceAccount: c.egress.serviceAccount,
    hosts: [`${service}.${c.egress.namespace}.svc.cluster.local`],
    port,
  };
}

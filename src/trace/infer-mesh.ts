// Mesh facts guessed from the configuration alone, for `cw trace` without a topology. What the
// guesses rest on, so a user can tell when they do not hold:
// - each folder is a cluster; a ServiceEntry endpoint labelled coddiwomple.io/cluster (or
//   topology.istio.io/cluster) = X is an address of X's ingress gateway, on the endpoint's port;
// - a ServiceEntry whose endpoints all belong to X names X's gateway identity in subjectAltNames
//   (spiffe://<trust domain>/ns/<namespace>/sa/<service account>);
// - X's ingress gateway pods carry the labels of the first Gateway in X (default istio: ingressgateway);
// - any *.svc.cluster.local Service exists.

import type { ClusterConfig } from "./config.js";
import { labelsOf, num, objs, strs } from "./fields.js";
import type { ClusterFacts, MeshFacts } from "./mesh.js";

const CLUSTER_LABELS = ["coddiwomple.io/cluster", "topology.istio.io/cluster"];

export function inferMeshFacts(clusters: ReadonlyMap<string, ClusterConfig>): MeshFacts {
  const addresses = new Map<string, Set<string>>();
  const ports = new Map<string, number>();
  const identities = new Map<string, { td: string; ns: string; sa: string }>();
  for (const config of clusters.values()) {
    for (const se of config.objects.filter((o) => o.kind === "ServiceEntry")) {
      const owners = new Set<string>();
      for (const e of objs(se.spec.endpoints)) {
        const labels = labelsOf(e.labels);
        const owner = CLUSTER_LABELS.map((l) => labels[l]).find((v) => v !== undefined);
        const address = typeof e.address === "string" ? e.address : undefined;
        if (!owner || !address) continue;
        owners.add(owner);
        addresses.set(owner, (addresses.get(owner) ?? new Set()).add(address));
        const port = Object.values(e.ports ?? {})
          .map(num)
          .find((p) => p !== undefined);
        if (port !== undefined && !ports.has(owner)) ports.set(owner, port);
      }
      const [only] = owners;
      if (owners.size !== 1 || !only || identities.has(only)) continue;
      const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(strs(se.spec.subjectAltNames)[0] ?? "");
      if (m?.[1] && m[2] && m[3]) identities.set(only, { td: m[1], ns: m[2], sa: m[3] });
    }
  }
  const facts = new Map<string, ClusterFacts>();
  for (const [name, config] of clusters) {
    const gateway = config.objects.find((o) => o.kind === "Gateway");
    const labels = gateway ? labelsOf(gateway.spec.selector) : { istio: "ingressgateway" };
    const id = identities.get(name);
    facts.set(name, {
      name,
      trustDomain: id?.td ?? "cluster.local",
      ingress: {
        addresses: [...(addresses.get(name) ?? [])],
        port: ports.get(name) ?? 15443,
        labels,
        namespace: id?.ns ?? gateway?.metadata.namespace ?? "istio-system",
        serviceAccount: id?.sa ?? "istio-ingressgateway-service-account",
      },
    });
  }
  return { clusters: facts };
}

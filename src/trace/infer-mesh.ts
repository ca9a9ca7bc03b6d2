// Mesh facts guessed from the configuration alone, for `cw trace` without a topology. What the
// guesses rest on, so a user can tell when they do not hold:
// - each folder is a cluster; a ServiceEntry endpoint labelled coddiwomple.io/cluster (or
//   topology.istio.io/cluster) = X is an address of X's ingress gateway, on the endpoint's port;
// - a ServiceEntry whose endpoints all belong to X names X's gateway identity in subjectAltNames
//   (spiffe://<trust domain>/ns/<namespace>/sa/<service account>);
// - X's ingress gateway pods carry the labels of the first Gateway in X (default istio: ingressgateway);
// - a Kubernetes Service that a route of X sends to is a gateway when a Gateway in its namespace selects
//   the labels Istio's installers give a gateway's pods for that Service name (istioctl and the Helm
//   gateway chart: istio: <name without "istio-">, or app: <name>): an egress gateway, whose hop goes
//   on to the Gateway's servers rather than ending at the Service;
// - any *.svc.cluster.local Service exists.

import type { ClusterConfig, IstioObject } from "./config.js";
import { labelsOf, num, obj, objs, str, strs } from "./fields.js";
import { normalize, resolveShortName } from "./host-match.js";
import type { ClusterFacts, EgressFacts, MeshFacts } from "./mesh.js";

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
    const egress = egressGateway(config);
    const gateway = config.objects.find((o) => o.kind === "Gateway" && o !== egress?.gateway);
    const labels = gateway ? labelsOf(gateway.spec.selector) : { istio: "ingressgateway" };
    const id = identities.get(name);
    facts.set(name, {
      name,
      ...(egress && { egress: egress.facts }),
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

/** The labels Istio's installers give the pods of a gateway Service named `name`. */
const installerLabels = (name: string): Record<string, string>[] => [
  { istio: name.replace(/^istio-/, "") },
  { app: name },
];

/** Hosts the configuration routes to, by the namespace of each Kubernetes host. */
function routedKubernetesHosts(config: ClusterConfig): Set<string> {
  const hosts = new Set<string>();
  for (const o of config.objects) {
    if (o.kind === "DestinationRule")
      hosts.add(resolveShortName(str(o.spec.host) ?? "", o.metadata.namespace));
    if (o.kind !== "VirtualService") continue;
    for (const r of [...objs(o.spec.http), ...objs(o.spec.tcp), ...objs(o.spec.tls)])
      for (const d of objs(r.route))
        hosts.add(resolveShortName(str(obj(d.destination).host) ?? "", o.metadata.namespace));
  }
  return hosts;
}

/** The egress gateway: a routed Kubernetes Service whose pods, by installer labels, a Gateway selects. */
function egressGateway(config: ClusterConfig): { gateway: IstioObject; facts: EgressFacts } | undefined {
  const gateways = config.objects.filter((o) => o.kind === "Gateway");
  for (const host of routedKubernetesHosts(config)) {
    const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(normalize(host));
    if (!m?.[1] || !m[2]) continue;
    const [name, ns] = [m[1], m[2]];
    for (const labels of installerLabels(name)) {
      const gateway = gateways.find((g) => {
        const selector = labelsOf(g.spec.selector);
        return g.metadata.namespace === ns && Object.entries(labels).every(([k, v]) => selector[k] === v);
      });
      if (gateway) {
        const selector = labelsOf(gateway.spec.selector);
        return {
          gateway,
          facts: {
            labels: selector,
            namespace: ns,
            serviceAccount: `${name}-service-account`,
            hosts: [normalize(host)],
          },
        };
      }
    }
  }
  return undefined;
}

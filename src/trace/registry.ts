// The service registry one proxy sees: every ServiceEntry host (a ServiceEntry with several hosts is
// one service per host, as in Istio) plus the Kubernetes Services the mesh facts know, filtered by
// exportTo for the proxy's namespace. Objects of each kind are indexed once per cluster.
// exportTo (https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-export_to):
// absent or empty = "*" (the mesh default), "." = the object's own namespace, "~" = nowhere.

import type { ClusterConfig, IstioObject, ObjectRef } from "./config.js";
import { refOf } from "./config.js";
import { labelsOf, num, objs, str, strs } from "./fields.js";
import { CLUSTER_DOMAIN, hostMatches, isKubernetesHost, normalize } from "./host-match.js";
import type { ClusterFacts } from "./mesh.js";

export interface ServicePort {
  readonly number: number;
  readonly name: string;
  readonly protocol: string;
  readonly targetPort?: number;
}

export interface Endpoint {
  readonly address: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality?: string;
}

export interface MeshService {
  readonly host: string;
  readonly namespace: string;
  readonly addresses: readonly string[];
  readonly ports: readonly ServicePort[];
  /** Undefined for a Kubernetes Service whose ports are unknown: any port exists. */
  readonly portsKnown: boolean;
  readonly source:
    | { readonly kind: "service-entry"; readonly ref: ObjectRef }
    | { readonly kind: "kubernetes" };
  readonly resolution: string;
  readonly endpoints: readonly Endpoint[];
  readonly subjectAltNames: readonly string[];
  readonly exportTo: readonly string[];
  /** Pod labels, for a Kubernetes Service. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The pods' service account, for a Kubernetes Service, when known. */
  readonly serviceAccount?: string;
}

export function visibleTo(exportTo: readonly string[], objectNamespace: string, namespace: string): boolean {
  if (exportTo.length === 0) return true;
  return exportTo.some((e) => e === "*" || e === namespace || (e === "." && objectNamespace === namespace));
}

export const exportToOf = (o: IstioObject): readonly string[] => strs(o.spec.exportTo);

export interface ClusterIndex {
  readonly config: ClusterConfig;
  readonly facts: ClusterFacts | undefined;
  readonly byKind: ReadonlyMap<string, readonly IstioObject[]>;
  readonly services: readonly MeshService[];
}

const cache = new WeakMap<ClusterConfig, WeakMap<object, ClusterIndex>>();
const NO_FACTS = {};

export function indexCluster(config: ClusterConfig, facts: ClusterFacts | undefined): ClusterIndex {
  let perFacts = cache.get(config);
  if (!perFacts) {
    perFacts = new WeakMap();
    cache.set(config, perFacts);
  }
  const key = facts ?? NO_FACTS;
  const hit = perFacts.get(key);
  if (hit) return hit;
  const byKind = new Map<string, IstioObject[]>();
  // Istio orders objects of a kind by creation time; a folder has none, so namespace/name stands in.
  const sorted = [...config.objects].sort((a, b) => {
    const ka = `${a.metadata.namespace}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const o of sorted) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o]);
  const services = [
    ...(byKind.get("ServiceEntry") ?? []).flatMap((se) => serviceEntryServices(config.name, se)),
    ...(facts?.services ?? []).map(
      (k): MeshService => ({
        host: normalize(k.host),
        namespace: normalize(k.host).split(".")[1] ?? "default",
        addresses: [],
        ports: (k.ports ?? []).map((p) => ({ number: p, name: `port-${p}`, protocol: "TCP" })),
        portsKnown: k.ports !== undefined,
        source: { kind: "kubernetes" },
        resolution: "STATIC",
        endpoints: [],
        subjectAltNames: [],
        exportTo: [],
        labels: k.labels ?? { app: normalize(k.host).split(".")[0] ?? "" },
        ...(k.serviceAccount !== undefined && { serviceAccount: k.serviceAccount }),
      }),
    ),
  ];
  const index = { config, facts, byKind, services };
  perFacts.set(key, index);
  return index;
}

export const objectsOf = (index: ClusterIndex, kind: string): readonly IstioObject[] =>
  index.byKind.get(kind) ?? [];

function serviceEntryServices(cluster: string, se: IstioObject): MeshService[] {
  const ports = objs(se.spec.ports).flatMap((p): ServicePort[] => {
    const number = num(p.number);
    if (number === undefined) return [];
    const targetPort = num(p.targetPort);
    return [
      {
        number,
        name: str(p.name) ?? String(number),
        protocol: (str(p.protocol) ?? "TCP").toUpperCase(),
        ...(targetPort !== undefined && { targetPort }),
      },
    ];
  });
  const endpoints = objs(se.spec.endpoints).flatMap((e): Endpoint[] => {
    const address = str(e.address);
    if (!address) return [];
    const portMap = Object.fromEntries(
      Object.entries(e.ports ?? {}).flatMap(([k, v]) => {
        const n = num(v);
        return n === undefined ? [] : [[k, n]];
      }),
    );
    const locality = str(e.locality);
    return [{ address, ports: portMap, labels: labelsOf(e.labels), ...(locality && { locality }) }];
  });
  return strs(se.spec.hosts).map((host) => ({
    host: normalize(host),
    namespace: se.metadata.namespace,
    addresses: strs(se.spec.addresses),
    ports,
    portsKnown: true,
    source: { kind: "service-entry", ref: refOf(cluster, se) },
    resolution: (str(se.spec.resolution) ?? "NONE").toUpperCase(),
    endpoints,
    subjectAltNames: strs(se.spec.subjectAltNames),
    exportTo: exportToOf(se),
  }));
}

/**
 * The service a route destination names, as `namespace`'s proxies see it: a ServiceEntry host exactly,
 * then a Kubernetes Service, then a wildcard ServiceEntry host. When the facts list no Kubernetes
 * Services, any *.svc.cluster.local name is taken to be one.
 */
export function findService(index: ClusterIndex, host: string, namespace: string): MeshService | undefined {
  const h = normalize(host);
  const visible = index.services.filter((s) => visibleTo(s.exportTo, s.namespace, namespace));
  const exact = visible.find((s) => s.host === h);
  if (exact) return exact;
  if (index.facts?.services === undefined && isKubernetesHost(h)) {
    const [name = "", ns = "default"] = h.split(".");
    return {
      host: h,
      namespace: ns,
      addresses: [],
      ports: [],
      portsKnown: false,
      source: { kind: "kubernetes" },
      resolution: "STATIC",
      endpoints: [],
      subjectAltNames: [],
      exportTo: [],
      labels: { app: name },
    };
  }
  return visible.find((s) => s.host.startsWith("*") && hostMatches(s.host, h));
}

export const kubernetesNamespaceOf = (host: string): string | undefined => {
  const parts = normalize(host).split(".");
  return host.endsWith(CLUSTER_DOMAIN) ? parts[1] : undefined;
};

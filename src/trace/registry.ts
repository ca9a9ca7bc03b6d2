// The service registry one proxy sees: every ServiceEntry host (a ServiceEntry with several hosts is
// one service per host, as in Istio) plus the Kubernetes Services the mesh facts know, filtered by
// exportTo for the proxy's namespace. Objects of each kind, and services by host and by address, are
// indexed once per cluster; every lookup keeps the order a scan of all of them would see.
// exportTo (https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-export_to):
// absent or empty = "*" (the mesh default), "." = the object's own namespace, "~" = nowhere.

import { byText } from "../compare.js";
import type { ClusterConfig, IstioObject, ObjectRef } from "./config.js";
import { refOf } from "./config.js";
import { labelsOf, num, objs, str, strs } from "./fields.js";
import { CLUSTER_DOMAIN, hostMatches, isKubernetesHost, normalize } from "./host-match.js";
import { atLeast, type IstioVersion, NEWEST, serves } from "./istio-version.js";
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
  /** A ServiceEntry with location MESH_EXTERNAL (the default); gateways do not pass it through. */
  readonly external: boolean;
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

const EVERYWHERE: readonly string[] = [];
export const exportToOf = (o: IstioObject): readonly string[] =>
  o.spec.exportTo === undefined ? EVERYWHERE : strs(o.spec.exportTo);

export interface ClusterIndex {
  readonly config: ClusterConfig;
  readonly facts: ClusterFacts | undefined;
  /** The release the cluster runs (the newest, marked assumed, when the facts do not say). */
  readonly version: IstioVersion;
  /** Istio's root namespace: the mesh config's, else the facts', else istio-system. */
  readonly rootNamespace: string;
  /** The cluster's trust domain: the mesh config's, else the facts', else cluster.local. */
  readonly trustDomain: string;
  readonly byKind: ReadonlyMap<string, readonly IstioObject[]>;
  readonly services: readonly MeshService[];
  /** Services by their (normalized) host, in registry order. */
  readonly servicesByHost: ReadonlyMap<string, readonly MeshService[]>;
  /** Services whose host starts with "*", in registry order: they may match any name. */
  readonly wildcardServices: readonly MeshService[];
  /** Services by each of their addresses, in registry order. */
  readonly servicesByAddress: ReadonlyMap<string, readonly MeshService[]>;
  /** What the hop modules compute once per cluster (perCluster), kept with the index it derives from. */
  readonly memo: Map<object, unknown>;
}

/** A cluster's index: built once per tracer (tracer.ts) and kept as long as it is. */
export function indexCluster(config: ClusterConfig, facts: ClusterFacts | undefined): ClusterIndex {
  const version = facts?.istio ?? NEWEST;
  const byKind = new Map<string, IstioObject[]>();
  // Istio orders objects of a kind by creation time; a folder has none, so namespace/name stands in.
  // An object whose apiVersion the release does not serve was refused by the API server.
  const sorted = config.objects
    .filter((o) => serves(version, o.apiVersion))
    .map((o) => ({ o, key: `${o.metadata.namespace}/${o.metadata.name}` }))
    .sort(byText((x) => x.key))
    .map(({ o }) => o);
  for (const o of sorted) {
    const list = byKind.get(o.kind);
    if (list) list.push(o);
    else byKind.set(o.kind, [o]);
  }
  const services = [
    ...(byKind.get("ServiceEntry") ?? []).flatMap((se) => serviceEntryServices(config.name, se, version)),
    ...(facts?.services ?? []).map(
      (k): MeshService => ({
        host: normalize(k.host),
        namespace: normalize(k.host).split(".")[1] ?? "default",
        addresses: [],
        ports: (k.ports ?? []).map((p) => ({ number: p, name: `port-${p}`, protocol: "TCP" })),
        portsKnown: k.ports !== undefined,
        source: { kind: "kubernetes" },
        resolution: "STATIC",
        external: false,
        endpoints: [],
        subjectAltNames: [],
        exportTo: [],
        labels: k.labels ?? { app: normalize(k.host).split(".")[0] ?? "" },
        ...(k.serviceAccount !== undefined && { serviceAccount: k.serviceAccount }),
      }),
    ),
  ];
  const servicesByHost = new Map<string, MeshService[]>();
  const servicesByAddress = new Map<string, MeshService[]>();
  for (const s of services) {
    append(servicesByHost, s.host, s);
    for (const a of new Set(s.addresses)) append(servicesByAddress, a, s);
  }
  const wildcardServices = services.filter((s) => s.host.startsWith("*"));
  const index = {
    config,
    facts,
    version,
    rootNamespace: config.mesh.rootNamespace?.value ?? facts?.rootNamespace ?? "istio-system",
    trustDomain: config.mesh.trustDomain?.value ?? facts?.trustDomain ?? "cluster.local",
    byKind,
    services,
    servicesByHost,
    wildcardServices,
    servicesByAddress,
    memo: new Map(),
  };
  return index;
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * A function of a cluster's index computed once per index: how the hop modules keep lookup tables of
 * their own without the index knowing about them.
 */
export function perCluster<T>(build: (index: ClusterIndex) => T): (index: ClusterIndex) => T {
  const key = {};
  return (index) => {
    let value = index.memo.get(key) as T | undefined;
    if (value === undefined) {
      value = build(index);
      index.memo.set(key, value);
    }
    return value;
  };
}

/** The services that own `address` and are visible to `namespace`, in registry order. */
export const servicesAt = (index: ClusterIndex, address: string, namespace: string): MeshService[] =>
  (index.servicesByAddress.get(address) ?? []).filter((s) => visibleTo(s.exportTo, s.namespace, namespace));

export const objectsOf = (index: ClusterIndex, kind: string): readonly IstioObject[] =>
  index.byKind.get(kind) ?? [];

/**
 * The address istiod allocates a ServiceEntry host that has none (1.25 and later: the
 * PILOT_ENABLE_IP_AUTOALLOCATE controller, on by default, from 240.240.0.0/16; only STATIC or DNS
 * resolution and hosts without wildcards). Which address it picks is not knowable from files; the
 * tracer names one by a hash of the host, so that the DNS answer and the listener agree.
 */
export function autoAllocated(se: IstioObject, host: string, version: IstioVersion): string | undefined {
  if (!atLeast(version, 25) || strs(se.spec.addresses).length > 0 || host.includes("*")) return undefined;
  const resolution = (str(se.spec.resolution) ?? "NONE").toUpperCase();
  if (resolution !== "STATIC" && resolution !== "DNS") return undefined;
  let h = 0;
  for (const c of host) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `240.240.${(h >>> 8) & 255}.${h & 255}`;
}

const autoAddresses = (se: IstioObject, host: string, version: IstioVersion): string[] => {
  const a = autoAllocated(se, normalize(host), version);
  return a === undefined ? [] : [a];
};

function serviceEntryServices(cluster: string, se: IstioObject, version: IstioVersion): MeshService[] {
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
    addresses:
      strs(se.spec.addresses).length > 0 ? strs(se.spec.addresses) : autoAddresses(se, host, version),
    ports,
    portsKnown: true,
    source: { kind: "service-entry", ref: refOf(cluster, se) },
    resolution: (str(se.spec.resolution) ?? "NONE").toUpperCase(),
    external: (str(se.spec.location) ?? "MESH_EXTERNAL").toUpperCase() !== "MESH_INTERNAL",
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
  const visible = (s: MeshService) => visibleTo(s.exportTo, s.namespace, namespace);
  const exact = index.servicesByHost.get(h)?.find(visible);
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
      external: false,
      endpoints: [],
      subjectAltNames: [],
      exportTo: [],
      labels: { app: name },
    };
  }
  return index.wildcardServices.find((s) => visible(s) && hostMatches(s.host, h));
}

/** The services whose host is exactly `host` (as normalize gives it), visible to `namespace`. */
export const servicesNamed = (index: ClusterIndex, host: string, namespace: string): MeshService[] =>
  (index.servicesByHost.get(host) ?? []).filter((s) => visibleTo(s.exportTo, s.namespace, namespace));

export const kubernetesNamespaceOf = (host: string): string | undefined => {
  const parts = normalize(host).split(".");
  return host.endsWith(CLUSTER_DOMAIN) ? parts[1] : undefined;
};

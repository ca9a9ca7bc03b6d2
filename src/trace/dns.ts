// Name resolution in the caller's cluster: the first hop, since an application looks a name up before
// it connects. In order:
// - A name with fewer than five dots is first tried under the pod's search domains
//   (<ns>.svc.cluster.local, svc.cluster.local, cluster.local), so `reviews` and `reviews.default`
//   find the Kubernetes Service reviews.default.svc.cluster.local. Names under cluster.local are
//   answered (or refused) by the cluster's own DNS.
// - Istio's DNS proxy (1.8 and later, when ISTIO_META_DNS_CAPTURE is on) answers a ServiceEntry host
//   with the entry's first address, when the entry is exported to the caller's namespace and its host
//   is in the caller's Sidecar scope (pkg/dns/server/name_table.go BuildNameTable reads the scope's
//   egress listeners). Entries without addresses are not answered (auto-allocation is off by default).
//   The pod's resolver applies its search domains before it asks, so a ServiceEntry host of Service
//   form (reviews.default.svc.cluster.local) answers `reviews` and `reviews.default` too; a Kubernetes
//   Service of the same name comes first (BuildNameTable: "give precedence to the k8s service").
// - Anything else goes on to the cluster's DNS: a CoreDNS server block for the name's zone answers it
//   or says NXDOMAIN (coredns.ts); a name no block covers is forwarded to the resolvers outside the
//   cluster, and is then answered by whoever owns it on the internet.

import { isIP } from "node:net";
import { type IstioObject, type ObjectRef, refOf } from "./config.js";
import { zoneFor } from "./coredns.js";
import { strs } from "./fields.js";
import { isKubernetesHost, normalize } from "./host-match.js";
import { atLeast, releaseText } from "./istio-version.js";
import { settingText } from "./mesh-settings.js";
import {
  autoAllocated,
  type ClusterIndex,
  exportToOf,
  findService,
  objectsOf,
  perCluster,
  visibleTo,
} from "./registry.js";
import { hasService, importsService, type SidecarScope, scopeText } from "./sidecar-scope.js";
import type { Failure, Hop } from "./types.js";
import { boundVirtualServices } from "./virtual-service.js";

export type Resolution =
  | {
      readonly ok: true;
      readonly address: string;
      readonly hop: Hop;
      /** The Kubernetes Service the name stands for (the full name, search domains applied). */
      readonly kubernetes?: string;
      /** The name the DNS proxy answered, when a search domain completed it to a ServiceEntry host. */
      readonly completed?: string;
    }
  | { readonly ok: false; readonly failure: Failure };

export function resolveName(
  index: ClusterIndex,
  namespace: string,
  name: string,
  scope: SidecarScope,
): Resolution {
  const cluster = index.config.name;
  const host = normalize(name);
  if (mayBeIp(host) && isIP(host)) {
    return { ok: true, address: host, hop: dnsHop(cluster, name, host, "literal") };
  }
  const kubernetes = kubernetesName(index, namespace, host, name.endsWith("."));
  if (kubernetes) return kubernetes;
  const proxy = dnsProxy(index);
  const inClusterDomain = host === "cluster.local" || host.endsWith(".cluster.local");
  const completion = searchCompletion(host, namespace, name.endsWith("."));
  if (proxy.on && (inClusterDomain || completion !== undefined)) {
    const full = inClusterDomain ? host : (completion ?? host);
    const answered = proxyAnswer(index, namespace, full, scope);
    if (answered.address !== undefined) {
      const hop = dnsHop(cluster, name, answered.address, answered.by);
      return { ok: true, address: answered.address, hop, ...(full !== host && { completed: full }) };
    }
  }
  if (inClusterDomain) {
    return fail(cluster, name, "name-not-resolved", `cluster ${cluster} has no Kubernetes Service ${host}`);
  }
  let why = proxy.why;
  if (proxy.on) {
    const answered = proxyAnswer(index, namespace, host, scope);
    if (answered.address !== undefined) {
      const by = answered.by;
      return { ok: true, address: answered.address, hop: dnsHop(cluster, name, answered.address, by) };
    }
    why = unansweredWhy(cluster, namespace, host, scope, answered);
  }
  const zone = zoneFor(index.config.dnsZones, host);
  if (zone) {
    const address = zone.hosts.get(host);
    if (address) {
      return { ok: true, address, hop: dnsHop(cluster, name, address, { coreDnsFile: zone.file }) };
    }
    return fail(
      cluster,
      name,
      "name-not-resolved",
      `${why}; the CoreDNS block for ${zone.zones.join(" ")} (${zone.file}) answers NXDOMAIN`,
    );
  }
  return fail(
    cluster,
    name,
    "name-leaves-cluster",
    `${why}, and no CoreDNS server block of cluster ${cluster} covers ${host}: the lookup is forwarded to the resolvers outside the cluster, and whoever owns ${host} on the internet answers it; a connection to that answer leaves the mesh unencrypted`,
  );
}

/** A Kubernetes Service name, as written or completed by the pod's search domains. */
function kubernetesName(
  index: ClusterIndex,
  namespace: string,
  host: string,
  absolute: boolean,
): Resolution | undefined {
  const completed = searchCompletion(host, namespace, absolute);
  const candidates = completed !== undefined ? [completed, host] : [host];
  // Without a list of the cluster's Services any full Kubernetes name is taken to exist; a name completed
  // by a search domain is then not, or `reviews.global` would be taken for Service reviews of a
  // namespace "global".
  const known = index.facts?.services !== undefined;
  for (const candidate of candidates) {
    // A Service's name is exactly <service>.<namespace>.svc.cluster.local.
    if (!isKubernetesHost(candidate) || dotsIn(candidate) !== 4) continue;
    if (candidate !== host && !known) continue;
    if (findService(index, candidate, namespace)?.source.kind === "kubernetes") {
      const address = `ClusterIP of ${candidate}`;
      const hop = dnsHop(index.config.name, host, address, "kubernetes");
      return { ok: true, address, kubernetes: candidate, hop };
    }
  }
  return undefined;
}

/**
 * The Service-form name a search domain completes `host` to, if any. A Service's name is exactly
 * <service>.<namespace>.svc.cluster.local: one search domain at most completes a name to that form
 * (ndots 5 tries them before the name as written).
 */
function searchCompletion(host: string, namespace: string, absolute: boolean): string | undefined {
  if (absolute) return undefined;
  const dots = dotsIn(host);
  if (dots === 0) return `${host}.${namespace}.svc.cluster.local`;
  if (dots === 1) return `${host}.svc.cluster.local`;
  return dots === 2 && host.endsWith(".svc") ? `${host}.cluster.local` : undefined;
}

/** isIP's long expressions are not worth running on a name: an IP is digits and dots, or has a colon. */
const mayBeIp = (host: string): boolean => host.includes(":") || /^[0-9.]+$/.test(host);

/** How many dots a name has (counted, not split: every call resolves a name or two). */
function dotsIn(name: string): number {
  let dots = 0;
  for (let i = name.indexOf("."); i >= 0; i = name.indexOf(".", i + 1)) dots++;
  return dots;
}

/**
 * Whether the sidecars' DNS proxy answers, and why (not), with the release rule applied: once per
 * cluster, since every call's lookup asks.
 */
export const dnsProxy = perCluster((index: ClusterIndex) => dnsProxyOf(index));

function dnsProxyOf(index: ClusterIndex): { readonly on: boolean; readonly why: string } {
  if (!atLeast(index.version, 8)) {
    return { on: false, why: `${releaseText(index.version)} has no sidecar DNS proxy (it arrived in 1.8)` };
  }
  const capture = index.config.mesh.dnsCapture;
  if (capture && !capture.value) {
    return { on: false, why: `DNS capture is off (ISTIO_META_DNS_CAPTURE, ${settingText(capture)})` };
  }
  return { on: true, why: "" };
}

interface Entry {
  readonly se: IstioObject;
  /** The address the DNS proxy answers with, if any. */
  readonly address: string | undefined;
}

/** The entry the DNS proxy answers `host` with, or which step left it without one. */
type ProxyAnswer =
  | { readonly address: string; readonly by: ObjectRef }
  | {
      readonly address?: undefined;
      readonly all: readonly Entry[];
      readonly exported: readonly Entry[];
      readonly scoped: readonly Entry[];
    };

const NO_ENTRIES: readonly Entry[] = [];

function proxyAnswer(index: ClusterIndex, namespace: string, host: string, scope: SidecarScope): ProxyAnswer {
  const cluster = index.config.name;
  const all = entriesByHost(index).get(host) ?? NO_ENTRIES;
  // Most names a cluster is asked for (refused calls) are in none of its ServiceEntries.
  if (all.length === 0) return { all, exported: all, scoped: all };
  const exported = all.filter(({ se }) => visibleTo(exportToOf(se), se.metadata.namespace, namespace));
  const scoped = exported.filter(({ se }) => inNameTable(index, scope, host, se));
  const withAddress = scoped.find((e) => e.address !== undefined);
  if (withAddress?.address !== undefined) {
    return { address: withAddress.address, by: refOf(cluster, withAddress.se) };
  }
  // 1.25 and later: istiod allocates an address (240.240.0.0/16) for a host that has none.
  const auto = scoped
    .map((e) => ({ se: e.se, address: autoAllocated(e.se, host, index.version) }))
    .find((x) => x.address !== undefined);
  if (auto?.address !== undefined) return { address: auto.address, by: refOf(cluster, auto.se) };
  return { all, exported, scoped };
}

/** Why the DNS proxy does not answer `host`, worded only when a failure shows it. */
function unansweredWhy(
  cluster: string,
  namespace: string,
  host: string,
  scope: SidecarScope,
  { all, exported, scoped }: Extract<ProxyAnswer, { address?: undefined }>,
): string {
  const first = (all[0] ?? exported[0])?.se;
  return all.length === 0
    ? `Istio's DNS proxy does not answer ${host}: no ServiceEntry in cluster ${cluster} names it`
    : exported.length === 0
      ? `Istio's DNS proxy does not answer ${host}: ServiceEntry ${first?.metadata.namespace}/${first?.metadata.name} is not exported to namespace ${namespace}`
      : scoped.length === 0
        ? `Istio's DNS proxy does not answer ${host}: namespace ${namespace}'s ${scopeText(scope)} does not import it`
        : `Istio's DNS proxy does not answer ${host}: ServiceEntry ${first?.metadata.namespace}/${first?.metadata.name} gives it no address`;
}

/**
 * Is the entry's host in the proxy's DNS table? Up to 1.24.2 the table held every service of the
 * scope, VirtualService destinations included; from 1.24.3 only what the egress hosts import
 * (name_table.go, istio/istio#54207).
 */
function inNameTable(index: ClusterIndex, scope: SidecarScope, host: string, se: IstioObject): boolean {
  const svc = { host, namespace: se.metadata.namespace };
  if (importsService(scope, svc)) return true;
  if (atLeast(index.version, 24, 3)) return false;
  const full = (index.servicesByHost.get(host) ?? []).find(
    (s) =>
      s.source.kind === "service-entry" &&
      s.source.ref.name === se.metadata.name &&
      s.namespace === svc.namespace,
  );
  return full !== undefined && hasService(scope, full, boundVirtualServices(index, "mesh").all);
}

/** The ServiceEntries naming each host (normalized), in the cluster's order. */
const entriesByHost = perCluster((index: ClusterIndex): ReadonlyMap<string, readonly Entry[]> => {
  const byHost = new Map<string, Entry[]>();
  for (const se of objectsOf(index, "ServiceEntry")) {
    const entry = { se, address: firstAddress(se) };
    for (const h of new Set(strs(se.spec.hosts).map(normalize))) {
      const list = byHost.get(h);
      if (list) list.push(entry);
      else byHost.set(h, [entry]);
    }
  }
  return byHost;
});

function firstAddress(se: IstioObject): string | undefined {
  return strs(se.spec.addresses).find((a) => !a.includes("/") && isIP(a));
}

const dnsHop = (
  cluster: string,
  name: string,
  address: string,
  by: Extract<Hop, { kind: "dns" }>["by"],
): Hop => ({
  kind: "dns",
  cluster,
  name,
  address,
  by,
});

function fail(
  cluster: string,
  name: string,
  reason: "name-not-resolved" | "name-leaves-cluster",
  why: string,
): Resolution {
  return { ok: false, failure: { kind: "failed", reason, cluster, message: `no such host ${name}: ${why}` } };
}

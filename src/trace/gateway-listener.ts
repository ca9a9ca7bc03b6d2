// The listener a gateway's pods have on one port: the servers of every Gateway selecting them, merged
// as istiod merges them, and the filter chains Envoy gets. Follows istio:
// - pilot/pkg/model/gateway.go mergeGateways: Gateways in creation order (existing config is older
//   than cw's output; within each, namespace/name stands in for the timestamp), servers in spec order.
//   A TLS server (any mode) naming a host string another TLS server on the port already named (after
//   sanitizeServerHostNamespace: "./h" is "<gateway ns>/h", "*/h" is "h") is dropped whole
//   ("skipping server ... duplicate host names", CheckDuplicates).
// - pilot/pkg/networking/core/gateway.go buildGatewayTCPBasedFilterChains: a terminating HTTPS server
//   is one chain with server_names = its hosts without namespaces ("*" = any name); a terminating TLS
//   server is one chain only when a bound VirtualService has a tcp route for it; a PASSTHROUGH
//   server has one chain per bound tls route's sniHosts; an AUTO_PASSTHROUGH server has
//   (builtAutoPassthroughFilterChains, 1.8.6, 1.9.5, 1.10.0 and later) one chain per service port of
//   every service the gateway sees whose host its hosts cover, named outbound_.<port>_._.<host>, plus
//   one per DestinationRule subset, each requiring Istio's ALPN; earlier releases made one chain per
//   server named by its hosts.
// - istiod does not deduplicate chains; two with the same match make Envoy reject the whole listener
//   ("multiple filter chains with the same matching rules are defined"), so nothing on the port works.
// - Envoy picks the chain with the most specific server name (exact, then the longest wildcard, then
//   chains without names), then among those the most specific ALPN match, without falling back.

import { type IstioObject, type ObjectRef, refOf } from "./config.js";
import { findDestinationRule } from "./destination-rule.js";
import { type Json, labelsOf, num, obj, objs, selects, str, strs } from "./fields.js";
import { type GatewayHost, hostMatches, hostsIntersect, normalize, parseGatewayHost } from "./host-match.js";
import { atLeast, type IstioVersion } from "./istio-version.js";
import { LabelCache } from "./label-cache.js";
import { type ClusterIndex, type MeshService, objectsOf, perCluster, visibleTo } from "./registry.js";
import { outboundSni } from "./sni.js";
import { boundVirtualServices, hostsOf, visibleFrom } from "./virtual-service.js";

export const TLS_PROTOCOLS = new Set(["HTTPS", "TLS"]);
export const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC"]);

export interface Server {
  readonly gateway: IstioObject;
  readonly index: number;
  readonly spec: Json;
  readonly protocol: string;
  /** Upper case; "" for a plain-text server. */
  readonly tlsMode: string;
  readonly hosts: readonly GatewayHost[];
}

export type ChainKind = "terminate" | "passthrough" | "auto-passthrough" | "legacy-auto-passthrough";

export interface FilterChain {
  readonly server: Server;
  readonly kind: ChainKind;
  /** Normalized server names; empty matches any name. */
  readonly names: readonly string[];
  /** The chain requires Istio's ALPN (istio, istio-peer-exchange, ...). */
  readonly istioAlpn: boolean;
  /** For per-service AUTO_PASSTHROUGH chains: where the chain forwards. */
  readonly to?: { readonly host: string; readonly port: number; readonly subset: string };
}

export interface Dropped {
  readonly server: Server;
  /** The earlier server that named the same host. */
  readonly by: Server;
  readonly host: string;
}

export interface GatewayListener {
  readonly port: number;
  /** Servers kept after the merge, in merge order. */
  readonly servers: readonly Server[];
  readonly dropped: readonly Dropped[];
  readonly chains: readonly FilterChain[];
  /** The chains by each exact server name, those with wildcard names, and those matching any name. */
  readonly byName: ReadonlyMap<string, readonly FilterChain[]>;
  readonly wildcard: readonly FilterChain[];
  readonly anyName: readonly FilterChain[];
  /** The names its chains accept, in words (at most twelve), for the message when none matches. */
  readonly accepted: string;
  /** Two chains with the same match: Envoy rejects the listener. */
  readonly rejected?: { readonly first: FilterChain; readonly second: FilterChain; readonly match: string };
}

const listeners = perCluster(() => new LabelCache<ReadonlyMap<number, GatewayListener>>());

/** The listeners of the gateway pods with `labels` in `namespace`, by port. */
export function gatewayListeners(
  index: ClusterIndex,
  labels: Readonly<Record<string, string>>,
  namespace: string,
): ReadonlyMap<number, GatewayListener> {
  return listeners(index).get(labels, namespace, () => buildListeners(index, labels, namespace));
}

function buildListeners(
  index: ClusterIndex,
  labels: Readonly<Record<string, string>>,
  namespace: string,
): ReadonlyMap<number, GatewayListener> {
  const byPort = new Map<number, Server[]>();
  for (const g of mergeOrder(objectsOf(index, "Gateway"))) {
    if (!selects(labelsOf(g.spec.selector), labels)) continue;
    objs(g.spec.servers).forEach((s, i) => {
      const port = num(obj(s.port).number);
      if (port === undefined) return;
      const protocol = (str(obj(s.port).protocol) ?? "").toUpperCase();
      const tlsMode = (str(obj(s.tls).mode) ?? (TLS_PROTOCOLS.has(protocol) ? "SIMPLE" : "")).toUpperCase();
      const hosts = strs(s.hosts).map((h) => parseGatewayHost(h, g.metadata.namespace));
      const list = byPort.get(port) ?? [];
      list.push({ gateway: g, index: i, spec: s, protocol, tlsMode, hosts });
      byPort.set(port, list);
    });
  }
  const out = new Map<number, GatewayListener>();
  for (const [port, servers] of byPort) out.set(port, buildListener(index, namespace, port, servers));
  return out;
}

/** Existing objects were created before cw's; within each group, namespace/name order. */
function mergeOrder(gateways: readonly IstioObject[]): IstioObject[] {
  return [...gateways.filter((g) => g.existing), ...gateways.filter((g) => !g.existing)];
}

/** A server host as CheckDuplicates compares it (sanitizeServerHostNamespace). */
const hostKey = (h: GatewayHost): string => (h.namespace === "*" ? h.dnsName : `${h.namespace}/${h.dnsName}`);

function buildListener(
  index: ClusterIndex,
  namespace: string,
  port: number,
  all: readonly Server[],
): GatewayListener {
  const seen = new Map<string, Server>();
  const servers: Server[] = [];
  const dropped: Dropped[] = [];
  for (const s of all) {
    if (s.spec.tls !== undefined || TLS_PROTOCOLS.has(s.protocol)) {
      const clash = s.hosts.map(hostKey).find((k) => seen.has(k));
      const by = clash !== undefined ? seen.get(clash) : undefined;
      if (clash !== undefined && by) {
        dropped.push({ server: s, by, host: clash });
        continue;
      }
      for (const k of s.hosts.map(hostKey)) seen.set(k, s);
    }
    servers.push(s);
  }
  const chains = servers.flatMap((s) => chainsOf(index, namespace, port, s, servers));
  const rejected = duplicateMatch(chains);
  const byName = new Map<string, FilterChain[]>();
  for (const c of chains)
    for (const n of c.names) if (!n.startsWith("*")) byName.set(n, [...(byName.get(n) ?? []), c]);
  const wildcard = chains.filter((c) => c.names.some((n) => n.startsWith("*")));
  const anyName = chains.filter((c) => c.names.length === 0);
  const names = [...new Set(chains.flatMap((c) => (c.names.length > 0 ? c.names : ["*"])))];
  const accepted =
    names.length > 12 ? `${names.slice(0, 12).join(", ")} and ${names.length - 12} more` : names.join(", ");
  return {
    port,
    servers,
    dropped,
    chains,
    byName,
    wildcard,
    anyName,
    accepted,
    ...(rejected && { rejected }),
  };
}

/** Per-service AUTO_PASSTHROUGH chains: 1.8.6+, 1.9.5+, 1.10+ (legacy before). */
export const perServiceAutoPassthrough = (v: IstioVersion): boolean =>
  v.minor >= 10 || (v.minor === 9 && v.patch >= 5) || (v.minor === 8 && v.patch >= 6);

function chainsOf(
  index: ClusterIndex,
  namespace: string,
  port: number,
  s: Server,
  servers: readonly Server[],
): FilterChain[] {
  const names = (hosts: readonly GatewayHost[]) =>
    hosts.some((h) => h.dnsName === "*") ? [] : [...new Set(hosts.map((h) => h.dnsName))].sort();
  if (!TLS_PROTOCOLS.has(s.protocol) && s.spec.tls === undefined) return [];
  switch (s.tlsMode) {
    case "AUTO_PASSTHROUGH":
      if (!perServiceAutoPassthrough(index.version)) {
        return [{ server: s, kind: "legacy-auto-passthrough", names: names(s.hosts), istioAlpn: false }];
      }
      return autoPassthroughChains(index, namespace, s, servers);
    case "PASSTHROUGH":
      return tlsRouteSnis(index, s, port).map((sni) => ({
        server: s,
        kind: "passthrough",
        names: [normalize(sni)],
        istioAlpn: false,
      }));
    default:
      if (s.protocol !== "HTTPS" && !hasTcpRoute(index, s, port)) return [];
      return [{ server: s, kind: "terminate", names: names(s.hosts), istioAlpn: false }];
  }
}

const gatewayName = (s: Server) => `${s.gateway.metadata.namespace}/${s.gateway.metadata.name}`;

function boundTo(index: ClusterIndex, s: Server): IstioObject[] {
  const bound = boundVirtualServices(index, gatewayName(s)).intersecting(s.hosts.map((h) => h.dnsName));
  return visibleFrom(bound, s.gateway.metadata.namespace).filter((vs) =>
    hostsOf(vs).some((h) =>
      s.hosts.some(
        (sh) =>
          hostsIntersect(h, sh.dnsName) && (sh.namespace === "*" || sh.namespace === vs.metadata.namespace),
      ),
    ),
  );
}

function hasTcpRoute(index: ClusterIndex, s: Server, port: number): boolean {
  return boundTo(index, s).some((vs) =>
    objs(vs.spec.tcp).some((r) => {
      const matches = objs(r.match);
      return matches.length === 0 || matches.some((m) => num(m.port) === undefined || num(m.port) === port);
    }),
  );
}

function tlsRouteSnis(index: ClusterIndex, s: Server, port: number): string[] {
  const snis: string[] = [];
  for (const vs of boundTo(index, s))
    for (const r of objs(vs.spec.tls))
      for (const m of objs(r.match))
        if (num(m.port) === undefined || num(m.port) === port) snis.push(...strs(m.sniHosts));
  return [...new Set(snis)];
}

/**
 * builtAutoPassthroughFilterChains: every service the gateway's namespace sees (not MESH_EXTERNAL),
 * every port, whose host a server host covers. Without a list of the cluster's Kubernetes Services,
 * the concrete Kubernetes hosts the port's servers name are taken to exist, on any port.
 */
function autoPassthroughChains(
  index: ClusterIndex,
  namespace: string,
  s: Server,
  servers: readonly Server[],
): FilterChain[] {
  const covered = (host: string) => s.hosts.some((h) => hostMatches(h.dnsName, host));
  const services = index.services.filter(
    (svc) => !svc.external && visibleTo(svc.exportTo, svc.namespace, namespace) && covered(svc.host),
  );
  const chains: FilterChain[] = [];
  const add = (host: string, port: number, subset: string) =>
    chains.push({
      server: s,
      kind: "auto-passthrough",
      names: [outboundSni({ port, subset, host })],
      istioAlpn: true,
      to: { host, port, subset },
    });
  for (const svc of services) {
    if (!svc.portsKnown) add(svc.host, ANY_PORT, "");
    for (const p of svc.ports) {
      add(svc.host, p.number, "");
      for (const sub of subsetsSeen(index, svc, namespace)) add(svc.host, p.number, sub);
    }
  }
  if (index.facts?.services === undefined) {
    const named = servers
      .filter((o) => o.tlsMode === "AUTO_PASSTHROUGH")
      .flatMap((o) => o.hosts.map((h) => h.dnsName))
      .filter((h) => !h.includes("*") && covered(h) && !services.some((svc) => svc.host === h));
    for (const host of new Set(named)) add(host, ANY_PORT, "");
  }
  return chains;
}

/** A chain for a Kubernetes host whose ports are not known: it stands for every port. */
export const ANY_PORT = 0;

function subsetsSeen(index: ClusterIndex, svc: MeshService, namespace: string): string[] {
  const dr = findDestinationRule(index, svc.host, namespace, svc.namespace);
  return objs(dr?.spec.subsets).flatMap((x) => strs([x.name]));
}

/** The first two chains whose matches are the same, if any. */
function duplicateMatch(chains: readonly FilterChain[]): GatewayListener["rejected"] {
  const seen = new Map<string, FilterChain>();
  for (const c of chains) {
    const keys =
      c.to?.port === ANY_PORT
        ? [`names:${c.names.join(",")}`]
        : [`names:${c.names.join(",")}|alpn:${c.istioAlpn}`];
    for (const key of keys) {
      const first = seen.get(key) ?? anyPortTwin(seen, c);
      if (first && first.server !== c.server) {
        return {
          first,
          second: c,
          match: c.names.length > 0 ? `server name ${c.names.join(", ")}` : "any server name",
        };
      }
      seen.set(key, c);
    }
  }
  return undefined;
}

/** A chain for an unknown port of the same host collides with any port's chain of that host. */
function anyPortTwin(seen: ReadonlyMap<string, FilterChain>, c: FilterChain): FilterChain | undefined {
  if (!c.to) return undefined;
  for (const other of seen.values()) {
    if (!other.to || other.server === c.server || other.to.host !== c.to.host) continue;
    if (other.to.port === ANY_PORT || c.to.port === ANY_PORT) return other;
  }
  return undefined;
}

/** The chain Envoy picks for a TLS connection, or undefined when none matches. */
export function chooseChain(
  listener: GatewayListener,
  sni: string | undefined,
  istioAlpn: boolean,
): FilterChain | undefined {
  const exact = sni !== undefined ? listener.byName.get(normalize(sni)) : undefined;
  let best: readonly FilterChain[] = exact ?? [];
  if (!exact) {
    let bestScore = -1;
    for (const c of listener.wildcard) {
      const score = nameScore(c.names, sni);
      if (score > bestScore) {
        bestScore = score;
        best = [c];
      } else if (score === bestScore && score >= 0) best = [...best, c];
    }
    if (bestScore < 0) best = listener.anyName;
  }
  // ALPN: a chain that requires Istio's ALPN is more specific than one that requires none.
  const withAlpn = best.filter((c) => c.istioAlpn);
  if (istioAlpn && withAlpn.length > 0) return withAlpn[0];
  return best.find((c) => !c.istioAlpn);
}

function nameScore(names: readonly string[], sni: string | undefined): number {
  if (names.length === 0) return 0;
  if (sni === undefined) return -1;
  let score = -1;
  for (const n of names) {
    if (n === normalize(sni)) return 100_000;
    if (n.startsWith("*.") && hostMatches(n, sni)) score = Math.max(score, n.length);
  }
  return score;
}

export const serverRef = (cluster: string, s: Server): ObjectRef => refOf(cluster, s.gateway);

export const serverText = (s: Server): string =>
  `server ${str(obj(s.spec.port).name) ?? `servers[${s.index}]`} of ${s.gateway.existing ? "existing " : ""}Gateway ${gatewayName(s)}`;

/** Gateway domains for a Host header, by release (istio core/gateway.go; see behaviours.ts). */
export function gatewayHostMatches(
  v: IstioVersion,
  serverPort: number,
  pattern: string,
  authority: string,
): boolean {
  const { name, port } = splitAuthority(authority);
  if (!hostMatches(pattern, name)) return false;
  if (port === undefined || atLeast(v, 15)) return true;
  if (v.minor <= 5) return port === serverPort;
  const wildcard = pattern.startsWith("*");
  // 1.6.0-1.6.11, 1.7.0-1.7.3: "*.foo.com:*" matched no Host with a port; later, the server's port.
  if (wildcard)
    return atLeast(v, 8) || (v.minor === 7 && v.patch >= 4) || (v.minor === 6 && v.patch >= 12)
      ? port === serverPort
      : false;
  return true;
}

export function splitAuthority(authority: string): { name: string; port?: number } {
  const m = /^(.*?)(?::(\d+))?$/.exec(authority);
  const name = m?.[1] ?? authority;
  return m?.[2] !== undefined ? { name, port: Number(m[2]) } : { name };
}

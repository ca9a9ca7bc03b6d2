// Single-object mutations of generated configuration, for checking that `cw verify` notices when the
// YAML stops routing what the topology says. Each mutation knows, from Istio's semantics and the
// object's surroundings (not from the tracer), whether it changes reachability:
//   - changes: some allowed call stops arriving (or arrives elsewhere), or some refused caller gets in;
//   - neutral: Istio behaves the same for every call (controls: verify must not flag them).
// Notable judgements: dropping one of several endpoints of a cluster only loses redundancy (neutral);
// a new VIP matters only where CoreDNS serves the old one; a DestinationRule's top-level TLS matters
// only if some port has no port-level setting (which replaces it wholesale); allowing a trust domain
// nobody in the federation has changes nothing the federation can observe.

import type { ClusterConfig, IstioObject } from "../../src/trace/config.js";

export interface Mutation {
  readonly operator: string;
  readonly cluster: string;
  readonly object: string;
  readonly description: string;
  readonly changesReachability: boolean;
  /** The mutated configuration: every cluster, one object changed or gone. */
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
}

// biome-ignore lint/suspicious/noExplicitAny: mutations poke at arbitrary YAML fields
type Spec = Record<string, any>;

interface Site {
  readonly cluster: string;
  readonly index: number;
  readonly object: IstioObject;
  readonly all: ReadonlyMap<string, ClusterConfig>;
}

export interface Operator {
  readonly name: string;
  readonly kinds: readonly string[];
  /** Applies to the cluster's existing config (--existing) instead of cw's own objects. */
  readonly existing?: boolean;
  /** Undefined when the operator does not apply to the object. */
  apply(
    spec: Spec,
    site: Site,
    pick: (n: number) => number,
  ): { description: string; changes: boolean; remove?: boolean; add?: readonly IstioObject[] } | undefined;
}

/** Does a CoreDNS hosts table (old clusters, without the DNS proxy) answer global names there? */
const coreDnsAnswers = (c: ClusterConfig | undefined): boolean =>
  (c?.dnsZones ?? []).some((z) => z.hosts.size > 0);
const isRemoteSe = (s: Spec) => Array.isArray(s.endpoints) && s.endpoints.length > 0;
const clusterOf = (e: Spec): string | undefined => e.labels?.["coddiwomple.io/cluster"];
const tlsBlocks = (s: Spec): { where: string; tls: Spec; topLevel: boolean }[] => [
  ...(s.trafficPolicy?.tls ? [{ where: "trafficPolicy.tls", tls: s.trafficPolicy.tls, topLevel: true }] : []),
  ...((s.trafficPolicy?.portLevelSettings ?? []) as Spec[])
    .filter((p) => p.tls)
    .map((p) => ({ where: `portLevelSettings[${p.port?.number}].tls`, tls: p.tls as Spec, topLevel: false })),
];

/** Does the DestinationRule's top-level TLS apply to any port (one without a port-level setting)? */
function topLevelMatters(spec: Spec, site: Site): boolean {
  const se = site.all
    .get(site.cluster)
    ?.objects.find(
      (o) => o.kind === "ServiceEntry" && ((o.spec.hosts as string[]) ?? []).includes(spec.host),
    );
  const ports = ((se?.spec.ports as Spec[]) ?? []).map((p) => p.number);
  const overridden = new Set(
    ((spec.trafficPolicy?.portLevelSettings ?? []) as Spec[]).map((p) => p.port?.number),
  );
  return ports.some((p) => !overridden.has(p));
}

export const OPERATORS: readonly Operator[] = [
  {
    name: "delete object",
    kinds: ["ServiceEntry", "DestinationRule", "Gateway", "VirtualService", "AuthorizationPolicy"],
    apply: (_s, site) => ({ description: `delete ${site.object.kind}`, changes: true, remove: true }),
  },
  {
    name: "ServiceEntry: drop an endpoint",
    kinds: ["ServiceEntry"],
    apply: (s, _site, pick) => {
      if (!isRemoteSe(s)) return undefined;
      const i = pick(s.endpoints.length);
      const [gone] = s.endpoints.splice(i, 1);
      const last = !s.endpoints.some((e: Spec) => clusterOf(e) === clusterOf(gone));
      return { description: `drop endpoint ${gone.address}`, changes: last };
    },
  },
  {
    name: "ServiceEntry: endpoint address",
    kinds: ["ServiceEntry"],
    apply: (s, _site, pick) => {
      if (!isRemoteSe(s)) return undefined;
      const e = s.endpoints[pick(s.endpoints.length)];
      const was = e.address;
      e.address = "192.0.2.77";
      return { description: `endpoint ${was} -> 192.0.2.77`, changes: true };
    },
  },
  {
    name: "ServiceEntry: endpoint port",
    kinds: ["ServiceEntry"],
    apply: (s, _site, pick) => {
      if (!isRemoteSe(s)) return undefined;
      const e = s.endpoints[pick(s.endpoints.length)];
      const names = Object.keys(e.ports ?? {});
      const name = names[pick(names.length)];
      if (name === undefined) return undefined;
      e.ports[name] += 1;
      return { description: `endpoint ${e.address} port ${name} -> ${e.ports[name]}`, changes: true };
    },
  },
  {
    name: "ServiceEntry: drop a host",
    kinds: ["ServiceEntry"],
    apply: (s, site, pick) => {
      const [gone] = s.hosts.splice(pick(s.hosts.length), 1);
      // Where CoreDNS still answers the name with the VIP, the sidecar's listeners need no host of
      // their own: the mesh VirtualService (local) or the VIP's other hosts (TCP) still route it. Only
      // an HTTP port of a remote service is lost (Envoy has no virtual host for the name: 404).
      const coredns = coreDnsAnswers(site.all.get(site.cluster));
      const httpRemote =
        isRemoteSe(s) && (s.ports as Spec[]).some((p) => ["HTTP", "HTTP2", "GRPC"].includes(p.protocol));
      return { description: `drop host ${gone}`, changes: !coredns || httpRemote || s.hosts.length === 0 };
    },
  },
  {
    name: "ServiceEntry: change the VIP",
    kinds: ["ServiceEntry"],
    apply: (s, site) => {
      if (!Array.isArray(s.addresses)) return undefined;
      s.addresses = ["240.241.0.1"];
      // Only a CoreDNS hosts table still hands out the old VIP; the DNS proxy answers the new one.
      const coredns = coreDnsAnswers(site.all.get(site.cluster));
      return { description: "VIP -> 240.241.0.1", changes: coredns };
    },
  },
  {
    name: "ServiceEntry: port number",
    kinds: ["ServiceEntry"],
    apply: (s, _site, pick) => {
      const p = s.ports[pick(s.ports.length)];
      p.number += 1;
      return { description: `port ${p.name} -> ${p.number}`, changes: true };
    },
  },
  {
    name: "ServiceEntry: resolution NONE",
    kinds: ["ServiceEntry"],
    apply: (s) => {
      if (!isRemoteSe(s)) return undefined;
      s.resolution = "NONE";
      delete s.endpoints;
      return { description: "resolution NONE, no endpoints", changes: true };
    },
  },
  {
    name: "ServiceEntry: subjectAltNames",
    kinds: ["ServiceEntry"],
    apply: (s) => {
      if (!Array.isArray(s.subjectAltNames)) return undefined;
      s.subjectAltNames = ["spiffe://impostor.example/ns/istio-system/sa/gw"];
      return { description: "subjectAltNames -> an impostor", changes: true };
    },
  },
  {
    name: "Gateway: drop a host",
    kinds: ["Gateway"],
    apply: (s, _site, pick) => {
      const server = s.servers[pick(s.servers.length)];
      const [gone] = server.hosts.splice(pick(server.hosts.length), 1);
      if (server.hosts.length === 0) server.hosts.push("istio-system/nothing.invalid");
      return { description: `server ${server.port.name}: drop host ${gone}`, changes: true };
    },
  },
  {
    name: "Gateway: server port",
    kinds: ["Gateway"],
    apply: (s, _site, pick) => {
      const server = s.servers[pick(s.servers.length)];
      server.port.number += 1;
      return { description: `server ${server.port.name}: port -> ${server.port.number}`, changes: true };
    },
  },
  {
    name: "Gateway: TLS mode",
    kinds: ["Gateway"],
    apply: (s, _site, pick) => {
      const server = s.servers[pick(s.servers.length)];
      const mode = ["SIMPLE", "PASSTHROUGH", "MUTUAL"][pick(3)];
      server.tls = { ...server.tls, mode };
      return { description: `server ${server.port.name}: tls ${mode}`, changes: true };
    },
  },
  {
    name: "Gateway: selector",
    kinds: ["Gateway"],
    apply: (s) => {
      s.selector = { istio: "some-other-gateway" };
      return { description: "selector -> istio: some-other-gateway", changes: true };
    },
  },
  {
    name: "VirtualService: gateway binding",
    kinds: ["VirtualService"],
    apply: (s) => {
      s.gateways = ["istio-system/elsewhere"];
      return { description: "gateways -> istio-system/elsewhere", changes: true };
    },
  },
  {
    name: "VirtualService: drop or rename a host",
    kinds: ["VirtualService"],
    apply: (s, _site, pick) => {
      const i = pick(s.hosts.length);
      const was = s.hosts[i];
      if (s.hosts.length > 1) s.hosts.splice(i, 1);
      else s.hosts[i] = "renamed.invalid";
      return { description: `host ${was} dropped or renamed`, changes: true };
    },
  },
  {
    name: "VirtualService: destination host",
    kinds: ["VirtualService"],
    apply: (s, _site, pick) => {
      const routes = [...(s.http ?? []), ...(s.tcp ?? []), ...(s.tls ?? [])];
      const r = routes[pick(routes.length)];
      if (!r) return undefined;
      r.route[0].destination.host = "elsewhere.default.svc.cluster.local";
      return { description: "destination -> elsewhere.default.svc.cluster.local", changes: true };
    },
  },
  {
    name: "VirtualService: destination port",
    kinds: ["VirtualService"],
    apply: (s, _site, pick) => {
      const routes = [...(s.http ?? []), ...(s.tcp ?? []), ...(s.tls ?? [])];
      const r = routes[pick(routes.length)];
      const port = r?.route[0].destination.port;
      if (!port) return undefined;
      port.number += 1;
      return { description: `destination port -> ${port.number}`, changes: true };
    },
  },
  {
    name: "DestinationRule: TLS mode",
    kinds: ["DestinationRule"],
    apply: (s, site, pick) => {
      const blocks = tlsBlocks(s);
      const b = blocks[pick(blocks.length)];
      if (!b) return undefined;
      const mode = ["DISABLE", "SIMPLE"][pick(2)];
      b.tls.mode = mode;
      return { description: `${b.where} mode ${mode}`, changes: !b.topLevel || topLevelMatters(s, site) };
    },
  },
  {
    name: "DestinationRule: SNI",
    kinds: ["DestinationRule"],
    apply: (s, site, pick) => {
      const blocks = tlsBlocks(s);
      const b = blocks[pick(blocks.length)];
      if (!b) return undefined;
      b.tls.sni = "wrong.invalid";
      return {
        description: `${b.where} sni wrong.invalid`,
        changes: !b.topLevel || topLevelMatters(s, site),
      };
    },
  },
  {
    name: "DestinationRule: host",
    kinds: ["DestinationRule"],
    apply: (s) => {
      s.host = "renamed.invalid";
      return { description: "host -> renamed.invalid", changes: true };
    },
  },
  {
    name: "AuthorizationPolicy: replace a principal",
    kinds: ["AuthorizationPolicy"],
    apply: (s, _site, pick) => {
      const src = s.rules[0].from[0].source;
      const i = pick(src.notPrincipals.length);
      const was = src.notPrincipals[i];
      src.notPrincipals[i] = "stranger.example/*";
      return { description: `notPrincipals ${was} -> stranger.example/*`, changes: true };
    },
  },
  {
    name: "AuthorizationPolicy: admit another trust domain",
    kinds: ["AuthorizationPolicy"],
    apply: (s, site, pick) => {
      const src = s.rules[0].from[0].source;
      const admitted = new Set((src.notPrincipals as string[]).map((p) => p.replace(/\/\*$/, "")));
      const service = site.object.metadata.labels["coddiwomple.io/service"];
      const domains = trustDomains(site.all);
      const candidates = [...new Set(domains.values())].filter((d) => !admitted.has(d));
      const td = candidates[pick(candidates.length)];
      if (td === undefined) return undefined;
      src.notPrincipals.push(`${td}/*`);
      // It changes reachability only if a cluster with that domain neither consumes nor runs the
      // service: consumers (and clusters sharing their domain) were admitted already.
      const outsider = [...domains].some(
        ([cluster, d]) => d === td && !usesService(site.all.get(cluster), service),
      );
      return { description: `notPrincipals += ${td}/*`, changes: outsider };
    },
  },
  {
    name: "AuthorizationPolicy: drop an SNI",
    kinds: ["AuthorizationPolicy"],
    apply: (s, _site, pick) => {
      const when = s.rules[0].when[0];
      const [gone] = when.values.splice(pick(when.values.length), 1);
      if (when.values.length === 0) when.values.push("nothing.invalid");
      return { description: `connection.sni -= ${gone}`, changes: true };
    },
  },
  {
    name: "AuthorizationPolicy: action ALLOW",
    kinds: ["AuthorizationPolicy"],
    apply: (s) => {
      s.action = "ALLOW";
      return { description: "action DENY -> ALLOW", changes: true };
    },
  },
  {
    name: "AuthorizationPolicy: selector",
    kinds: ["AuthorizationPolicy"],
    apply: (s) => {
      s.selector = { matchLabels: { istio: "some-other-gateway" } };
      return { description: "selector -> some-other-gateway", changes: true };
    },
  },
  {
    // Application errors (HTTP 5xx) then eject a backend cluster's gateway: verify's resilience check.
    name: "DestinationRule: eject on 5xx",
    kinds: ["DestinationRule"],
    apply: (s) => {
      const policies = [s.trafficPolicy, ...((s.trafficPolicy?.portLevelSettings ?? []) as Spec[])];
      const withOd = policies.filter((p) => p?.outlierDetection?.consecutive5xxErrors === 0);
      if (withOd.length === 0) return undefined;
      for (const p of withOd) delete p.outlierDetection.consecutive5xxErrors;
      return { description: "consecutive5xxErrors removed (Envoy's default 5 applies)", changes: true };
    },
  },
  // Controls: Istio routes exactly as before.
  {
    name: "control: reorder hosts",
    kinds: ["ServiceEntry", "VirtualService"],
    apply: (s) => {
      if (s.hosts.length < 2) return undefined;
      s.hosts.reverse();
      return { description: "hosts reversed", changes: false };
    },
  },
  {
    // Timing only: which hosts get ejected, and for what, stays the same.
    name: "control: outlier detection timing",
    kinds: ["DestinationRule"],
    apply: (s) => {
      const od = s.trafficPolicy?.outlierDetection;
      if (!od) return undefined;
      s.trafficPolicy = {
        ...s.trafficPolicy,
        outlierDetection: { ...od, interval: "20s", baseEjectionTime: "45s" },
      };
      return { description: "outlierDetection interval and baseEjectionTime changed", changes: false };
    },
  },
];

/** Each cluster's trust domain, as the SANs other clusters use for its gateway tell it. */
function trustDomains(all: ReadonlyMap<string, ClusterConfig>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of all.values()) {
    for (const o of c.objects) {
      const owners = new Set(((o.spec.endpoints as Spec[]) ?? []).map(clusterOf));
      const [owner] = owners;
      const td = /^spiffe:\/\/([^/]+)/.exec(((o.spec.subjectAltNames as string[]) ?? [])[0] ?? "")?.[1];
      if (owners.size === 1 && owner && td) out.set(owner, td);
    }
  }
  return out;
}

/** Does the cluster import or run the service (has a ServiceEntry for it)? */
const usesService = (c: ClusterConfig | undefined, service: string | undefined) =>
  c?.objects.some(
    (o) => o.kind === "ServiceEntry" && o.metadata.labels["coddiwomple.io/service"] === service,
  ) ?? false;

/** Every (object, operator) pair that applies, mutated with choices drawn from `random`. */
export function mutate(
  clusters: ReadonlyMap<string, ClusterConfig>,
  operator: Operator,
  site: { cluster: string; index: number },
  random: () => number,
): Mutation | undefined {
  const config = clusters.get(site.cluster);
  const object = config?.objects[site.index];
  if (!config || !object || !operator.kinds.includes(object.kind)) return undefined;
  if ((operator.existing === true) !== (object.existing === true)) return undefined;
  const spec = structuredClone(object.spec) as Spec;
  const pick = (n: number) => Math.floor(random() * n);
  let result: ReturnType<Operator["apply"]>;
  try {
    result = operator.apply(spec, { ...site, object, all: clusters }, pick);
  } catch {
    return undefined; // the object lacks the field this operator changes
  }
  if (!result) return undefined;
  const changed = result.remove
    ? config.objects.filter((_, i) => i !== site.index)
    : config.objects.map((o, i) => (i === site.index ? { ...o, spec } : o));
  // Added objects are the cluster's own too, older than cw's: they go first.
  const objects = [...(result.add ?? []), ...changed];
  const next = new Map(clusters);
  next.set(site.cluster, { ...config, objects });
  return {
    operator: operator.name,
    cluster: site.cluster,
    object: `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`,
    description: result.description,
    changesReachability: result.changes,
    clusters: next,
  };
}

// The config a cluster already has (--existing): changes to it that cw's output did not adapt to.
// Each operator judges from Istio's semantics and cw's objects around it whether a call the topology
// allows stops arriving (or a refused one arrives).

/** cw's objects of a cluster, and what they say about it. */
const ours = (site: Site) => site.all.get(site.cluster)?.objects.filter((o) => !o.existing) ?? [];
/** The cluster runs some service: its local calls arrive at pods in it (ServiceEntry without endpoints). */
const runsService = (site: Site) =>
  ours(site).some((o) => o.kind === "ServiceEntry" && !isRemoteSe(o.spec as Spec));
/**
 * Some remote service is exported to namespace `ns` of the cluster and called from the sidecar
 * straight to another cluster (not through the egress gateway, whose own rules are found first in
 * its namespace): a DestinationRule in `ns` for its host then decides the sidecar's TLS.
 */
const callsOutFrom = (site: Site, ns: string) =>
  ours(site).some((o) => {
    if (o.kind !== "ServiceEntry" || !isRemoteSe(o.spec as Spec)) return false;
    const exportTo = (o.spec.exportTo as string[] | undefined) ?? [];
    if (!(exportTo.length === 0 || exportTo.includes("*") || exportTo.includes(ns))) return false;
    const hosts = (o.spec.hosts as string[]) ?? [];
    const viaEgress = ours(site).some(
      (v) =>
        v.kind === "VirtualService" &&
        ((v.spec.hosts as string[]) ?? []).some((h) => hosts.includes(h)) &&
        JSON.stringify(v.spec).includes("egressgateway"),
    );
    return !viaEgress;
  });
/**
 * Some cluster calls a service here in passthrough mode (its DestinationRule sends a cluster SNI,
 * outbound_..., to this cluster's gateway) and cw wrote no AUTO_PASSTHROUGH server here of its own:
 * the existing one carries those calls.
 */
function reliesOnExistingPassthrough(site: Site): boolean {
  const ownServer = ours(site).some(
    (o) =>
      o.kind === "Gateway" &&
      ((o.spec.servers as Spec[]) ?? []).some((s) => s.tls?.mode === "AUTO_PASSTHROUGH"),
  );
  if (ownServer) return false;
  for (const config of site.all.values()) {
    const mine = config.objects.filter((o) => !o.existing);
    for (const dr of mine.filter((o) => o.kind === "DestinationRule")) {
      if (!JSON.stringify(dr.spec).includes('"sni":"outbound_.')) continue;
      const host = dr.spec.host as string;
      const se = mine.find(
        (o) => o.kind === "ServiceEntry" && ((o.spec.hosts as string[]) ?? []).includes(host),
      );
      if (((se?.spec.endpoints as Spec[]) ?? []).some((e) => clusterOf(e) === site.cluster)) return true;
    }
  }
  return false;
}

const existingObject = (
  site: Site,
  kind: string,
  name: string,
  namespace: string,
  spec: Spec,
): IstioObject => ({
  apiVersion: site.object.apiVersion.replace(
    /^[^/]+/,
    kind === "AuthorizationPolicy" ? "security.istio.io" : "networking.istio.io",
  ),
  kind,
  metadata: { name, namespace, labels: {} },
  spec,
  existing: true,
});

export const EXISTING_OPERATORS: readonly Operator[] = [
  {
    name: "existing: delete the east-west Gateway",
    kinds: ["Gateway"],
    existing: true,
    apply: (s, site) => {
      if (!((s.servers as Spec[]) ?? []).some((x) => x.tls?.mode === "AUTO_PASSTHROUGH")) return undefined;
      return {
        description: "delete the AUTO_PASSTHROUGH Gateway",
        changes: reliesOnExistingPassthrough(site),
        remove: true,
      };
    },
  },
  {
    name: "existing: allow-nothing in the root namespace",
    kinds: ["Gateway", "AuthorizationPolicy", "DestinationRule"],
    existing: true,
    apply: (_s, site) => {
      if (site.object.apiVersion.startsWith("networking.istio.io/v1alpha3")) return undefined;
      // Where the cluster has ALLOW policies of its own, they decide for their workloads; keep to
      // clusters without any, where the new policy refuses every call to a pod.
      const theirs = site.all.get(site.cluster)?.objects.filter((o) => o.existing) ?? [];
      if (theirs.some((o) => o.kind === "AuthorizationPolicy" && (o.spec.action ?? "ALLOW") === "ALLOW"))
        return undefined;
      const policy = existingObject(site, "AuthorizationPolicy", "allow-nothing-mesh", "istio-system", {});
      return { description: "add spec: {} in istio-system", changes: runsService(site), add: [policy] };
    },
  },
  {
    name: "existing: drop the ALLOW policy for a namespace's own callers",
    kinds: ["AuthorizationPolicy"],
    existing: true,
    apply: (s, site) => {
      if (s.action !== "ALLOW" || site.object.metadata.name !== "allow-own") return undefined;
      const ns = site.object.metadata.namespace;
      const local = ours(site).some(
        (o) => o.kind === "VirtualService" && JSON.stringify(o.spec).includes(`.${ns}.svc.cluster.local`),
      );
      return { description: `delete allow-own in ${ns}`, changes: local, remove: true };
    },
  },
  {
    name: "existing: a DestinationRule for the suffix in the callers' namespace",
    kinds: ["Gateway", "AuthorizationPolicy", "DestinationRule"],
    existing: true,
    apply: (_s, site) => {
      const rule = existingObject(site, "DestinationRule", "plain-global", "default", {
        host: "*.global",
        trafficPolicy: { tls: { mode: "DISABLE" } },
      });
      return {
        description: "add a *.global rule with TLS off in default",
        changes: callsOutFrom(site, "default"),
        add: [rule],
      };
    },
  },
  {
    // Controls: the cluster's other config changes in ways no call of the federation sees.
    name: "control: existing rule for an unrelated host",
    kinds: ["DestinationRule"],
    existing: true,
    apply: (s) => {
      if (typeof s.host !== "string" || s.host.endsWith(".global")) return undefined;
      s.trafficPolicy = { tls: { mode: "SIMPLE" } };
      return { description: `${s.host}: TLS SIMPLE`, changes: false };
    },
  },
];

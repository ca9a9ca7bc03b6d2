// The planner resolves a checked topology into what each cluster needs: global hosts, VIPs, which
// services a cluster runs, exports and imports, and how each port crosses the ingress gateway.
//
// How a port crosses (gateway mode, seed 000): the caller's sidecar opens Istio mutual TLS to the
// remote ingress gateway with an SNI that names the service and port; the gateway terminates it and
// routes. The first HTTP-family port of a service uses the service's own host as SNI and is routed
// at L7 by the Host header (so HTTP policy can apply at the gateway). Every other port uses its own
// SNI, p<port>.<host>, and is proxied as TCP after TLS termination: HTTP alone cannot tell two ports
// of one host apart at a gateway that listens on one port.

import { byText, compareText } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { type ExistingConfig, NO_EXISTING } from "../existing/model.js";
import type { Backend, Cluster, Port, Service, Subset, Topology } from "../topology/model.js";
import { at, type Origin } from "../topology/source.js";
import { type ExistingFacts, existingFacts } from "./existing-facts.js";
import { type Export, exportOf, foreignPassthroughDomains, landing } from "./exports.js";
import { type IstioCapabilities, istioCapabilities } from "./istio-version.js";
import type { Lock } from "./lock.js";
import { globalHost, isHttpFamily, portSni } from "./names.js";
import { type RouteInput, routesOf } from "./routes.js";
import { allocateVips, overlapsIstioRange, parsePool } from "./vip.js";

export interface PortPlan {
  readonly port: Port;
  /** How the port crosses the remote ingress gateway. */
  readonly crossing: "http" | "tcp";
  /** The SNI the caller sends. */
  readonly sni: string;
  /**
   * Every SNI the gateway's server for this port accepts: all the service's hosts for the HTTP port
   * (the server's hosts also decide which Host headers its routes see), just `sni` for the others.
   * The ingress AuthorizationPolicy must cover exactly these names: an SNI the server accepts but the
   * policy does not list would let any caller in.
   */
  readonly serverNames: readonly string[];
}

/** How callers in one cluster reach one service (see routes.ts). */
export interface Route extends Omit<RouteInput, "service"> {
  readonly service: ServicePlan;
}

export interface ServicePlan {
  readonly service: Service;
  /** The backends' Kubernetes host when they all share one (passthrough needs that), else the first. */
  readonly backendHost: string;
  /** Every consumer cluster's route to the service, by calling cluster. */
  readonly routes: readonly Route[];
  readonly vip: string;
  /** <name>.<suffix> first, then the aliases. */
  readonly hosts: readonly string[];
  readonly primaryHost: string;
  readonly ports: readonly PortPlan[];
  readonly backends: readonly { readonly backend: Backend; readonly cluster: Cluster }[];
  /** Clusters whose callers reach the service across clusters: the callers of `routes`. */
  readonly consumers: readonly Cluster[];
}

export interface ClusterPlan {
  readonly cluster: Cluster;
  readonly istio: IstioCapabilities;
  /** What the cluster already has (--existing), as far as it changes what cw generates there. */
  readonly existing: ExistingFacts;
  /** Services with a backend in this cluster, by name. */
  readonly local: readonly ServicePlan[];
  /** Of `local`, what other clusters' routes bring to this cluster's ingress gateway. */
  readonly exports: readonly Export[];
  /** This cluster's routes to services elsewhere (all or part of their calls), by service. */
  readonly routes: readonly Route[];
  /** Subsets of local services that some route selects here: the backend DestinationRule's. */
  readonly subsets: readonly { readonly service: ServicePlan; readonly subsets: readonly Subset[] }[];
}

export interface Plan {
  readonly topology: Topology;
  readonly services: readonly ServicePlan[];
  readonly clusters: readonly ClusterPlan[];
  /** Every service's VIP, for the lock file. */
  readonly vips: ReadonlyMap<string, string>;
}

export interface PlanResult {
  readonly plan?: Plan;
  readonly diagnostics: Diagnostic[];
}

const byName = <T extends { readonly name: string }>(a: T, b: T) => compareText(a.name, b.name);

/** Add `value` to the list under `key`, in place: copying the list each time would be quadratic. */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function planFederation(
  topology: Topology,
  lock: Lock,
  existing: ExistingConfig = NO_EXISTING,
): PlanResult {
  const diagnostics: Diagnostic[] = [];
  const clusters = new Map(topology.clusters.map((c) => [c.name, c]));
  const services = [...topology.services].sort(byName);

  const pool = parsePool(topology.vipPool);
  if (!pool) {
    const where = topology.origins.vipPool && at(topology.origins.vipPool);
    return {
      diagnostics: [
        diag(
          "CW1014",
          `VIP pool "${topology.vipPool}" is not an IPv4 CIDR block; write it like 240.241.0.0/16`,
          where,
        ),
      ],
    };
  }
  const allocation = allocateVips(
    services.map((s) => ({ name: s.name, ...(s.vip && { fixed: s.vip }) })),
    pool,
    lock.vips,
    topology.origins.vipPool,
  );
  diagnostics.push(...allocation.diagnostics);
  if (overlapsIstioRange(pool)) {
    diagnostics.push(
      diag(
        "CW1023",
        `VIP pool "${topology.vipPool}" overlaps 240.240.0.0/16, where Istio allocates addresses of its own; use a pool outside it, such as cw's default 240.241.0.0/16`,
        topology.origins.vipPool ? at(topology.origins.vipPool) : undefined,
      ),
    );
  }

  const hostOwners = new Map<string, { service: string; origin: Origin }>();
  const claim = (host: string, service: Service, origin: Origin) => {
    const owner = hostOwners.get(host);
    if (owner && owner.service !== service.name) {
      diagnostics.push(
        diag(
          "CW1010",
          `host "${host}" of service "${service.name}" is already claimed by service "${owner.service}"; rename one of them or drop the alias`,
          at(origin),
        ),
      );
    } else if (!owner) hostOwners.set(host, { service: service.name, origin });
  };

  // Clusters by trust domain, in name order, for the trust domain warnings: each service then looks
  // at the clusters that share its consumers' domains, not at every cluster.
  const byTrustDomain = new Map<string, Cluster[]>();
  for (const c of [...topology.clusters].sort(byName)) append(byTrustDomain, c.trustDomain, c);

  const servicePlans: ServicePlan[] = [];
  for (const service of services) {
    const primaryHost = globalHost(service.name, topology.suffix);
    const hosts = [primaryHost, ...service.aliases.map((a) => globalHost(a.name, topology.suffix))];
    claim(primaryHost, service, service.origins.name);
    service.aliases.forEach((a, i) => {
      claim(hosts[i + 1] ?? "", service, a.origin);
    });
    for (const host of hosts) {
      if (host.length > 253 || host.split(".").some((l) => l.length > 63)) {
        diagnostics.push(
          diag(
            "CW1021",
            `host "${host}" is longer than DNS allows; shorten the service name, alias or suffix`,
            at(service.origins.name),
          ),
        );
      }
    }
    const firstHttp = service.ports.find((p) => isHttpFamily(p.protocol));
    const ports = service.ports.map((port): PortPlan => {
      if (port === firstHttp) return { port, crossing: "http", sni: primaryHost, serverNames: hosts };
      const sni = portSni(port.port, primaryHost);
      claim(sni, service, port.origins.port);
      return { port, crossing: "tcp", sni, serverNames: [sni] };
    });
    const backends = service.backends.flatMap((backend) => {
      const cluster = clusters.get(backend.cluster);
      return cluster ? [{ backend, cluster }] : [];
    });
    const backendNames = new Set(backends.map((b) => b.cluster.name));
    const inputs = routesOf(topology, service, clusters);
    const consumers = inputs.map((r) => r.caller);
    const routes: Route[] = [];
    const plan: ServicePlan = {
      service,
      backendHost: backends[0]?.backend.host ?? "",
      routes,
      vip: allocation.vips.get(service.name) ?? "",
      hosts,
      primaryHost,
      ports,
      backends: backends.sort((a, b) => byName(a.cluster, b.cluster)),
      consumers,
    };
    for (const r of inputs) routes.push({ ...r, service: plan });
    // Every SNI a split's subset adds on a TCP port is a name of the service too.
    for (const subset of new Set(
      routes.flatMap((r) => r.shares.flatMap((s) => (s.subset ? [s.subset.name] : []))),
    )) {
      for (const p of ports)
        if (p.crossing === "tcp")
          claim(portSni(p.port.port, primaryHost, subset), service, p.port.origins.port);
    }
    servicePlans.push(plan);
    // In passthrough mode the pods also admit their own cluster's trust domain (local callers).
    const podDomains = routes.some((r) => r.mode === "passthrough")
      ? backends.map((b) => b.cluster.trustDomain)
      : [];
    diagnostics.push(...trustDomainWarnings(service, backendNames, consumers, byTrustDomain, podDomains));
    void backendNames;
  }

  // Index routes by caller and services by backend cluster once, so each cluster's share of the work
  // is proportional to what it runs and calls, not to the size of the federation.
  const routesByCaller = new Map<Cluster, Route[]>();
  const localByCluster = new Map<Cluster, ServicePlan[]>();
  for (const s of servicePlans) {
    for (const r of s.routes) append(routesByCaller, r.caller, r);
    for (const b of s.backends) append(localByCluster, b.cluster, s);
  }
  const clusterPlans = [...clusters.values()].sort(byName).map((cluster): ClusterPlan => {
    const local = localByCluster.get(cluster) ?? [];
    const routes = routesByCaller.get(cluster) ?? [];
    const istio = istioCapabilities(cluster.istioVersion);
    for (const r of routes) {
      if (r.ordered && !istio.failoverPriorityValues) {
        diagnostics.push(
          diag(
            "CW1030",
            `cluster "${cluster.name}" runs Istio ${cluster.istioVersion}, which cannot follow the failover order of "${r.service.service.name}"; its callers fail over by locality instead`,
            at(r.service.service.failover[0]?.origin ?? r.service.service.origin),
          ),
        );
      }
    }
    const exports = local.flatMap((s) => exportOf(s, cluster) ?? []);
    const facts = existingFacts(existing.clusters.get(cluster.name), cluster.ingress, cluster.egress);
    diagnostics.push(
      ...defaultedIdentity(cluster, exports),
      ...trustDomainValidation(cluster, istio, exports),
      ...unknownPassthrough(cluster, facts, exports),
    );
    return {
      cluster,
      istio,
      existing: facts,
      local,
      exports,
      routes,
      subsets: local.flatMap((s) => {
        // Subsets selected here: by other clusters' shares landing here, and by local shares of this
        // cluster's own callers.
        const chosen = new Set<Subset>();
        for (const r of s.routes) {
          for (const subset of landing(r, cluster)) if (subset) chosen.add(subset);
          if (r.caller === cluster)
            for (const sh of r.shares) if (sh.kind === "local" && sh.subset) chosen.add(sh.subset);
        }
        const subsets = [...chosen].sort(byText((x) => x.name));
        return subsets.length > 0 ? [{ service: s, subsets }] : [];
      }),
    };
  });

  return {
    plan: { topology, services: servicePlans, clusters: clusterPlans, vips: allocation.vips },
    diagnostics,
  };
}

// Istio's multi-network guide installs an east-west Gateway with an AUTO_PASSTHROUGH server for
// *.local on port 15443. Next to it, cw's own passthrough server for a service on the same port and
// gateway duplicates its filter chains and Envoy rejects the whole listener. With the cluster's
// config under --existing, cw relies on that server instead (ingress-gateway.ts); without it, cw
// cannot know, so it says so where it writes such a server.
function unknownPassthrough(
  cluster: Cluster,
  facts: ExistingFacts,
  exports: readonly Export[],
): Diagnostic[] {
  const hosts = [...new Set(exports.flatMap((e) => (e.passthrough ? [e.service.backendHost] : [])))].sort();
  if (facts.known || hosts.length === 0) return [];
  return [
    diag(
      "CW1043",
      `cw writes an AUTO_PASSTHROUGH server for ${hosts.join(", ")} on port ${cluster.ingress.port} of cluster "${cluster.name}"'s ingress gateway, but does not know the cluster's Istio config: if that gateway already has Istio's east-west Gateway (AUTO_PASSTHROUGH for *.local on the same port), the two servers duplicate their filter chains and Envoy rejects the listener, failing every call through it; give the cluster's config with --existing (cw discover --existing <dir> writes it), and cw then uses that server instead`,
      at(cluster.origins.ingress === cluster.origin ? cluster.origins.name : cluster.origins.ingress, "key"),
    ),
  ];
}

// Callers pin the ingress gateway's identity (ServiceEntry subjectAltNames) for calls that end at
// the gateway, so a wrong service account fails every handshake. The default is only the name
// istioctl and the IstioOperator give the gateway: say so where a cluster relies on it.
function defaultedIdentity(cluster: Cluster, exports: readonly Export[]): Diagnostic[] {
  if (cluster.origins.ingressServiceAccount || !exports.some((e) => e.terminated)) return [];
  return [
    diag(
      "CW1041",
      `cluster "${cluster.name}" does not give ingress.serviceAccount, so callers expect its gateway to run as "${cluster.ingress.serviceAccount}" (the name istioctl and the IstioOperator use; Istio's Helm gateway chart names it after the release, an east-west gateway has its own); set it to the gateway pods' spec.serviceAccountName, or let cw discover read it`,
      at(cluster.origins.ingress === cluster.origin ? cluster.origins.name : cluster.origins.ingress, "key"),
    ),
  ];
}

// Passthrough callers of another trust domain need the pods' sidecars to accept it. Where the
// cluster's Istio cannot list extra trust domains (meshConfig.caCertificates[].trustDomains), the only
// way is to turn the check off for every pod (mesh-settings.ts): say plainly what that opens.
function trustDomainValidation(
  cluster: Cluster,
  istio: IstioCapabilities,
  exports: readonly Export[],
): Diagnostic[] {
  const foreign = foreignPassthroughDomains(exports, cluster.trustDomain);
  if (foreign.length === 0 || istio.caCertificateTrustDomains) return [];
  return [
    diag(
      "CW1042",
      `cluster "${cluster.name}" runs Istio ${cluster.istioVersion}, which cannot list ${foreign.join(", ")} as trusted domains, so its mesh settings turn trust-domain validation off (PILOT_SKIP_VALIDATE_TRUST_DOMAIN): every pod of "${cluster.name}" then accepts mTLS from any workload whose certificate chains to the shared root, whatever its trust domain, and only AuthorizationPolicies keep callers out; upgrade to Istio 1.16.4, 1.17.2 or later (give the full version, such as "1.17.2") to list only the consumers' domains`,
      at(cluster.origins.istioVersion ?? cluster.origins.name),
    ),
  ];
}

// The gateway admits callers by the trust domain in their certificate. When a consumer and a
// non-consumer share one, the export cannot be enforced: say so rather than pretend.
function trustDomainWarnings(
  service: Service,
  backendNames: ReadonlySet<string>,
  consumers: readonly Cluster[],
  byTrustDomain: ReadonlyMap<string, readonly Cluster[]>,
  podDomains: readonly string[],
): Diagnostic[] {
  if (consumers.length === 0) return [];
  const allowed = new Set([...consumers.map((c) => c.trustDomain), ...podDomains]);
  const consumerNames = new Set(consumers.map((c) => c.name));
  const leaky = [...allowed]
    .flatMap((domain) => byTrustDomain.get(domain) ?? [])
    .filter((c) => !consumerNames.has(c.name) && !backendNames.has(c.name))
    .sort(byName);
  if (leaky.length === 0) return [];
  const names = leaky.map((c) => `"${c.name}"`).join(", ");
  const domains = [...new Set(leaky.map((c) => c.trustDomain))].sort().join(", ");
  return [
    diag(
      "CW1019",
      `service "${service.name}" is not exported to ${names}, but ${leaky.length === 1 ? "it shares" : "they share"} trust domain ${domains} with a consumer${podDomains.length > 0 ? " or a backend" : ""}, so the gateway cannot keep ${leaky.length === 1 ? "it" : "them"} out; give each cluster its own trustDomain`,
      at(service.origins.name),
    ),
  ];
}

// The planner resolves a checked topology into what each cluster needs: global hosts, VIPs, which
// services a cluster runs, exports and imports, and how each port crosses the ingress gateway.
//
// How a port crosses (gateway mode, seed 000): the caller's sidecar opens Istio mutual TLS to the
// remote ingress gateway with an SNI that names the service and port; the gateway terminates it and
// routes. The first HTTP-family port of a service uses the service's own host as SNI and is routed
// at L7 by the Host header (so HTTP policy can apply at the gateway). Every other port uses its own
// SNI, p<port>.<host>, and is proxied as TCP after TLS termination: HTTP alone cannot tell two ports
// of one host apart at a gateway that listens on one port.

import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Backend, Cluster, Port, Service, Topology } from "../topology/model.js";
import { at, type Origin } from "../topology/source.js";
import { type IstioCapabilities, istioCapabilities } from "./istio-version.js";
import type { Lock } from "./lock.js";
import { globalHost, isHttpFamily, portSni } from "./names.js";
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

export interface ServicePlan {
  readonly service: Service;
  readonly vip: string;
  /** <name>.<suffix> first, then the aliases. */
  readonly hosts: readonly string[];
  readonly primaryHost: string;
  readonly ports: readonly PortPlan[];
  readonly backends: readonly { readonly backend: Backend; readonly cluster: Cluster }[];
  /** Clusters allowed to call the service through a gateway: consumers without a local backend. */
  readonly consumers: readonly Cluster[];
}

export interface ClusterPlan {
  readonly cluster: Cluster;
  readonly istio: IstioCapabilities;
  /** Services with a backend in this cluster, by name. */
  readonly local: readonly ServicePlan[];
  /** Of `local`, those other clusters consume: exposed on this cluster's ingress gateway. */
  readonly exported: readonly ServicePlan[];
  /** Services this cluster consumes from other clusters. */
  readonly imported: readonly ServicePlan[];
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

const byName = <T extends { readonly name: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export function planFederation(topology: Topology, lock: Lock): PlanResult {
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
    const consumerNames = new Set(
      service.consumers.flatMap((c) => (c.cluster === "*" ? [...clusters.keys()] : [c.cluster])),
    );
    const consumers = [...consumerNames]
      .filter((n) => !backendNames.has(n))
      .flatMap((n) => clusters.get(n) ?? [])
      .sort(byName);
    servicePlans.push({
      service,
      vip: allocation.vips.get(service.name) ?? "",
      hosts,
      primaryHost,
      ports,
      backends: backends.sort((a, b) => byName(a.cluster, b.cluster)),
      consumers,
    });
    diagnostics.push(...trustDomainWarnings(service, backendNames, consumers, topology.clusters));
  }

  const clusterPlans = [...clusters.values()].sort(byName).map((cluster): ClusterPlan => {
    const local = servicePlans.filter((s) => s.backends.some((b) => b.cluster === cluster));
    return {
      cluster,
      istio: istioCapabilities(cluster.istioVersion),
      local,
      exported: local.filter((s) => s.consumers.length > 0),
      imported: servicePlans.filter((s) => s.backends.length > 0 && s.consumers.includes(cluster)),
    };
  });

  return {
    plan: { topology, services: servicePlans, clusters: clusterPlans, vips: allocation.vips },
    diagnostics,
  };
}

// The gateway admits callers by the trust domain in their certificate. When a consumer and a
// non-consumer share one, the export cannot be enforced: say so rather than pretend.
function trustDomainWarnings(
  service: Service,
  backendNames: ReadonlySet<string>,
  consumers: readonly Cluster[],
  all: readonly Cluster[],
): Diagnostic[] {
  if (consumers.length === 0) return [];
  const allowed = new Set(consumers.map((c) => c.trustDomain));
  const consumerNames = new Set(consumers.map((c) => c.name));
  const leaky = all
    .filter((c) => !consumerNames.has(c.name) && !backendNames.has(c.name) && allowed.has(c.trustDomain))
    .sort(byName);
  if (leaky.length === 0) return [];
  const names = leaky.map((c) => `"${c.name}"`).join(", ");
  const domains = [...new Set(leaky.map((c) => c.trustDomain))].sort().join(", ");
  return [
    diag(
      "CW1019",
      `service "${service.name}" is not exported to ${names}, but ${leaky.length === 1 ? "it shares" : "they share"} trust domain ${domains} with a consumer, so the gateway cannot keep ${leaky.length === 1 ? "it" : "them"} out; give each cluster its own trustDomain`,
      at(service.origins.name),
    ),
  ];
}

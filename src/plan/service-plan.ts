// One service's plan: its global hosts, how each port crosses a gateway, its backends and the
// routes of its consumers. The hosts and SNIs it claims are checked against every other service's
// (CW1010) through one HostClaims shared by the whole plan.

import { byName } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Cluster, Service, Topology } from "../topology/model.js";
import { at, type Origin } from "../topology/source.js";
import { globalHost, isHttpFamily, portSni } from "./names.js";
import type { PortPlan, Route, ServicePlan } from "./plan.js";
import { routesOf } from "./routes.js";
import { trustDomainWarnings } from "./trust-domain-warnings.js";

/** Which service claimed each global host and SNI first; a second claim is CW1010. */
export class HostClaims {
  private readonly owners = new Map<string, string>();
  readonly diagnostics: Diagnostic[] = [];

  claim(host: string, service: Service, origin: Origin): void {
    const owner = this.owners.get(host);
    if (owner === undefined) this.owners.set(host, service.name);
    else if (owner !== service.name)
      this.diagnostics.push(diag("CW1010", { host, service: service.name, owner }, at(origin)));
  }
}

/** What planning one service needs from the whole federation. */
export interface ServiceInputs {
  readonly topology: Topology;
  readonly clusters: ReadonlyMap<string, Cluster>;
  readonly vips: ReadonlyMap<string, string>;
  readonly claims: HostClaims;
  /** Clusters by trust domain, in name order, for the trust domain warnings. */
  readonly byTrustDomain: ReadonlyMap<string, readonly Cluster[]>;
}

export function planService(
  service: Service,
  inputs: ServiceInputs,
): { plan: ServicePlan; diagnostics: Diagnostic[] } {
  const { topology, clusters, claims } = inputs;
  const primaryHost = globalHost(service.name, topology.suffix);
  const hosts = [primaryHost, ...service.aliases.map((a) => globalHost(a.name, topology.suffix))];
  claims.claim(primaryHost, service, service.origins.name);
  service.aliases.forEach((a, i) => {
    claims.claim(hosts[i + 1] ?? "", service, a.origin);
  });
  const ports = portPlans(service, primaryHost, hosts, claims);
  const found = service.backends.flatMap((backend) => {
    const cluster = clusters.get(backend.cluster);
    return cluster ? [{ backend, cluster }] : [];
  });
  // A route refers to its service's plan and the plan lists its routes and their callers: the routes
  // are made once the plan exists and read through it, so neither changes once planService returns.
  let routes: readonly Route[] = [];
  const consumers: Cluster[] = [];
  const plan: ServicePlan = {
    service,
    // The first backend as the topology lists them, not in name order.
    backendHost: found[0]?.backend.host ?? "",
    get routes() {
      return routes;
    },
    vip: inputs.vips.get(service.name) ?? "",
    hosts,
    primaryHost,
    ports,
    backends: [...found].sort((a, b) => byName(a.cluster, b.cluster)),
    consumers,
  };
  routes = routesOf(topology, service, clusters, plan);
  for (const r of routes) consumers.push(r.caller);
  claimSubsetSnis(plan, claims);
  return { plan, diagnostics: [...hostLengths(service, hosts), ...warnings(plan, inputs)] };
}

function portPlans(
  service: Service,
  primaryHost: string,
  hosts: readonly string[],
  claims: HostClaims,
): PortPlan[] {
  const firstHttp = service.ports.find((p) => isHttpFamily(p.protocol));
  return service.ports.map((port): PortPlan => {
    if (port === firstHttp) return { port, crossing: "http", sni: primaryHost, serverNames: hosts };
    const sni = portSni(port.port, primaryHost);
    claims.claim(sni, service, port.origins.port);
    return { port, crossing: "tcp", sni, serverNames: [sni] };
  });
}

/** Every SNI a split's subset adds on a TCP port is a name of the service too. */
function claimSubsetSnis(plan: ServicePlan, claims: HostClaims): void {
  const subsets = new Set(
    plan.routes.flatMap((r) => r.shares.flatMap((s) => (s.subset ? [s.subset.name] : []))),
  );
  for (const subset of subsets)
    for (const p of plan.ports)
      if (p.crossing === "tcp")
        claims.claim(portSni(p.port.port, plan.primaryHost, subset), plan.service, p.port.origins.port);
}

function hostLengths(service: Service, hosts: readonly string[]): Diagnostic[] {
  return hosts
    .filter((host) => host.length > 253 || host.split(".").some((l) => l.length > 63))
    .map((host) => diag("CW1021", { host }, at(service.origins.name)));
}

function warnings(plan: ServicePlan, inputs: ServiceInputs): Diagnostic[] {
  // In passthrough mode the pods also admit their own cluster's trust domain (local callers).
  const podDomains = plan.routes.some((r) => r.mode === "passthrough")
    ? plan.backends.map((b) => b.cluster.trustDomain)
    : [];
  const backends = plan.backends.map((b) => b.cluster);
  return trustDomainWarnings(plan.service, backends, plan.consumers, inputs.byTrustDomain, podDomains);
}

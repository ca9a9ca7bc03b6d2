// The planner resolves a checked topology into what each cluster needs: global hosts, VIPs, which
// services a cluster runs, exports and imports, and how each port crosses the ingress gateway.
//
// How a port crosses (gateway mode, seed 000): the caller's sidecar opens Istio mutual TLS to the
// remote ingress gateway with an SNI that names the service and port; the gateway terminates it and
// routes. The first HTTP-family port of a service uses the service's own host as SNI and is routed
// at L7 by the Host header (so HTTP policy can apply at the gateway). Every other port uses its own
// SNI, p<port>.<host>, and is proxied as TCP after TLS termination: HTTP alone cannot tell two ports
// of one host apart at a gateway that listens on one port.

import { byName } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { type ExistingConfig, NO_EXISTING } from "../existing/model.js";
import type { Backend, Cluster, Port, Service, Subset, Topology } from "../topology/model.js";
import { at } from "../topology/source.js";
import { planCluster } from "./cluster-plan.js";
import type { ExistingFacts } from "./existing-facts.js";
import type { Export } from "./exports.js";
import type { IstioCapabilities } from "./istio-version.js";
import type { Lock } from "./lock.js";
import type { RouteOf } from "./routes.js";
import { HostClaims, planService, type ServiceInputs } from "./service-plan.js";
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
export type Route = RouteOf<ServicePlan>;

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
  /** What the cluster's Istio release can read, from its version parsed once here. */
  readonly istio: IstioCapabilities;
  /** Every address of its ingress gateway is an IP address (else DNS names). */
  readonly ingressByIp: boolean;
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
  /** `routes` by service: generators ask it once per service. */
  readonly routeTo: ReadonlyMap<ServicePlan, Route>;
  /** `local` as a set. */
  readonly runs: ReadonlySet<ServicePlan>;
}

export interface Plan {
  readonly topology: Topology;
  readonly services: readonly ServicePlan[];
  readonly clusters: readonly ClusterPlan[];
  /** `clusters` by name. */
  readonly byCluster: ReadonlyMap<string, ClusterPlan>;
  /** Every service's VIP, for the lock file. */
  readonly vips: ReadonlyMap<string, string>;
}

export interface PlanResult {
  readonly plan?: Plan;
  readonly diagnostics: Diagnostic[];
}

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
  const pool = parsePool(topology.vipPool);
  const where = topology.origins.vipPool && at(topology.origins.vipPool);
  if (!pool) {
    const value = `"${topology.vipPool}"`;
    return { diagnostics: [diag("CW1014", { kind: "cidr", value, field: "VIP pool" }, where)] };
  }
  const sorted = [...topology.services].sort(byName);
  const allocation = allocateVips(
    sorted.map((s) => ({ name: s.name, ...(s.vip && { fixed: s.vip }) })),
    pool,
    lock.vips,
    topology.origins.vipPool,
  );
  const diagnostics: Diagnostic[] = [...allocation.diagnostics];
  if (overlapsIstioRange(pool)) {
    diagnostics.push(diag("CW1023", { pool: topology.vipPool }, where));
  }
  // By name: a name given twice is CW1009 in check, and the plan keeps the last.
  const byNameMap = new Map(topology.clusters.map((c) => [c.name, c]));
  const services = planServices(topology, sorted, byNameMap, allocation.vips);
  const clusters = planClusters([...byNameMap.values()].sort(byName), services.plans, existing);
  diagnostics.push(...services.diagnostics, ...clusters.diagnostics);
  return {
    plan: {
      topology,
      services: services.plans,
      clusters: clusters.plans,
      byCluster: new Map(clusters.plans.map((c) => [c.cluster.name, c])),
      vips: allocation.vips,
    },
    diagnostics,
  };
}

function planServices(
  topology: Topology,
  services: readonly Service[],
  clusters: ReadonlyMap<string, Cluster>,
  vips: ReadonlyMap<string, string>,
) {
  // Clusters by trust domain, in name order, for the trust domain warnings: each service then looks
  // at the clusters that share its consumers' domains, not at every cluster.
  const byTrustDomain = new Map<string, Cluster[]>();
  for (const c of [...topology.clusters].sort(byName)) append(byTrustDomain, c.trustDomain, c);
  const inputs: ServiceInputs = {
    topology,
    clusters,
    vips,
    claims: new HostClaims(),
    byTrustDomain,
  };
  const diagnostics: Diagnostic[] = [];
  const plans = services.map((service) => {
    const planned = planService(service, inputs);
    diagnostics.push(...planned.diagnostics);
    return planned.plan;
  });
  return { plans, diagnostics: [...inputs.claims.diagnostics, ...diagnostics] };
}

function planClusters(
  clusters: readonly Cluster[],
  services: readonly ServicePlan[],
  existing: ExistingConfig,
) {
  // Index routes by caller and services by backend cluster once, so each cluster's share of the work
  // is proportional to what it runs and calls, not to the size of the federation.
  const routesByCaller = new Map<Cluster, Route[]>();
  const localByCluster = new Map<Cluster, ServicePlan[]>();
  for (const s of services) {
    for (const r of s.routes) append(routesByCaller, r.caller, r);
    for (const b of s.backends) append(localByCluster, b.cluster, s);
  }
  const diagnostics: Diagnostic[] = [];
  const plans = clusters.map((cluster) => {
    const local = localByCluster.get(cluster) ?? [];
    const routes = routesByCaller.get(cluster) ?? [];
    const planned = planCluster(cluster, local, routes, existing.clusters.get(cluster.name));
    diagnostics.push(...planned.diagnostics);
    return planned.plan;
  });
  return { plans, diagnostics };
}

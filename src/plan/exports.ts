// What arrives at a backend cluster: for each service it runs, the routes of other clusters that can
// land there, grouped by how they cross its ingress gateway (terminated there, or passed through to
// the pods), with the SNI names the gateway must accept and the identities it must let in. Computed
// from the routes, so the gateway exposes exactly what some consumer uses and nothing else.

import { byText } from "../compare.js";
import type { Cluster, Subset } from "../topology/model.js";
import { DEFAULT_TRUST_DOMAIN } from "../topology/schema.js";
import { passthroughSni, portSni } from "./names.js";
import type { Route, ServicePlan } from "./plan.js";

export interface Arrival {
  readonly routes: readonly Route[];
  /** The subsets callers select in this cluster; `undefined` stands for the whole service. */
  readonly subsets: readonly (Subset | undefined)[];
  /** Every SNI this cluster's ingress gateway accepts for the service in this way. */
  readonly names: readonly string[];
  /** Principals allowed to call, as AuthorizationPolicy writes them. */
  readonly principals: readonly string[];
}

export interface Export {
  readonly service: ServicePlan;
  /** Gateway and egress mode: Istio mTLS terminated at the ingress gateway. */
  readonly terminated?: Arrival;
  /** Passthrough mode: SNI-routed through the gateway, mTLS up to the pods. */
  readonly passthrough?: Arrival;
}

/** Does `route` send calls that can land in `cluster`, and for which subsets? */
export function landing(route: Route, cluster: Cluster): (Subset | undefined)[] {
  const out: (Subset | undefined)[] = [];
  for (const share of route.shares) {
    if (share.kind !== "remote") continue;
    if (share.cluster === cluster || (share.cluster === undefined && route.remotes.includes(cluster))) {
      if (!out.includes(share.subset)) out.push(share.subset);
    }
  }
  return out;
}

/** The principal(s) a route's callers present at the remote end. */
export function principalsOf(route: Route): string[] {
  const td = route.caller.trustDomain;
  // Istio rewrites "cluster.local" in an exact principal (<td>/ns/<ns>/sa/<sa>) to the checking
  // cluster's own trust domain, so such a principal would name the wrong callers. Only the whole
  // trust domain can be named; check.ts warns (CW1034) where that is wider than the topology says.
  if (td === DEFAULT_TRUST_DOMAIN) return [`${td}/*`];
  const egress = route.caller.egress;
  // Through an egress gateway, the remote side sees the egress gateway's own certificate.
  if (route.mode === "egress" && egress) return [`${td}/ns/${egress.namespace}/sa/${egress.serviceAccount}`];
  const { namespaces, serviceAccounts } = route.callers;
  if (!namespaces) return [`${td}/*`];
  return namespaces.flatMap((ns) =>
    serviceAccounts ? serviceAccounts.map((sa) => `${td}/ns/${ns}/sa/${sa}`) : [`${td}/ns/${ns}/sa/*`],
  );
}

const bySubset = byText((s: Subset | undefined) => s?.name ?? "");

function arrival(
  service: ServicePlan,
  routes: Route[],
  cluster: Cluster,
  passthrough: boolean,
): Arrival | undefined {
  if (routes.length === 0) return undefined;
  const subsets = [...new Set(routes.flatMap((r) => landing(r, cluster)))].sort(bySubset);
  const names = new Set<string>();
  for (const p of service.ports) {
    for (const subset of subsets) {
      if (passthrough) names.add(passthroughSni(p.port.targetPort, service.backendHost, subset?.name));
      else if (p.crossing === "http") for (const n of p.serverNames) names.add(n);
      else names.add(portSni(p.port.port, service.primaryHost, subset?.name));
    }
  }
  const principals = [...new Set(routes.flatMap(principalsOf))].sort();
  return { routes, subsets, names: [...names], principals };
}

export function exportOf(service: ServicePlan, cluster: Cluster): Export | undefined {
  const landing_ = service.routes.filter((r) => landing(r, cluster).length > 0);
  const terminated = arrival(
    service,
    landing_.filter((r) => r.mode !== "passthrough"),
    cluster,
    false,
  );
  const passthrough = arrival(
    service,
    landing_.filter((r) => r.mode === "passthrough"),
    cluster,
    true,
  );
  if (!terminated && !passthrough) return undefined;
  return { service, ...(terminated && { terminated }), ...(passthrough && { passthrough }) };
}

/**
 * The trust domains, other than the cluster's own, of callers whose mTLS reaches this cluster's pods
 * (passthrough mode): the pods' sidecars must accept their certificates.
 */
export function foreignPassthroughDomains(exports: readonly Export[], own: string): string[] {
  const domains = exports.flatMap((e) => e.passthrough?.routes.map((r) => r.caller.trustDomain) ?? []);
  return [...new Set(domains)].filter((d) => d !== own).sort();
}

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

// What most routes land as: the whole service (no split), or nothing. Shared, so that asking every
// route of every local service in every cluster (exportOf, subsetsSelected) builds no list for them.
const WHOLE_SERVICE: readonly (Subset | undefined)[] = [undefined];
const NOWHERE: readonly (Subset | undefined)[] = [];

/** Does `route` send calls that can land in `cluster`, and for which subsets? */
export function landing(route: Route, cluster: Cluster): readonly (Subset | undefined)[] {
  let out = NOWHERE;
  for (const share of route.shares) {
    if (share.kind !== "remote") continue;
    if (share.cluster === cluster || (share.cluster === undefined && route.remotes.includes(cluster))) {
      if (out.includes(share.subset)) continue;
      out = out.length === 0 && share.subset === undefined ? WHOLE_SERVICE : [...out, share.subset];
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
  return callerPrincipals(route);
}

/**
 * The identities of a route's callers as a workload of their own cluster checks them (its egress
 * gateway): the consumer's namespaces and service accounts, else the whole trust domain. Exact
 * principals are right here even for cluster.local, which Istio reads as the local trust domain.
 */
export function callerPrincipals(route: Route): string[] {
  const td = route.caller.trustDomain;
  const { namespaces, serviceAccounts } = route.callers;
  if (!namespaces) return [`${td}/*`];
  return namespaces.flatMap((ns) =>
    serviceAccounts ? serviceAccounts.map((sa) => `${td}/ns/${ns}/sa/${sa}`) : [`${td}/ns/${ns}/sa/*`],
  );
}

const bySubset = byText((s: Subset | undefined) => s?.name ?? "");

/** The routes of one way of crossing that land in a cluster, with the subsets each selects there. */
class Landed {
  readonly routes: Route[] = [];
  readonly subsets = new Set<Subset | undefined>();

  add(route: Route, subsets: readonly (Subset | undefined)[]): void {
    this.routes.push(route);
    for (const s of subsets) this.subsets.add(s);
  }
}

function arrival(service: ServicePlan, landed: Landed, passthrough: boolean): Arrival | undefined {
  const { routes } = landed;
  if (routes.length === 0) return undefined;
  const subsets = [...landed.subsets].sort(bySubset);
  const names = new Set<string>();
  for (const p of service.ports) {
    for (const subset of subsets) {
      if (passthrough) names.add(passthroughSni(p.port.targetPort, service.backendHost, subset?.name));
      else if (p.crossing === "http") for (const n of p.serverNames) names.add(n);
      else names.add(portSni(p.port.port, service.primaryHost, subset?.name));
    }
  }
  const principals = new Set<string>();
  for (const r of routes) for (const p of principalsOf(r)) principals.add(p);
  return { routes, subsets, names: [...names], principals: [...principals].sort() };
}

export function exportOf(service: ServicePlan, cluster: Cluster): Export | undefined {
  // One pass over the service's routes, each asked once where it lands: a service's export is
  // planned in every cluster that runs it, and its routes are one per consumer cluster.
  const terminated = new Landed();
  const passthrough = new Landed();
  for (const r of service.routes) {
    const subsets = landing(r, cluster);
    if (subsets.length > 0) (r.mode === "passthrough" ? passthrough : terminated).add(r, subsets);
  }
  const t = arrival(service, terminated, false);
  const p = arrival(service, passthrough, true);
  if (!t && !p) return undefined;
  return { service, ...(t && { terminated: t }), ...(p && { passthrough: p }) };
}

/**
 * The trust domains, other than the cluster's own, of callers whose mTLS reaches this cluster's pods
 * (passthrough mode): the pods' sidecars must accept their certificates.
 */
export function foreignPassthroughDomains(exports: readonly Export[], own: string): string[] {
  const domains = exports.flatMap((e) => e.passthrough?.routes.map((r) => r.caller.trustDomain) ?? []);
  return [...new Set(domains)].filter((d) => d !== own).sort();
}

// What every generator receives: the whole plan and the cluster it writes for. A generator is a pure
// function (GenerateContext) => Generated[]; the registry in generators.ts lists them all.

import { byText, compareText } from "../compare.js";
import { viaEgress } from "../plan/egress-legs.js";
import type { ClusterPlan, Plan, Route, ServicePlan } from "../plan/plan.js";
import type { Origin } from "../topology/source.js";
import type { IstioKind, SpecOf } from "./istio-specs.js";
import { type Generated, LABEL_FEDERATION, labels, MANAGED_BY, type Resource } from "./resource.js";

export interface GenerateContext {
  readonly plan: Plan;
  readonly cluster: ClusterPlan;
}

export type Generator = (ctx: GenerateContext) => Generated[];

/** One object of kind K, with the spec Istio's schema gives that kind. */
type ObjectFields<K extends IstioKind> = {
  apiVersion: string;
  kind: K;
  name: string;
  namespace: string;
  spec: SpecOf<K>;
};

const resourceOf = <K extends IstioKind>(
  object: ObjectFields<K>,
  labels: Record<string, string>,
): Resource => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  metadata: { name: object.name, namespace: object.namespace, labels },
  spec: object.spec,
});

/** Build one object for `service`, with our labels and the given namespace. */
export function make<K extends IstioKind>(
  ctx: GenerateContext,
  service: ServicePlan,
  object: ObjectFields<K>,
): Generated {
  const resource = resourceOf(object, labels(ctx.plan.topology.name, service.service.name));
  return { resource, service: service.service.name, origin: service.service.origin };
}

/**
 * Build one object that serves several services of this cluster (a Sidecar, the egress gateway's
 * DestinationRule): our labels without a service, filed under none of them.
 */
export function makeShared<K extends IstioKind>(
  ctx: GenerateContext,
  origin: Origin,
  object: ObjectFields<K>,
): Generated {
  const shared = { "app.kubernetes.io/managed-by": MANAGED_BY, [LABEL_FEDERATION]: ctx.plan.topology.name };
  return { resource: resourceOf(object, shared), service: "", origin };
}

/** The destination a backend cluster routes a port to: its local Kubernetes Service. */
export function backendDestination(ctx: GenerateContext, service: ServicePlan, targetPort: number) {
  const backend = service.backends.find((b) => b.cluster === ctx.cluster.cluster);
  if (!backend)
    throw new Error(`internal: ${service.service.name} has no backend in ${ctx.cluster.cluster.name}`);
  return { host: backend.backend.host, port: { number: targetPort } };
}

/** This cluster's route to `service`, if its callers reach it across clusters. */
export const routeOf = (ctx: GenerateContext, service: ServicePlan): Route | undefined =>
  ctx.cluster.routeTo.get(service);

/** Does `service` run in this cluster? */
export const runsHere = (ctx: GenerateContext, service: ServicePlan): boolean =>
  ctx.cluster.runs.has(service);

/**
 * Who in this cluster may see the objects for a route's service (Istio's exportTo): the consumer's
 * namespaces when the topology names them, plus the egress gateway's namespace in egress mode, which
 * must see them too. Undefined (everyone) when the names are not known, or when the service also runs
 * here and any local caller may use its global name. A caller that already has the route and knows
 * whether the service runs here (servicesHere) passes them rather than have them looked up again.
 */
export function exportTo(
  ctx: GenerateContext,
  service: ServicePlan,
  route: Route | undefined = routeOf(ctx, service),
  local: boolean = runsHere(ctx, service),
): string[] | undefined {
  const namespaces = route?.callers.namespaces;
  if (!route || !namespaces || local) return undefined;
  const egress = viaEgress(route) ? route.caller.egress?.namespace : undefined;
  return [...new Set([...namespaces, ...(egress ? [egress] : [])])].sort();
}

/** A service that runs in this cluster or that this cluster calls elsewhere. */
export interface ServiceHere {
  readonly service: ServicePlan;
  /** This cluster's route to it (routeOf). */
  readonly route: Route | undefined;
  /** Whether it runs here (runsHere). */
  readonly local: boolean;
}

/**
 * The services that run here or that this cluster calls elsewhere, by name, each with its route and
 * whether it runs here. The plan lists a cluster's local services and its routes in service order, so
 * the two lists are merged as they are (one pass, no lookups); lists out of order are sorted instead.
 */
export function servicesHere(ctx: GenerateContext): ServiceHere[] {
  const { local, routes } = ctx.cluster;
  const here: ServiceHere[] = [];
  let i = 0;
  let j = 0;
  while (i < local.length || j < routes.length) {
    const s = local[i];
    const r = routes[j];
    const order =
      s === undefined ? 1 : r === undefined ? -1 : compareText(s.service.name, r.service.service.name);
    if (order === 0 && s !== r?.service) return sorted(ctx);
    if (order <= 0) i++;
    if (order >= 0) j++;
    const service = (order > 0 ? r?.service : s) as ServicePlan;
    const last = here[here.length - 1];
    if (last !== undefined && compareText(last.service.service.name, service.service.name) >= 0)
      return sorted(ctx);
    here.push({ service, route: order < 0 ? undefined : r, local: order <= 0 });
  }
  return here;
}

/** servicesHere for lists that are not in service order. */
function sorted(ctx: GenerateContext): ServiceHere[] {
  const all = new Set<ServicePlan>([...ctx.cluster.local, ...ctx.cluster.routes.map((r) => r.service)]);
  return [...all]
    .sort(byText((s) => s.service.name))
    .map((service) => ({ service, route: routeOf(ctx, service), local: runsHere(ctx, service) }));
}

// Opt-in (defaults.sidecarScope): a Sidecar in each namespace that the topology names as a caller in
// this cluster, which limits the namespace's sidecars to what its workloads may call. Without it
// every sidecar receives configuration for every service its control plane knows, and sidecar memory
// grows with the federation instead of with what a workload calls. Opt-in because a namespace has at
// most one Sidecar without a workload selector: cw must not take the place of the user's own.
//
// What the egress hosts import (pilot/pkg/model/sidecar.go, 1.30.3): a "namespace/host" entry imports
// the services of that namespace whose host matches (ServiceEntries count as services of their own
// namespace), and the VirtualServices of that namespace for that host (convertIstioListenerToWrapper,
// selectServices); DestinationRules are then looked up for the imported services wherever they live
// (selectDestinationRules). The sidecar's DNS proxy answers only the imported services' names
// (BuildNameTable in pkg/dns/server/name_table.go). So a namespace's Sidecar lists, for every call
// its workloads may make across clusters or through a global name:
//   - the global hosts, in cw's namespace, of every route that namespace may use: those that name it
//     and those open to the whole cluster (consumers without namespaces);
//   - the global hosts of the services running here, which any local caller may use, and the
//     Kubernetes Services the mesh VirtualService sends them to (a split's local shares too);
//   - in egress mode, the egress gateway's Service, which the mesh VirtualService sends calls to;
//   - the service's Kubernetes name, in cw's namespace, where a route carries it (kubernetes-name.ts):
//     its VirtualService (and, in a takeover, its ServiceEntry) live there;
//   - "./*" and the root namespace's "istio-system/*", as Istio's own examples do (the mesh config's
//     rootNamespace when --existing shows it).
// Namespaces the topology does not name get no Sidecar: cw cannot know them, and without a Sidecar
// their sidecars see everything exported to them, as if sidecarScope were off.

import { viaEgress } from "../plan/egress-legs.js";
import type { ServicePlan } from "../plan/plan.js";
import { type GenerateContext, type Generator, makeShared } from "./context.js";

/** One Sidecar per namespace; the namespace is in the name so that each has a file of its own. */
export const sidecarName = (namespace: string) => `coddiwomple-${namespace}`;

export const sidecars: Generator = (ctx) => {
  if (!ctx.plan.topology.sidecarScope) return [];
  const named = new Set(ctx.cluster.routes.flatMap((r) => r.callers.namespaces ?? []));
  return [...named].sort().map((namespace) => {
    const first = ctx.cluster.routes.find((r) => r.callers.namespaces?.includes(namespace));
    return makeShared(ctx, first?.service.service.origin ?? ctx.cluster.cluster.origin, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "Sidecar",
      name: sidecarName(namespace),
      namespace,
      spec: {
        egress: [{ hosts: ["./*", `${ctx.cluster.existing.rootNamespace}/*`, ...importsOf(ctx, namespace)] }],
      },
    });
  });
};

/** The "namespace/host" entries of everything a namespace's workloads may call, sorted. */
function importsOf(ctx: GenerateContext, namespace: string): string[] {
  const ns = ctx.plan.topology.namespace;
  const hosts = new Set<string>();
  const global = (s: ServicePlan) => {
    for (const h of s.hosts) hosts.add(`${ns}/${h}`);
  };
  const local = (s: ServicePlan) => {
    const host = s.backends.find((b) => b.cluster === ctx.cluster.cluster)?.backend.host;
    if (host) hosts.add(`${serviceNamespace(host)}/${host}`);
  };
  for (const route of ctx.cluster.routes) {
    const callers = route.callers.namespaces;
    if (callers && !callers.includes(namespace)) continue;
    global(route.service);
    if (route.kubernetesName) hosts.add(`${ns}/${route.kubernetesName.host}`);
    if (route.shares.some((s) => s.kind === "local")) local(route.service);
    const egress = viaEgress(route) ? route.caller.egress : undefined;
    if (egress) hosts.add(`${egress.namespace}/${egress.service}.${egress.namespace}.svc.cluster.local`);
  }
  for (const s of ctx.cluster.local) {
    global(s);
    local(s);
  }
  return [...hosts].sort();
}

/** The namespace of a Kubernetes Service host (<name>.<namespace>.svc.<domain>), else any ("*"). */
function serviceNamespace(host: string): string {
  return /^[^.]+\.([^.]+)\.svc\./.exec(host)?.[1] ?? "*";
}

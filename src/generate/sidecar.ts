// Opt-in (defaults.sidecarScope): a Sidecar in each namespace whose callers the topology names, that
// limits the namespace's sidecars to its own namespace, istio-system and the global services it
// consumes. Without it every sidecar receives configuration for every service its control plane
// knows, and sidecar memory grows with the federation instead of with what a workload calls.
// Opt-in because a namespace has at most one Sidecar without a workload selector: cw must not take
// the place of the user's own.

import type { Generator } from "./context.js";
import type { Generated } from "./resource.js";
import { LABEL_FEDERATION, MANAGED_BY } from "./resource.js";

/** One Sidecar per namespace; the namespace is in the name so that each has a file of its own. */
export const sidecarName = (namespace: string) => `coddiwomple-${namespace}`;

export const sidecars: Generator = (ctx) => {
  if (!ctx.plan.topology.sidecarScope) return [];
  const ns = ctx.plan.topology.namespace;
  const byNamespace = new Map<string, Set<string>>();
  for (const route of ctx.cluster.routes) {
    for (const namespace of route.callers.namespaces ?? []) {
      const hosts = byNamespace.get(namespace) ?? new Set<string>();
      for (const h of route.service.hosts) hosts.add(`${ns}/${h}`);
      byNamespace.set(namespace, hosts);
    }
  }
  return [...byNamespace.keys()].sort().map((namespace): Generated => {
    const first = ctx.cluster.routes.find((r) => r.callers.namespaces?.includes(namespace));
    return {
      resource: {
        apiVersion: ctx.cluster.istio.networking,
        kind: "Sidecar",
        metadata: {
          name: sidecarName(namespace),
          namespace,
          labels: { "app.kubernetes.io/managed-by": MANAGED_BY, [LABEL_FEDERATION]: ctx.plan.topology.name },
        },
        spec: {
          // istio-system/* would also take in every global name when cw's objects live there, and
          // scope nothing; then only the names consumed are listed.
          egress: [
            {
              hosts: [
                "./*",
                ...(ns === "istio-system" ? [] : ["istio-system/*"]),
                ...[...(byNamespace.get(namespace) ?? [])].sort(),
              ],
            },
          ],
        },
      },
      // A Sidecar serves every service its namespace consumes; it is filed under none of them.
      service: "",
      origin: first?.service.service.origin ?? ctx.cluster.cluster.origin,
    };
  });
};

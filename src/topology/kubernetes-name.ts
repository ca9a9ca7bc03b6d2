// routeKubernetesName (seed 002's VirtualService for reviews.default.svc.cluster.local): which name it
// routes. What the setting does in each consumer cluster is checked in checks/kubernetes-name.ts.

import type { Service } from "./model.js";

/**
 * The service's Kubernetes name where a cluster does not run it (routeKubernetesName: everywhere): the
 * host its backends share, else the default <name>.<namespace>.svc.cluster.local. Where it runs, the
 * name is that cluster's backend host.
 */
export function kubernetesHost(s: Pick<Service, "name" | "namespace" | "backends">): string {
  const hosts = new Set(s.backends.map((b) => b.host));
  const [only] = hosts;
  return hosts.size === 1 && only !== undefined ? only : `${s.name}.${s.namespace}.svc.cluster.local`;
}

// routeKubernetesName (seed 002's VirtualService for reviews.default.svc.cluster.local): which name it
// routes, and what the setting does in each consumer cluster, said where it needs saying. A consumer that runs the service
// and sends calls away with a split carries the split on the name; one that does not run it gets the
// name only with "everywhere", and only where its DNS proxy (1.8+) can answer a ServiceEntry for it.

import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Cluster, Service } from "./model.js";
import { at } from "./source.js";

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

export function checkKubernetesName(
  s: Service,
  clusters: ReadonlyMap<string, Cluster>,
  backendClusters: ReadonlySet<string>,
  consumers: ReadonlySet<string>,
): Diagnostic[] {
  const setting = s.routeKubernetesName;
  if (!setting || s.invalidFields?.has("split")) return [];
  const where = at(setting.origin);
  const out: Diagnostic[] = [];
  let carried = false;
  for (const name of [...consumers].sort()) {
    const cluster = clusters.get(name);
    if (!cluster) continue;
    if (backendClusters.has(name)) {
      if (s.split.some((share) => share.cluster !== name)) carried = true;
      continue;
    }
    if (setting.value !== "everywhere") continue;
    const minor = Number(cluster.istioVersion.split(".")[1] ?? "0");
    if (minor < 8) {
      out.push(
        diag("CW1046", { cluster: name, version: cluster.istioVersion, host: kubernetesHost(s) }, where),
      );
      continue;
    }
    carried = true;
    out.push(diag("CW1045", { cluster: name, service: s.name, host: kubernetesHost(s) }, where));
  }
  if (!carried && out.length === 0) {
    out.push(diag("CW1044", { service: s.name, everywhere: setting.value === "everywhere" }, where));
  }
  return out;
}

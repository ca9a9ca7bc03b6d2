// What routeKubernetesName does in each consumer cluster, said where it needs saying. A consumer that
// runs the service and sends calls away with a split carries the split on the name; one that does not
// run it gets the name only with "everywhere", and only where its DNS proxy (1.8+) can answer a
// ServiceEntry for it.

import { diag } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { kubernetesHost } from "../kubernetes-name.js";
import type { Cluster } from "../model.js";
import { at } from "../source.js";
import type { ServiceFacts, TopologyCheck } from "./check.js";

export const kubernetesNames: TopologyCheck = {
  name: "kubernetes-name",
  codes: ["CW1044", "CW1045", "CW1046"],
  run({ services, clusters, report }) {
    for (const facts of services) report(...kubernetesName(facts, clusters));
  },
};

function kubernetesName(
  { service: s, backendClusters, consumers }: ServiceFacts,
  clusters: ReadonlyMap<string, Cluster>,
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

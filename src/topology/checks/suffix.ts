// The cluster's own DNS domain (cluster.local, Kubernetes' default) holds every Service name,
// <service>.<namespace>.svc.cluster.local: a suffix inside it would make global names and aliases
// (reviews.default + svc.cluster.local) the names of real Services, and cw's ServiceEntries would take
// their calls over in every cluster that imports them.

import { diag } from "../../diagnostics/catalog.js";
import { at } from "../source.js";
import type { TopologyCheck } from "./check.js";

const CLUSTER_DOMAIN = "cluster.local";

export const suffix: TopologyCheck = {
  name: "suffix",
  codes: ["CW1040"],
  run({ topology, report }) {
    const suffix = topology.suffix.toLowerCase().replace(/\.$/, "");
    if (suffix !== CLUSTER_DOMAIN && !suffix.endsWith(`.${CLUSTER_DOMAIN}`)) return;
    const where = at(topology.origins.suffix ?? topology.origins.root);
    report(diag("CW1040", { suffix: topology.suffix, domain: CLUSTER_DOMAIN }, where));
  },
};

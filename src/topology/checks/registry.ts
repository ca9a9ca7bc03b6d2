// The registry of the topology's semantic checks, alphabetical: names unique in their list,
// references that resolve, and exports that cw can actually wire. Checks that need derived names
// (host collisions, VIPs) live in the planner, which computes those names; the exports an old Istio
// cannot enforce (CW1022) are found in the plan too, which knows what each cluster exports.

import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { Collector } from "../../diagnostics/reporter.js";
import type { Topology } from "../model.js";
import { backends } from "./backends.js";
import type { TopologyCheck } from "./check.js";
import { clusters } from "./clusters.js";
import { consumers } from "./consumers.js";
import { checkContext } from "./context.js";
import { failover } from "./failover.js";
import { ingress } from "./ingress.js";
import { kubernetesNames } from "./kubernetes-name.js";
import { modes } from "./modes.js";
import { names } from "./names.js";
import { split } from "./split.js";
import { subsets } from "./subsets.js";
import { suffix } from "./suffix.js";

export const TOPOLOGY_CHECKS: readonly TopologyCheck[] = [
  backends,
  clusters,
  consumers,
  failover,
  ingress,
  kubernetesNames,
  modes,
  names,
  split,
  subsets,
  suffix,
];

/** Every check's findings, in no particular order (output sorts them by position). */
export function checkTopology(topology: Topology): Diagnostic[] {
  const collector = new Collector();
  const ctx = checkContext(topology, collector);
  for (const check of TOPOLOGY_CHECKS) check.run(ctx);
  return collector.diagnostics;
}

// Conflicts between what cw generates for a cluster and the config the cluster already has
// (--existing): each analyzer finds one kind, and reports it at the existing object, naming both.
// An error where Istio would certainly break the calls (a rejected listener, a rule that takes cw's
// place), a warning where it depends on labels cw cannot see. The registry is alphabetical.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ExistingCluster, ExistingConfig } from "../existing/model.js";
import type { Generated, Resource } from "../generate/resource.js";
import type { ConflictAnalyzer } from "./existing/analyzer.js";
import { destinationRuleOverlap } from "./existing/destination-rule-overlap.js";
import { duplicateFilterChains } from "./existing/duplicate-filter-chains.js";
import { gatewayServerShadow } from "./existing/gateway-server-shadow.js";
import { sidecarOverlap } from "./existing/sidecar-overlap.js";

export const conflictAnalyzers: readonly ConflictAnalyzer[] = [
  destinationRuleOverlap,
  duplicateFilterChains,
  gatewayServerShadow,
  sidecarOverlap,
];

/** The conflicts cw's objects for one cluster cause with what that cluster already has. */
export function existingConflicts(
  cluster: string,
  generated: readonly Generated[],
  existing: ExistingCluster,
): Diagnostic[] {
  const ours: Resource[] = generated.map((g) => g.resource);
  return conflictAnalyzers.flatMap((a) => a.analyze({ cluster, ours, existing }));
}

/**
 * The same over every cluster: `generated` by cluster name. Clusters without an entry in `existing`
 * are unknown, and nothing is reported for them.
 */
export function conflictsWithExisting(
  generated: ReadonlyMap<string, readonly Generated[]>,
  existing: ExistingConfig,
): Diagnostic[] {
  return [...generated].flatMap(([cluster, objects]) => {
    const known = existing.clusters.get(cluster);
    return known ? existingConflicts(cluster, objects, known) : [];
  });
}

// Every conflict analyzer, in alphabetical order, and the one function that runs them all over every
// cluster whose existing config is known (a cluster without it is unknown: nothing is assumed there).

import { parse as parseYaml } from "yaml";
import { sortDiagnostics } from "../../diagnostics/diagnostic.js";
import { type ConfigObject, type ConflictAnalysis, type ConflictAnalyzer, field } from "./conflict.js";
import { defaultDeny } from "./default-deny.js";
import { destinationRuleHost } from "./destination-rule-host.js";
import { passthroughServer } from "./passthrough-server.js";

export const CONFLICT_ANALYZERS: readonly ConflictAnalyzer[] = [
  defaultDeny,
  destinationRuleHost,
  passthroughServer,
];

export const analyzeConflicts: ConflictAnalysis = (generated, existingByCluster) =>
  sortDiagnostics(
    [...generated].flatMap(([cluster, objects]) => {
      const existing = existingByCluster.get(cluster);
      if (existing === undefined) return [];
      const context = { cluster, generated: objects, existing, rootNamespace: rootNamespace(existing) };
      return CONFLICT_ANALYZERS.flatMap((a) => a.analyze(context));
    }),
  );

/**
 * meshConfig.rootNamespace from the mesh config among the existing objects; unset, Istio's default,
 * istio-system (DefaultMeshConfig in pkg/config/mesh/mesh.go; the Helm chart writes it out).
 */
export function rootNamespace(existing: readonly ConfigObject[]): string {
  for (const o of existing) {
    const text = o.kind === "ConfigMap" && !o.apiVersion.includes("/") ? field(o.data, "mesh") : undefined;
    if (typeof text !== "string") continue;
    try {
      const root = field(parseYaml(text), "rootNamespace");
      if (typeof root === "string" && root !== "") return root;
    } catch {
      // Not YAML: istiod would not start with it either; the default is the best guess.
    }
  }
  return "istio-system";
}

// The conflict analysis for live clusters (cw check --live, the UI's live view): the same questions
// `cw generate --existing` asks (src/analysis/existing-conflicts.ts, one analyzer per conflict), over
// the objects a cluster has as discover reads them, plus whether a deny-by-default policy refuses cw's
// calls where cw's output carries no ALLOW policy of its own (default-deny.ts: output generated
// without --existing). The live objects go through the --existing folder's own reader, as files of
// YAML, so that both paths read a cluster's config alike.

import { parse as parseYaml, stringify } from "yaml";
import { sortDiagnostics } from "../../diagnostics/diagnostic.js";
import { readExisting } from "../../existing/read.js";
import type { Resource } from "../../generate/resource.js";
import { existingConflicts } from "../existing-conflicts.js";
import { type ConfigObject, type ConflictAnalysis, type ConflictAnalyzer, field } from "./conflict.js";
import { defaultDeny } from "./default-deny.js";

/** The live-only analyzers; the rest are generate --existing's. */
export const CONFLICT_ANALYZERS: readonly ConflictAnalyzer[] = [defaultDeny];

export const analyzeConflicts: ConflictAnalysis = (generated, existingByCluster) => {
  const clusters = [...generated.keys()];
  const known = clusters.filter((c) => existingByCluster.has(c));
  const files = known.map((cluster) => ({
    cluster,
    path: `cluster ${cluster}`,
    text: (existingByCluster.get(cluster) ?? []).map((o) => stringify(o)).join("---\n"),
  }));
  // The federation's own objects are left out by whoever read the cluster (discover, status).
  const read = readExisting({ dir: "live", folders: known, files }, "", clusters);
  return sortDiagnostics(
    known.flatMap((cluster) => {
      const objects = generated.get(cluster) ?? [];
      const existing = existingByCluster.get(cluster) ?? [];
      const theirs = read.existing.clusters.get(cluster);
      const shared = theirs ? existingConflicts(cluster, objects.map(asResource), theirs) : [];
      const context = { cluster, generated: objects, existing, rootNamespace: rootNamespace(existing) };
      return [...shared, ...CONFLICT_ANALYZERS.flatMap((a) => a.analyze(context))];
    }),
  );
};

/** A generated object as the generate-side analyzers read it. */
const asResource = (o: ConfigObject): Resource => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: {
    name: o.metadata.name,
    namespace: o.metadata.namespace ?? "default",
    labels: { ...(o.metadata.labels ?? {}) },
  },
  spec: (o.spec ?? {}) as Resource["spec"],
});

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

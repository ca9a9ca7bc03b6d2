// The pipeline: topology -> checks -> plan -> generators -> files. Pure: data in, data out. Every
// stage adds diagnostics; nothing is generated when any of them is an error, so a broken input never
// produces half a configuration.

import { existingConflicts } from "./analysis/existing-conflicts.js";
import { schemaProblem } from "./analysis/schema-check.js";
import { diag } from "./diagnostics/catalog.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics/diagnostic.js";
import { type ClusterOutput, layoutCluster } from "./emit/layout.js";
import { type ExistingConfig, NO_EXISTING } from "./existing/model.js";
import { dnsFiles } from "./generate/dns.js";
import { generators } from "./generate/generators.js";
import { meshSettingsFiles } from "./generate/mesh-settings.js";
import type { Lock } from "./plan/lock.js";
import { type Plan, planFederation } from "./plan/plan.js";
import { NO_PROGRESS, type Progress } from "./progress.js";
import { checkTopology } from "./topology/check.js";
import type { Topology } from "./topology/model.js";
import { at } from "./topology/source.js";

export interface CompileOptions {
  /** Check every generated object against Istio's schemas (default true). */
  readonly validate?: boolean;
  /** Told as each stage starts and as clusters finish; nothing by default. */
  readonly progress?: Progress;
  /**
   * Keep each cluster's generated objects in the result (ClusterOutput.objects), default true. Writing
   * needs only the files: without the objects, memory holds one cluster's objects at a time.
   */
  readonly keepObjects?: boolean;
  /**
   * Receives each cluster's output as soon as it is rendered, in cluster order, and the result holds
   * none (CompileResult.clusters is empty): a writer puts the files on disk and lets them go. Never
   * called after an error is known, but an error can come after some calls (an object that fails
   * validation): only the result's diagnostics say whether the whole output is good.
   */
  readonly onCluster?: (output: ClusterOutput) => void;
  /** The config each cluster already has (--existing): generation adapts to it, conflicts are errors. */
  readonly existing?: ExistingConfig;
}

export interface CompileResult {
  readonly plan?: Plan;
  /** One entry per cluster, by name; empty when there were errors. */
  readonly clusters: readonly ClusterOutput[];
  readonly diagnostics: readonly Diagnostic[];
}

export function compile(topology: Topology, lock: Lock, options: CompileOptions = {}): CompileResult {
  const progress = options.progress ?? NO_PROGRESS;
  progress.stage("check");
  const diagnostics = [...checkTopology(topology)];
  progress.stage("plan");
  const existing = options.existing ?? NO_EXISTING;
  const planned = planFederation(topology, lock, existing);
  diagnostics.push(...planned.diagnostics);
  const plan = planned.plan;
  if (!plan || hasErrors(diagnostics)) {
    return { ...(plan && { plan }), clusters: [], diagnostics: sortDiagnostics(diagnostics) };
  }
  for (const c of plan.clusters) {
    if (!c.istio.security && c.exports.length > 0) {
      diagnostics.push(
        diag(
          "CW1022",
          `cluster "${c.cluster.name}" runs Istio ${c.cluster.istioVersion}, which cannot enforce a DENY AuthorizationPolicy, so its exports are not enforced at the gateway; upgrade to Istio 1.5 or later`,
          at(c.cluster.origins.istioVersion ?? c.cluster.origin),
        ),
      );
    }
  }

  // One cluster at a time, so that with keepObjects false only one cluster's objects are ever in
  // memory: a federation of tens of thousands of services generates millions of them. Once an object
  // fails validation nothing is rendered any more (the result has no clusters), but the remaining
  // clusters are still validated, so that every such bug is reported.
  const total = plan.clusters.length;
  const clusters: ClusterOutput[] = [];
  let invalid = false;
  plan.clusters.forEach((cluster, i) => {
    progress.stage("generate", total);
    progress.advance(i);
    const objects = generators.flatMap((generate) => generate({ plan, cluster }));
    if (options.validate !== false) {
      progress.stage("validate", total);
      progress.advance(i);
      for (const g of objects) {
        const problem = schemaProblem(g.resource);
        if (problem) {
          invalid = true;
          diagnostics.push(
            diag(
              "CW9001",
              `cw generated an invalid ${g.resource.kind} ${g.resource.metadata.name} for cluster ${cluster.cluster.name}: ${problem}; this is a bug in cw, please report it`,
              at(g.origin),
            ),
          );
        }
      }
    }
    const known = existing.clusters.get(cluster.cluster.name);
    const conflicts = known ? existingConflicts(cluster.cluster.name, objects, known) : [];
    diagnostics.push(...conflicts);
    if (hasErrors(conflicts)) invalid = true;
    if (invalid) return;
    progress.stage("render", total);
    progress.advance(i);
    const output = layoutCluster(topology.name, cluster.cluster.name, objects, [
      ...dnsFiles(plan, cluster),
      ...meshSettingsFiles(plan, cluster),
    ]);
    const kept = options.keepObjects === false ? { ...output, objects: [] } : output;
    // Counted before the cluster goes on: a writer's own stage (files) must not get a cluster count.
    progress.advance(i + 1);
    if (options.onCluster) options.onCluster(kept);
    else clusters.push(kept);
  });
  return { plan, clusters: invalid ? [] : clusters, diagnostics: sortDiagnostics(diagnostics) };
}

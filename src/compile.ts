// The pipeline: topology -> checks -> plan -> generators -> files. Pure: data in, data out. Every
// stage adds diagnostics; nothing is generated when any of them is an error, so a broken input never
// produces half a configuration.

import { schemaProblem } from "./analysis/schema-check.js";
import { diag } from "./diagnostics/catalog.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics/diagnostic.js";
import { type ClusterOutput, layoutCluster } from "./emit/layout.js";
import { dnsFiles } from "./generate/dns.js";
import { generators } from "./generate/generators.js";
import type { Lock } from "./plan/lock.js";
import { type Plan, planFederation } from "./plan/plan.js";
import { checkTopology } from "./topology/check.js";
import type { Topology } from "./topology/model.js";
import { at } from "./topology/source.js";

export interface CompileOptions {
  /** Check every generated object against Istio's schemas (default true). */
  readonly validate?: boolean;
}

export interface CompileResult {
  readonly plan?: Plan;
  /** One entry per cluster, by name; empty when there were errors. */
  readonly clusters: readonly ClusterOutput[];
  readonly diagnostics: readonly Diagnostic[];
}

export function compile(topology: Topology, lock: Lock, options: CompileOptions = {}): CompileResult {
  const diagnostics = [...checkTopology(topology)];
  const planned = planFederation(topology, lock);
  diagnostics.push(...planned.diagnostics);
  const plan = planned.plan;
  if (!plan || hasErrors(diagnostics)) {
    return { ...(plan && { plan }), clusters: [], diagnostics: sortDiagnostics(diagnostics) };
  }
  for (const c of plan.clusters) {
    if (!c.istio.security && c.exported.length > 0) {
      diagnostics.push(
        diag(
          "CW1022",
          `cluster "${c.cluster.name}" runs Istio ${c.cluster.istioVersion}, which cannot enforce a DENY AuthorizationPolicy, so its exports are not enforced at the gateway; upgrade to Istio 1.5 or later`,
          at(c.cluster.origins.istioVersion ?? c.cluster.origin),
        ),
      );
    }
  }

  const clusters = plan.clusters.map((cluster) => {
    const objects = generators.flatMap((generate) => generate({ plan, cluster }));
    if (options.validate !== false) {
      for (const g of objects) {
        const problem = schemaProblem(g.resource);
        if (problem) {
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
    return layoutCluster(topology.name, cluster.cluster.name, objects, dnsFiles(plan, cluster));
  });
  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted)
    ? { plan, clusters: [], diagnostics: sorted }
    : { plan, clusters, diagnostics: sorted };
}

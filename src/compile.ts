// The pipeline: topology -> checks -> plan -> generators -> files. Pure: data in, data out. Every
// stage adds diagnostics; nothing is generated when any of them is an error, so a broken input never
// produces half a configuration.

import { existingConflicts } from "./analysis/existing-conflicts.js";
import { schemaProblem } from "./analysis/schema-check.js";
import { diag } from "./diagnostics/catalog.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics/diagnostic.js";
import { type ClusterOutput, type Layout, layoutCluster } from "./emit/layout.js";
import { type ExistingConfig, NO_EXISTING } from "./existing/model.js";
import { dnsFiles } from "./generate/dns.js";
import { generators } from "./generate/generators.js";
import { meshSettingsFiles } from "./generate/mesh-settings.js";
import { clusterKeyer } from "./incremental/cluster-key.js";
import type { Lock } from "./plan/lock.js";
import { type ClusterPlan, type Plan, planFederation } from "./plan/plan.js";
import { NO_PROGRESS, type Progress } from "./progress.js";
import { inShareOrder, type ShareHelpers } from "./shares.js";
import { checkTopology } from "./topology/checks/registry.js";
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
  /** How the files are laid out (emit/layout.ts); one object per file by default. */
  readonly layout?: Layout;
  /**
   * Give each cluster's output its key (incremental/cluster-key.ts), with this salt: whatever else the
   * output depends on (cw's own code, the options). Without it, outputs have no key.
   */
  readonly salt?: string;
  /**
   * Asked with each cluster's key (given a salt): true when last run's files for that key are there to
   * keep. The cluster is then not generated again; its output has `reused` and only the DNS and mesh
   * settings, which are always made.
   */
  readonly reuse?: (cluster: string, key: string) => boolean;
  /** Threads that make some of the clusters too (the output is the same, in the same order). */
  readonly helpers?: ClusterHelpers;
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
  const keyOf = options.salt === undefined ? undefined : clusterKeyer(plan, existing, options.salt);
  const context = { ...options, progress, existing };

  // Each cluster whose key says last run's files hold keeps them; the others are made, here or by
  // helper threads (options.helpers), and handed on in cluster order. With keepObjects false only a
  // few clusters' objects are ever in memory: a federation of tens of thousands of services generates
  // millions of them. Once an object fails validation nothing is rendered any more (the result has
  // no clusters), but the remaining clusters are still validated, so that every such bug is reported.
  const clusters: ClusterOutput[] = [];
  const state = { invalid: false };
  let i = 0;
  for (const compiled of inOrder(plan, context, keyOf, state)) {
    i++;
    diagnostics.push(...compiled.diagnostics);
    if (hasErrors(compiled.diagnostics)) state.invalid = true;
    if (state.invalid || !compiled.output) continue;
    // Counted before the cluster goes on: a writer's own stage (files) must not get a cluster count.
    progress.advance(i);
    if (options.onCluster) options.onCluster(compiled.output);
    else clusters.push(compiled.output);
  }
  return { plan, clusters: state.invalid ? [] : clusters, diagnostics: sortDiagnostics(diagnostics) };
}

/** What a helper sends for a cluster it took: its key, and what it made (nothing: last run's holds). */
export interface HelperResult {
  /** The cluster's name in the helper's plan, by which compile() checks that the plan is the same. */
  readonly name: string;
  readonly key?: string;
  readonly made?: ClusterResult;
}

/**
 * Other threads that make some of the clusters (cli/cluster-helpers.ts), each from its own plan of
 * the same input, which is the same plan: planning is deterministic. They and compile() take the
 * plan's clusters from one queue (shares.ts), so that neither waits while the other has much left.
 */
export type ClusterHelpers = ShareHelpers<HelperResult>;

/** Each cluster's result, in the plan's order: kept, made here, or made by a helper. */
function* inOrder(
  plan: Plan,
  options: ClusterOptions,
  keyOf: ((cluster: ClusterPlan) => string) | undefined,
  state: { readonly invalid: boolean },
): Generator<ClusterResult> {
  const total = plan.clusters.length;
  const settle = (index: number, theirs?: HelperResult): ClusterResult => {
    const cluster = plan.clusters[index] as ClusterPlan;
    if (theirs?.made) return theirs.made;
    const key = theirs?.key ?? keyOf?.(cluster);
    if (key !== undefined && options.reuse?.(cluster.cluster.name, key)) {
      return { output: keptOutput(plan, cluster, key), diagnostics: [] };
    }
    const place = { index, total, render: !state.invalid, ...(key !== undefined && { key }) };
    return compileCluster(plan, cluster, options, place);
  };
  const helpers = total > 1 ? options.helpers : undefined;
  if (!helpers) {
    // One at a time: each goes on to the writer before the next is made.
    for (let index = 0; index < total; index++) yield settle(index);
    return;
  }
  const differs = (index: number, theirs: HelperResult) => {
    const name = plan.clusters[index]?.cluster.name;
    return theirs.name === name ? undefined : `the helper's plan differs at ${name}`;
  };
  yield* inShareOrder(total, helpers, settle, differs);
}

export interface ClusterResult {
  /** Absent when an object failed validation or conflicts with the cluster's config (errors). */
  readonly output?: ClusterOutput;
  readonly diagnostics: readonly Diagnostic[];
}

type ClusterOptions = CompileOptions & { readonly progress: Progress; readonly existing: ExistingConfig };

/** Where a cluster is in the run: its place, its key, and whether output is still wanted. */
interface ClusterPlace {
  readonly index: number;
  readonly total: number;
  readonly key?: string;
  /** False once another cluster had an error: the cluster is only checked. */
  readonly render: boolean;
}

const settingFiles = (plan: Plan, cluster: ClusterPlan) => [
  ...dnsFiles(plan, cluster),
  ...meshSettingsFiles(plan, cluster),
];

/** A cluster whose key says last run's files hold: only its settings, which are always made. */
const keptOutput = (plan: Plan, cluster: ClusterPlan, key: string): ClusterOutput => ({
  cluster: cluster.cluster.name,
  files: settingFiles(plan, cluster),
  objects: [],
  key,
  reused: true,
});

/**
 * One cluster: its objects generated, checked against Istio's schemas and the config the cluster
 * already has, and laid out as files.
 */
export function compileCluster(
  plan: Plan,
  cluster: ClusterPlan,
  options: ClusterOptions,
  { index, total, key, render }: ClusterPlace,
): ClusterResult {
  const { progress } = options;
  const name = cluster.cluster.name;
  const settings = settingFiles(plan, cluster);
  progress.stage("generate", total);
  progress.advance(index);
  const objects = generators.flatMap((generate) => generate({ plan, cluster }));
  const diagnostics: Diagnostic[] = [];
  if (options.validate !== false) {
    progress.stage("validate", total);
    progress.advance(index);
    for (const g of objects) {
      const problem = schemaProblem(g.resource);
      if (problem) {
        diagnostics.push(
          diag(
            "CW9001",
            { kind: g.resource.kind, name: g.resource.metadata.name, cluster: name, problem },
            at(g.origin),
          ),
        );
      }
    }
  }
  const known = options.existing.clusters.get(name);
  if (known) {
    diagnostics.push(
      ...existingConflicts(
        name,
        objects.map((g) => g.resource),
        known,
      ),
    );
  }
  if (hasErrors(diagnostics) || !render) return { diagnostics };
  progress.stage("render", total);
  progress.advance(index);
  const output = layoutCluster(plan.topology.name, name, objects, settings, options.layout ?? "object");
  // A cluster with warnings of its own is made again next time, so that they are said again.
  const keep = key !== undefined && diagnostics.length === 0 ? { key } : {};
  return {
    output: { ...output, ...keep, objects: options.keepObjects === false ? [] : output.objects },
    diagnostics,
  };
}

// A helper thread of `cw generate` (cluster-helpers.ts says why and how): reads and plans the input as
// the main thread does, then takes clusters from the shared queue, and for each sends back its key and
// what it made (nothing when the key is the one last run recorded: its files are kept).

import { type ClusterResult, compileCluster } from "../compile.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { type ExistingConfig, NO_EXISTING } from "../existing/model.js";
import { clusterKeyer } from "../incremental/cluster-key.js";
import { type Plan, planFederation } from "../plan/plan.js";
import { NO_PROGRESS } from "../progress.js";
import { type HelperJob, type SentResult, sentResult } from "./cluster-helpers.js";
import { withExisting } from "./generate.js";
import { helperSide } from "./helper-threads.js";
import { parseInputs } from "./load.js";

const { job, take, send } = helperSide<HelperJob, SentResult>();

/** The plan the main thread makes of the same input (generate-folder.ts, compile.ts). */
function plan() {
  const loaded = withExisting(parseInputs(job.options, job.input), job.folder);
  if (!loaded.topology || hasErrors(loaded.diagnostics)) throw new Error("the input does not read");
  const existing = loaded.existing ?? NO_EXISTING;
  const planned = planFederation(loaded.topology, loaded.lock, existing);
  if (!planned.plan) throw new Error("the input does not plan");
  return { plan: planned.plan, existing };
}

function makeClusters({ plan, existing }: { plan: Plan; existing: ExistingConfig }): void {
  const options = {
    validate: job.validate,
    layout: job.layout,
    keepObjects: false,
    progress: NO_PROGRESS,
    existing,
  };
  const keyOf = job.salt === undefined ? undefined : clusterKeyer(plan, existing, job.salt);
  const total = plan.clusters.length;
  for (let index = take(total); index !== undefined; index = take(total)) {
    const cluster = plan.clusters[index] as Plan["clusters"][number];
    const name = cluster.cluster.name;
    const key = keyOf?.(cluster);
    let made: ClusterResult | undefined;
    if (key === undefined || job.recorded.get(name) !== key) {
      const place = { index, total, render: true, ...(key !== undefined && { key }) };
      made = compileCluster(plan, cluster, options, place);
    }
    const { sent, transfer } = sentResult({ name, ...(key !== undefined && { key }), ...(made && { made }) });
    send({ index, result: sent }, transfer);
  }
}

try {
  makeClusters(plan());
} catch (e) {
  send({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

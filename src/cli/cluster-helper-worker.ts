// A helper thread of `cw generate` (cluster-helpers.ts says why and how): reads and plans the input as
// the main thread does, then takes clusters from the shared queue and sends each one's result back.

import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { type ClusterWork, compileCluster } from "../compile.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { NO_EXISTING } from "../existing/model.js";
import { planFederation } from "../plan/plan.js";
import { NO_PROGRESS } from "../progress.js";
import { type HelperJob, type HelperMessage, NEXT, SENT } from "./cluster-helpers.js";
import { withExisting } from "./generate.js";
import { parseInputs } from "./load.js";

interface Data {
  readonly job: HelperJob;
  readonly state: SharedArrayBuffer;
  readonly port: MessagePort;
}

const { job, state: buffer, port } = workerData as Data;
const state = new Int32Array(buffer);
const send = (message: HelperMessage) => {
  port.postMessage(message);
  Atomics.add(state, SENT, 1);
  Atomics.notify(state, SENT);
};

/** The plan the main thread makes of the same input (generate-folder.ts, compile.ts). */
function plan() {
  const loaded = withExisting(parseInputs(job.options, job.input), job.folder);
  if (!loaded.topology || hasErrors(loaded.diagnostics)) throw new Error("the input does not read");
  const existing = loaded.existing;
  const planned = planFederation(loaded.topology, loaded.lock, existing ?? NO_EXISTING);
  if (!planned.plan) throw new Error("the input does not plan");
  return { plan: planned.plan, ...(existing && { existing }) };
}

function makeClusters(work: readonly ClusterWork[], planned: ReturnType<typeof plan>): void {
  const options = {
    validate: job.validate,
    layout: job.layout,
    keepObjects: false,
    progress: NO_PROGRESS,
    existing: planned.existing ?? NO_EXISTING,
  };
  for (let position = Atomics.add(state, NEXT, 1); position < work.length; ) {
    Atomics.add(state, SENT, 1); // a sign of life: a position taken
    const { index, name, key } = work[position] as ClusterWork;
    const cluster = planned.plan.clusters[index];
    if (cluster?.cluster.name !== name) throw new Error(`internal: the helper's plan differs at ${name}`);
    const place = { index, total: planned.plan.clusters.length, render: true };
    const result = compileCluster(planned.plan, cluster, options, {
      ...place,
      ...(key !== undefined && { key }),
    });
    send({ position, result });
    position = Atomics.add(state, NEXT, 1);
  }
}

try {
  const planned = plan();
  parentPort?.once("message", (work: readonly ClusterWork[]) => {
    try {
      makeClusters(work, planned);
    } catch (e) {
      send({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
} catch (e) {
  send({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

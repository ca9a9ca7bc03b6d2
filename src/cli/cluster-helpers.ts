// Threads that make clusters beside the main one, so that `cw generate` of a large federation uses a
// second core for generating, validating and rendering, which are most of its time.
//
// A helper does not receive the plan: copying a plan of millions of objects' worth between threads
// costs about what making it does. It gets the input's texts instead and reads and plans them itself,
// while the main thread does the same (on another core, so at no cost in wall time), and planning is
// deterministic: the same texts give the same plan, and so the same clusters, byte for byte. Then
// both take the plan's clusters from one queue (a shared counter): whoever takes a cluster computes
// its key, and makes it unless the key is the one the output folder's manifest recorded. The helper
// starts as soon as its plan is made (it does not wait for the main thread's checks), sends what it
// did for each cluster back, and compile() hands the results on in cluster order (src/compile.ts).
//
// compile() is synchronous; helper-threads.ts says how it waits for a helper, and what happens to
// one that fails. The helper's code is src/cli/cluster-helper-worker.ts.

import type { ClusterResult, HelperResult } from "../compile.js";
import { type OutputMessage, outputMessage, outputOfMessage } from "../emit/layout.js";
import type { Layout } from "../emit/layouts.js";
import type { ExistingFolder } from "./existing-folder.js";
import { type HelperThreads, helperCount, helperHeapMb, startHelperThreads } from "./helper-threads.js";
import type { InputTexts } from "./load.js";
import type { InputOptions, Jobs } from "./options.js";

/** What a helper needs to make the same plan as the main thread, and to make clusters as it does. */
export interface HelperJob {
  readonly options: InputOptions;
  readonly input: InputTexts;
  readonly folder?: ExistingFolder;
  readonly validate: boolean;
  readonly layout: Layout;
  /** What cluster keys are salted with (run-key.ts clusterSalt); none: no keys. */
  readonly salt?: string;
  /** The keys the output folder's manifest records, by cluster: those clusters need not be made. */
  readonly recorded: ReadonlyMap<string, string>;
}

/**
 * A HelperResult as the helper sends it: the output of a cluster it made as an OutputMessage, whose
 * bytes move to the main thread rather than being copied.
 */
export interface SentResult {
  readonly name: string;
  readonly key?: string;
  readonly made?: {
    readonly diagnostics: ClusterResult["diagnostics"];
    readonly output?: OutputMessage;
  };
}

export function sentResult({ name, key, made }: HelperResult): { sent: SentResult; transfer: ArrayBuffer[] } {
  const output = made?.output && outputMessage(made.output);
  const sent = made && { diagnostics: made.diagnostics, ...(output && { output }) };
  return {
    sent: { name, ...(key !== undefined && { key }), ...(sent && { made: sent }) },
    transfer: output ? [output.bytes] : [],
  };
}

const receivedResult = ({ name, key, made }: SentResult): HelperResult => ({
  name,
  ...(key !== undefined && { key }),
  ...(made && {
    made: { diagnostics: made.diagnostics, ...(made.output && { output: outputOfMessage(made.output) }) },
  }),
});

/**
 * A helper holds a plan of its own, and its garbage. Measured at 500 x 50,000 (a 14.4 MB topology,
 * 2026-12-07, dist build): the topology and plan kept alive are 0.54 GiB, about 40 bytes per byte of
 * input; left to itself a helper's heap grew to twice that and more (peak resident set 2.6 GiB on one
 * thread, 4.8 GiB with a helper), so its heap is limited to HELPER_HEAP_PER_INPUT_BYTE, twice what it
 * keeps alive (1,152 MB there): then the peak was 2.7-3.5 GiB over runs, 265 bytes per byte of input
 * at most. `--jobs auto` starts a helper only while that estimate stays under MEMORY_BUDGET, the peak
 * cw promises for a run (the README's targets); `--jobs 2` trades more memory for time beyond it. A
 * topology whose plan is much larger than its text (consumers "*" of many services) can run a helper
 * out of memory: it is then given up (helper-threads.ts) and the main thread makes its clusters.
 */
const PEAK_PER_INPUT_BYTE_WITH_HELPER = 265;
const HELPER_HEAP_PER_INPUT_BYTE = 80;

/** How many helpers `--jobs` starts for this input (helper-threads.ts helperCount). */
export const clusterHelperCount = (jobs: Jobs, input: InputTexts): number =>
  helperCount(jobs, input, PEAK_PER_INPUT_BYTE_WITH_HELPER);

export type RunningHelpers = HelperThreads<HelperResult>;

/**
 * Starts `count` helpers on the job; they read and plan at once, then take clusters. Each helper's
 * heap is limited to `heapMb`: by default twice what the input's plan keeps alive (above).
 */
export function startHelpers(
  job: HelperJob,
  count: number,
  heapMb = helperHeapMb(job.input, HELPER_HEAP_PER_INPUT_BYTE),
): RunningHelpers {
  return startHelperThreads<HelperResult, SentResult>(
    { source: "./cluster-helper-worker.ts", bundle: "./cluster-helper.js" },
    job,
    count,
    { receive: receivedResult, heapMb },
  );
}

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

import { availableParallelism } from "node:os";
import type { HelperResult } from "../compile.js";
import type { Layout } from "../emit/layouts.js";
import type { ExistingFolder } from "./existing-folder.js";
import { type HelperThreads, startHelperThreads } from "./helper-threads.js";
import type { InputTexts } from "./load.js";
import type { InputOptions } from "./options.js";

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

/** Input smaller than this is made faster on one thread than a helper starts and plans it. */
export const HELPER_THRESHOLD = 256 * 1024;

/**
 * A helper holds a plan of its own, and its garbage: measured at 500 x 50,000 (a 14.4 MB topology,
 * 2026-12-07), the peak resident set was 2.6 GiB on one thread and 4.6 GiB with a helper, about 190
 * and 340 bytes per byte of input. `--jobs auto` starts a helper only while the estimate stays under
 * MEMORY_BUDGET, the peak cw promises for a run (the README's targets); `--jobs 2` trades more memory
 * for time on larger input.
 */
const PEAK_PER_INPUT_BYTE_WITH_HELPER = 340;
export const MEMORY_BUDGET = 4 * 2 ** 30;

/** How many helpers `--jobs auto` starts for input of this size: one, on a machine of several cores. */
export const autoHelpers = (inputBytes: number): number =>
  inputBytes >= HELPER_THRESHOLD &&
  inputBytes * PEAK_PER_INPUT_BYTE_WITH_HELPER <= MEMORY_BUDGET &&
  availableParallelism() > 1
    ? 1
    : 0;

export type RunningHelpers = HelperThreads<HelperResult>;

/** Starts `count` helpers on the job; they read and plan at once, then take clusters. */
export const startHelpers = (job: HelperJob, count: number): RunningHelpers =>
  startHelperThreads({ source: "./cluster-helper-worker.ts", bundle: "./cluster-helper.js" }, job, count);

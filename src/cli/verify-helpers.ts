// Threads that verify shares of the services beside the main one, so that `cw verify` of a large
// federation uses a second core: tracing its millions of checks is nearly all of its time. A helper
// gets the topology's texts and the folders' paths, reads them and builds a tracer of its own, as the
// main thread does (on another core, at no cost in wall time); then both take shares of the services
// from one queue, and the main thread merges the summaries in share order (analysis/verify.ts
// verifySummary), so the report is byte for byte the one a single thread writes. How the main thread
// waits for a helper, and gives up one that fails: helper-threads.ts. The helper's code is
// src/cli/verify-helper-worker.ts.

import type { ShareSummary } from "../analysis/verify.js";
import { type HelperThreads, helperCount, helperHeapMb, startHelperThreads } from "./helper-threads.js";
import type { InputTexts } from "./load.js";
import type { InputOptions, Jobs } from "./options.js";

/** What a helper needs to verify what the main thread verifies. */
export interface VerifyJob {
  readonly options: InputOptions;
  readonly input: InputTexts;
  /** The output folder, and the folder of the clusters' existing config (--existing). */
  readonly out: string;
  readonly existing?: string;
}

/**
 * A helper holds the clusters' config and indexes of its own. Measured at 500 x 10,000 (a 2.95 MB
 * topology, 2026-12-07, dist build, idle): the peak resident set was 2.2 GiB on one thread and 4.5 GiB
 * with a helper whose heap was not limited; with its heap limited to 1,200 MB (400 bytes per byte of
 * input, as below), 3.3 GiB, about 1,200 bytes per byte of input. `--jobs auto` starts one while
 * the estimate (with a margin) stays under the budget: up to a topology of about 3 MB.
 */
const PEAK_PER_INPUT_BYTE_WITH_HELPER = 1400;
const HELPER_HEAP_PER_INPUT_BYTE = 400;

/** How many helpers `--jobs` starts for this input (helper-threads.ts helperCount). */
export const verifyHelperCount = (jobs: Jobs, input: InputTexts): number =>
  helperCount(jobs, input, PEAK_PER_INPUT_BYTE_WITH_HELPER);

export type RunningVerifyHelpers = HelperThreads<ShareSummary>;

/** Starts `count` helpers on the job; they read the input and the folder at once, then take shares. */
export function startVerifyHelpers(job: VerifyJob, count: number): RunningVerifyHelpers {
  const heapMb = helperHeapMb(job.input, HELPER_HEAP_PER_INPUT_BYTE);
  return startHelperThreads(
    { source: "./verify-helper-worker.ts", bundle: "./verify-helper.js" },
    job,
    count,
    {
      heapMb,
    },
  );
}

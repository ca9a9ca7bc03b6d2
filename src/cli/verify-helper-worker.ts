// A helper thread of `cw verify` (verify-helpers.ts says why and how): reads the topology and the
// folders as the main thread does, then takes shares of the services from the shared queue and sends
// back each share's summary.

import {
  type ShareSummary,
  shareCount,
  summarizeShare,
  type VerifyInput,
  verifyTracer,
} from "../analysis/verify.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { helperSide } from "./helper-threads.js";
import { parseInputs } from "./load.js";
import { readWithExisting } from "./output-folder.js";
import type { VerifyJob } from "./verify-helpers.js";

const { job, take, send } = helperSide<VerifyJob, ShareSummary>();

/** What the main thread verifies (cli/verify.ts). */
function verifyInput(): VerifyInput {
  const loaded = parseInputs(job.options, job.input);
  if (!loaded.topology || hasErrors(loaded.diagnostics)) throw new Error("the input does not read");
  const folder = readWithExisting(job.out, job.existing, loaded.topology.name);
  return { topology: loaded.topology, clusters: folder.clusters, withExisting: job.existing !== undefined };
}

try {
  const input = verifyInput();
  const tracer = verifyTracer(input);
  const total = shareCount(input.topology);
  for (let share = take(total); share !== undefined; share = take(total))
    send({ index: share, result: summarizeShare(input, tracer, share) });
} catch (e) {
  send({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

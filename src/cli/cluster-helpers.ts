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
// compile() is synchronous, so the main thread waits for a helper's result with Atomics.wait and
// reads it with receiveMessageOnPort. A helper that fails, or stops answering, is given up: the main
// thread makes what it had taken itself, so a helper can make a run faster but never wrong.
//
// The helper's code is src/cli/cluster-helper-worker.ts. From the sources (tsx, vitest) the worker
// loads it through tsx; from the package, dist/cluster-helper.js (scripts/build.ts makes it).

import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { ClusterHelpers, ClusterResult, HelperResult } from "../compile.js";
import { type OutputMessage, outputMessage, outputOfMessage } from "../emit/layout.js";
import type { Layout } from "../emit/layouts.js";
import type { ExistingFolder } from "./existing-folder.js";
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

/** What the helper sends on its port. */
export type HelperMessage =
  | { readonly index: number; readonly result: SentResult }
  | { readonly failed: string };

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

// Slots of the shared Int32Array.
export const NEXT = 0; // the index of the next cluster to take, for every thread
export const SENT = 1; // results sent, and 1 more whenever a helper takes a cluster or fails

/** A helper that has given no sign of life for this long while being waited for is given up. */
const SILENCE_MS = 120_000;

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

export interface RunningHelpers extends ClusterHelpers {
  /** Ends the helpers (whether or not they are done); safe to call twice. */
  close(): void;
  /** Why a helper was given up, if one was (for tests: the run's output is the same either way). */
  failure(): string | undefined;
}

/** Starts `count` helpers on the job; they read and plan at once, then take clusters. */
export function startHelpers(job: HelperJob, count: number): RunningHelpers {
  const state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const helpers = Array.from({ length: count }, () => {
    const channel = new MessageChannel();
    channel.port1.unref();
    return { worker: startWorker(job, state.buffer, channel.port2), port: channel.port1 };
  });
  let gone: string | undefined;

  const giveUp = (why: string) => {
    gone ??= why;
    for (const h of helpers) void h.worker.terminate();
  };
  // Results received while waiting for another one, until compile() collects them. Once the helpers
  // are given up nothing more of theirs is used, not even what they sent before.
  const arrived = new Map<number, HelperResult>();
  const receive = () => {
    for (const { port } of helpers) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const message = m.message as HelperMessage;
        if ("failed" in message) giveUp(message.failed);
        else arrived.set(message.index, receivedResult(message.result));
      }
    }
    if (gone !== undefined) arrived.clear();
  };
  return {
    take(total) {
      const index = Atomics.add(state, NEXT, 1);
      return index < total ? index : undefined;
    },
    reject: giveUp,
    collect(into) {
      receive();
      for (const [index, result] of arrived) into.set(index, result);
      arrived.clear();
    },
    wait(index) {
      let heard = performance.now();
      for (;;) {
        receive();
        const result = arrived.get(index);
        if (result) {
          arrived.delete(index);
          return result;
        }
        if (gone !== undefined) return undefined;
        const seen = Atomics.load(state, SENT);
        if (Atomics.wait(state, SENT, seen, 1000) !== "timed-out") heard = performance.now();
        else if (performance.now() - heard > SILENCE_MS) giveUp(`no answer for ${SILENCE_MS / 1000} s`);
      }
    },
    failure: () => gone,
    close() {
      giveUp("closed");
      for (const h of helpers) h.port.close();
    },
  };
}

// Runs the helper's module: through tsx when cw runs from its TypeScript sources, as is.
const BOOT = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => {
  workerData.port.postMessage({ failed: e instanceof Error ? e.stack ?? e.message : String(e) });
});
`;

/** tsx's module API, as an ES module (its CommonJS one registers nothing from a worker's eval). */
function tsxApi(): string {
  const cjs = createRequire(import.meta.url).resolve("tsx/esm/api");
  return pathToFileURL(cjs.replace(/\.cjs$/, ".mjs")).href;
}

function startWorker(job: HelperJob, state: SharedArrayBuffer, port: MessagePort): Worker {
  const fromSources = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSources ? "./cluster-helper-worker.ts" : "./cluster-helper.js", import.meta.url);
  const tsx = fromSources ? tsxApi() : "";
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: { job, state, port, entry: entry.href, tsx },
    transferList: [port],
    // The helper's errors reach the main thread as messages; its console goes nowhere.
    stdout: process.env.CW_DEBUG_HELPERS === undefined,
    stderr: process.env.CW_DEBUG_HELPERS === undefined,
  });
  worker.unref();
  return worker;
}

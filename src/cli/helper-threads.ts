// Threads that take shares of a command's work beside the main thread: `cw generate`'s clusters
// (cluster-helpers.ts) and `cw verify`'s services (verify-helpers.ts). Each helper is given the
// command's input (texts and paths, never the main thread's objects: copying those between threads
// costs about what making them does), makes what the main thread makes of it, and then it and the
// main thread take shares from one queue (a shared counter), so that neither waits while the other
// has much left. The main thread hands the results on in share order, so a run's output is the same
// with helpers as without.
//
// The main thread's work is synchronous, so it waits for a helper's result with Atomics.wait and reads
// it with receiveMessageOnPort. A helper that fails, or stops answering, is given up: the main thread
// does what it had taken itself, so a helper can make a run faster but never wrong.
//
// From the sources (tsx, vitest) the worker loads the helper's module through tsx; from the package,
// its bundle beside cw.js (scripts/build.ts makes one per helper).

import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
  workerData,
} from "node:worker_threads";
import type { ShareHelpers } from "../shares.js";
import type { InputTexts } from "./load.js";
import type { Jobs } from "./options.js";

/** Input smaller than this is done faster on one thread than a helper starts and reads it. */
const HELPER_THRESHOLD = 256 * 1024;

/** The peak memory cw promises for a run (the README's targets): `--jobs auto` stays under it. */
const MEMORY_BUDGET = 4 * 2 ** 30;

/** The size of a command's input texts, in UTF-16 code units, which the helpers' estimates are in. */
export const inputSize = (input: InputTexts): number =>
  input.files.reduce((sum, f) => sum + (f.text?.length ?? 0), 0);

/** The least heap a helper is given, whatever the input's size: room to start and read small input. */
const HELPER_HEAP_FLOOR_MB = 1024;

/** A helper's heap limit (HelperOptions.heapMb) for this input, at `perInputByte` bytes per byte of it. */
export const helperHeapMb = (input: InputTexts, perInputByte: number): number =>
  Math.max(HELPER_HEAP_FLOOR_MB, Math.ceil((inputSize(input) * perInputByte) / 2 ** 20));

/**
 * How many helpers `--jobs auto` starts for input of this size: one on a machine of several cores,
 * while the peak a run with a helper is estimated at (bytes per byte of input) stays under the budget.
 */
export const autoHelperCount = (inputBytes: number, peakPerInputByteWithHelper: number): number =>
  inputBytes >= HELPER_THRESHOLD &&
  inputBytes * peakPerInputByteWithHelper <= MEMORY_BUDGET &&
  availableParallelism() > 1
    ? 1
    : 0;

/** How many helpers `--jobs` asks for: one fewer than the threads, or for auto, autoHelperCount's. */
export const helperCount = (jobs: Jobs, input: InputTexts, peakPerInputByteWithHelper: number): number =>
  jobs === "auto" ? autoHelperCount(inputSize(input), peakPerInputByteWithHelper) : jobs - 1;

/** What a helper sends on its port: the result of a share it took, or why it gave up. */
export type HelperMessage<R> = { readonly index: number; readonly result: R } | { readonly failed: string };

// Slots of the shared Int32Array.
const NEXT = 0; // the index of the next share to take, for every thread
const SENT = 1; // results sent, and 1 more whenever a helper takes a share or fails

/** A helper that has given no sign of life for this long while being waited for is given up. */
const SILENCE_MS = 120_000;

/** The helpers, as the main thread sees them: what work in shares needs of them (shares.ts), and more. */
export interface HelperThreads<R> extends ShareHelpers<R> {
  /** Ends the helpers (whether or not they are done); safe to call twice. */
  close(): void;
  /** Why the helpers were given up, if they were (for tests: the run's output is the same either way). */
  failure(): string | undefined;
}

/** A helper's module: its source beside this file, and its bundle beside cw.js. */
export interface HelperModule {
  readonly source: string;
  readonly bundle: string;
}

/** How helpers are started: what their results become here, and how much memory each may take. */
export interface HelperOptions<S, R> {
  /** What a result becomes on the main thread, from what the helper sent (by default, itself). */
  readonly receive?: (sent: S) => R;
  /**
   * The most a helper's heap may hold, in MB: V8 then collects its garbage before it grows further
   * (without a limit a helper's heap grew to twice what it kept alive). A helper that runs out is
   * given up once it has been silent for SILENCE_MS, and the main thread makes what it had taken.
   */
  readonly heapMb?: number;
}

/** Starts `count` helpers of `module` on `job`. */
export function startHelperThreads<R, S = R>(
  module: HelperModule,
  job: unknown,
  count: number,
  options: HelperOptions<S, R> = {},
): HelperThreads<R> {
  const state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const helpers = Array.from({ length: count }, () => {
    const channel = new MessageChannel();
    channel.port1.unref();
    const worker = startWorker(module, { job, state: state.buffer, port: channel.port2 }, options.heapMb);
    // A helper that dies (out of memory, say) would otherwise take the process with it: Node throws a
    // Worker's unhandled "error" event. Heard when the main thread's work is over or it waits no more.
    worker.on("error", (e) => giveUp(`the helper stopped: ${e instanceof Error ? e.message : String(e)}`));
    return { worker, port: channel.port1 };
  });
  let gone: string | undefined;
  const decode = options.receive ?? ((sent: S) => sent as unknown as R);

  const giveUp = (why: string) => {
    gone ??= why;
    for (const h of helpers) void h.worker.terminate();
  };
  // Results received while waiting for another one, until they are collected. Once the helpers are
  // given up nothing more of theirs is used, not even what they sent before.
  const arrived = new Map<number, R>();
  const receive = () => {
    for (const { port } of helpers) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const message = m.message as HelperMessage<S>;
        if ("failed" in message) giveUp(message.failed);
        else arrived.set(message.index, decode(message.result));
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
        if (result !== undefined) {
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

/** The helper's side, in its worker: its job, the shared queue, and its port. */
export interface HelperSide<J, R> {
  readonly job: J;
  /** Takes the next of `total` shares (and says it is alive): its index, or undefined if none is left. */
  take(total: number): number | undefined;
  /** Sends a message; the buffers in `transfer` move to the main thread instead of being copied. */
  send(message: HelperMessage<R>, transfer?: readonly ArrayBuffer[]): void;
}

export function helperSide<J, R>(): HelperSide<J, R> {
  const data = workerData as { job: J; state: SharedArrayBuffer; port: MessagePort };
  const state = new Int32Array(data.state);
  const signal = () => {
    Atomics.add(state, SENT, 1);
    Atomics.notify(state, SENT);
  };
  return {
    job: data.job,
    take(total) {
      const index = Atomics.add(state, NEXT, 1);
      if (index >= total) return undefined;
      signal(); // a sign of life: a share taken
      return index;
    },
    send(message, transfer = []) {
      data.port.postMessage(message, transfer);
      signal();
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

function startWorker(
  module: HelperModule,
  data: { job: unknown; state: SharedArrayBuffer; port: MessagePort },
  heapMb: number | undefined,
): Worker {
  const fromSources = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSources ? module.source : module.bundle, import.meta.url);
  const tsx = fromSources ? tsxApi() : "";
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: { ...data, entry: entry.href, tsx },
    transferList: [data.port],
    ...(heapMb !== undefined && { resourceLimits: { maxOldGenerationSizeMb: heapMb } }),
    // The helper's errors reach the main thread as messages; its console goes nowhere.
    stdout: process.env.CW_DEBUG_HELPERS === undefined,
    stderr: process.env.CW_DEBUG_HELPERS === undefined,
  });
  worker.unref();
  return worker;
}

// Creating many new files without making compile wait for the disk. The first `cw generate` of a large
// federation writes a file per object, over a million of them, and each costs an open, a write and a
// close: tens of microseconds in memory, hundreds on a disk. Done inline, that time adds to
// generating and rendering, which keep one core busy; here a worker thread does the system calls on
// the other core while the caller goes on rendering the next cluster.
//
// The caller stays synchronous (compile is pure and synchronous; only this edge knows about threads):
// files go to the worker in batches through postMessage (a batch's bytes in one buffer, moved to the
// worker rather than copied, and written as they are), a shared counter of the bytes not yet
// written holds the caller back (Atomics.wait) when the worker falls behind, so memory stays bounded,
// and close() blocks until every file is on disk, then reports the first failure, if any.
//
// The worker's code is a small CommonJS script run with `eval`, so it needs no loader for TypeScript
// and works the same from the sources (tsx), a build, or a test runner.

import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { concatBytes } from "./byte-buffer.js";

export interface FileSink {
  /** Create (or overwrite) these files; their folders are made as needed. Returns at once. */
  write(files: readonly { readonly path: string; readonly bytes: Uint8Array }[]): void;
  /** How many files are on disk so far. */
  written(): number;
  /**
   * Wait until every file is written, telling `waiting` how many are, about once a second; throws the
   * first error the worker met (nothing after it ran).
   */
  close(waiting?: (written: number) => void): void;
  /**
   * Stop writing: files not yet written are skipped. Returns once the worker has stopped, so that
   * nothing appears after the caller deletes the folder.
   */
  abort(): void;
}

// Slots of the shared Int32Array.
const PENDING = 0; // bytes handed over and not yet written
const DONE = 1; // set to 1 by the worker once it has handled the final message
const FAILED = 2; // set to 1 by the worker at its first error
const CANCEL = 3; // set to 1 by abort(): skip what is left
const WRITTEN = 4; // files written so far

// Past this many bytes in flight, write() waits for the worker: a few clusters' worth of files.
const HIGH_WATER = 32 * 1024 * 1024;

const WORKER = `
const { closeSync, mkdirSync, openSync, writeSync } = require("node:fs");
const { dirname } = require("node:path");
const { parentPort, workerData } = require("node:worker_threads");
const state = new Int32Array(workerData.state);
const report = workerData.report;
const made = new Set();
let failed = false;
parentPort.on("message", (message) => {
  if (message === null) {
    Atomics.store(state, ${DONE}, 1);
    Atomics.notify(state, ${DONE});
    return;
  }
  const { paths, ends } = message;
  const bytes = Buffer.from(message.bytes);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    const start = i === 0 ? 0 : ends[i - 1];
    if (failed || Atomics.load(state, ${CANCEL}) === 1) continue;
    try {
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      const fd = openSync(path, "w");
      try {
        writeSync(fd, bytes, start, ends[i] - start);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      failed = true;
      report.postMessage(e instanceof Error ? e.message : String(e));
      Atomics.store(state, ${FAILED}, 1);
    }
  }
  Atomics.add(state, ${WRITTEN}, paths.length);
  Atomics.sub(state, ${PENDING}, bytes.length);
  Atomics.notify(state, ${PENDING});
});
`;

/** A sink whose files are written by a worker thread; absolute or cwd-relative paths. */
export function openFileSink(): FileSink {
  const state = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  const channel = new MessageChannel();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { state: state.buffer, report: channel.port2 },
    transferList: [channel.port2],
  });
  // The worker must never keep the process alive on its own; close() and abort() end it.
  worker.unref();
  channel.port1.unref();
  let open = true;

  // The final message; the worker answers it after every batch before it.
  const drain = (waiting?: (written: number) => void) => {
    worker.postMessage(null);
    while (Atomics.wait(state, DONE, 0, 1000) === "timed-out") waiting?.(Atomics.load(state, WRITTEN));
  };
  const end = () => {
    open = false;
    void worker.terminate();
    channel.port1.close();
  };

  return {
    write(files) {
      if (!open) throw new Error("internal: write after close");
      if (files.length === 0) return;
      const message = batch(files);
      const units = message.bytes.byteLength;
      // Wait while too much is in flight. The counter only falls, so each wait ends soon.
      for (let now = Atomics.load(state, PENDING); now > HIGH_WATER; now = Atomics.load(state, PENDING)) {
        Atomics.wait(state, PENDING, now, 1000);
      }
      Atomics.add(state, PENDING, units);
      worker.postMessage(message, [message.bytes]);
    },

    written: () => Atomics.load(state, WRITTEN),

    close(waiting) {
      if (!open) return;
      drain(waiting);
      const failed = Atomics.load(state, FAILED) === 1;
      const why = failed ? receiveMessageOnPort(channel.port1)?.message : undefined;
      end();
      if (failed) throw new Error(typeof why === "string" ? why : "a file could not be written");
    },

    abort() {
      if (!open) return;
      Atomics.store(state, CANCEL, 1);
      drain();
      end();
    },
  };
}

/** A batch of files as one message: their paths, their bytes one after another, and where each ends. */
function batch(files: readonly { readonly path: string; readonly bytes: Uint8Array }[]) {
  const { bytes, ends } = concatBytes(files.map((f) => f.bytes));
  return { paths: files.map((f) => f.path), ends, bytes };
}

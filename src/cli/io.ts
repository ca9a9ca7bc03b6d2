// The terminal, as the CLI sees it: two text streams, and progress for long runs when stderr is a
// terminal. Tests pass their own to capture output.

import { type TerminalProgress, terminalProgress } from "./progress.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where long runs show how far they got; absent when stderr is not a terminal. */
  readonly progress?: TerminalProgress;
}

// A reader that goes away early (`cw generate ... -o - | head`) closes stdout under cw: what is left to
// print is not wanted, so cw stops printing and finishes quietly instead of dying on EPIPE.
let stdoutClosed = false;
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  stdoutClosed = true;
});

export const processIo: Io = {
  out: (text) => {
    if (!stdoutClosed) process.stdout.write(text);
  },
  err: (text) => process.stderr.write(text),
  ...(process.stderr.isTTY && { progress: terminalProgress((text) => process.stderr.write(text)) }),
};

export const ExitCode = {
  ok: 0,
  inputErrors: 1,
  usage: 2,
  /** A live cluster could not be read or refused changes (discover, diff, apply). */
  clusterFailed: 3,
  /** cw diff: a cluster's live config differs from the generated one. */
  differs: 4,
  /** A bug in cw (CW9001), never a problem of the input: EX_SOFTWARE of sysexits.h. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

// The terminal, as the CLI sees it: two text streams, whether each may carry colour, and progress for
// long runs when stderr is a terminal. Tests pass their own to capture output.

import { type TerminalProgress, terminalProgress } from "./progress.js";
import { type Paint, painter } from "./style.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where long runs show how far they got; absent when stderr is not a terminal. */
  readonly progress?: TerminalProgress;
  /** Colours for what goes to out and to err; absent (or plain) when piped or NO_COLOR is set. */
  readonly paint?: { readonly out: Paint; readonly err: Paint };
}

/**
 * Colour on a terminal, none when piped, redirected or on a dumb terminal; NO_COLOR (any value but
 * empty, https://no-color.org) turns it off and FORCE_COLOR (any but empty or 0) on, in that order.
 */
export function wantsColor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
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
  paint: {
    out: painter(wantsColor(process.stdout, process.env)),
    err: painter(wantsColor(process.stderr, process.env)),
  },
};

/** The colours of a stream of io: none unless io says so. */
export const paintOut = (io: Io): Paint => io.paint?.out ?? painter(false);
export const paintErr = (io: Io): Paint => io.paint?.err ?? painter(false);

export const ExitCode = {
  ok: 0,
  inputErrors: 1,
  /** cw diff: a cluster's live config differs from the generated one (1, as kubectl diff). */
  differs: 1,
  usage: 2,
  /** A live cluster could not be read or refused changes (discover, diff, apply). */
  clusterFailed: 3,
  // 4 is retired: it was cw diff's "differences found" before diff followed kubectl.
  /** cw diff: the input has errors (1 means "differences" there, so errors are above 1). */
  diffInputErrors: 5,
  /** A bug in cw (CW9001), never a problem of the input: EX_SOFTWARE of sysexits.h. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

// Progress on a terminal: one line on stderr, redrawn in place, that names the stage and counts what
// it has done ("cw: rendering 312/500 clusters"). Only long runs show it: nothing is drawn in the first
// half second, and the line is redrawn at most ten times a second. When stderr is not a terminal (piped,
// redirected, CI), the CLI uses no progress at all, so nothing extra reaches logs.

import type { Progress, Stage } from "../progress.js";

export interface TerminalProgress extends Progress {
  /** Clear the line, if one was drawn; call before writing anything else to the terminal. */
  done(): void;
}

const LABELS: Record<Stage, { readonly verb: string; readonly unit: string }> = {
  parse: { verb: "reading the topology", unit: "" },
  check: { verb: "checking", unit: "" },
  plan: { verb: "planning", unit: "" },
  generate: { verb: "generating", unit: "clusters" },
  validate: { verb: "validating", unit: "clusters" },
  render: { verb: "rendering", unit: "clusters" },
  write: { verb: "writing", unit: "files" },
};

export interface TerminalProgressOptions {
  /** Milliseconds before anything is drawn (default 500). */
  readonly delay?: number;
  /** Milliseconds between redraws (default 100). */
  readonly interval?: number;
  /** The clock, in milliseconds (default performance.now). */
  readonly now?: () => number;
}

export function terminalProgress(
  write: (text: string) => void,
  options: TerminalProgressOptions = {},
): TerminalProgress {
  const now = options.now ?? (() => performance.now());
  const delay = options.delay ?? 500;
  const interval = options.interval ?? 100;
  const started = now();
  let drawnAt = Number.NEGATIVE_INFINITY;
  let shown = false;
  let stage: Stage | undefined;
  let total: number | undefined;
  let count = 0;
  // compile takes each cluster through generate, validate, render and write in turn, so stages that
  // count the same things (clusters of the same total; files) take up the count where the last one
  // left it, rather than showing "0/500" every time a stage begins.
  const counts = new Map<string, number>();
  const countKey = () => `${stage === undefined ? "" : LABELS[stage].unit}/${total ?? ""}`;

  const draw = () => {
    const t = now();
    if (stage === undefined || t - started < delay || t - drawnAt < interval) return;
    drawnAt = t;
    shown = true;
    const { verb, unit } = LABELS[stage];
    const counted =
      total !== undefined
        ? ` ${count}/${total}${unit ? ` ${unit}` : ""}`
        : count > 0
          ? ` ${count}${unit ? ` ${unit}` : ""}`
          : "";
    // \r back to the line's start, \x1b[K clears what a longer earlier line left behind.
    write(`\rcw: ${verb}${counted}\x1b[K`);
  };

  return {
    stage(name, of) {
      stage = name;
      total = of;
      count = counts.get(countKey()) ?? 0;
      draw();
    },
    advance(done) {
      count = done;
      counts.set(countKey(), done);
      draw();
    },
    done() {
      if (shown) write("\r\x1b[K");
      shown = false;
      stage = undefined;
    },
  };
}

// How far a long run got, for whoever wants to know: the CLI draws it on a terminal (cli/progress.ts),
// the benchmark times the stages with it, everyone else passes nothing. The core only calls it; it
// never decides whether or how progress shows, so compile and write stay free of terminal concerns.

/** The stages of `cw generate`, in the order they run. */
export type Stage = "parse" | "check" | "plan" | "generate" | "validate" | "render" | "write";

export interface Progress {
  /** A stage starts (and the previous one ends); `total` is how many items it counts, when known. */
  stage(name: Stage, total?: number): void;
  /** `done` of the current stage's items are finished. */
  advance(done: number): void;
}

export const NO_PROGRESS: Progress = { stage: () => {}, advance: () => {} };

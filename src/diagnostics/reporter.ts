// Where a stage reports what it finds, instead of each function taking a list to push into: the
// readers, the salvage of a partly wrong part and the checks all report through one of these.

import type { Diagnostic } from "./diagnostic.js";

export interface Reporter {
  report(...diagnostics: readonly Diagnostic[]): void;
}

/** A reporter that keeps what it is told, in the order told (output sorts them by position). */
export class Collector implements Reporter {
  readonly diagnostics: Diagnostic[] = [];

  report(...diagnostics: readonly Diagnostic[]): void {
    this.diagnostics.push(...diagnostics);
  }
}

/** A reporter that drops what it is told: for a read whose problems are reported elsewhere. */
export const IGNORE: Reporter = { report: () => undefined };

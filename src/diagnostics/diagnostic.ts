// A problem found in the user's input or output folder. Diagnostics are data: stages return them
// instead of throwing, so one run reports every problem at once. Only bugs throw.

import { compareText } from "../compare.js";

export type Level = "error" | "warning";

/** A point in a source file, 1-based like editors show it. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Length of the span to underline on that line (at least 1). */
  readonly length: number;
}

export interface Diagnostic {
  readonly code: string;
  readonly level: Level;
  /** One sentence: what is wrong, then what to do. */
  readonly message: string;
  readonly location?: Location;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.level === "error");

/** Sort by file, line, column, then code, so reports are stable whatever order checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) =>
    [d.location?.file ?? "", d.location?.line ?? 0, d.location?.col ?? 0] as const;
  return [...diagnostics].sort((a, b) => {
    const [fa, la, ca] = key(a);
    const [fb, lb, cb] = key(b);
    return compareText(fa, fb) || la - lb || ca - cb || compareText(a.code, b.code);
  });
}

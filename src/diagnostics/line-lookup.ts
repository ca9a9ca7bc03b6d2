// The lines diagnostics quote, from the texts they point into. A text is split into lines once, when a
// diagnostic first quotes it: a run with no diagnostic pays nothing, and a run with one warning per
// cluster of a 15 MB topology splits it once, not once per warning (500 splits took 30 s).

import type { LineLookup } from "./format.js";

/** A LineLookup over `texts` (by file), asking `fallback` for files it does not have. */
export function lineLookup(
  texts: Iterable<readonly [string, string | undefined]>,
  fallback?: LineLookup,
): LineLookup {
  const known = new Map<string, string>();
  for (const [file, text] of texts) if (text !== undefined && !known.has(file)) known.set(file, text);
  const split = new Map<string, readonly string[]>();
  return (file, line) => {
    const text = known.get(file);
    if (text === undefined) return fallback?.(file, line);
    let lines = split.get(file);
    if (lines === undefined) {
      lines = text.split(/\r?\n/);
      split.set(file, lines);
    }
    return lines[line - 1];
  };
}

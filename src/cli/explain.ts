// `cw explain CODE`: the long form of a diagnostic code, or the list of all codes.

import { catalog, isCode } from "../diagnostics/catalog.js";
import { ExitCode, type Io } from "./io.js";
import { UsageError } from "./load.js";

export function runExplain(code: string | undefined, io: Io): ExitCode {
  if (code === undefined) {
    for (const [c, entry] of Object.entries(catalog))
      io.out(`${c}  ${entry.level.padEnd(7)}  ${entry.title}\n`);
    return ExitCode.ok;
  }
  const upper = code.toUpperCase();
  if (!isCode(upper)) throw new UsageError(`no diagnostic code ${code}; run cw explain to list them`);
  const entry = catalog[upper];
  io.out(`${upper} (${entry.level}): ${entry.title}\n\n${wrap(entry.explain, 100)}\n`);
  return ExitCode.ok;
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

// `cw explain [CODE]`: the long form of a diagnostic code, or the list of all codes; and `cw schema`,
// the JSON Schema of the topology file. Both print reference text, as text or for tools.

import { type CatalogEntry, catalog, isCode } from "../diagnostics/catalog.js";
import { federationJsonSchema } from "../topology/schema.js";
import { ExitCode, type Io } from "./io.js";
import type { Format } from "./options.js";
import { printResult, structured } from "./report.js";
import { UsageError } from "./usage-error.js";

export function runExplain(code: string | undefined, format: Format, io: Io): ExitCode {
  if (code === undefined) {
    printResult(
      io,
      format,
      () => Object.entries(catalog).map(([c, entry]) => described(c, entry)),
      () =>
        Object.entries(catalog)
          .map(([c, entry]) => `${c}  ${entry.level.padEnd(7)}  ${entry.title}\n`)
          .join(""),
    );
    return ExitCode.ok;
  }
  const upper = code.toUpperCase();
  if (!isCode(upper)) throw new UsageError(`no diagnostic code ${code}; run cw explain to list them`);
  const entry = catalog[upper];
  printResult(
    io,
    format,
    () => described(upper, entry),
    () => {
      const retired = (entry as CatalogEntry).retired;
      const note = retired === undefined ? "" : `\n\nRetired: ${wrap(retired, 100)}`;
      return `${upper} (${entry.level}): ${entry.title}\n\n${wrap(entry.explain, 100)}${note}\n`;
    },
  );
  return ExitCode.ok;
}

/** An entry as data: its message template is code, not part of what explain prints. */
const described = (code: string, entry: CatalogEntry) => ({
  code,
  level: entry.level,
  title: entry.title,
  explain: entry.explain,
  ...(entry.retired !== undefined && { retired: entry.retired }),
});

/** `cw schema`: as shipped in schema/federation.schema.json (JSON), or as YAML. */
export function runSchema(format: "json" | "yaml", io: Io): ExitCode {
  io.out(structured(federationJsonSchema(), format));
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

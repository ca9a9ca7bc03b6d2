// How commands print: diagnostics to stderr (text with source lines, or a JSON/YAML list for tools)
// and their result to stdout (text, or one JSON/YAML document). One place, so every command that
// takes --format prints it the same way.

import { stringify } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnosticsData, formatText, type LineLookup, summary } from "../diagnostics/format.js";
import { type Io, paintErr } from "./io.js";
import type { Format } from "./options.js";

/** One document for tools; YAML without anchors, since a tool reads each value where it stands. */
export function structured(data: unknown, format: Exclude<Format, "text">): string {
  return format === "json"
    ? `${JSON.stringify(data, null, 2)}\n`
    : stringify(data, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Diagnostics on stderr. In JSON or YAML the list is printed even when empty, for tools to read. */
export function reportDiagnostics(
  io: Io,
  diagnostics: readonly Diagnostic[],
  lineOf: LineLookup,
  format: Format,
): void {
  if (format !== "text") io.err(structured(diagnosticsData(diagnostics), format));
  else if (diagnostics.length > 0) {
    const paint = paintErr(io);
    const highlight = (part: "error" | "warning" | "caret", text: string) =>
      paint(part === "warning" ? "yellow" : "red", part === "caret" ? text : paint("bold", text));
    io.err(`${formatText(diagnostics, lineOf, highlight)}\n${summary(diagnostics)}\n`);
  }
}

/** The command's result on stdout: `text()` for people, `data()` for tools. */
export function printResult(io: Io, format: Format, data: () => unknown, text: () => string): void {
  io.out(format === "text" ? text() : structured(data(), format));
}

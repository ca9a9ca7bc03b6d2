// Diagnostics for people (file:line:col, the source line and a caret under the problem) and for tools
// (JSON, one object per diagnostic).

import type { Diagnostic } from "./diagnostic.js";

/** Returns the text of `line` (1-based) of `file`, if the file is known. */
export type LineLookup = (file: string, line: number) => string | undefined;

/** Marks parts of the text (the level, the caret) for a terminal; plain by default. */
export type Highlight = (part: "error" | "warning" | "caret", text: string) => string;

export function formatText(
  diagnostics: readonly Diagnostic[],
  lineOf: LineLookup,
  highlight: Highlight = (_part, text) => text,
): string {
  return diagnostics
    .map((d) => {
      const loc = d.location;
      const head = `${loc ? `${loc.file}:${loc.line}:${loc.col}: ` : ""}${highlight(d.level, d.level)} ${d.code}: ${d.message}`;
      const text = loc && lineOf(loc.file, loc.line);
      if (!loc || text === undefined) return head;
      const gutter = String(loc.line).length;
      const caret = `${" ".repeat(Math.max(0, loc.col - 1))}${highlight("caret", "^".repeat(loc.length))}`;
      return `${head}\n ${String(loc.line)} | ${text}\n ${" ".repeat(gutter)} | ${caret}`;
    })
    .join("\n");
}

/** One plain object per diagnostic, as tools read them (JSON or YAML). */
export function diagnosticsData(diagnostics: readonly Diagnostic[]) {
  return diagnostics.map((d) => ({
    code: d.code,
    level: d.level,
    message: d.message,
    ...(d.location && { file: d.location.file, line: d.location.line, column: d.location.col }),
  }));
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(diagnosticsData(diagnostics), null, 2);
}

export function summary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.level === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

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
      const excerpt = sourceExcerpt(text, loc.col, loc.length);
      const gutter = String(loc.line).length;
      const caret = `${" ".repeat(excerpt.col - 1)}${highlight("caret", "^".repeat(excerpt.length))}`;
      return `${head}\n ${String(loc.line)} | ${excerpt.text}\n ${" ".repeat(gutter)} | ${caret}`;
    })
    .join("\n");
}

/** At most this many characters of a source line are shown, however long the line is. */
const EXCERPT = 120;

/**
 * The part of a source line to show under a diagnostic: the whole line when it is short, else a
 * window around the problem marked with "..." (a minified or deeply nested file can have a line of
 * megabytes), with control characters shown as escapes. `col` and `length` are the caret's, moved
 * into the window.
 */
export function sourceExcerpt(
  line: string,
  col: number,
  length: number,
): { text: string; col: number; length: number } {
  // Control characters (all but the tab, which keeps the caret aligned) would reach the terminal raw.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  const clean = (t: string) => t.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, "?");
  if (line.length <= EXCERPT) return { text: clean(line), col, length: Math.max(1, length) };
  const start = Math.max(0, Math.min(col - 1 - 40, line.length - EXCERPT));
  const end = Math.min(line.length, start + EXCERPT);
  const before = start > 0 ? "..." : "";
  const after = end < line.length ? "..." : "";
  const caretCol = col - start + before.length;
  return {
    text: `${before}${clean(line.slice(start, end))}${after}`,
    col: caretCol,
    length: Math.max(1, Math.min(length, end - (col - 1))),
  };
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

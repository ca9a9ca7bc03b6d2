// A source file read with positions. Every later stage refers to input by (file, path); this module
// turns such a reference back into file:line:col, so diagnostics can point at the exact token.

import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** A reference into an input file; resolved to a Location only when a diagnostic needs it. */
export interface Origin {
  readonly source: Source;
  readonly path: Path;
}

export interface Source {
  readonly file: string;
  readonly text: string;
  /** The plain data (JSON-compatible) of the document, or undefined when it did not parse. */
  readonly data: unknown;
  /** Where `path` is. `at: "key"` points at a mapping key instead of its value (for unknown fields). */
  locate(path: Path, at?: "key" | "value"): Location;
  /** Source line `line` (1-based) without its newline, for the caret display. */
  lineText(line: number): string;
}

export interface ParsedSource {
  readonly source: Source;
  readonly diagnostics: Diagnostic[];
}

/** Parse YAML or JSON (JSON is read as YAML 1.2, which it is a subset of) keeping node positions. */
export function parseSource(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: "1.2" });
  const lines = text.split(/\r?\n/);
  const pos = (offset: number, end: number): Location => {
    const { line, col } = lineCounter.linePos(Math.min(offset, text.length));
    const lineLength = (lines[line - 1] ?? "").length;
    const length = Math.max(1, Math.min(end - offset, lineLength - col + 1));
    return { file, line, col, length };
  };

  const locate = (path: Path, at: "key" | "value" = "value"): Location => {
    let node: unknown = doc.contents;
    let best: [number, number] = [0, 0];
    const rangeOf = (n: unknown): [number, number] | undefined => {
      const range = (n as Node | null)?.range;
      return range ? [range[0], range[1]] : undefined;
    };
    best = rangeOf(node) ?? best;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) return pos(...best);
        const keyRange = rangeOf(pair.key);
        if (last && at === "key" && keyRange) return pos(...keyRange);
        node = pair.value;
        // A key with no value (`ports:`) has no value node: point at the key.
        best = rangeOf(node) ?? keyRange ?? best;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) return pos(...best);
        node = item;
        best = rangeOf(node) ?? best;
      } else {
        return pos(...best);
      }
    }
    return pos(...best);
  };

  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const [start, end] = e.pos;
    const message = e.message.replace(/ at line \d+, column \d+.*$/s, "").trim();
    return diag(
      "CW1001",
      `${message}; fix the syntax at this position (check indentation, colons, quotes and brackets).`,
      pos(start, end),
    );
  });
  const data = diagnostics.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  const source: Source = { file, text, data, locate, lineText: (line) => lines[line - 1] ?? "" };
  return { source, diagnostics };
}

export const at = (origin: Origin, where: "key" | "value" = "value"): Location =>
  origin.source.locate(origin.path, where);

export const child = (origin: Origin, ...segments: PathSegment[]): Origin => ({
  source: origin.source,
  path: [...origin.path, ...segments],
});

// A source file read with positions. Every later stage refers to input by (file, path); this module
// turns such a reference back into file:line:col, so diagnostics can point at the exact token.

import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";
import { PlainPositions } from "../yaml/plain-positions.js";
import { readPlainDocument } from "../yaml/plain-yaml.js";
import { lowerFirst, syntaxCause } from "./syntax-cause.js";

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

/**
 * Parse YAML or JSON (JSON is read as YAML 1.2, which it is a subset of) keeping node positions.
 * Plain block YAML, which is what topologies are, is read by the fast reader (src/yaml/plain-yaml.ts),
 * and its positions found on request, without the library (plain-positions.ts). Whatever the fast
 * reader declines, syntax errors among it, the library reads and reports as before.
 */
export function parseSource(file: string, text: string): ParsedSource {
  const data = readPlainDocument(text, { version: "1.2", flow: true, crlf: true });
  if (data === undefined) return parseWithLibrary(file, text);
  let positions: PlainPositions | undefined;
  let lines: string[] | undefined;
  const source: Source = {
    file,
    text,
    data,
    locate: (path, at) => {
      positions ??= new PlainPositions(text, "1.2");
      return { file, ...positions.locate(path, at) };
    },
    lineText: (line) => {
      lines ??= text.split(/\r?\n/);
      return lines[line - 1] ?? "";
    },
  };
  return { source, diagnostics: [] };
}

/** The yaml library's reading of the text: its values, positions and syntax errors. */
export function parseWithLibrary(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: "1.2" });
  const lines = text.split(/\r?\n/);
  const pos: Span = (offset, end) => {
    const { line, col } = lineCounter.linePos(Math.min(offset, text.length));
    const lineLength = (lines[line - 1] ?? "").length;
    const length = Math.max(1, Math.min(end - offset, lineLength - col + 1));
    return { file, line, col, length };
  };
  const locate = locator(doc, pos);
  const problem = firstProblem(file, text, doc, pos);
  const read = problem ? { diagnostics: [problem] } : toData(doc, pos, locate);
  const source: Source = { file, text, data: read.data, locate, lineText: (line) => lines[line - 1] ?? "" };
  return { source, diagnostics: read.diagnostics };
}

/** A Location from a span of character offsets into the text. */
type Span = (offset: number, end: number) => Location;
type Doc = ReturnType<typeof parseDocument>;

/** Where a path is in the document: the deepest node on the path that exists. */
function locator(doc: Doc, pos: Span): Source["locate"] {
  const rangeOf = (n: unknown): [number, number] | undefined => {
    const range = (n as Node | null)?.range;
    return range ? [range[0], range[1]] : undefined;
  };
  return (path, at = "value") => {
    let node: unknown = doc.contents;
    let best: [number, number] = rangeOf(node) ?? [0, 0];
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
}

/** One syntax error: the first cause. What follows it in the file is mostly the parser's confusion. */
function firstProblem(file: string, text: string, doc: Doc, pos: Span): Diagnostic | undefined {
  const problem = doc.errors.length > 0 ? syntaxCause(file, text, doc.errors) : undefined;
  return problem ? diag("CW1001", problem.message, pos(problem.start, problem.end)) : notPlain(doc, pos);
}

/**
 * cw's files hold text, numbers, true/false, lists and mappings, and keys that are text. A key that
 * is a list or a mapping (`[a]: b`), or a value a tag turns into something else (`!!binary`), would
 * be turned into text by the library with a warning of Node's own: say where it is instead.
 */
function notPlain(doc: Doc, pos: Span): Diagnostic | undefined {
  let found: Diagnostic | undefined;
  const refuse = (node: Node, message: string) => {
    found = diag("CW1001", message, pos(node.range?.[0] ?? 0, node.range?.[1] ?? 0));
    return visit.BREAK;
  };
  visit(doc, {
    Pair(_, pair) {
      if (pair.key === null) return undefined;
      if (isScalar(pair.key) && !isPlainValue(pair.key.value))
        return refuse(pair.key as Node, "this key is not plain text; write the key as a name");
      if (!isScalar(pair.key)) {
        return refuse(
          pair.key as Node,
          "this key is a list or a mapping, but keys in cw's files are plain names; write the key as text",
        );
      }
      return undefined;
    },
    Scalar(_, scalar) {
      if (isPlainValue(scalar.value)) return undefined;
      return refuse(
        scalar,
        `the tag ${(scalar.tag ?? "").replace("tag:yaml.org,2002:", "!!")} makes this value something other than text, a number or true/false; remove the tag`,
      );
    },
  });
  return found;
}

/** The document's plain data, unless it expands aliases too often or nests too deep. */
function toData(
  doc: Doc,
  pos: Span,
  locate: Source["locate"],
): { data?: unknown; diagnostics: Diagnostic[] } {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // toJS throws only for alias bombs (an anchor expanded too often): a problem of the input.
    const message = `${lowerFirst((e as Error).message)}; write the values out instead of using so many YAML aliases (*name)`;
    return { diagnostics: [diag("CW1001", message, pos(0, 0))] };
  }
  const tooDeep = pathDeeperThan(data, MAX_DEPTH);
  if (!tooDeep) return { data, diagnostics: [] };
  const message = `the lists and mappings here are nested more than ${MAX_DEPTH} levels deep; a topology needs a few, so check the brackets and indentation`;
  return { diagnostics: [diag("CW1001", message, locate(tooDeep))] };
}

/** Deeper than any input of cw's needs (a Federation is about seven levels deep). */
const MAX_DEPTH = 64;

/**
 * The path of a value nested deeper than `max`, if there is one. Iterative, so that depth itself
 * cannot overflow the stack here; later stages recurse over the data and are spared such input.
 */
function pathDeeperThan(data: unknown, max: number): Path | undefined {
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value: data, path: [] }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (value === null || typeof value !== "object") continue;
    if (path.length >= max) return path;
    const entries: [PathSegment, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
    for (const [seg, v] of entries) stack.push({ value: v, path: [...path, seg] });
  }
  return undefined;
}

const isPlainValue = (v: unknown): boolean =>
  v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** The value at `path` in plain data, or undefined when the path leads nowhere. */
export function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export const at = (origin: Origin, where: "key" | "value" = "value"): Location =>
  origin.source.locate(origin.path, where);

/**
 * A place below another: it keeps its parent and one more segment, and spells its path out only
 * when asked (a diagnostic). A topology holds dozens of origins per service; each with a copy of its
 * whole path, they were most of a large topology's memory.
 */
class ChildOrigin implements Origin {
  constructor(
    private readonly parent: Origin,
    private readonly segment: PathSegment,
  ) {}
  get source(): Source {
    return this.parent.source;
  }
  get path(): Path {
    const segments: PathSegment[] = [this.segment];
    let at: Origin = this.parent;
    while (at instanceof ChildOrigin) {
      segments.push(at.segment);
      at = at.parent;
    }
    return [...at.path, ...segments.reverse()];
  }
}

export const child = (origin: Origin, ...segments: PathSegment[]): Origin =>
  segments.reduce<Origin>((parent, segment) => new ChildOrigin(parent, segment), origin);

// Where a path is in a text that the fast reader (plain-yaml.ts) accepted, exactly as the yaml
// library's node ranges put it, without the library: a diagnostic on a large topology should not
// cost a second, slower parse. Only the lines on the way to the path are read, and the entries of
// each block collection on the way are found once, by indentation, and kept.
// The library's ranges, as its composer sets them (yaml src/compose/resolve-block-map.ts,
// resolve-block-seq.ts, resolve-flow-collection.ts, compose-scalar.ts), seen through the caller's
// clamp to one line: a block collection starts at its first key or "-" and runs to the end of that
// line; a flow collection from its bracket to the closing one; a scalar over its text, quotes
// included; an empty value sits after the ":" or "-" and the spaces after it, one character long.

import { isItem, keyName, quoted, splitKey } from "./plain-yaml.js";

/** A 1-based line and column and the length to underline on that line. */
export interface LinePosition {
  readonly line: number;
  readonly col: number;
  readonly length: number;
}

type Segment = string | number;
/** A node on the way: a block collection at (line, col), or a value written inline at (line, col). */
type Node =
  | { readonly kind: "map" | "seq"; readonly line: number; readonly col: number }
  | { readonly kind: "inline" | "empty"; readonly line: number; readonly col: number };

/** A flow node's offsets within its line, with its entries when it is a collection. */
interface FlowNode {
  readonly start: number;
  readonly end: number;
  readonly items?: FlowNode[];
  readonly entries?: {
    readonly key: string;
    readonly start: number;
    readonly end: number;
    readonly value: FlowNode;
  }[];
}

export class PlainPositions {
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  /** Indent of each line, -1 for a blank or comment-only line. */
  private readonly indents: number[] = [];
  private readonly entries = new Map<string, number[]>();

  constructor(
    private readonly text: string,
    private readonly version: "1.1" | "1.2",
  ) {
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const length = end > start && text.charCodeAt(end - 1) === 13 ? end - start - 1 : end - start;
      let indent = 0;
      while (indent < length && text.charCodeAt(start + indent) === 32) indent++;
      const blank = indent === length || text[start + indent] === "#";
      this.starts.push(start);
      this.lengths.push(length);
      this.indents.push(blank ? -1 : indent);
      start = end + 1;
    }
  }

  private lineText(line: number): string {
    const start = this.starts[line] as number;
    return this.text.slice(start, start + (this.lengths[line] as number));
  }

  /** Where `path` is: the deepest node on it that exists (source.ts `locator`, the library's way). */
  locate(path: readonly Segment[], at: "key" | "value" = "value"): LinePosition {
    const first = this.indents.findIndex((i) => i >= 0);
    let node: Node = { kind: "map", line: first, col: 0 };
    let best = this.span(node);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as Segment;
      const last = i === path.length - 1;
      if (node.kind === "map") {
        const found = this.mapEntry(node, seg);
        if (!found) return best;
        if (last && at === "key") return found.key;
        node = found.value;
      } else if (node.kind === "seq" && typeof seg === "number") {
        const line = this.itemsOf(node)[seg];
        if (line === undefined) return best;
        node = this.after(line, node.col + 1, node.col);
      } else if (node.kind === "inline" && "[{".includes(this.lineText(node.line)[node.col] ?? "")) {
        return this.inFlow(node, path.slice(i), at, best);
      } else return best;
      best = this.span(node);
    }
    return best;
  }

  /** The value of the entry `seg` of a block mapping, and its key's span. */
  private mapEntry(node: Node, seg: Segment): { key: LinePosition; value: Node } | undefined {
    for (const line of this.entriesOf(node, false)) {
      const col = line === node.line ? node.col : (this.indents[line] as number);
      const text = this.lineText(line);
      const kv = splitKey(text.slice(col)) as { key: string; rest: string };
      if (keyName(kv.key, this.version) !== String(seg)) continue;
      const key = { line: line + 1, col: col + 1, length: kv.key.length };
      return { key, value: this.after(line, col + kv.key.length + 1, col) };
    }
    return undefined;
  }

  private itemsOf(node: Node): number[] {
    return this.entriesOf(node, true);
  }

  /**
   * The lines where the entries of the block collection at `node` start: its first line and every
   * later line at its column, up to the first line left of it. A mapping's key lines skip the "- "
   * items of a sequence written at the key's own indent; a sequence ends at a line that is not "- ".
   */
  private entriesOf(node: Node, items: boolean): number[] {
    const id = `${node.line}:${node.col}`;
    let lines = this.entries.get(id);
    if (lines) return lines;
    lines = [node.line];
    for (let line = node.line + 1; line < this.indents.length; line++) {
      const indent = this.indents[line] as number;
      if (indent < 0 || indent > node.col) continue;
      if (indent < node.col) break;
      const item = isItem(this.lineText(line).slice(indent));
      if (items && !item) break;
      if (items || !item) lines.push(line);
    }
    this.entries.set(id, lines);
    return lines;
  }

  /** The node after a ":" or "-" ending at `from` on `line`, whose key or dash is at column `col`. */
  private after(line: number, from: number, col: number): Node {
    const text = this.lineText(line);
    let v = from;
    while (text.charCodeAt(v) === 32) v++;
    if (v < text.length && text[v] !== "#") {
      const rest = text.slice(v);
      return !isItem(rest) && splitKey(rest) && text[col] === "-"
        ? { kind: "map", line, col: v }
        : { kind: "inline", line, col: v };
    }
    let next = line + 1;
    while (next < this.indents.length && (this.indents[next] as number) < 0) next++;
    const indent = this.indents[next] ?? -1;
    const nextText = next < this.indents.length ? this.lineText(next).slice(indent) : "";
    if (indent > col || (indent === col && text[col] !== "-" && isItem(nextText))) {
      return { kind: isItem(nextText) ? "seq" : "map", line: next, col: indent };
    }
    return { kind: "empty", line, col: v };
  }

  /** The span of a node as the library's range shows on its first line. */
  private span(node: Node): LinePosition {
    const text = this.lineText(node.line);
    const at = (end: number) => ({
      line: node.line + 1,
      col: node.col + 1,
      length: Math.max(1, end - node.col),
    });
    if (node.kind === "map" || node.kind === "seq") return at(text.length);
    if (node.kind === "empty") return at(node.col);
    return at(inlineEnd(text, node.col));
  }

  /** A path that goes on into a one-line flow collection. */
  private inFlow(
    node: Node,
    path: readonly Segment[],
    at: "key" | "value",
    best: LinePosition,
  ): LinePosition {
    const text = this.lineText(node.line);
    let flow = flowNode(text, node.col);
    const where = (start: number, end: number) => ({
      line: node.line + 1,
      col: start + 1,
      length: Math.max(1, end - start),
    });
    let found = where(flow.start, flow.end);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as Segment;
      if (flow.entries) {
        const entry = flow.entries.find((e) => keyName(e.key, this.version) === String(seg));
        if (!entry) return found;
        if (i === path.length - 1 && at === "key") return where(entry.start, entry.end);
        flow = entry.value;
      } else if (flow.items && typeof seg === "number") {
        const item = flow.items[seg];
        if (!item) return found;
        flow = item;
      } else return found;
      found = where(flow.start, flow.end);
    }
    return found ?? best;
  }
}

/** Where a scalar or flow collection written at `start` ends (before spaces and a comment). */
function inlineEnd(text: string, start: number): number {
  return flowNode(text, start).end;
}

/** The offsets of the flow node or scalar at `start`, in text the fast reader accepted. */
function flowNode(text: string, start: number): FlowNode {
  const c = text[start];
  if (c === '"' || c === "'") return { start, end: quoted(text, start).end };
  if (c !== "[" && c !== "{") {
    let end = start;
    const stops = ",[]{}#";
    while (
      end < text.length &&
      !stops.includes(text[end] as string) &&
      !(text[end] === ":" && text[end + 1] === " ")
    )
      end++;
    // In block context a " #" ends the scalar, a "#" without a space before it is not in accepted text.
    while (end > start && text.charCodeAt(end - 1) === 32) end--;
    return { start, end };
  }
  let i = start + 1;
  const spaces = () => {
    while (text.charCodeAt(i) === 32) i++;
  };
  const items: FlowNode[] = [];
  const entries: NonNullable<FlowNode["entries"]> = [];
  const close = c === "[" ? "]" : "}";
  spaces();
  while (text[i] !== close) {
    if (c === "{") {
      const keyStart = i;
      while (text[i] !== ":") i++;
      let keyEnd = i;
      while (text.charCodeAt(keyEnd - 1) === 32) keyEnd--;
      i += 2;
      spaces();
      const value = flowNode(text, i);
      entries.push({ key: text.slice(keyStart, keyEnd), start: keyStart, end: keyEnd, value });
      i = value.end;
    } else {
      const item = flowNode(text, i);
      items.push(item);
      i = item.end;
    }
    spaces();
    if (text[i] === ",") i++;
    spaces();
  }
  return c === "[" ? { start, end: i + 1, items } : { start, end: i + 1, entries };
}

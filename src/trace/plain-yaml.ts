// A fast reader for the plain block YAML that generators (cw's own emitter among them) and most people
// write: block mappings and sequences, one-line plain and quoted scalars, comments, "---" between
// documents. It gives the values the yaml library's parseAllDocuments(text, { version: "1.1" })
// would give through toJS, at a small fraction of the cost, and declines (undefined) any text that
// uses anything else: anchors, tags, flow collections other than [] and {}, block and multi-line
// scalars, escapes, tabs, CR line ends, duplicate or complex keys, directives, or anything it is
// unsure of. Declined text goes to the yaml library, which also reports the errors of broken files.
// Plain scalars are typed by the yaml library's own YAML 1.1 schema tags, so "yes", "0o17", "1:20"
// and "~" mean what they mean to kubectl and to the library.

import { Document, isScalar, type ScalarTag } from "yaml";

const reference = new Document(null, { version: "1.1" });
const TAGS = reference.schema.tags.filter(
  (t): t is ScalarTag => !("collection" in t && t.collection) && t.test !== undefined,
);

/** Declined: the text needs the full library. */
class Decline extends Error {}
const decline = (): never => {
  throw new Decline();
};

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
// A plain scalar: printable ASCII without flow indicators, not starting with an indicator ("-" only
// before a non-space), without ": " or a trailing ":", without "#" (a comment is cut off before).
const PLAIN = /^(?:[A-Za-z0-9_./~^$(+=]|-(?=[^ ]))[\x20-\x7e]*$/;
// Quoted scalars: printable ASCII only, so that no escape, line break or odd space needs judging.
const QUOTED = /^[\x20-\x7e]*$/;
const NOT_PLAIN = /[[\]{}#,]|: |:$/;

/** What the library's composer and toJS make of a plain scalar (findScalarTagByTest, tag.resolve). */
function resolvePlain(source: string, atKey: boolean): unknown {
  const tag = TAGS.find(
    (t) => (t.default === true || (atKey && t.default === "key")) && t.test?.test(source),
  );
  if (!tag) return source;
  let failed = false;
  const res: unknown = tag.resolve(
    source,
    () => {
      failed = true;
    },
    reference.options,
  );
  if (failed) decline();
  const value = isScalar(res) ? res.value : res;
  // toJS keeps what the tag made; a timestamp's Date (or anything not a primitive) is left to it.
  if (typeof value === "object" ? value !== null : typeof value === "bigint") decline();
  return value;
}

const valueCache = new Map<string, unknown>();
const keyCache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

function plainValue(source: string): unknown {
  if (valueCache.has(source)) return valueCache.get(source);
  const v = resolvePlain(source, false);
  if (valueCache.size > CACHE_LIMIT) valueCache.clear();
  valueCache.set(source, v);
  return v;
}

/** A mapping key as toJS stringifies it (addPairToJSMap's stringifyKey). */
function keyOf(source: string): string {
  let k = keyCache.get(source);
  if (k === undefined) {
    if (source === "__proto__") decline();
    const v = resolvePlain(source, true);
    k = v === null ? "" : String(v);
    if (keyCache.size > CACHE_LIMIT) keyCache.clear();
    keyCache.set(source, k);
  }
  return k;
}

/** Whatever may follow a scalar on its line: spaces, then a comment. */
const restIsComment = (rest: string): boolean => /^(?: +#.*)?$/.test(rest) || /^ *$/.test(rest);

/** A scalar (or [] / {}) written after "key: " or "- ". */
function scalar(text: string): unknown {
  const c = text[0];
  if (c === '"') {
    const end = text.indexOf('"', 1);
    if (end < 0) decline();
    const content = text.slice(1, end);
    if (!QUOTED.test(content) || content.includes("\\") || !restIsComment(text.slice(end + 1))) decline();
    return content;
  }
  if (c === "'") {
    let out = "";
    let i = 1;
    for (;;) {
      const q = text.indexOf("'", i);
      if (q < 0) decline();
      out += text.slice(i, q);
      if (!QUOTED.test(out)) decline();
      if (text[q + 1] === "'") {
        out += "'";
        i = q + 2;
        continue;
      }
      if (!restIsComment(text.slice(q + 1))) decline();
      return out;
    }
  }
  if (c === "[" || c === "{") {
    const m = /^(\[ *\]|\{ *\})(.*)$/.exec(text);
    if (!m || !restIsComment(m[2] ?? "")) decline();
    return c === "[" ? [] : {};
  }
  const hash = text.indexOf(" #");
  const source = (hash < 0 ? text : text.slice(0, hash)).trimEnd();
  if (!PLAIN.test(source) || NOT_PLAIN.test(source)) decline();
  return plainValue(source);
}

interface Line {
  indent: number;
  text: string;
}

/** "key: rest" at the start of a line's text: the key and the rest, or undefined if not a key. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  const after = text[colon + 1];
  if (after !== undefined && after !== " ") return undefined;
  const key = text.slice(0, colon);
  if (!KEY.test(key)) return undefined;
  return { key, rest: text.slice(colon + 1).trimStart() };
}

const isItem = (text: string): boolean => text === "-" || text.startsWith("- ");

class Reader {
  private pos = 0;
  constructor(private readonly lines: Line[]) {}

  document(): unknown {
    const first = this.lines[0];
    if (!first) return null;
    if (first.indent !== 0 || isItem(first.text)) decline();
    const value = this.mapping(0);
    if (this.pos < this.lines.length) decline();
    return value;
  }

  /** The block node whose first line is the current one, at that line's indent. */
  private node(): unknown {
    const line = this.lines[this.pos];
    if (!line) return decline();
    if (isItem(line.text)) return this.sequence(line.indent);
    if (splitKey(line.text)) return this.mapping(line.indent);
    return decline();
  }

  /** The value after "key:" or "-" with nothing else on the line: a nested block, or null. */
  private nested(parentIndent: number, sequenceAllowedAtSameIndent: boolean): unknown {
    const next = this.lines[this.pos];
    if (
      next &&
      (next.indent > parentIndent ||
        (sequenceAllowedAtSameIndent && next.indent === parentIndent && isItem(next.text)))
    )
      return this.node();
    return null;
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (;;) {
      const line = this.lines[this.pos];
      if (!line || line.indent < indent) return map;
      if (line.indent > indent) decline();
      const kv = splitKey(line.text);
      if (!kv) {
        // Another construct at this indent: the end of a same-indent sequence's parent, or not ours.
        return decline();
      }
      const key = keyOf(kv.key);
      if (seen.has(key)) decline();
      seen.add(key);
      this.pos++;
      let value: unknown;
      if (kv.rest === "" || kv.rest.startsWith("#")) value = this.nested(indent, true);
      else {
        value = scalar(kv.rest);
        const next = this.lines[this.pos];
        if (next && next.indent > indent) decline();
      }
      if (key in map)
        Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
      else map[key] = value;
    }
  }

  private sequence(indent: number): unknown[] {
    const seq: unknown[] = [];
    for (;;) {
      const line = this.lines[this.pos];
      if (!line || line.indent !== indent || !isItem(line.text)) {
        if (line && line.indent > indent) decline();
        return seq;
      }
      const rest = line.text.slice(1).trimStart();
      if (rest === "" || rest.startsWith("#")) {
        this.pos++;
        seq.push(this.nested(indent, false));
        continue;
      }
      if (isItem(rest)) decline();
      if (splitKey(rest)) {
        // "- key: value": a mapping whose keys sit where this one does.
        const column = line.indent + (line.text.length - rest.length);
        this.lines[this.pos] = { indent: column, text: rest };
        seq.push(this.mapping(column));
        continue;
      }
      this.pos++;
      seq.push(scalar(rest));
      const next = this.lines[this.pos];
      if (next && next.indent > indent) decline();
    }
  }
}

/**
 * The values of the documents of `text` as toJS gives them, leaving out empty documents (whose value
 * is null), or undefined when the text needs the yaml library.
 */
export function readPlainYaml(text: string): unknown[] | undefined {
  if (text.includes("\t") || text.includes("\r") || text.charCodeAt(0) === 0xfeff) return undefined;
  const docs: Line[][] = [[]];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length || raw[indent] === "#") continue;
    if (indent === 0 && (raw.startsWith("---") || raw.startsWith("...") || raw[0] === "%")) {
      if (raw !== "---") return undefined;
      docs.push([]);
      continue;
    }
    let last = raw.length;
    while (raw.charCodeAt(last - 1) === 32) last--;
    docs[docs.length - 1]?.push({ indent, text: raw.slice(indent, last) });
  }
  try {
    return docs.filter((lines) => lines.length > 0).map((lines) => new Reader(lines).document());
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

// A fast reader for the plain YAML that generators (cw's own emitter among them) and most people
// write: block mappings and sequences, one-line plain and quoted scalars, comments, "---" between
// documents and, where asked, one-line flow collections (`consumers: [a, b]`, `- { name: http }`)
// and CRLF line ends. It gives the values the yaml library's parseDocument / parseAllDocuments(text,
// { version }) would give through toJS, at a small fraction of the cost, and declines (undefined) any
// text that uses anything else: anchors, tags, block and multi-line scalars, escapes, tabs, duplicate
// or complex keys, directives, nesting deeper than a file needs, or anything it is unsure of.
// Declined text goes to the yaml library, which also reports the errors of broken files.
// Plain scalars are typed by the yaml library's own schema tags for the version, so "yes", "0o17",
// "1:20" and "~" mean what they mean to the library (and, in YAML 1.1, to kubectl).
// Neutral ground: the tracer (src/trace) and the topology reader (src/topology) both use it.

import { Document, isScalar, type ScalarTag } from "yaml";

export interface PlainYamlOptions {
  /** The YAML version whose schema types plain scalars ("1.1": the tracer; "1.2": the topology). */
  readonly version: "1.1" | "1.2";
  /** Read one-line flow collections (`[a, b]`, `{ a: 1 }`); otherwise only `[]` and `{}`. */
  readonly flow?: boolean;
  /** Read CRLF line ends; otherwise any CR declines. */
  readonly crlf?: boolean;
}

/** Declined: the text needs the full library. */
class Decline extends Error {}
const decline = (): never => {
  throw new Decline();
};

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
// A plain scalar: printable ASCII without flow indicators, not starting with an indicator ("-" only
// before a non-space), without ": " or a trailing ":", without "#" (a comment is cut off before).
const PLAIN = /^(?:[A-Za-z0-9_./~^$(+=]|-(?=[^ ]))[\x20-\x7e]*$/;
const NOT_PLAIN = /[[\]{}#,]|: |:$/;
// Inside a flow collection also no ":" at all (`[a: b]` is a mapping there) and no flow indicator.
const NOT_FLOW_PLAIN = /[[\]{}#,:]/;
// Quoted scalars: printable text without escapes or line breaks to judge. The library folds U+2028
// and U+2029 as line breaks and C1 controls and the BOM need a judgement too, so those decline.
const QUOTED = /^[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
/** Deeper nesting declines, so that the library's depth diagnostic stays the library's (source.ts). */
const MAX_DEPTH = 48;

/** A YAML version's scalar typing: the library's tags, with caches for the scalars a file repeats. */
class Schema {
  private readonly reference: Document;
  private readonly tags: ScalarTag[];
  private readonly values = new Map<string, unknown>();
  private readonly keys = new Map<string, string>();

  constructor(version: "1.1" | "1.2") {
    this.reference = new Document(null, { version });
    this.tags = this.reference.schema.tags.filter(
      (t): t is ScalarTag => !("collection" in t && t.collection) && t.test !== undefined,
    );
  }

  /** What the library's composer and toJS make of a plain scalar (findScalarTagByTest, tag.resolve). */
  private resolve(source: string, atKey: boolean): unknown {
    const tag = this.tags.find(
      (t) => (t.default === true || (atKey && t.default === "key")) && t.test?.test(source),
    );
    if (!tag) return source;
    let failed = false;
    const res: unknown = tag.resolve(
      source,
      () => {
        failed = true;
      },
      this.reference.options,
    );
    if (failed) decline();
    const value = isScalar(res) ? res.value : res;
    // toJS keeps what the tag made; a timestamp's Date (or anything not a primitive) is left to it.
    if (typeof value === "object" ? value !== null : typeof value === "bigint") decline();
    return value;
  }

  value(source: string): unknown {
    if (this.values.has(source)) return this.values.get(source);
    const v = this.resolve(source, false);
    if (this.values.size > CACHE_LIMIT) this.values.clear();
    this.values.set(source, v);
    return v;
  }

  /** A mapping key as the library's own lookups spell it: String of its typed value ("null" for ~). */
  keyName(source: string): string {
    return String(this.resolve(source, true));
  }

  /** A mapping key as toJS stringifies it (addPairToJSMap's stringifyKey). */
  key(source: string): string {
    let k = this.keys.get(source);
    if (k === undefined) {
      if (source === "__proto__" || !KEY.test(source)) decline();
      const v = this.resolve(source, true);
      k = v === null ? "" : String(v);
      if (this.keys.size > CACHE_LIMIT) this.keys.clear();
      this.keys.set(source, k);
    }
    return k;
  }
}

const CACHE_LIMIT = 50_000;
const schemas = { "1.1": new Schema("1.1"), "1.2": new Schema("1.2") };

/** Whatever may follow a scalar on its line: spaces, then a comment. */
const restIsComment = (rest: string): boolean => /^(?: +#.*)?$/.test(rest) || /^ *$/.test(rest);

/** The library's spelling of a plain mapping key that the reader accepted (see Schema.keyName). */
export const keyName = (source: string, version: "1.1" | "1.2"): string => schemas[version].keyName(source);

/** A quoted scalar starting at `text[start]`: its value and the offset after its closing quote. */
export function quoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  if (quote === '"') {
    const end = text.indexOf('"', start + 1);
    if (end < 0) decline();
    const value = text.slice(start + 1, end);
    if (!QUOTED.test(value) || value.includes("\\")) decline();
    return { value, end: end + 1 };
  }
  let value = "";
  let i = start + 1;
  for (;;) {
    const q = text.indexOf("'", i);
    if (q < 0) decline();
    value += text.slice(i, q);
    if (text[q + 1] !== "'") {
      if (!QUOTED.test(value)) decline();
      return { value, end: q + 1 };
    }
    value += "'";
    i = q + 2;
  }
}

/** One-line flow collections, YAML's `[a, b]` and `{ a: 1, b: [x] }`, read from `text[i]` on. */
class FlowReader {
  i = 0;
  constructor(
    private readonly text: string,
    private readonly schema: Schema,
  ) {}

  private spaces(): void {
    while (this.text.charCodeAt(this.i) === 32) this.i++;
  }

  /** Text up to the next flow indicator (or ":" for a key), without its trailing spaces. */
  private token(): string {
    const start = this.i;
    while (this.i < this.text.length && !",[]{}:#".includes(this.text[this.i] as string)) this.i++;
    const source = this.text.slice(start, this.i).trimEnd();
    if (!PLAIN.test(source) || NOT_FLOW_PLAIN.test(source)) decline();
    return source;
  }

  collection(depth: number): unknown {
    if (depth > MAX_DEPTH) decline();
    const open = this.text[this.i];
    const close = open === "[" ? "]" : "}";
    const seq: unknown[] = [];
    const map: Record<string, unknown> = {};
    this.i++;
    this.spaces();
    if (this.text[this.i] === close) {
      this.i++;
      return open === "[" ? seq : map;
    }
    for (;;) {
      if (open === "[") seq.push(this.value(depth));
      else {
        const key = this.schema.key(this.token());
        if (this.text[this.i] !== ":" || this.text[this.i + 1] !== " " || Object.hasOwn(map, key)) decline();
        this.i += 2;
        this.spaces();
        map[key] = this.value(depth);
      }
      this.spaces();
      const next = this.text[this.i++];
      if (next === close) return open === "[" ? seq : map;
      // A trailing comma, or anything but a comma between items, is the library's to judge.
      if (next !== ",") decline();
      this.spaces();
      if (this.text[this.i] === close) decline();
    }
  }

  private value(depth: number): unknown {
    const c = this.text[this.i];
    if (c === "[" || c === "{") return this.collection(depth + 1);
    if (c === '"' || c === "'") {
      const { value, end } = quoted(this.text, this.i);
      this.i = end;
      return value;
    }
    return this.schema.value(this.token());
  }
}

/** A scalar or a one-line flow collection written after "key: " or "- ". */
function scalar(text: string, schema: Schema, options: PlainYamlOptions, depth: number): unknown {
  const c = text[0];
  if (c === '"' || c === "'") {
    const { value, end } = quoted(text, 0);
    if (!restIsComment(text.slice(end))) decline();
    return value;
  }
  if (c === "[" || c === "{") {
    if (options.flow) {
      const reader = new FlowReader(text, schema);
      const value = reader.collection(depth + 1);
      if (!restIsComment(text.slice(reader.i))) decline();
      return value;
    }
    const m = /^(\[ *\]|\{ *\})(.*)$/.exec(text);
    if (!m || !restIsComment(m[2] ?? "")) decline();
    return c === "[" ? [] : {};
  }
  const hash = text.indexOf(" #");
  const source = (hash < 0 ? text : text.slice(0, hash)).trimEnd();
  if (!PLAIN.test(source) || NOT_PLAIN.test(source)) decline();
  return schema.value(source);
}

interface Line {
  indent: number;
  text: string;
}

/** "key: rest" at the start of a line's text: the key and the rest, or undefined if not a key. */
export function splitKey(text: string): { key: string; rest: string } | undefined {
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  const after = text[colon + 1];
  if (after !== undefined && after !== " ") return undefined;
  const key = text.slice(0, colon);
  if (!KEY.test(key)) return undefined;
  return { key, rest: text.slice(colon + 1).trimStart() };
}

export const isItem = (text: string): boolean => text === "-" || text.startsWith("- ");

class Reader {
  private pos = 0;
  private depth = 0;
  private readonly schema: Schema;
  constructor(
    private readonly lines: Line[],
    private readonly options: PlainYamlOptions,
  ) {
    this.schema = schemas[options.version];
  }

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

  /** A scalar on the current line, which nothing more indented may continue. */
  private inline(rest: string, indent: number): unknown {
    this.pos++;
    const value = scalar(rest, this.schema, this.options, this.depth);
    const next = this.lines[this.pos];
    if (next && next.indent > indent) decline();
    return value;
  }

  private mapping(indent: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) decline();
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.lines[this.pos];
      if (!line || line.indent < indent) break;
      if (line.indent > indent) decline();
      // Another construct at this indent: the end of a same-indent sequence's parent, or not ours.
      const kv = splitKey(line.text) ?? decline();
      const key = this.schema.key(kv.key);
      // The library's uniqueKeys compares typed keys (1 and "1" differ) where toJS then merges them:
      // any key seen before declines. `__proto__`, the one key assignment would not store, declined too.
      if (Object.hasOwn(map, key)) decline();
      if (kv.rest === "" || kv.rest.startsWith("#")) {
        this.pos++;
        map[key] = this.nested(indent, true);
      } else map[key] = this.inline(kv.rest, indent);
    }
    this.depth--;
    return map;
  }

  private sequence(indent: number): unknown[] {
    if (++this.depth > MAX_DEPTH) decline();
    const seq: unknown[] = [];
    for (;;) {
      const line = this.lines[this.pos];
      if (!line || line.indent !== indent || !isItem(line.text)) {
        if (line && line.indent > indent) decline();
        break;
      }
      const rest = line.text.slice(1).trimStart();
      if (rest === "" || rest.startsWith("#")) {
        this.pos++;
        seq.push(this.nested(indent, false));
      } else if (isItem(rest)) decline();
      else if (splitKey(rest)) {
        // "- key: value": a mapping whose keys sit where this one does.
        const column = line.indent + (line.text.length - rest.length);
        this.lines[this.pos] = { indent: column, text: rest };
        seq.push(this.mapping(column));
      } else seq.push(this.inline(rest, indent));
    }
    this.depth--;
    return seq;
  }
}

/** The text's lines with content, split into documents at "---"; undefined: not for this reader. */
function documentLines(text: string, options: PlainYamlOptions): Line[][] | undefined {
  if (text.includes("\t") || text.charCodeAt(0) === 0xfeff) return undefined;
  const crlf = text.includes("\r");
  if (crlf && !options.crlf) return undefined;
  const docs: Line[][] = [[]];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    let raw = text.slice(start, end);
    start = end + 1;
    if (crlf) {
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      if (raw.includes("\r")) return undefined;
    }
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
  return docs;
}

/**
 * The values of the documents of `text` as toJS gives them, leaving out empty documents (whose value
 * is null), or undefined when the text needs the yaml library.
 */
export function readPlainYaml(text: string, options: PlainYamlOptions): unknown[] | undefined {
  const docs = documentLines(text, options);
  return docs && readDocuments(docs, options);
}

function readDocuments(docs: Line[][], options: PlainYamlOptions): unknown[] | undefined {
  try {
    return docs.filter((lines) => lines.length > 0).map((lines) => new Reader(lines, options).document());
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

/**
 * The value of a text that holds one mapping, as parseDocument(text, { version }) and toJS give it,
 * or undefined when the text needs the yaml library (also when it is empty or has document markers,
 * which parseDocument reads differently from a stream).
 */
export function readPlainDocument(text: string, options: PlainYamlOptions): object | undefined {
  const docs = documentLines(text, options);
  if (docs?.length !== 1 || docs[0]?.length === 0) return undefined;
  return readDocuments(docs, options)?.[0] as object | undefined;
}

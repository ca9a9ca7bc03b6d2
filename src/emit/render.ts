// Rendering objects to YAML bytes. Output must be byte-identical for the same input: keys are
// sorted (apiVersion, kind, metadata first; name and namespace first in metadata), lists keep the
// order generators gave them (route order matters to Istio), and the writer's options are pinned.
// Strings are written so that kubectl's YAML 1.1 reader sees strings too ("on", "yes", "true").
//
// The bytes are the yaml library's (stringify with OPTIONS, of the value with its keys in canonical
// order), but a large federation renders millions of objects, and the library builds a document tree
// for each, which costs far more than the YAML itself. So renderYaml writes the block layout directly
// and leaves to the library only what needs its judgement: every scalar that is not a plain word it
// can prove the library writes as it is (the library's rendering of it is asked once and remembered),
// and whole values the direct path does not cover (multi-line strings, which the library writes as
// indented blocks; anything but plain objects, arrays, strings, numbers, booleans and null).
// test/render.test.ts holds the two to the same bytes on generated values.

import { Document, stringify } from "yaml";
import { compareText } from "../compare.js";
import type { Resource } from "../generate/resource.js";
import { ByteBuffer } from "./byte-buffer.js";

// Kubernetes readers expect these first; everything else is alphabetical.
const TOP_KEYS = ["apiVersion", "kind", "metadata"];
const METADATA_KEYS = ["name", "namespace", "labels", "annotations"];

const byRank = (first: readonly string[]) => (a: string, b: string) => {
  const ra = first.includes(a) ? first.indexOf(a) : first.length;
  const rb = first.includes(b) ? first.indexOf(b) : first.length;
  return ra - rb || compareText(a, b);
};

/** A deep copy with keys in canonical order and undefined values dropped. */
export function canonical(value: unknown, first: readonly string[] = TOP_KEYS): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, []));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    keys.sort(byRank(first));
    return Object.fromEntries(
      keys.map((k) => [k, canonical(record[k], first === TOP_KEYS && k === "metadata" ? METADATA_KEYS : [])]),
    );
  }
  return value;
}

const OPTIONS = {
  version: "1.1",
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
  defaultStringType: "PLAIN",
  defaultKeyType: "PLAIN",
  doubleQuotedAsJSON: true,
  singleQuote: false,
} as const;

/** The library's own rendering, the reference the direct path must match. */
export const renderYamlByLibrary = (value: unknown): string => stringify(canonical(value), OPTIONS);

export const renderYaml = (value: unknown): string => render(value, "");

/** A resource's file: the header (comment lines), then the YAML. */
export const renderResource = (resource: Resource, header: string): string => render(resource, header);

// The string API renders into this buffer and decodes what it wrote.
const scratch = new ByteBuffer();

function render(value: unknown, header: string): string {
  scratch.reset();
  // A lone surrogate is written as U+FFFD: the string would not be the library's, which keeps it.
  if (writeYaml(scratch, value, false) === undefined || !scratch.wellFormed) {
    return `${header}${renderYamlByLibrary(value)}`;
  }
  return header + scratch.toString();
}

/**
 * Writes a plain object's YAML to `out`, with its final line break, and returns where the line of its
 * top-level spec starts (spec-hash.ts's block), or -1: without `atSpec`, without a spec, or when the
 * spec is the first key written. Undefined where the direct path leaves the value to the library;
 * `out` is then as it was.
 */
export function writeYaml(out: ByteBuffer, value: unknown, atSpec: boolean): number | undefined {
  if (!isPlainObject(value)) return undefined;
  const start = out.length;
  try {
    return writeTop(out, value, atSpec);
  } catch (e) {
    if (e !== UNCOVERED) throw e;
    out.length = start;
    return undefined;
  }
}

/**
 * What the last writeYaml found: whether a line at depth 1 before the spec block starts with
 * "annotations:" (a top-level mapping's annotations). A generated object must have none there, where
 * the hash annotation goes (spec-hash.ts).
 */
export const lastWrite = { annotationsBeforeSpec: false };
// Set by writeMapping at depth 1; read when the spec block starts.
let annotationsSeen = false;

function writeTop(out: ByteBuffer, value: Record<string, unknown>, atSpec: boolean): number {
  top = 0;
  const order = readValues(value, topGuess, TOP);
  topGuess = order;
  const { keys, at } = order;
  let wrote = false;
  let specAt = -1;
  annotationsSeen = false;
  lastWrite.annotationsBeforeSpec = false;
  top = keys.length;
  for (let i = 0; i < keys.length; i++) {
    const entry = values[at[i] as number];
    if (entry === undefined) continue;
    if (wrote) {
      out.newline(0);
      // A spec left undefined is no line of the text, as it is not one in the library's.
      if (atSpec && specAt < 0 && order.spec[i]) {
        specAt = out.length;
        lastWrite.annotationsBeforeSpec = annotationsSeen;
      }
    }
    wrote = true;
    writeEntry(out, order, i, entry, 0);
  }
  if (!wrote) throw UNCOVERED;
  out.newline(0);
  return specAt;
}

/** Thrown (and caught in writeYaml) where the direct path leaves a value to the library. */
const UNCOVERED: unique symbol = Symbol("uncovered");

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// The library's block layout with OPTIONS: "key: scalar", "key:" then the nested block indented by
// two (sequences too, as indentSeq asks), "- " before each item with the item's own lines indented
// by two more, and empty collections in flow style ([] and {}) on the same line as their key or dash.
// Each writer puts its collection's lines at `depth` (two spaces each); before the first it writes
// `first` (a line break and indent after "key:", a space after a dash, nothing at the top), and it
// says whether it wrote anything: the caller writes an empty collection as [] or {}.

const NONE = 0;
const SPACE = 1;
const NEWLINE = 2;
type Separator = typeof NONE | typeof SPACE | typeof NEWLINE;

function separate(out: ByteBuffer, separator: Separator, depth: number): void {
  if (separator === NEWLINE) out.newline(depth);
  else if (separator === SPACE) out.byte(0x20);
}

function writeMapping(
  out: ByteBuffer,
  record: Record<string, unknown>,
  depth: number,
  ranks: Ranks,
  first: Separator,
  guess: Guess,
): boolean {
  const base = top;
  const order = readValues(record, guess.order, ranks);
  guess.order = order;
  const { keys, at } = order;
  top = base + keys.length;
  let wrote = false;
  for (let i = 0; i < keys.length; i++) {
    const value = values[base + (at[i] as number)];
    if (value === undefined) continue;
    if (wrote) out.newline(depth);
    else separate(out, first, depth);
    wrote = true;
    if (depth === 1 && order.annotations[i]) annotationsSeen = true;
    writeEntry(out, order, i, value, depth);
  }
  top = base;
  return wrote;
}

/** One key of a mapping and its value (not undefined). */
function writeEntry(out: ByteBuffer, order: KeyOrder, i: number, value: unknown, depth: number): void {
  if (Array.isArray(value)) {
    out.text(order.rendered[i] as string);
    if (value.length === 0) out.text(": []");
    else {
      out.byte(0x3a);
      writeSequence(out, value, depth + 1, NEWLINE, order.guess[i] as Guess);
    }
  } else if (value !== null && typeof value === "object") {
    if (!isPlainObject(value)) throw UNCOVERED;
    out.text(order.rendered[i] as string);
    out.byte(0x3a);
    if (!writeMapping(out, value, depth + 1, order.nested[i] as Ranks, NEWLINE, order.guess[i] as Guess)) {
      out.text(" {}");
    }
  } else {
    out.text(order.scalar[i] as string);
    if (typeof value === "string" && KNOWN_SCHEMA && writeLongWord(out, value)) return;
    // A key mostly has the value it had last time ("protocol: TCP", "number: 443"): its rendering is
    // remembered there, which spares the hash lookup of valueScalar's cache. Zero is left out, as
    // 0 === -0 and the library writes "-0".
    const last = order.last[i] as Last;
    if (value === last.value && value !== 0) out.text(last.text);
    else {
      const text = valueScalar(value);
      last.value = value;
      last.text = text;
      out.text(text);
    }
  }
}

/** The value a key had the last time it was written, and its rendering. */
interface Last {
  value: unknown;
  text: string;
}

function writeSequence(
  out: ByteBuffer,
  items: readonly unknown[],
  depth: number,
  first: Separator,
  guess: Guess,
): void {
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.newline(depth);
    else separate(out, first, depth);
    out.byte(0x2d);
    const item = items[i];
    if (Array.isArray(item)) {
      if (item.length === 0) out.text(" []");
      else writeSequence(out, item, depth + 1, SPACE, guess);
    } else if (item !== null && typeof item === "object") {
      if (!isPlainObject(item)) throw UNCOVERED;
      if (!writeMapping(out, item, depth + 1, NO_RANKS, SPACE, guess)) out.text(" {}");
    } else {
      out.byte(0x20);
      writeScalar(out, item);
    }
  }
}

/** A scalar: a long word copied as it is, checked as it is copied; anything else as valueScalar says. */
function writeScalar(out: ByteBuffer, value: unknown): void {
  if (typeof value === "string" && KNOWN_SCHEMA && writeLongWord(out, value)) return;
  out.text(valueScalar(value));
}

/**
 * Writes `s` and returns true if the library writes it plain as it is, as far as one pass over it can
 * tell; else writes nothing (the bytes past `out.length` are garbage). Three kinds of value pass:
 * - a long word: STRING_ONLY (below);
 * - a word with two dots or more ("10.0.0.1", "1.30.3"): no tag of the schema (KNOWN_TESTS) reads a
 *   text with two dots, as its numbers, times and dates hold one at most;
 * - either with colons inside, never last ("spiffe://td/ns/x/sa/y"): the library quotes a plain
 *   string for a colon only before a space or at its end (stringifyString.js, plainString), and no tag
 *   reads a text that starts with a letter other than "e", or that holds two dots.
 */
function writeLongWord(out: ByteBuffer, s: string): boolean {
  const n = s.length;
  const first = s.charCodeAt(0);
  const c = first | 0x20; // lower case, for letters
  // A long word starts with [A-DF-Za-df-z]; any other word must show two dots.
  let dots = c >= 0x61 && c <= 0x7a && c !== 0x65 && n >= 6 ? 2 : 0;
  if (dots === 0 && !(c >= 0x61 && c <= 0x7a) && !(first >= 0x30 && first <= 0x39)) return false;
  if (s.charCodeAt(n - 1) === 0x3a) return false;
  const data = out.reserve(n);
  let at = out.length;
  for (let i = 0; i < n; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false; // [\x21-\x7e]
    if (code === 0x2e) dots++;
    data[at++] = code;
  }
  if (dots < 2) return false;
  out.length = at;
  return true;
}

// The keys in canonical order, as canonical() leaves them: sorted, then rebuilt into an object, where
// JavaScript puts integer-like keys ("0", "80") first in numeric order, as Object.keys lists them.
// Objects from one generator share their keys, so the order (with each key rendered) is worked out
// once per list of keys, as Object.keys gives it, and found again by walking a tree of the keys.
// Keys whose value is undefined are left out when written, which gives the order of those left.
const INDEX = /^(?:0|[1-9][0-9]*)$/;
const isIndex = (k: string) => INDEX.test(k) && Number(k) < 2 ** 32 - 1;

interface KeyOrder {
  /** The keys as Object.keys lists them (the path in the tree). */
  readonly own: readonly string[];
  /** The keys in canonical order. */
  readonly keys: readonly string[];
  /** Where each key (in canonical order) stands in `own`. */
  readonly at: readonly number[];
  /** Each key's guess at the order of the mapping under it, or of the mappings in its list. */
  readonly guess: readonly Guess[];
  /** Each key's last scalar value (writeEntry). */
  readonly last: readonly Last[];
  /** Each key as the library writes it. */
  readonly rendered: readonly string[];
  /** The ranks of each key's nested mapping: metadata's keys at the top level, none elsewhere. */
  readonly nested: readonly Ranks[];
  /** Whether the key's line starts "spec:" (spec-hash.ts's block starts at the first such line). */
  readonly spec: readonly boolean[];
  /** Whether the key's line starts "annotations:" (lastWrite). */
  readonly annotations: readonly boolean[];
  /** Each key with ": " after it, ready for a scalar. */
  readonly scalar: readonly string[];
}

/** Keys that go first, in this order; and the memo of key orders for mappings ranked so. */
interface Ranks {
  readonly first: readonly string[];
  readonly tree: KeyTree;
}
interface KeyTree {
  readonly next: Map<string, KeyTree>;
  order?: KeyOrder;
}
const newTree = (): KeyTree => ({ next: new Map() });
const METADATA: Ranks = { first: METADATA_KEYS, tree: newTree() };
const TOP: Ranks = { first: TOP_KEYS, tree: newTree() };
const NO_RANKS: Ranks = { first: [], tree: newTree() };
let treeNodes = 0;

// The values of the mappings being written, in each object's own key order (for-in's, in which V8
// reads each value by its slot rather than looking the key up), from `top` down: a mapping's values
// are read at `top`, which then rises past them while its entries are written.
const values: unknown[] = [];
let top = 0;

/**
 * Where the order of the next mapping at one place of a value is guessed: objects from one generator
 * share their keys, so at one key of one kind of object the mapping's keys are those of the last
 * one there, which checking costs a comparison of interned strings per key rather than a walk of the
 * tree of key orders (a map lookup per key).
 */
interface Guess {
  order: KeyOrder | undefined;
}
let topGuess: KeyOrder | undefined;

/** Reads the record's values at `top` and returns its key order: the guess if its keys are those. */
function readValues(record: Record<string, unknown>, guess: KeyOrder | undefined, ranks: Ranks): KeyOrder {
  let n = top;
  if (guess !== undefined) {
    const own = guess.own;
    let same = true;
    for (const k in record) {
      if (own[n - top] !== k) {
        same = false;
        break;
      }
      values[n++] = record[k];
    }
    if (same && n - top === own.length) return guess;
    n = top;
  }
  for (const k in record) values[n++] = record[k];
  return orderOf(record, ranks);
}

function orderOf(record: Record<string, unknown>, ranks: Ranks): KeyOrder {
  let node = ranks.tree;
  // for-in walks the object's own keys in Object.keys's order (a plain object inherits none that are
  // enumerable) without making an array of them.
  for (const k in record) {
    let next = node.next.get(k);
    if (next === undefined) {
      // Bounded, as the caches below: arbitrary objects (cw diff reads them from clusters) would
      // otherwise grow the trees without end.
      if (++treeNodes > LIMIT) {
        for (const r of [TOP, METADATA, NO_RANKS]) r.tree.next.clear();
        treeNodes = 0;
        return keyOrder(Object.keys(record), ranks);
      }
      next = newTree();
      node.next.set(k, next);
    }
    node = next;
  }
  node.order ??= keyOrder(Object.keys(record), ranks);
  return node.order;
}

function keyOrder(all: readonly string[], ranks: Ranks): KeyOrder {
  const { first } = ranks;
  let indexed = 0;
  while (indexed < all.length && isIndex(all[indexed] as string)) indexed++;
  const rest = all.slice(indexed);
  const head = first.filter((k) => rest.includes(k));
  // Without a comparator, sort() orders strings by UTF-16 code units, as compareText does.
  const others = (head.length === 0 ? rest : rest.filter((k) => !first.includes(k))).sort();
  const keys = [...all.slice(0, indexed), ...head, ...others];
  const rendered = keys.map(keyScalar);
  const starts = (word: string) => rendered.map((r) => r === word || r.startsWith(`${word}:`));
  return {
    own: all,
    keys,
    at: keys.map((k) => all.indexOf(k)),
    guess: keys.map(() => ({ order: undefined })),
    last: keys.map(() => ({ value: undefined, text: "" })),
    rendered,
    nested: keys.map((k) => (ranks === TOP && k === "metadata" ? METADATA : NO_RANKS)),
    spec: starts("spec"),
    annotations: starts("annotations"),
    scalar: rendered.map((r) => `${r}: `),
  };
}

// A string the library writes plain, unquoted, as it is: it starts with a letter or digit, and holds
// only printable ASCII without spaces or ':' (so none of the library's indicator rules apply), and no
// tag of the YAML 1.1 schema reads it as something else (a number, a boolean, null, a date). The
// schema's tests are the library's own, taken from a document with OPTIONS.
// Every cache below is bounded: rendering arbitrary objects (cw diff reads them from clusters) would
// otherwise grow them without end.
const LIMIT = 100_000;
const WORD = /^[A-Za-z0-9][\x21-\x39\x3b-\x7e]*$/;
const OTHER_TAGS = new Document(null, OPTIONS).schema.tags.filter(
  (t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test !== undefined,
);
// Which words could such a tag read as something else? The tests of yaml 2.x's YAML 1.1 schema match
// only strings of at most five characters (booleans and null: "y", "off", "False", "NULL"), strings
// that start with one of "+-.0123456789<~" (numbers, dates, the merge key "<<"), and exponents that
// start with "e" or "E" ("e10"). So a word of six or more characters that starts with any other
// letter is a string, without running a dozen regular expressions over it, as long as the schema's
// tests are those this was worked out from: checked once here; if they differ, every word is tested.
const KNOWN_TESTS = [
  "^(?:~|[Nn]ull|NULL)?$",
  "^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$",
  "^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$",
  "^[-+]?0b[0-1_]+$",
  "^[-+]?0[0-7_]+$",
  "^[-+]?[0-9][0-9_]*$",
  "^[-+]?0x[0-9a-fA-F_]+$",
  "^(?:[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$",
  "^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$",
  "^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$",
  "^<<$",
  "^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$",
  "^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*$",
  "^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \\t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$",
];
export const KNOWN_SCHEMA =
  OTHER_TAGS.length === KNOWN_TESTS.length && OTHER_TAGS.every((t, i) => t.test?.source === KNOWN_TESTS[i]);
const STRING_ONLY = /^[A-DF-Za-df-z][\x21-\x39\x3b-\x7e]{5,}$/;

export function isWord(s: string): boolean {
  if (KNOWN_SCHEMA && STRING_ONLY.test(s)) return true;
  return WORD.test(s) && !OTHER_TAGS.some((t) => t.test?.test(s));
}

// The library's renderings of everything else, remembered.
const keyCache = new Map<string, string>();
const valueCache = new Map<unknown, string>();

// The library writes a string that holds a document marker ("---", "...", "%" at a line start) in a
// way that depends on how deep it stands: such values go to the library whole.
const MARKER = /^(?:%|---|\.\.\.)/m;

function keyScalar(key: string): string {
  if (key.length <= 1024 && isWord(key)) return key;
  if (MARKER.test(key)) throw UNCOVERED;
  let rendered = keyCache.get(key);
  if (rendered === undefined) {
    const text = stringify({ [key]: 0 }, OPTIONS);
    // A key the library writes over several lines, or as an explicit "? key", is not ours to place.
    if (!text.endsWith(": 0\n") || text.indexOf("\n") !== text.length - 1 || text.startsWith("? ")) {
      throw UNCOVERED;
    }
    rendered = text.slice(0, -4);
    if (keyCache.size >= LIMIT) keyCache.clear();
    keyCache.set(key, rendered);
  }
  return rendered;
}

// The renderings of the integers 1 to 65535 (ports, mostly), by number: an array's element is found
// without the hashing of the cache's lookup.
const smallInts: (string | undefined)[] = [];
const SMALL = 65536;

function valueScalar(value: unknown): string {
  if (typeof value === "number" && value > 0 && value < SMALL && (value | 0) === value) {
    let rendered = smallInts[value];
    if (rendered === undefined) {
      rendered = libraryScalar(value);
      smallInts[value] = rendered;
    }
    return rendered;
  }
  if (typeof value === "string") {
    // (Long words, addresses and URIs are written by writeLongWord.) Short words ("v1", "http") are
    // common: their answer is remembered, rather than running the schema's tests over them each time.
    const known = valueCache.get(value);
    if (known !== undefined) return known;
    if (isWord(value)) {
      if (valueCache.size >= LIMIT) valueCache.clear();
      valueCache.set(value, value);
      return value;
    }
    if (MARKER.test(value)) throw UNCOVERED;
  } else if (typeof value !== "number" && typeof value !== "boolean" && value !== null) {
    throw UNCOVERED;
  }
  // The cache cannot tell -0 from 0 (Map keys compare them equal); the library writes "-0".
  let rendered = Object.is(value, -0) ? undefined : valueCache.get(value);
  if (rendered === undefined) {
    rendered = libraryScalar(value);
    if (valueCache.size >= LIMIT) valueCache.clear();
    if (!Object.is(value, -0)) valueCache.set(value, rendered);
  }
  return rendered;
}

/** A scalar as the library writes it as a mapping's value, if on one line. */
function libraryScalar(value: unknown): string {
  const text = stringify({ k: value }, OPTIONS);
  // Multi-line strings become indented blocks, which depend on where they stand.
  if (!text.startsWith("k: ") || text.indexOf("\n") !== text.length - 1) throw UNCOVERED;
  return text.slice(3, -1);
}

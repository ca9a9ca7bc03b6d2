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

function render(value: unknown, header: string): string {
  const byLibrary = () => `${header}${renderYamlByLibrary(value)}`;
  if (!isPlainObject(value)) return byLibrary();
  const out: string[] = [header];
  try {
    if (!mapping(value, "\n", TOP_KEYS, out)) return byLibrary();
  } catch (e) {
    if (e === UNCOVERED) return byLibrary();
    throw e;
  }
  // join() gives one flat string. Appending with + would leave a rope of thousands of small pieces
  // behind every file, several times the size of its text, until something flattens it.
  out.push("\n");
  return out.join("");
}

/** Thrown (and caught in renderYaml) where the direct path leaves a value to the library. */
const UNCOVERED: unique symbol = Symbol("uncovered");

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// The library's block layout with OPTIONS: "key: scalar", "key:" then the nested block indented by
// two (sequences too, as indentSeq asks), "- " before each item with the item's own lines indented
// by two more, and empty collections in flow style ([] and {}) on the same line as their key or dash.
// Each writer appends to `out` the collection's lines, the first without its line break and indent
// (the caller has written what goes before it: a key, a dash), and every later one after `newline`,
// which is "\n" followed by the collection's indentation. Each returns false, having written
// nothing, for an empty collection, which the caller writes as [] or {}.

function mapping(
  record: Record<string, unknown>,
  newline: string,
  first: readonly string[],
  out: string[],
): boolean {
  const keys = orderedKeys(record, first);
  if (keys.length === 0) return false;
  const inner = `${newline}  `;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = record[key];
    if (i > 0) out.push(newline);
    out.push(keyScalar(key));
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(": []");
      else {
        out.push(":", inner);
        sequence(value, inner, out);
      }
    } else if (value !== null && typeof value === "object") {
      if (!isPlainObject(value)) throw UNCOVERED;
      const at = out.length;
      out.push(":", inner);
      const nested = first === TOP_KEYS && key === "metadata" ? METADATA_KEYS : NONE;
      if (!mapping(value, inner, nested, out)) {
        out.length = at;
        out.push(": {}");
      }
    } else {
      out.push(": ", valueScalar(value));
    }
  }
  return true;
}

const NONE: readonly string[] = [];

// The keys in canonical order, as canonical() leaves them: sorted, then rebuilt into an object, where
// JavaScript puts integer-like keys ("0", "80") first in numeric order, as Object.keys lists them.
const INDEX = /^(?:0|[1-9][0-9]*)$/;
const isIndex = (k: string) => INDEX.test(k) && Number(k) < 2 ** 32 - 1;

function orderedKeys(record: Record<string, unknown>, first: readonly string[]): string[] {
  const all = Object.keys(record);
  let indexed = 0;
  while (indexed < all.length && isIndex(all[indexed] as string)) indexed++;
  let defined = true;
  for (const k of all) {
    if (record[k] === undefined) {
      defined = false;
      break;
    }
  }
  const keys = indexed === 0 ? all : all.slice(indexed);
  let present = defined ? keys : keys.filter((k) => record[k] !== undefined);
  // Without a comparator, sort() orders strings by UTF-16 code units, as byCodeUnit does, and faster.
  // Ranked keys (apiVersion, kind, metadata; name, namespace, ...) are taken out and put first in
  // their rank's order, rather than sorted with a comparator that looks each of them up.
  if (first.length === 0) present.sort();
  else {
    const head: string[] = [];
    for (const k of first) if (record[k] !== undefined && Object.hasOwn(record, k)) head.push(k);
    if (head.length > 0) present = present.filter((k) => !first.includes(k));
    present.sort();
    if (head.length > 0) present = [...head, ...present];
  }
  if (indexed === 0) return present;
  return [...all.slice(0, indexed).filter((k) => record[k] !== undefined), ...present];
}

function sequence(items: readonly unknown[], newline: string, out: string[]): void {
  const inner = `${newline}  `;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out.push(newline);
    if (Array.isArray(item)) {
      if (item.length === 0) out.push("- []");
      else {
        out.push("- ");
        sequence(item, inner, out);
      }
    } else if (item !== null && typeof item === "object") {
      if (!isPlainObject(item)) throw UNCOVERED;
      out.push("- ");
      if (!mapping(item, inner, NONE, out)) out.push("{}");
    } else {
      out.push("- ", valueScalar(item));
    }
  }
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

function valueScalar(value: unknown): string {
  if (typeof value === "string") {
    if (isWord(value)) return value;
    if (MARKER.test(value)) throw UNCOVERED;
  } else if (typeof value !== "number" && typeof value !== "boolean" && value !== null) {
    throw UNCOVERED;
  }
  // The cache cannot tell -0 from 0 (Map keys compare them equal); the library writes "-0".
  let rendered = Object.is(value, -0) ? undefined : valueCache.get(value);
  if (rendered === undefined) {
    const text = stringify({ k: value }, OPTIONS);
    // Multi-line strings become indented blocks, which depend on where they stand.
    if (!text.startsWith("k: ") || text.indexOf("\n") !== text.length - 1) throw UNCOVERED;
    rendered = text.slice(3, -1);
    if (valueCache.size >= LIMIT) valueCache.clear();
    if (!Object.is(value, -0)) valueCache.set(value, rendered);
  }
  return rendered;
}

// renderYaml writes the block layout itself and must give exactly the bytes of the yaml library
// (renderYamlByLibrary) for every value: the tricky scalars below, and values generated at random with
// keys and strings drawn from what YAML 1.1 treats specially.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWord, KNOWN_SCHEMA, renderYaml, renderYamlByLibrary } from "../src/emit/render.js";

// Words that YAML 1.1 reads as something other than a string, or that need quoting for other reasons.
const TRICKY = [
  "",
  " ",
  "a ",
  " a",
  "y",
  "Y",
  "n",
  "yes",
  "No",
  "on",
  "OFF",
  "true",
  "False",
  "null",
  "Null",
  "~",
  "<<",
  "0",
  "-0",
  "007",
  "0x1F",
  "0b101",
  "1_000",
  "1e3",
  "1.5",
  ".5",
  "1.",
  ".inf",
  "-.Inf",
  ".nan",
  "190:20:30",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "240.240.1.2",
  "10.0.0.1",
  "1.30",
  "a: b",
  "a:b",
  "a:",
  ":a",
  "- a",
  "-",
  "-a",
  "?",
  "? a",
  "#a",
  "a #b",
  "a#b",
  "*",
  "*a",
  "&a",
  "!a",
  "%a",
  "@a",
  "`a",
  "'a'",
  '"a"',
  "[a]",
  "{a}",
  "a,b",
  "|",
  ">",
  "---",
  "...",
  "--- a",
  "a\nb",
  "a\n",
  "\na",
  "a\tb",
  "tab\t",
  "bell\u0007",
  "caf\u00e9",
  "\ud800",
  "spiffe://cluster.local/ns/istio-system/sa/x",
  "cluster.local/*",
  "istio-system/reviews.global",
  "p9090.reviews.global",
  "x".repeat(1100),
  "e123456",
  "E10",
  "e+5abc",
  "Infinity",
  "NULLABLE",
];

const scalar = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string(),
  fc.stringMatching(/^[a-z0-9.:/*_-]{0,12}$/),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.constantFrom(...TRICKY), fc.string(), fc.stringMatching(/^[a-zA-Z0-9._/-]{1,12}$/));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, fc.option(tie("value"), { nil: undefined }), { maxKeys: 5 }),
  ),
}));

describe("renderYaml", () => {
  it.each(TRICKY.map((s) => [s]))("writes %j as the library does, as a value and as a key", (s) => {
    const doc = { apiVersion: "v1", kind: "K", metadata: { name: s }, spec: { [s]: s, list: [s, [s], {}] } };
    expect(renderYaml(doc)).toBe(renderYamlByLibrary(doc));
  });

  it("writes nested and empty collections, numbers and null as the library does", () => {
    const doc = {
      spec: { a: [], b: {}, c: [[], [1, [2, {}]], { d: null, e: [] }], f: -0, g: 1.5e300, h: undefined },
      metadata: { labels: { z: "1", a: "2" }, namespace: "ns", name: "n", extra: true },
      kind: "K",
      apiVersion: "v1",
    };
    expect(renderYaml(doc)).toBe(renderYamlByLibrary(doc));
  });

  it("matches the library on generated objects", () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 0, maxKeys: 6 }), (doc) => {
        expect(renderYaml(doc)).toBe(renderYamlByLibrary(doc));
      }),
      { numRuns: 2000 },
    );
  });

  it("matches the library on objects that share their keys, some of them undefined (the key-order memo)", () => {
    // Few keys, so that lists of keys repeat across objects and in nested mappings, in any insertion
    // order, with and without integer-like keys and the ranked ones (apiVersion, metadata, name, ...).
    const few = fc.constantFrom(
      "apiVersion",
      "kind",
      "metadata",
      "name",
      "namespace",
      "spec",
      "b",
      "a",
      "10",
      "2",
    );
    const { shared } = fc.letrec((tie) => ({
      shared: fc.oneof(
        { depthSize: "small" },
        scalar,
        fc.array(tie("shared"), { maxLength: 3 }),
        fc.dictionary(few, fc.option(tie("shared"), { nil: undefined }), { maxKeys: 6 }),
      ),
    }));
    fc.assert(
      fc.property(fc.array(fc.dictionary(few, shared, { maxKeys: 7 }), { maxLength: 4 }), (docs) => {
        for (const doc of docs) expect(renderYaml(doc)).toBe(renderYamlByLibrary(doc));
      }),
      { numRuns: 1500 },
    );
  });

  it("knows the library's YAML 1.1 schema, so long words that start with a letter skip its tests", () => {
    expect(KNOWN_SCHEMA).toBe(true);
  });

  it("takes a word for a string only where the library would write it plain", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._+-]{0,10}$/), (s) => {
        expect(isWord(s)).toBe(renderYamlByLibrary({ k: s }) === `k: ${s}\n`);
      }),
      { numRuns: 3000 },
    );
  });

  it("writes addresses, versions and URIs (dots, colons) as the library does, in mappings and lists", () => {
    const near = [
      "10.0.0.1",
      "1.30.3",
      "1.2",
      "1:20",
      "1:20.5",
      "1:2.3.4",
      "e1.2.3",
      "E1.5",
      "a.b",
      "a.b.c",
      "spiffe://td.example/ns/istio-system/sa/gw",
      "spiffe:",
      "spiffe://",
      "example:80",
      "https:x",
      "abcdef:",
      "2001-12-14t21:59:43.10",
      "1.2.3:",
      "0x1.2.3",
      "12.e5.6",
    ];
    const text = fc.oneof(
      fc.constantFrom(...near),
      fc.stringMatching(/^[a-zA-Z0-9][0-9a-zA-Z.:/_+-]{0,14}$/),
      fc.stringMatching(/^[0-9.:eE_+-]{1,10}$/),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), (words) => {
        const doc = { k: words[0] ?? "x", list: words };
        expect(renderYaml(doc)).toBe(renderYamlByLibrary(doc));
      }),
      { numRuns: 4000 },
    );
  });

  it("writes integers as the library does, small ones (ports) from their own memo", () => {
    const ints = [1, 80, 443, 15443, 65535, 65536, 0, -0, -1, 2 ** 31, 2 ** 53, 1.5, 1e21, Number.NaN];
    for (const n of ints) expect(renderYaml({ n, l: [n] })).toBe(renderYamlByLibrary({ n, l: [n] }));
  });

  it("leaves anything but plain data to the library", () => {
    const doc = { a: new Date(0), b: [undefined], c: new Map([["k", 1]]) };
    expect(renderYaml(doc)).toBe(renderYamlByLibrary(doc));
    expect(renderYaml([1, 2])).toBe(renderYamlByLibrary([1, 2]));
    expect(renderYaml("on")).toBe(renderYamlByLibrary("on"));
  });
});

// The topology's fast reader (src/yaml/plain-yaml.ts as YAML 1.2, with flow collections and CRLF)
// against the yaml library it stands in for: on any text it accepts, exactly the value of
// parseDocument(text, { version: "1.2", uniqueKeys: true }).toJS(); anything else declined. And
// readFederation on the fast path (positions from the library, parsed on the first request) reports
// exactly what it reports on the library path, positions included.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { synthesize } from "../bench/synthetic.js";
import { readFederation, readFederationSource } from "../src/topology/read.js";
import { parseSource, parseWithLibrary } from "../src/topology/source.js";
import { readPlainDocument } from "../src/yaml/plain-yaml.js";

const OPTIONS = { version: "1.2", flow: true, crlf: true } as const;
const fast = (text: string) => readPlainDocument(text, OPTIONS);

/** The library's value, or "error" when it reports a syntax error (the fast reader must decline). */
function library(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, version: "1.2" });
  return doc.errors.length > 0 ? "error" : doc.toJS({ maxAliasCount: 100 });
}

// Scalars that YAML 1.1 or 1.2 types, or that need quoting, or that are close to syntax.
const TRICKY = [
  ...["yes", "No", "on", "OFF", "y", "n", "true", "True", "TRUE", "tRue", "false", "null", "Null"],
  ...["NULL", "~", "0", "-0", "017", "0o17", "0x1F", "0b101", "08", "1_000", "+12", "1e3", "1E3"],
  ...[".inf", "-.Inf", ".NaN", ".nan", "1.30", "1.3.0", "0.", ".5", "1:20", "2001-12-14", "12e"],
  ...["a#b", "a #b", "a# b", "#x", "a:b", "a: b", "a:", ":a", "-a", "- a", "-", "?a", "? a", "!a"],
  ...["&a", "*a", "|", ">", "%a", "@a", "`a", "a,b", "[a]", "{a}", "a]", "a}", "'a'", '"a"', "a'b"],
  ...['a"b', "a\\b", "a\\nb", "café", "中文", "😀", "a\u2028b", "a\u0085b", "a\u00a0b", "é:é"],
  ...["x y", " x", "x ", "", "10.0.0.1", "fd00::1", "s000001.global", "spiffe://td/ns/a", "a/b"],
];
const KEYS = ["a", "b", "name", "1", "01", "1.0", "true", "null", "~", "y", "constructor"];
const MORE_KEYS = ["__proto__", "x-y.z/w", "<<", "'a'", '"b"', "a b", "-a", "[a]", "?", "a:b"];

const scalarText = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9.-]{0,6}$/) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom("a", "1", " ", "#", ":", ",", "'", '"', "\\", "-", "é", "\t"),
    }),
  },
);
/** A scalar as written: plain, quoted either way, maybe with a comment or trailing spaces after it. */
const scalar = fc
  .tuple(
    scalarText,
    fc.constantFrom("plain", "single", "double"),
    fc.constantFrom("", "", "", " # c", "  ", "#c"),
  )
  .map(([s, quote, after]) => {
    const body = quote === "plain" ? s : quote === "single" ? `'${s.replaceAll("'", "''")}'` : `"${s}"`;
    return body + after;
  });
const key = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/) },
  { weight: 2, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...MORE_KEYS) },
);

type Tree = { scalar: string } | { seq: Tree[]; flow: boolean } | { map: [string, Tree][]; flow: boolean };
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar.map((s) => ({ scalar: s })),
    fc.record({ seq: fc.array(tie("tree"), { maxLength: 3 }), flow: fc.boolean() }),
    fc.record({ map: fc.array(fc.tuple(key, tie("tree")), { maxLength: 3 }), flow: fc.boolean() }),
  ),
}));

/** A tree on one line, flow style. */
function flowText(t: Tree): string {
  if ("scalar" in t) return t.scalar.replace(/ # c$|#c$/, "");
  if ("seq" in t) return `[${t.seq.map(flowText).join(", ")}]`;
  return `{ ${t.map.map(([k, v]) => `${k}: ${flowText(v)}`).join(", ")} }`;
}

/** A tree's block lines at `indent`, or its flow text when it is a scalar or written flow. */
function blockLines(t: Tree, indent: number, step: number): string[] | string {
  if ("scalar" in t) return t.scalar;
  if (t.flow || ("seq" in t ? t.seq.length === 0 : t.map.length === 0)) return flowText(t);
  const pad = " ".repeat(indent);
  const entries: [string, Tree][] =
    "seq" in t ? t.seq.map((v) => ["-", v]) : t.map.map(([k, v]) => [`${k}:`, v]);
  return entries.flatMap(([head, v]) => {
    const inner = blockLines(v, indent + step, step);
    return typeof inner === "string" ? [`${pad}${head} ${inner}`] : [`${pad}${head}`, ...inner];
  });
}

const document = fc
  .tuple(
    fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }),
    fc.constantFrom(1, 2, 4),
    fc.constantFrom("\n", "\r\n"),
    fc.constantFrom("", "", "# head\n", "---\n"),
  )
  .map(([entries, step, eol, head]) => {
    const lines = blockLines({ map: entries, flow: false }, 0, step);
    return head + (typeof lines === "string" ? [lines] : lines).join(eol) + eol;
  });

describe("the topology's fast YAML reader", () => {
  it("gives exactly the library's value for any text it accepts, and declines syntax errors", () => {
    let accepted = 0;
    fc.assert(
      fc.property(document, (text) => {
        const mine = fast(text);
        if (mine === undefined) return;
        accepted++;
        // node's strict equality: vitest's reads an own "constructor" key as the object's class.
        expect(isDeepStrictEqual(mine, library(text)), text).toBe(true);
      }),
      // Seeded, so that the count below is the same on every run.
      { numRuns: 1500, seed: 20261206 },
    );
    // A reader that declines everything would pass the property: it must read many such files.
    expect(accepted).toBeGreaterThan(250);
  });

  it("finds every path where the library finds it, keys and values, on text it accepts", () => {
    let located = 0;
    fc.assert(
      fc.property(
        document,
        fc.array(fc.array(fc.nat(5), { maxLength: 6 }), { maxLength: 8 }),
        (text, walks) => {
          if (fast(text) === undefined) return;
          const mine = parseSource("t.yaml", text).source;
          const theirs = parseWithLibrary("t.yaml", text).source;
          // Paths that exist and paths that stop short or go astray, each followed from the root.
          for (const walk of [[], ...walks]) {
            const path: (string | number)[] = [];
            let value: unknown = mine.data;
            for (const n of walk) {
              const keys = Array.isArray(value)
                ? value.map((_, i) => i)
                : value && typeof value === "object"
                  ? Object.keys(value)
                  : [];
              const seg =
                keys.length > 0 && n < 5
                  ? (keys[n % keys.length] as string | number)
                  : n === 5
                    ? "missing"
                    : n;
              path.push(seg);
              value = (value as Record<string | number, unknown> | null)?.[seg];
            }
            for (const at of ["key", "value"] as const) {
              expect(mine.locate(path, at), `${JSON.stringify(text)} ${JSON.stringify(path)} ${at}`).toEqual(
                theirs.locate(path, at),
              );
              located++;
            }
          }
        },
      ),
      { numRuns: 1500, seed: 20261206 },
    );
    expect(located).toBeGreaterThan(1000);
  });

  it.each([
    ["flow collections", "a: [x, 'y', \"z\", [1, {b: c}]]\nd: { e: 1.30, f: [] }\n"],
    ["CRLF line ends", "a: 1\r\nb:\r\n  - c # d\r\n"],
    ["quoted text that looks typed", "a: '1.30'\nb: \"true\"\nc: 'it''s # not a comment'\nd: \"é\"\n"],
    ["keys that shadow Object.prototype", "constructor: 1\ntoString: [x]\n"],
  ])("reads %s as the library does", (_name, text) => {
    expect(isDeepStrictEqual(fast(text), library(text))).toBe(true);
  });

  it.each([
    ["a multi-line flow collection", "a: [x,\n  y]\n"],
    ["a trailing comma", "a: [x, y,]\n"],
    ["a pair in a flow sequence", "a: [x: y]\n"],
    ["a key without value in a flow mapping", "a: { x, y: 1 }\n"],
    ["a colon in a flow scalar", "a: [fd00::1]\n"],
    ["a duplicate flow key", "a: { x: 1, x: 2 }\n"],
    ["a lone CR", "a: b\rc: d\n"],
    ["a line separator in quotes", 'a: "x\u2028y"\n'],
    ["a document marker", "---\na: 1\n"],
    ["an empty file", "# nothing\n"],
    ["a __proto__ key", "__proto__: 1\n"],
    ["a merge key", "a:\n  <<: { b: 1 }\n"],
  ])("declines %s", (_name, text) => {
    expect(fast(text)).toBeUndefined();
  });
});

// Federation texts to edit: every golden case's input and a small synthetic topology.
const GOLDEN = join(import.meta.dirname, "golden");
const BASES = [
  ...readdirSync(GOLDEN)
    .filter((name) => !name.endsWith(".md") && !name.endsWith("-legacy") && name !== "legacy-cli")
    .map((name) => readFileSync(join(GOLDEN, name, "federation.yaml"), "utf8")),
  synthesize({ clusters: 6, services: 12, fanout: 2, maxFanout: 4 }).text,
];

/** One edit of a line: a value swapped for a tricky one, a key misspelt, the line gone or doubled. */
const edit = fc.tuple(fc.nat(), fc.constantFrom("value", "key", "delete", "double", "comment"), scalar);
function applyEdit(lines: string[], [at, kind, value]: [number, string, string]): void {
  const i = at % lines.length;
  const line = lines[i] as string;
  if (kind === "delete") lines.splice(i, 1);
  else if (kind === "double") lines.splice(i, 0, line);
  else if (kind === "comment") lines.splice(i, 0, `${" ".repeat(at % 7)}# ${value}`);
  else if (kind === "key") lines[i] = line.replace(/^(\s*(?:- )?)([A-Za-z]+):/, "$1$2x:");
  else lines[i] = line.replace(/^(\s*(?:- )?[A-Za-z]+: ).*$/, `$1${value}`);
}

describe("readFederation on the fast path", () => {
  it("reports what the library path reports, positions included", () => {
    let fastWithDiagnostics = 0;
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(edit, { maxLength: 4 }),
        fc.constantFrom("\n", "\r\n"),
        (base, edits, eol) => {
          const lines = (BASES[base % BASES.length] as string).split("\n");
          for (const e of edits) applyEdit(lines, e);
          const text = lines.join(eol);
          const onLibrary = parseWithLibrary("t.yaml", text);
          const expected =
            onLibrary.diagnostics.length > 0
              ? onLibrary.diagnostics
              : readFederationSource(onLibrary.source).diagnostics;
          const actual = readFederation("t.yaml", text).diagnostics;
          expect(actual).toEqual(expected);
          if (fast(text) !== undefined && actual.length > 0) fastWithDiagnostics++;
        },
      ),
      { numRuns: 300, seed: 20261206 },
    );
    // The fast path must have been taken, and asked for positions, for the property to mean anything.
    expect(fastWithDiagnostics).toBeGreaterThan(30);
  });

  it("quotes the source line of a position asked for on the fast path", () => {
    const text = "apiVersion: coddiwomple.io/v1alpha1\r\nkind: Federation\r\nmetadata:\r\n  name: x\r\n";
    const { source } = parseSource("t.yaml", text);
    expect(fast(text)).toBeDefined();
    expect(source.locate(["metadata", "name"])).toEqual({ file: "t.yaml", line: 4, col: 9, length: 1 });
    expect(source.lineText(4)).toBe("  name: x");
  });
});

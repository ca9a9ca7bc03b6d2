// The fast YAML reader (src/trace/plain-yaml.ts) against the yaml library it stands in for: on the
// text it accepts, the same values as parseAllDocuments(text, { version: "1.1" }) and toJS; anything
// else declined, so that the library reads it (and reports its errors, with the file's name).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadClusterConfig } from "../src/trace/config.js";
import { readPlainYaml } from "../src/trace/plain-yaml.js";

const library = (text: string): unknown[] => {
  const docs = parseAllDocuments(text, { version: "1.1" });
  const list = Array.isArray(docs) ? docs : [docs];
  expect(list.flatMap((d) => d.errors)).toEqual([]);
  return list.map((d) => d.toJS()).filter((v) => v !== null);
};

describe("the plain YAML reader", () => {
  it.each([
    ["a mapping with comments", "# head\nkind: Gateway # trailing\nmetadata:\n  name: x\n\n  namespace: y\n"],
    [
      "YAML 1.1 plain scalars",
      "a: yes\nb: No\nc: on\nd: ~\ne: null\nf: 017\ng: 0x1F\nh: 1:20\ni: .inf\nj: -.5\nk: 1e3\nl: 0b101\nm: 1_000\nn: +12\no: y\np: -0\nq: .\n",
    ],
    ["quoted scalars", "a: 'it''s'\nb: \"*\"\nc: ''\nd: \"true\"\ne: 'x' # c\n"],
    ["keys that YAML 1.1 types", "y: 1\n8080: b\nnull: c\n1.0: d\nOff: e\n"],
    ["empty collections and nulls", "a: []\nb: {}\nc:\nd: # nothing\ne: [ ]\n"],
    [
      "sequences, nested and at the key's indent",
      "hosts:\n- a\n- b\nservers:\n  - hosts:\n    - x/*\n    port:\n      number: 15443\n  -\n    name: two\nend: 1\n",
    ],
    ["several documents", "---\na: 1\n---\n# only a comment\n---\nb: 2\n"],
    ["keys that shadow Object.prototype", "constructor: 1\ntoString: x\nhasOwnProperty: y\n"],
    ["plain scalars with colons and stars", "a: spiffe://td/ns/x/sa/y\nb: cluster.local/*\nc: ./*\nd: a:b\n"],
  ])("reads %s as the library does", (_name, text) => {
    expect(readPlainYaml(text)).toEqual(library(text));
  });

  it.each([
    ["an anchor", "a: &x 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["a flow collection", "a: [1, 2]\n"],
    ["a block scalar", "a: |\n  text\n"],
    ["a multi-line plain scalar", "a: one\n  two\n"],
    ["a tab", "a:\tb\n"],
    ["CR line ends", "a: b\r\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["keys equal once typed", "y: 1\ntrue: 2\n"],
    ["an escape", 'a: "x\\ny"\n'],
    ["a timestamp", "a: 2001-12-14\n"],
    ["a merge key", "<<: {}\n"],
    ["a quoted key", "'a': 1\n"],
    ["a nested compact mapping", "a: b: c\n"],
    ["a directive", "%YAML 1.1\n---\na: 1\n"],
    ["a document end marker", "a: 1\n...\n"],
    ["a top-level sequence", "- a\n"],
    ["a comment without a space", "a: b#c\n"],
    ["non-ASCII plain text", "a: café\n"],
    ["an unterminated quote", "a: 'x\n"],
    ["bad indentation", "a:\n  b: 1\n c: 2\n"],
  ])("declines %s", (_name, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });

  it("agrees with the library on random documents it accepts", () => {
    let seed = 20261122;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const values = [
      "yes",
      "No",
      "~",
      "null",
      "017",
      "08",
      "0x1F",
      "1:20",
      "1:60",
      "190:20:30.5",
      ".inf",
      ".NaN",
    ]
      .concat([
        "1e3",
        "e5",
        "E3",
        "-1",
        "+.5",
        "1__0",
        "0.",
        "''",
        "'a''b'",
        '""',
        '"x y"',
        "[]",
        "{}",
        "a  b",
      ])
      .concat([
        "s000001.global",
        "10.0.0.1",
        "x/*",
        "a:b",
        "(x)",
        "$x",
        "=x",
        "x # c",
        "'q' # c",
        "TRUE",
        "tRue",
      ]);
    const keys = ["a", "b", "name", "y", "on", "1", "01", "1.0", "0b1", "null", "constructor", "x-y.z/w"];
    const block = (depth: number, indent: number, out: string[]): void => {
      const pad = " ".repeat(indent);
      const n = 1 + Math.floor(random() * 3);
      const seq = depth > 0 && random() < 0.3;
      for (let i = 0; i < n; i++) {
        const key = random() < 0.3 ? pick(keys) : `k${Math.floor(random() * 1e6)}`;
        if (seq && random() < 0.5) out.push(`${pad}- ${pick(values)}`);
        else if (seq) {
          out.push(`${pad}- ${key}: ${pick(values)}`);
          if (depth < 3 && random() < 0.5) {
            out.push(`${pad}  ${key}x:`);
            block(depth + 1, indent + pick([2, 4]), out);
          }
        } else if (depth < 3 && random() < 0.4) {
          out.push(`${pad}${key}:${pick(["", " # c"])}`);
          block(depth + 1, indent + pick([0, 2, 2, 4]), out);
        } else out.push(`${pad}${key}: ${pick(values)}`);
      }
    };
    let accepted = 0;
    for (let i = 0; i < 1500; i++) {
      const docs = Array.from({ length: 1 + Math.floor(random() * 2) }, () => {
        const out: string[] = [];
        block(0, 0, out);
        return out.join("\n");
      });
      const text = `${docs.join("\n---\n")}\n`;
      const mine = readPlainYaml(text);
      if (!mine) continue;
      accepted++;
      expect(mine, text).toEqual(library(text));
    }
    expect(accepted).toBeGreaterThan(300);
  });
});

describe("reading a cluster's files", () => {
  it("agrees with the library on generated files after random edits, or declines them", () => {
    // cw's own output (every golden's expected files and the example's), damaged the way a hand edit
    // or a broken tool might: a character put in or taken out, a line repeated or indented. Whatever
    // the fast reader accepts must parse without error in the library and give the same values.
    const root = join(dirname(fileURLToPath(import.meta.url)), "..");
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".yaml")) files.push(readFileSync(path, "utf8"));
      }
    };
    walk(join(root, "test", "golden"));
    walk(join(root, "examples"));
    const at = (n: number, length: number) => n % Math.max(1, length);
    const edit = fc.oneof(
      fc.tuple(fc.nat(), fc.constantFrom(..." :-[]{},#&*!|>'\"%@`?\t\n\r\\0yYn~.e")).map(
        ([n, ch]) =>
          (t: string) =>
            t.slice(0, at(n, t.length + 1)) + ch + t.slice(at(n, t.length + 1)),
      ),
      fc.nat().map((n) => (t: string) => t.slice(0, at(n, t.length)) + t.slice(at(n, t.length) + 1)),
      fc.nat().map((n) => (t: string) => {
        const lines = t.split("\n");
        lines.splice(at(n, lines.length), 0, lines[at(n, lines.length)] ?? "");
        return lines.join("\n");
      }),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })).map(([n, spaces]) => (t: string) => {
        const lines = t.split("\n");
        lines[at(n, lines.length)] = " ".repeat(spaces) + lines[at(n, lines.length)];
        return lines.join("\n");
      }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
        const text = edits.reduce((t, e) => e(t), files[pick % files.length] as string);
        const mine = readPlainYaml(text);
        if (mine === undefined) return;
        accepted++;
        const docs = parseAllDocuments(text, { version: "1.1" });
        const list = Array.isArray(docs) ? docs : [docs];
        expect(
          list.flatMap((d) => d.errors).map((e) => e.message),
          text,
        ).toEqual([]);
        const theirs = list.map((d) => d.toJS()).filter((v) => v !== null);
        // isDeepStrictEqual, not toStrictEqual: a "constructor" key would make vitest compare classes.
        expect(isDeepStrictEqual(mine, theirs), text).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it("reads the library's way what the fast reader declines, and names broken files", () => {
    const loaded = loadClusterConfig("a", [
      {
        path: "all.yaml",
        content:
          "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: &m\n  name: g\n  namespace: ns\nspec: {}\n---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: s\nspec:\n  hosts: [r.global]\n",
      },
      { path: "broken.yaml", content: "apiVersion: networking.istio.io/v1\nkind: [\n" },
      {
        path: "plain.yaml",
        content:
          "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: d\nspec:\n  host: r.global\n",
      },
    ]);
    expect(loaded.config.objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.name, o.file])).toEqual(
      [
        ["Gateway", "ns", "g", "all.yaml"],
        ["ServiceEntry", "default", "s", "all.yaml"],
        ["DestinationRule", "default", "d", "plain.yaml"],
      ],
    );
    expect(loaded.config.objects[1]?.spec).toEqual({ hosts: ["r.global"] });
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatch(/^a\/broken\.yaml: /);
  });
});

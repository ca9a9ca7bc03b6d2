// The fuzz target (issue 12): random and mutated input, run through `cw generate` as a user runs it
// (in-process, runAsync), and the promises every run must keep, whatever it was given:
//   - the exit code is 0 or 1 (never 2 for a file cw was given, never 70 for a bug of cw's);
//   - every line cw prints to stderr is a coded diagnostic (`error CW1234: ...`), its source line and
//     caret, or the summary: no uncoded error, no stack trace, no line longer than a screenful;
//   - after an error nothing is written: no output folder, no lock file, no staging folder, no lock;
//   - after success, the folder has cw's manifest.
// Inputs come in three kinds: the text of a Federation file mutated at random (characters, lines,
// YAML tokens), a valid random Federation with one value replaced by any JSON value (or a key
// added or removed), and the original Coddiwomple's two JSON files treated the same ways.
// test/fuzz.test.ts runs a few hundred cases in npm test; `npm run fuzz` (scripts/fuzz.ts) runs more
// and prints figures. Shrunk counterexamples are kept in test/fuzz-regressions/ and replayed.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { runAsync } from "../../src/cli/main.js";
import { federationArbitrary } from "./random-topology.js";

export type FuzzInput =
  | {
      readonly kind: "federation";
      readonly file: "federation.yaml" | "federation.json";
      readonly text: string;
    }
  | { readonly kind: "legacy"; readonly clusters: string; readonly services: string };

export interface FuzzOutcome {
  readonly code: number;
  /** The diagnostic codes cw printed, errors and warnings. */
  readonly codes: readonly string[];
  /** Broken promises; empty when the run kept them all. */
  readonly problems: readonly string[];
}

const STACK = /^\s+at .+:\d+:\d+\)?$|^\w*Error: |^node:internal/m;
const HEADER = /^(.+:\d+:\d+: )?(error|warning) CW\d{4}: \S/;
const SOURCE = /^ \d+ \| /;
const CARET = /^ +\| +\^+$/;
const SUMMARY = /^\d+ errors?, \d+ warnings?$/;
const MAX_LINE = 2000;

/** Run `cw generate` on the input in a fresh folder under `root`; say which promises it broke. */
export async function runCase(input: FuzzInput, root: string, n: number): Promise<FuzzOutcome> {
  const dir = join(root, `case-${n}`);
  mkdirSync(dir, { recursive: true });
  const inputs: string[] = [];
  const place = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    inputs.push(name);
    return join(dir, name);
  };
  const argv =
    input.kind === "federation"
      ? [place(input.file, input.text)]
      : [
          "--cluster-file",
          place("clusters.json", input.clusters),
          "--service-file",
          place("services.json", input.services),
        ];
  const out = join(dir, "out");
  const lock = join(dir, "federation.lock.yaml");
  let stdout = "";
  let stderr = "";
  let code: number;
  const problems: string[] = [];
  // A warning of Node's (or a library's) would reach the user's terminal past cw's own reporting.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error) => {
    problems.push(
      `a process warning: ${String(warning instanceof Error ? warning.message : warning).slice(0, 200)}`,
    );
  }) as typeof process.emitWarning;
  try {
    code = await runAsync(["generate", ...argv, "-o", out, "--lock", lock], {
      out: (t: string) => {
        stdout += t;
      },
      err: (t: string) => {
        stderr += t;
      },
    });
  } catch (e) {
    return { code: -1, codes: [], problems: [`threw: ${e instanceof Error ? e.stack : String(e)}`] };
  } finally {
    process.emitWarning = emitWarning;
  }
  if (code !== 0 && code !== 1) problems.push(`exit code ${code}`);
  if (STACK.test(stderr) || STACK.test(stdout)) problems.push("a stack trace was printed");
  const codes = [...stderr.matchAll(/(?:error|warning) (CW\d{4}):/g)].map((m) => m[1] as string);
  if (codes.includes("CW9001")) problems.push("internal error CW9001");
  for (const line of stderr.split("\n").filter((l) => l !== "")) {
    if (!(HEADER.test(line) || SOURCE.test(line) || CARET.test(line) || SUMMARY.test(line))) {
      problems.push(`an uncoded line on stderr: ${JSON.stringify(line.slice(0, 200))}`);
      break;
    }
    if (line.length > MAX_LINE) problems.push(`a line of ${line.length} characters`);
  }
  const left = readdirSync(dir)
    .filter((f) => !inputs.includes(f))
    .sort();
  if (code === 1) {
    if (!/(^|: )error CW\d{4}: /m.test(stderr)) problems.push("exit 1 without a coded error");
    if (left.length > 0) problems.push(`written after an error: ${left.join(", ")}`);
  }
  if (code === 0) {
    if (/(^|: )error CW/m.test(stderr)) problems.push("exit 0 with an error");
    if (!existsSync(join(out, ".coddiwomple-manifest"))) problems.push("exit 0 without a manifest");
    const extra = left.filter((f) => f !== "out" && f !== "federation.lock.yaml");
    if (extra.length > 0) problems.push(`left behind: ${extra.join(", ")}`);
  }
  return { code, codes, problems };
}

// ---- inputs ---------------------------------------------------------------------------------------

const SEED = readFileSync("examples/split-bookinfo/federation.yaml", "utf8");
const LEGACY_CLUSTERS = readFileSync("test/golden/legacy-cli/clusters.json", "utf8");
const LEGACY_SERVICES = readFileSync("test/golden/legacy-cli/services.json", "utf8");

// What breaks parsers and checkers: YAML syntax, anchors, tags, odd numbers, control and bidi
// characters, prototype keys, long and deep values.
const TOKENS = [
  "{",
  "}",
  "[",
  "]",
  ":",
  ": ",
  "- ",
  ",",
  "&a ",
  "*a",
  "!!binary ",
  "!!js/function ",
  "<<: *a",
  "\t",
  "\n",
  "  ",
  "__proto__: x",
  "constructor: y",
  "1e400",
  "-1",
  "0x10",
  "0o7",
  ".inf",
  "~",
  "null",
  "true",
  "'",
  '"',
  "\u001b[2J",
  "\u202e",
  "\u0000",
  "\r",
  "#",
  "? ",
  "---\n",
  "...\n",
  "%YAML 1.1\n",
  "\\",
  "🙂",
  "9".repeat(30),
  "a".repeat(300),
  "[".repeat(80),
  "{a: ".repeat(70),
  "*",
  "|",
  ">",
  "@",
  "`",
  "%",
];

const mutation = fc.oneof(
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    what: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })),
  }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant("line" as const), at: fc.nat(), to: fc.nat(), duplicate: fc.boolean() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  if (text.length === 0) return m.op === "insert" ? m.what : text;
  const at = m.at % (text.length + 1);
  switch (m.op) {
    case "insert":
      return text.slice(0, at) + m.what + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + m.length);
    case "line": {
      const lines = text.split("\n");
      const from = m.at % lines.length;
      const to = m.to % lines.length;
      const [line] = lines.splice(from, m.duplicate ? 0 : 1);
      lines.splice(to, 0, line ?? lines[from] ?? "");
      return lines.join("\n");
    }
  }
}

const mutatedText = (seed: string) =>
  fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => ms.reduce(mutate, seed));

/** Any JSON value, and the values that have broken readers before. */
const oddValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  fc.constantFrom(
    "",
    " ",
    "__proto__",
    "a b",
    "1.2.3.4:15443",
    "999.1.1.1",
    "http://x/",
    "010.0.0.1",
    "::0",
    "*",
    "-",
    "\u001b[31m",
    "x".repeat(400),
    1e308,
    -0,
    0,
    65536,
    1.5,
    {},
    [],
    null,
    true,
    { __proto__: null },
  ),
);

type Json = unknown;

/** Every path into a plain JSON value. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...pathsOf(v, [...prefix, i]));
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  }
  return out;
}

type Change = {
  readonly at: number;
  readonly how: "replace" | "delete" | "add" | "duplicate";
  readonly key: string;
  readonly value: Json;
};

const change = fc.record({
  at: fc.nat(),
  how: fc.constantFrom(
    "replace" as const,
    "replace" as const,
    "delete" as const,
    "add" as const,
    "duplicate" as const,
  ),
  key: fc.oneof(
    fc.constantFrom(
      "__proto__",
      "name",
      "ports",
      "selector",
      "labels",
      "addresses",
      "kubecondig_context",
      "x",
    ),
    fc.string({ maxLength: 6 }),
  ),
  value: oddValue,
});

/**
 * `doc` with one value replaced or removed, a key added, or a list item repeated, at the path `c.at`
 * picks among those the change applies to (list items to repeat, mappings to add to).
 */
function changeDoc(doc: Json, c: Change): Json {
  const copy = structuredClone(doc) as Json;
  const all = pathsOf(copy);
  const fits = all.filter((p) => {
    if (c.how === "duplicate") return typeof p.at(-1) === "number";
    if (c.how !== "add") return true;
    const v = valueAtPath(copy, p);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  });
  const paths = fits.length > 0 ? fits : all;
  const path = paths[c.at % paths.length] ?? [];
  if (path.length === 0) return c.how === "replace" ? c.value : copy;
  let parent = copy as Record<string | number, Json>;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (c.how === "replace") parent[last] = c.value;
  else if (c.how === "duplicate") {
    // A list item twice (two aliases, ports, clusters of one name): the shape of many a mistake.
    if (Array.isArray(parent)) parent.push(structuredClone(parent[last as number]));
  } else if (c.how === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = valueAtPath(copy, path);
    if (target !== null && typeof target === "object" && !Array.isArray(target)) {
      Object.defineProperty(target, c.key, {
        value: c.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return copy;
}

const valueAtPath = (doc: Json, path: readonly (string | number)[]): Json =>
  path.reduce<Json>((v, seg) => (v as Record<string | number, Json>)[seg], doc);

const asText = (doc: Json, json: boolean) => (json ? JSON.stringify(doc, null, 1) : stringify(doc));

export const federationText: fc.Arbitrary<FuzzInput> = fc
  .tuple(fc.constantFrom(SEED, SEED.replace(/ +#.*$/gm, "")), fc.boolean())
  .chain(([seed, json]) =>
    (json ? mutatedText(JSON.stringify(parseSeed(seed), null, 1)) : mutatedText(seed)).map(
      (text): FuzzInput => ({ kind: "federation", file: json ? "federation.json" : "federation.yaml", text }),
    ),
  );

export const federationStructure: fc.Arbitrary<FuzzInput> = fc
  .tuple(
    federationArbitrary({ maxClusters: 4, maxServices: 4 }),
    fc.array(change, { minLength: 1, maxLength: 5 }),
    fc.boolean(),
  )
  .map(
    ([doc, changes, json]): FuzzInput => ({
      kind: "federation",
      file: json ? "federation.json" : "federation.yaml",
      text: asText(changes.reduce(changeDoc, doc as Json), json),
    }),
  );

export const legacyFiles: fc.Arbitrary<FuzzInput> = fc.oneof(
  fc.tuple(fc.array(change, { maxLength: 2 }), fc.array(change, { maxLength: 2 })).map(
    ([cs, ss]): FuzzInput => ({
      kind: "legacy",
      clusters: JSON.stringify(cs.reduce(changeDoc, JSON.parse(LEGACY_CLUSTERS) as Json), null, 1),
      services: JSON.stringify(ss.reduce(changeDoc, JSON.parse(LEGACY_SERVICES) as Json), null, 1),
    }),
  ),
  fc.tuple(mutatedText(LEGACY_CLUSTERS), mutatedText(LEGACY_SERVICES), fc.boolean()).map(
    ([clusters, services, which]): FuzzInput => ({
      kind: "legacy",
      clusters: which ? clusters : LEGACY_CLUSTERS,
      services: which ? LEGACY_SERVICES : services,
    }),
  ),
);

export const anyInput: fc.Arbitrary<FuzzInput> = fc.oneof(federationText, federationStructure, legacyFiles);

/** The seed as data, for mutations of its JSON text. */
const parseSeed = (text: string): Json => parse(text) as Json;

// A YAML slip gives one error at its cause, in words about the file, not the parser's cascade: each
// row is a Federation file with one mistake a person makes, and the one CW1001 it must produce (line
// and column counted by hand, pointing at what to fix) with what its message must say.

import { describe, expect, it } from "vitest";
import { readFederation } from "../src/topology/read.js";

const HEAD = "apiVersion: coddiwomple.io/v1alpha1\nkind: Federation\nmetadata:\n  name: demo\nspec:\n";
// Lines 6-12, below HEAD's five.
const CLUSTERS = [
  "  clusters:",
  "    - name: a",
  "      region: us-east1",
  "      zone: us-east1-b",
  "      ingress: { addresses: [192.0.2.1] }",
  "    - name: b",
  "      ingress: { addresses: [192.0.2.2] }",
];
const SERVICES = "  services: []\n";

/** The example with line `n` (1-based, counting HEAD) replaced. */
function withLine(n: number, line: string): string {
  const lines = [...HEAD.trimEnd().split("\n"), ...CLUSTERS];
  lines[n - 1] = line;
  return `${lines.join("\n")}\n${SERVICES}`;
}

const cases: { name: string; input: string; line: number; col: number; says: RegExp }[] = [
  {
    name: "a key and value without the colon",
    input: withLine(8, "      region us-east1"),
    line: 8,
    col: 7,
    says: /^"region us-east1" has no ':' after the key; write region: us-east1$/,
  },
  {
    name: "a key over an indented block without the colon",
    input: withLine(6, "  clusters"),
    line: 6,
    col: 3,
    says: /^"clusters" has no ':' after it/,
  },
  {
    name: "a top-level key without the colon",
    input: HEAD.replace("kind: Federation", "kind Federation"),
    line: 2,
    col: 1,
    says: /^"kind Federation" has no ':' after the key; write kind: Federation$/,
  },
  {
    name: "a line indented under a key that has a value",
    input: withLine(9, "        zone: us-east1-b"),
    line: 9,
    col: 9,
    says: /^"zone" is indented deeper than "region" on line 8, which already has a value.*\(6 spaces\)/,
  },
  {
    name: "a key indented one space less than its mapping",
    input: withLine(9, "     zone: us-east1-b"),
    line: 9,
    col: 6,
    says: /^this key is indented 5 spaces, which lines up with no mapping above it.*"region" on line 8 is \(6 spaces\)$/,
  },
  {
    name: "a list item indented one space more than the list",
    input: withLine(11, "     - name: b"),
    line: 11,
    col: 6,
    says: /^this list item is indented 5 spaces.*the item on line 7 is \(4 spaces\)$/,
  },
  {
    name: "a flow list never closed",
    input: withLine(10, "      ingress: { addresses: [192.0.2.1 }"),
    line: 10,
    col: 29,
    says: /^this '\[' is never closed; add the closing '\]'/,
  },
];

describe("a YAML syntax error is one CW1001 at its cause", () => {
  it.each(cases)("$name", ({ input, line, col, says }) => {
    const { diagnostics } = readFederation("federation.yaml", input);
    expect(diagnostics.map((d) => [d.code, d.location?.line, d.location?.col])).toEqual([
      ["CW1001", line, col],
    ]);
    expect(diagnostics[0]?.message).toMatch(says);
  });
});

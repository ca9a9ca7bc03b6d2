// The fuzz target in npm test: a bounded run over each kind of input (test/support/fuzz.ts says what
// is promised), and every counterexample ever shrunk, kept in test/fuzz-regressions/. The long run is
// `npm run fuzz` (scripts/fuzz.ts).

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type FuzzInput, federationStructure, federationText, legacyFiles, runCase } from "./support/fuzz.js";

const root = mkdtempSync(join(tmpdir(), "cw-fuzz-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const holds = async (input: FuzzInput) => {
  const outcome = await runCase(input, root, n++);
  expect(outcome.problems, JSON.stringify(input)).toEqual([]);
};

describe("fuzz: cw generate keeps its promises on any input", () => {
  const kinds: [string, fc.Arbitrary<FuzzInput>, number][] = [
    ["mutated Federation text", federationText, 20260401],
    ["Federation structure with odd values", federationStructure, 20260402],
    ["the original's JSON files, mutated", legacyFiles, 20260403],
  ];
  it.each(kinds)("%s", async (_, arbitrary, seed) => {
    await fc.assert(fc.asyncProperty(arbitrary, holds), { numRuns: 30, seed });
  });

  const regressions = join("test", "fuzz-regressions");
  const kept = readdirSync(regressions)
    .filter((f) => f.endsWith(".json"))
    .sort();
  it.each(kept)("regression %s", async (file) => {
    await holds(JSON.parse(readFileSync(join(regressions, file), "utf8")) as FuzzInput);
  });
});

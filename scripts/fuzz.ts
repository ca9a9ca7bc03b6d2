// The long run of the fuzz target (test/support/fuzz.ts says what each case must keep): `npm run fuzz`
// runs 10,000 cases (`-- --runs N`, `-- --seed S` to repeat one), spread over the three kinds of
// input, and prints what it saw: exit codes, the diagnostic codes met, time per case. A case that
// breaks a promise is shrunk by fast-check to a small one, written to test/fuzz-regressions/ (where
// npm test replays it for good), and the run exits 1.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import {
  type FuzzInput,
  federationStructure,
  federationText,
  legacyFiles,
  runCase,
} from "../test/support/fuzz.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`usage: npm run fuzz -- [--runs N] [--seed S]\n`);
    process.exit(2);
  }
  return value;
};
const runs = option("runs", 10_000);
const seed = option("seed", Date.now() % 2_147_483_647);

const kinds: [string, fc.Arbitrary<FuzzInput>][] = [
  ["federation-text", federationText],
  ["federation-structure", federationStructure],
  ["legacy", legacyFiles],
];

const root = mkdtempSync(join(tmpdir(), "cw-fuzz-"));
const exits = new Map<number, number>();
const codes = new Map<string, number>();
let n = 0;
let failed = false;
const started = process.hrtime.bigint();
try {
  for (const [k, [name, arbitrary]] of kinds.entries()) {
    const share = Math.floor(runs / kinds.length) + (k < runs % kinds.length ? 1 : 0);
    const kindStart = process.hrtime.bigint();
    const result = await fc.check(
      fc.asyncProperty(arbitrary, async (input) => {
        const i = n++;
        const outcome = await runCase(input, root, i);
        rmSync(join(root, `case-${i}`), { recursive: true, force: true });
        exits.set(outcome.code, (exits.get(outcome.code) ?? 0) + 1);
        for (const c of new Set(outcome.codes)) codes.set(c, (codes.get(c) ?? 0) + 1);
        return outcome.problems.length === 0;
      }),
      { numRuns: share, seed: seed + k },
    );
    const seconds = Number(process.hrtime.bigint() - kindStart) / 1e9;
    process.stdout.write(`${name}: ${result.numRuns} cases in ${seconds.toFixed(1)} s (seed ${seed + k})\n`);
    if (result.failed) {
      failed = true;
      const input = result.counterexample?.[0] as FuzzInput | undefined;
      const again = input ? await runCase(input, root, n++) : undefined;
      const file = join("test", "fuzz-regressions", `${name}-${seed + k}.json`);
      if (input) writeFileSync(file, `${JSON.stringify(input, null, 1)}\n`);
      process.stdout.write(
        `  FAILED after ${result.numRuns} cases (shrunk ${result.numShrinks} times): ${again?.problems.join("; ") ?? String(result.errorInstance)}\n  kept in ${file}\n`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const sorted = <K>(m: Map<K, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
process.stdout.write(
  `\n${n} cases in ${seconds.toFixed(1)} s (${((seconds * 1000) / Math.max(1, n)).toFixed(1)} ms each), seed ${seed}\n` +
    `exit codes: ${sorted(exits)
      .map(([c, k]) => `${c}: ${k}`)
      .join(", ")}\n` +
    `cases with each code: ${sorted(codes)
      .map(([c, k]) => `${c} ${k}`)
      .join(", ")}\n` +
    (failed ? "FAILED: see above\n" : "no broken promise\n"),
);
process.exitCode = failed ? 1 : 0;

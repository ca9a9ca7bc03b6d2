// `npm run bench`: compiles and writes synthetic federations of several sizes, each in a child process
// of its own (bench/measure.ts) so that peak memory is per size, and reports each stage's wall time,
// peak memory, output per cluster, the bare-stringify floor and the incremental cases. Writes
// bench/results.json and bench/results.md (the table the README quotes) and prints the table.
//
//   npm run bench                     every size (about ten minutes on 2 cores, mostly the largest)
//   npm run bench -- --quick          small sizes only, a smoke test for CI (results-quick.*)
//   npm run bench -- --only 100x5000  the sizes whose label contains the text
//   npm run bench -- --dir /dev/shm   write the output folders below this folder (default: the OS's temp)

import { spawnSync } from "node:child_process";
import { rmSync, statfsSync, writeFileSync } from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SizeResult } from "./measure.js";
import type { SyntheticSize } from "./synthetic.js";
import { type BenchResults, table } from "./table.js";

const here = dirname(fileURLToPath(import.meta.url));

const size = (clusters: number, services: number): SyntheticSize => ({
  clusters,
  services,
  fanout: 10,
  maxFanout: 50,
});

// The services ladder at 500 clusters (1k, 10k, 50k); the clusters ladder at 10k services (50, 100,
// 500), whose output hardly changes while clusters x services grows tenfold; 100 x 5k for cw verify.
const FULL = [
  size(10, 1_000),
  size(100, 1_000),
  size(500, 1_000),
  size(100, 5_000),
  size(50, 10_000),
  size(100, 10_000),
  size(500, 10_000),
  size(500, 50_000),
];
const QUICK = [size(10, 200), size(50, 1_000)];
// cw verify traces every cluster's call to every service, allowed or not: it runs where clusters x
// services is at most this (the target size, 100 x 5,000, among them).
const VERIFY_UP_TO = 1_000_000;

const label = (s: SyntheticSize) => `${s.clusters}x${s.services}`;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function main(): void {
  const quick = process.argv.includes("--quick");
  const only = option("--only");
  const base = option("--dir") ?? tmpdir();
  const sizes = (quick ? QUICK : FULL).filter((s) => only === undefined || label(s).includes(only));
  const results: SizeResult[] = [];
  for (const s of sizes) {
    process.stderr.write(`bench: ${s.clusters} clusters x ${s.services} services ...`);
    const outDir = join(base, `cw-bench-${process.pid}-${label(s)}`);
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(here, "measure.ts"),
        JSON.stringify({
          size: s,
          outDir,
          incremental: true,
          verify: s.clusters * s.services <= VERIFY_UP_TO,
        }),
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    if (child.status !== 0) {
      // A child that died (out of memory, say) could not remove its folder.
      rmSync(outDir, { recursive: true, force: true });
      process.stderr.write(` failed after ${seconds} s (exit ${child.status ?? child.signal})\n`);
      process.exitCode = 1;
      continue;
    }
    process.stderr.write(` ${seconds} s\n`);
    results.push(JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as SizeResult);
  }

  const fs = statfsSync(base);
  const bench: BenchResults = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      memory: totalmem(),
      freeMemory: freemem(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      outputFolder: `${base} (filesystem type 0x${fs.type.toString(16)})`,
    },
    quick,
    results,
  };
  const name = quick ? "results-quick" : "results";
  const markdown = table(bench);
  if (only === undefined) {
    writeFileSync(join(here, `${name}.json`), `${JSON.stringify(bench, null, 2)}\n`);
    writeFileSync(join(here, `${name}.md`), markdown);
  }
  process.stdout.write(markdown);
}

main();

// `npm run bench`: first the start-up of the installed package (bench/startup.ts: `cw --version`,
// `cw --help` and `cw check` against a bare `node -e 0`, and the install's size), then synthetic
// federations of several sizes compiled and written, each in a child process of its own
// (bench/measure.ts) so that peak memory is per size, the whole `cw generate` runs timed with the
// command as built for the package (bench/command.ts), with each stage's wall time, peak memory,
// output per cluster, the floors (`JSON.stringify` of the same objects, creating the same files) and the
// incremental cases, in each output layout at the sizes the issue names. Writes bench/startup.json
// and .md, bench/results.json and .md (the tables the README quotes), and prints the tables.
//
//   npm run bench                     every size (about thirty minutes on 2 cores, mostly the largest)
//   npm run bench -- --quick          small sizes only, a smoke test for CI (results-quick.*)
//   npm run bench -- --only 100x5000  the sizes whose label contains the text, or one of several
//                                     (comma-separated); writes no files unless --save is given
//   npm run bench -- --only startup   the start-up rows only (writes bench/startup.*)
//   npm run bench -- --only ui        cw ui in Chromium on large federations (writes bench/ui.*)
//   npm run bench -- --no-startup     the sizes only
//   npm run bench -- --dir /dev/shm   write the output folders below this folder (default: the OS's temp)
//   npm run bench -- --layout cluster the layouts to run (comma-separated; default: see LAYOUT_SIZES)

import { spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundleOptions, ROOT } from "../scripts/build.js";
import { DEFAULT_LAYOUT, LAYOUTS, type Layout } from "../src/emit/layouts.js";
import type { MeasureRequest, SizeResult, VerifyTimeout, VerifyTimes } from "./measure.js";
import { measureStartup, type StartupResult } from "./startup.js";
import type { SyntheticSize } from "./synthetic.js";
import { type BenchResults, startupTable, table } from "./table.js";
import { benchUi } from "./ui.js";

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

const label = (s: SyntheticSize) => `${s.clusters}x${s.services}`;

// cw verify traces every cluster's call to every service, allowed or not, so it runs on the sizes
// below only (the target, 100 x 5,000, among them), each stopped after VERIFY_LIMIT seconds.
const VERIFY = ["10x200", "10x1000", "100x1000", "100x5000", "500x10000"];
// The sizes run in every layout (the others in the default one only).
const LAYOUT_SIZES = ["100x5000", "500x10000", "500x50000"];
const VERIFY_LIMIT = 600;
/** What the verify child may take beyond the command's limit: synthesizing and writing the folder. */
const VERIFY_SETUP_LIMIT = 300;

interface ChildRun {
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly why: string;
  /** What the child wrote to its result file: everything, or the phases it finished. */
  readonly result?: unknown;
}

/** Run bench/measure.ts in a child process of its own, with a folder of its own below `base`. */
function child(
  request: Pick<MeasureRequest, "size" | "mode" | "incremental" | "layout" | "cli" | "limitSeconds">,
  base: string,
  limitSeconds?: number,
): ChildRun {
  const name = `cw-bench-${process.pid}-${request.mode}-${label(request.size)}-${request.layout}`;
  const outDir = join(base, name);
  const resultFile = join(tmpdir(), `${name}.json`);
  const full: MeasureRequest = { ...request, outDir, resultFile };
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", join(here, "measure.ts"), JSON.stringify(full)],
    {
      stdio: ["ignore", "inherit", "inherit"],
      ...(limitSeconds !== undefined && { timeout: limitSeconds * 1000, killSignal: "SIGKILL" as const }),
    },
  );
  const result = existsSync(resultFile)
    ? (JSON.parse(readFileSync(resultFile, "utf8")) as unknown)
    : undefined;
  rmSync(resultFile, { force: true });
  // A child that was stopped or died (out of memory, say) could not remove its folder.
  if (run.status !== 0) rmSync(outDir, { recursive: true, force: true });
  const timedOut = run.error !== undefined && (run.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  return {
    ok: run.status === 0 && result !== undefined,
    timedOut,
    why: timedOut ? `stopped after ${limitSeconds} s` : `exit ${run.status ?? run.signal}`,
    ...(result !== undefined && { result }),
  };
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** Microseconds to create, write and close one 700-byte file in a new folder below `dir`. */
function fileCost(dir: string, files = 5000): number {
  const probe = join(dir, `cw-bench-${process.pid}-probe`);
  mkdirSync(probe, { recursive: true });
  const content = `${"x".repeat(699)}\n`;
  const start = performance.now();
  for (let i = 0; i < files; i++) {
    const fd = openSync(join(probe, `f${i}.yaml`), "w");
    writeSync(fd, content);
    closeSync(fd);
  }
  const us = ((performance.now() - start) * 1000) / files;
  rmSync(probe, { recursive: true, force: true });
  return Math.round(us);
}

async function startup(quick: boolean, only: string | undefined): Promise<void> {
  process.stderr.write("bench: start-up of the installed package ...");
  const started = performance.now();
  const result: StartupResult = await measureStartup(quick ? 5 : 21);
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  const markdown = startupTable(result, machine(tmpdir()), new Date().toISOString());
  if (!quick && (only === undefined || only === "startup")) {
    writeFileSync(join(here, "startup.json"), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(here, "startup.md"), markdown);
  }
  process.stdout.write(`${markdown}\n`);
  if (result.commands.some((c) => c.met === false))
    process.stderr.write("bench: a start-up target is missed\n");
}

function machine(base: string): BenchResults["machine"] {
  // What creating one small file costs where the output went, and in the OS's temp folder: the floor
  // of the write stage, which writes one file per object.
  const probes = Object.fromEntries([...new Set([base, tmpdir()])].map((d) => [d, fileCost(d)]));
  const fs = statfsSync(base);
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memory: totalmem(),
    freeMemory: freemem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    outputFolder: `${base} (filesystem type 0x${fs.type.toString(16)})`,
    microsecondsPerFile: probes,
  };
}

/** One size in one layout: generate and the incremental cases, then (default layout) cw verify. */
function runSize(s: SyntheticSize, layout: Layout, base: string, cli: string): SizeResult | undefined {
  process.stderr.write(`bench: ${s.clusters} clusters x ${s.services} services, ${layout} layout ...`);
  const started = performance.now();
  const run = child({ size: s, mode: "generate", incremental: true, layout, cli }, base);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (!run.ok) {
    process.stderr.write(` failed after ${seconds} s (${run.why})\n`);
    process.exitCode = 1;
    return run.result ? { ...(run.result as SizeResult), incomplete: true } : undefined;
  }
  process.stderr.write(` ${seconds} s\n`);
  const result = run.result as SizeResult;
  if (!VERIFY.includes(label(s)) || layout !== DEFAULT_LAYOUT) return result;
  process.stderr.write(`bench: cw verify on ${s.clusters} clusters x ${s.services} services ...`);
  // The command is stopped at the limit; the child (which writes the folder first) a while after.
  const request = {
    size: s,
    mode: "verify",
    incremental: false,
    layout,
    cli,
    limitSeconds: VERIFY_LIMIT,
  } as const;
  const checked = child(request, base, VERIFY_LIMIT + VERIFY_SETUP_LIMIT);
  const verify = checked.ok
    ? (checked.result as VerifyTimes | VerifyTimeout)
    : checked.timedOut
      ? { timedOutAfter: VERIFY_LIMIT }
      : undefined;
  process.stderr.write(checked.ok ? " done\n" : ` ${checked.why}\n`);
  return verify ? { ...result, verify } : result;
}

/**
 * The command as the package ships it (scripts/build.ts's bundle, beside the package.json it reads
 * its version from), in a folder of its own; its cw.js is at dist/cw.js there.
 */
async function buildCommand(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "cw-bench-cli-"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  await build({ ...bundleOptions(), outdir: join(dir, "dist") });
  return dir;
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const only = option("--only");
  const base = option("--dir") ?? tmpdir();
  if (!process.argv.includes("--no-startup")) await startup(quick, only);
  if (only === "startup") return;
  if (only === "ui") return benchUi(quick);
  const picked = only?.split(",");
  const sizes = (quick ? QUICK : FULL).filter((s) => !picked || picked.some((p) => label(s).includes(p)));
  const chosen = option("--layout")?.split(",") as Layout[] | undefined;
  const unknown = chosen?.find((l) => !LAYOUTS.includes(l));
  if (unknown !== undefined)
    throw new Error(`bench: no layout "${unknown}"; there are ${LAYOUTS.join(", ")}`);
  const results: SizeResult[] = [];
  const built = await buildCommand();
  try {
    for (const s of sizes) {
      const layouts = chosen ?? (LAYOUT_SIZES.includes(label(s)) ? LAYOUTS : [DEFAULT_LAYOUT]);
      for (const layout of layouts) {
        const result = runSize(s, layout, base, join(built, "dist", "cw.js"));
        if (result) results.push(result);
      }
    }
  } finally {
    rmSync(built, { recursive: true, force: true });
  }

  const bench: BenchResults = {
    date: new Date().toISOString(),
    machine: machine(base),
    quick,
    results,
  };
  const name = quick ? "results-quick" : "results";
  const markdown = table(bench);
  if (only === undefined || process.argv.includes("--save")) {
    writeFileSync(join(here, `${name}.json`), `${JSON.stringify(bench, null, 2)}\n`);
    writeFileSync(join(here, `${name}.md`), markdown);
  }
  process.stdout.write(markdown);
  if (only === undefined) await benchUi(quick);
}

await main();

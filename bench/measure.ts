// One benchmark size, run in a child process of bench/run.ts so that each size's peak memory is its
// own. Runs what `cw generate` runs, stage by stage, on a synthetic federation, in one output layout;
// then the floors (a bare `yaml.stringify` and `JSON.stringify` of the same objects, and creating as
// many files of the same sizes as the layout writes); then the first run again and the incremental
// cases (the same input again; one service changed), each a whole `cw generate` as the user runs it:
// the built command in a process of its own (command.ts). Writes its result, as JSON, to the file the
// request names.
//
//   node --import tsx bench/measure.ts '<MeasureRequest as JSON>'

import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { getHeapStatistics } from "node:v8";
import { readInputs } from "../src/cli/load.js";
import { clusterSalt, type KeyedOptions, runKey } from "../src/cli/run-key.js";
import { compile } from "../src/compile.js";
import { hasErrors } from "../src/diagnostics/diagnostic.js";
import { fileBytes, type Layout, type OutputFile } from "../src/emit/layout.js";
import { MANIFEST, openOutput, writeOutput } from "../src/emit/write.js";
import { generators } from "../src/generate/generators.js";
import { EMPTY_LOCK, renderLock } from "../src/plan/lock.js";
import type { Progress, Stage } from "../src/progress.js";
import { readFederation } from "../src/topology/read.js";
import { runCommand } from "./command.js";
import { changeOneService, type Synthetic, type SyntheticSize, synthesize } from "./synthetic.js";

export interface MeasureRequest {
  readonly size: SyntheticSize;
  readonly layout: Layout;
  /** A folder of its own to write into; removed afterwards. */
  readonly outDir: string;
  /** Also run the incremental cases (a second and a third generate into the same folder). */
  readonly incremental: boolean;
  /**
   * "generate": time cw generate and the incremental cases. "verify": write the folder (untimed), then
   * time cw verify on it; a child of its own, so that run.ts can stop it after a time limit.
   */
  readonly mode: "generate" | "verify";
  /** Where the result goes, rewritten after each phase, so a run cut short still leaves its numbers. */
  readonly resultFile: string;
  /** The built command (dist/cw.js of a build of these sources) that the whole runs are timed with. */
  readonly cli: string;
  /** Verify: the seconds after which the command is stopped. */
  readonly limitSeconds?: number;
}

/**
 * `cw verify` on the folder cw generate wrote, as the built command runs it (--jobs auto), in a
 * process of its own: wall and CPU milliseconds, the checks it counted, and its peak resident set.
 */
export interface VerifyTimes {
  readonly total: number;
  readonly cpuTotal: number;
  readonly checks: number;
  readonly ok: boolean;
  readonly peakRss: number;
}

/** A verify stopped at its time limit. */
export interface VerifyTimeout {
  readonly timedOutAfter: number;
}

/**
 * Wall milliseconds per stage of one run, and the run's wall time; `cpu` holds the CPU milliseconds
 * (user and system, all threads) of the same stages, which other load on the machine does not inflate.
 */
export type StageTimes = Partial<Record<Stage, number>> & {
  total: number;
  cpu: Partial<Record<Stage, number>> & { total: number };
};

export interface Spread {
  readonly max: number;
  readonly median: number;
}

export interface SizeResult {
  readonly size: SyntheticSize;
  readonly layout: Layout;
  readonly input: { readonly bytes: number; readonly consumers: Spread & { readonly mean: number } };
  readonly output: {
    readonly objects: number;
    readonly files: number;
    readonly bytes: number;
    readonly objectsPerCluster: Spread;
    readonly bytesPerCluster: Spread;
    /** Objects of a cluster divided by the services it runs or consumes: flat when cost is O(k). */
    readonly objectsPerServiceOfCluster: { readonly min: number; readonly max: number };
    /** Sum over clusters of the services each runs or consumes: the size of the output's "k". */
    readonly clusterServicePairs: number;
  };
  /** The first `cw generate` into an empty folder. */
  readonly generate: StageTimes;
  /** `JSON.stringify` of the same objects: the floor `render` is held to (within 2x). */
  readonly floorMs: number;
  readonly floorCpuMs: number;
  /** The share of the objects the floor was timed on (1 unless sampled). */
  readonly floorSample: number;
  /** Creating, writing and closing as many files of the same sizes as the layout writes, in one folder. */
  readonly filesFloorMs: number;
  readonly memory: {
    /** Peak resident set of the process after the first generate, bytes. */
    readonly peakRss: number;
    /** V8 heap in use with every object and file of the output alive, bytes. */
    readonly heapUsed: number;
    readonly heapLimit: number;
  };
  readonly verify?: VerifyTimes | VerifyTimeout;
  readonly unchanged?: IncrementalResult;
  /** Set when the run ended before every phase was measured (killed, out of memory). */
  readonly incomplete?: boolean;
  readonly oneService?: IncrementalResult & { readonly service: string; readonly expected: number };
  /**
   * The first `cw generate` again, into an empty folder, as the built command runs it in a process of
   * its own (--jobs auto: a helper thread for large input on several cores); with that process's peak.
   */
  readonly cliFirst?: { readonly times: StageTimes; readonly peakRss: number };
}

export interface IncrementalResult {
  /** The whole command's wall and CPU time (no stages: it runs in a process of its own). */
  readonly times: StageTimes;
  /** The command's peak resident set, bytes. */
  readonly peakRss: number;
  /** Whether cw said it wrote anything. */
  readonly wrote: boolean;
  /** Files cw reported as added, changed or removed. */
  readonly reported: number;
  /** Clusters whose files were kept (their key unchanged), and all clusters. */
  readonly reused: number;
  readonly clusters: number;
  /** Files whose inode, size or modification time changed on disk, or that came or went. */
  readonly touched: number;
}

/** A Progress that times stages: each stage runs from its start to the next one's. */
class StageClock implements Progress {
  private readonly wall: Partial<Record<Stage, number>> = {};
  private readonly cpu: Partial<Record<Stage, number>> = {};
  private current?: Stage;
  private since = 0;
  private cpuSince = 0;
  private readonly started = performance.now();
  private readonly cpuStarted = cpuMs();

  stage(name: Stage): void {
    this.stop();
    this.current = name;
    this.since = performance.now();
    this.cpuSince = cpuMs();
  }

  advance(): void {}

  /** The CLI's call when a run is over (TerminalProgress). */
  done(): void {
    this.stop();
  }

  stop(): void {
    const stage = this.current;
    if (stage === undefined) return;
    this.wall[stage] = (this.wall[stage] ?? 0) + performance.now() - this.since;
    this.cpu[stage] = (this.cpu[stage] ?? 0) + cpuMs() - this.cpuSince;
    this.current = undefined;
  }

  result(): StageTimes {
    this.stop();
    return {
      ...this.wall,
      total: performance.now() - this.started,
      cpu: { ...this.cpu, total: cpuMs() - this.cpuStarted },
    };
  }
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { max: sorted.at(-1) ?? 0, median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0 };
}

/** Files and bytes of one cluster's output, noted as it streams past on its way to the writer. */
interface ClusterTally {
  readonly files: number;
  readonly objects: number;
  readonly bytes: number;
  /** Each file's size, for the file-creation floor. */
  readonly sizes: readonly number[];
}

/**
 * The first `cw generate`: read, compile, and write each cluster's files as they come, as the CLI does
 * (generate-folder.ts), with the run and cluster keys it records; and the lock file it writes.
 */
function generate(path: string, layout: Layout, dir: string) {
  const clock = new StageClock();
  clock.stage("parse");
  // The lock file named, as the CLI's default refuses a topology below /dev (the bench's --dir /dev/shm).
  const input = readInputs({ topology: path, lock: lockOf(path) });
  const read = readFederation(path, input.files[0]?.text ?? "");
  if (!read.topology || hasErrors(read.diagnostics)) {
    throw new Error(`bench: the synthetic input does not read: ${JSON.stringify(read.diagnostics[0])}`);
  }
  // What generate-folder.ts's keyedOptions gives for these options.
  const keyed: KeyedOptions = { layout, validate: true };
  const writer = openOutput(dir, read.topology.name, { progress: clock, layout });
  const tallies: ClusterTally[] = [];
  const compiled = compile(read.topology, EMPTY_LOCK, {
    progress: clock,
    keepObjects: false,
    layout,
    salt: clusterSalt(keyed),
    reuse: (cluster, key) => writer.reusable(cluster, key),
    onCluster: (c) => {
      tallies.push(tally(c.files));
      writer.add(c);
    },
  });
  if (hasErrors(compiled.diagnostics) || !compiled.plan) {
    writer.abort();
    const first = compiled.diagnostics.find((d) => d.level === "error");
    throw new Error(`bench: the synthetic input does not compile: ${JSON.stringify(first)}`);
  }
  const lockText = renderLock(compiled.plan.vips);
  const written = writer.finish({
    inputs: runKey(input, lockText, keyed),
    diagnostics: compiled.diagnostics,
  });
  if (written.diagnostics.length > 0) {
    throw new Error(`bench: writing failed: ${JSON.stringify(written.diagnostics[0])}`);
  }
  writeFileSync(input.lockPath, lockText);
  const times = clock.result();
  return { plan: compiled.plan, tallies, times };
}

function tally(files: readonly OutputFile[]): ClusterTally {
  let objects = 0;
  let bytes = 0;
  const sizes: number[] = [];
  for (const f of files) {
    objects += f.objects?.length ?? 0;
    const n = fileBytes(f).length;
    bytes += n;
    sizes.push(n);
  }
  return { files: files.length, objects, bytes, sizes };
}

const lockOf = (topology: string) => join(dirname(topology), "federation.lock.yaml");

/**
 * A whole `cw generate` run as the user runs it: the built command in a process of its own
 * (command.ts), with --format json for what it did; its wall and CPU time, and its peak memory.
 */
function generateCommand(
  cli: string,
  path: string,
  layout: Layout,
  dir: string,
): Omit<IncrementalResult, "touched"> {
  // The lock file named, as the CLI's default refuses a topology below /dev (the bench's --dir /dev/shm).
  const args = ["generate", path, "-o", dir, "--lock", lockOf(path), "--layout", layout, "--format", "json"];
  const run = runCommand(cli, args);
  if (run.status !== 0) throw new Error(`bench: cw generate exited ${run.status}: ${run.stderr}`);
  const data = JSON.parse(run.stdout) as {
    wrote: boolean;
    clusters: { added: unknown[]; changed: unknown[]; removed: unknown[]; reused?: boolean }[];
  };
  return {
    times: { total: run.wallMs, cpu: { total: run.cpuMs } },
    peakRss: run.peakRss,
    wrote: data.wrote,
    reported: data.clusters.reduce((n, c) => n + c.added.length + c.changed.length + c.removed.length, 0),
    reused: data.clusters.filter((c) => c.reused).length,
    clusters: data.clusters.length,
  };
}

type Generation = ReturnType<typeof generate>;

/** Every file below dir with what identifies one version of it: inode, size, mtime in ns. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else {
        const s = lstatSync(join(dir, path), { bigint: true });
        out.set(path, `${s.ino}:${s.size}:${s.mtimeNs}`);
      }
    }
  };
  walk("");
  return out;
}

function touched(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const [path, id] of after) if (before.get(path) !== id) n++;
  for (const path of before.keys()) if (!after.has(path)) n++;
  return n;
}

/** Paths whose hash differs between two manifests, or that are in only one: the files that changed. */
function differing(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): number {
  let n = 0;
  for (const [path, hash] of Object.entries(after)) if (before[path] !== hash) n++;
  for (const path of Object.keys(before)) if (!(path in after)) n++;
  return n;
}

const manifestFiles = (dir: string): Record<string, string> =>
  (JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as { files: Record<string, string> }).files;

const FLOOR_SAMPLE = 200_000;

export function measure(request: MeasureRequest): SizeResult {
  const { size, layout } = request;
  const synthetic = synthesize(size);
  mkdirSync(request.outDir, { recursive: true });
  const dir = join(request.outDir, "out");
  const path = join(request.outDir, "federation.yaml");
  writeFileSync(path, synthetic.text);

  let first: Generation | undefined = generate(path, layout, dir);
  const summary = summarize(request, synthetic, first);
  // The first run's plan (and the topology it holds) goes before anything else is measured.
  first = undefined;
  const save = (r: SizeResult) => writeFileSync(request.resultFile, `${JSON.stringify(r)}\n`);
  save(summary);

  // The same first run as the command: the folder the incremental runs start from is then its own
  // (a folder written by other code, the sources here, is remade whole: the keys hold cw's code).
  rmSync(dir, { recursive: true, force: true });
  rmSync(lockOf(path), { force: true });
  const cli = generateCommand(request.cli, path, layout, dir);
  const result: SizeResult = { ...summary, cliFirst: { times: cli.times, peakRss: cli.peakRss } };
  save(result);
  if (!request.incremental) return result;

  const disk0 = snapshot(dir);
  // Only the numbers are kept of each run, so that no run's plan outlives it.
  const again = generateCommand(request.cli, path, layout, dir);
  const disk1 = snapshot(dir);
  const unchanged: IncrementalResult = { ...again, touched: touched(disk0, disk1) };
  save({ ...result, unchanged });

  const before = manifestFiles(dir);
  const change = changeOneService(synthetic.text, size);
  writeFileSync(path, change.text);
  const changed = generateCommand(request.cli, path, layout, dir);
  const disk2 = snapshot(dir);
  const oneService = {
    service: change.service,
    // The files whose content changed, plus the manifest, which lists their new hashes.
    expected: differing(before, manifestFiles(dir)) + 1,
    ...changed,
    touched: touched(disk1, disk2),
  };
  const complete = { ...result, unchanged, oneService };
  save(complete);
  return complete;
}

/** What `cw verify <topology> -o <dir>` does (read the topology, read the folder, trace every call). */
export function measureVerify(request: MeasureRequest): VerifyTimes | VerifyTimeout {
  const text = synthesize(request.size).text;
  const dir = join(request.outDir, "out");
  const path = join(request.outDir, "federation.yaml");
  mkdirSync(request.outDir, { recursive: true });
  writeFileSync(path, text);
  const topology = readFederation(path, text).topology;
  if (!topology) throw new Error("bench: the synthetic input does not read");
  const { layout } = request;
  const compiled = compile(topology, EMPTY_LOCK, { keepObjects: false, layout });
  const written = writeOutput(dir, topology.name, compiled.clusters, { layout });
  if (written.diagnostics.length > 0) throw new Error("bench: writing the folder to verify failed");

  // No lock file: the VIPs are allocated afresh, as they were for the folder above.
  const args = ["verify", path, "-o", dir, "--lock", lockOf(path)];
  const limit = request.limitSeconds;
  const run = runCommand(request.cli, args, limit === undefined ? undefined : limit * 1000);
  if (run.timedOut && limit !== undefined) return { timedOutAfter: limit };
  const held = /verified: (\d+) checks hold/.exec(run.stdout);
  const failed = /(\d+) of (\d+) checks do not hold/.exec(run.stdout);
  const checks = Number(held?.[1] ?? failed?.[2] ?? Number.NaN);
  if (Number.isNaN(checks) || run.status > 1) {
    throw new Error(`bench: cw verify exited ${run.status}: ${run.stderr}${run.stdout.slice(0, 2000)}`);
  }
  return {
    total: run.wallMs,
    cpuTotal: run.cpuMs,
    checks,
    ok: run.status === 0,
    peakRss: run.peakRss,
  };
}

function summarize(request: MeasureRequest, synthetic: Synthetic, first: Generation): SizeResult {
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const heap = getHeapStatistics();
  const objects = first.tallies.map((t) => t.objects);
  const bytes = first.tallies.map((t) => t.bytes);
  let pairs = 0;
  let ratioMin = Number.POSITIVE_INFINITY;
  let ratioMax = 0;
  first.plan.clusters.forEach((c, i) => {
    const k = c.local.length + c.routes.length;
    pairs += k;
    if (k === 0) return;
    const ratio = (objects[i] ?? 0) / k;
    ratioMin = Math.min(ratioMin, ratio);
    ratioMax = Math.max(ratioMax, ratio);
  });
  const total = objects.reduce((a, b) => a + b, 0);
  const consumers = synthetic.consumers;
  return {
    size: request.size,
    layout: request.layout,
    input: {
      bytes: Buffer.byteLength(synthetic.text),
      consumers: { ...spread(consumers), mean: consumers.reduce((a, b) => a + b, 0) / consumers.length },
    },
    output: {
      objects: total,
      files: first.tallies.reduce((n, t) => n + t.files, 0),
      bytes: bytes.reduce((a, b) => a + b, 0),
      objectsPerCluster: spread(objects),
      bytesPerCluster: spread(bytes),
      objectsPerServiceOfCluster: { min: Number.isFinite(ratioMin) ? ratioMin : 0, max: ratioMax },
      clusterServicePairs: pairs,
    },
    generate: first.times,
    ...stringifyFloor(first, total),
    filesFloorMs: filesFloor(join(request.outDir, "floor"), first.tallies),
    memory: { peakRss, heapUsed: heap.used_heap_size, heapLimit: heap.heap_size_limit },
  };
}

/**
 * The floor of render: the same objects again (generated anew, one cluster at a time, as compile
 * does), each through a bare `JSON.stringify`; only those calls are timed. Beyond FLOOR_SAMPLE objects
 * every n-th cluster is timed and the time scaled to all objects (generating them again is what costs).
 */
function stringifyFloor(first: Generation, total: number) {
  const every = Math.max(1, Math.ceil(total / FLOOR_SAMPLE));
  let ms = 0;
  let cpu = 0;
  let sampled = 0;
  first.plan.clusters.forEach((cluster, i) => {
    if (i % every !== 0) return;
    const generated = generators.flatMap((generate) => generate({ plan: first.plan, cluster }));
    const start = performance.now();
    const cpuStart = cpuMs();
    for (const g of generated) JSON.stringify(g.resource);
    ms += performance.now() - start;
    cpu += cpuMs() - cpuStart;
    sampled += generated.length;
  });
  const scale = sampled === 0 ? 1 : total / sampled;
  return { floorMs: ms * scale, floorCpuMs: cpu * scale, floorSample: sampled / Math.max(1, total) };
}

/**
 * Milliseconds to create, write and close files of the sizes the layout wrote, one folder per cluster
 * as the output has: what writing them costs at least on this machine, in this run.
 */
function filesFloor(dir: string, tallies: readonly ClusterTally[]): number {
  let largest = 0;
  for (const t of tallies) for (const n of t.sizes) largest = Math.max(largest, n);
  const filler = Buffer.alloc(largest, 120);
  let ms = 0;
  tallies.forEach((t, i) => {
    const folder = join(dir, `c${i}`);
    mkdirSync(folder, { recursive: true });
    const start = performance.now();
    t.sizes.forEach((n, j) => {
      const fd = openSync(join(folder, `f${j}.yaml`), "w");
      writeSync(fd, filler, 0, n);
      closeSync(fd);
    });
    ms += performance.now() - start;
    rmSync(folder, { recursive: true, force: true });
  });
  return ms;
}

if (process.argv[1]?.endsWith("measure.ts")) {
  const request = JSON.parse(process.argv[2] ?? "{}") as MeasureRequest;
  try {
    if (request.mode === "verify") {
      writeFileSync(request.resultFile, `${JSON.stringify(measureVerify(request))}\n`);
    } else {
      measure(request);
    }
  } finally {
    rmSync(request.outDir, { recursive: true, force: true });
  }
}

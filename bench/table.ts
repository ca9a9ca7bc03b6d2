// The benchmark's report: results.json's shape and the markdown tables the README quotes.

import type { Stage } from "../src/progress.js";
import type { SizeResult } from "./measure.js";
import type { StartupResult } from "./startup.js";

export interface BenchResults {
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpu: string;
    readonly memory: number;
    readonly freeMemory: number;
    readonly node: string;
    readonly platform: string;
    readonly outputFolder: string;
    /** Microseconds to create one small file, by folder. */
    readonly microsecondsPerFile: Readonly<Record<string, number>>;
  };
  readonly quick: boolean;
  readonly results: readonly SizeResult[];
}

const GiB = 2 ** 30;
const seconds = (ms: number | undefined) =>
  ms === undefined ? "–" : ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1);
const count = (n: number) => n.toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;
const compileAndWrite = (t: Partial<Record<Stage, number>>) =>
  (t.parse ?? 0) +
  (t.check ?? 0) +
  (t.plan ?? 0) +
  (t.generate ?? 0) +
  (t.validate ?? 0) +
  (t.render ?? 0) +
  (t.write ?? 0);

export function table(bench: BenchResults): string {
  const m = bench.machine;
  const lines = [
    `Machine: ${m.cpus} × ${m.cpu}, ${(m.memory / GiB).toFixed(0)} GiB, Node ${m.node}, ${m.platform}; output written to ${m.outputFolder}. ${bench.date.slice(0, 10)}.`,
    "",
    `Creating one small file costs ${Object.entries(m.microsecondsPerFile)
      .map(([dir, us]) => `${us} µs in ${dir}`)
      .join(", ")}.`,
    "",
    "Wall seconds per stage of the first `cw generate` (into an empty folder) in each output layout (`--layout`), *write* what writing adds on the compiling thread (hashing, handing files to the writer thread, which creates them while later clusters compile, and waiting for it at the end), *total* their sum and *CPU* the CPU seconds of the same, all threads. *JSON* is a bare `JSON.stringify` of the same objects, the floor render is held to (≈: timed on a sample of the clusters and scaled to all objects); *file floor* is creating, writing and closing the layout's files (as many, of the same sizes) in the same run. The stages are timed on one thread, in the benchmark's process; *cw generate* is the same first run as a user runs it: the built command (the bundle `npm run build` makes) in a process of its own, `--jobs auto` (on several cores, a helper thread that reads and plans the input itself and then makes half the clusters, memory allowing), its wall seconds with its CPU seconds in brackets, start-up included; *peak RSS* is that process's peak resident set (the staged run's where there is none).",
    "",
    "| clusters × services | layout | objects | files | written | parse | check | plan | generate | validate | render | JSON | render ÷ JSON | write | file floor | total | CPU | cw generate | peak RSS |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...bench.results.map(stageRow),
    "",
    "Output per cluster, and regenerating: *k* is the number of services a cluster runs or calls; *unchanged* runs `cw generate` again on the same input, *one service* after adding a port to one service, each the built command's wall seconds in a process of its own, start-up included. *Touched* counts files whose inode, size or mtime changed (the manifest included), *expected* the files whose content differs; *made again* the clusters compiled again (the others kept by their keys). *cw verify* is the built command (`--jobs auto`) on the first run's folder, in a process of its own: wall seconds, with the checks it counted and its peak resident set.",
    "",
    "| clusters × services | layout | fan-out median (mean) | objects / cluster max (median) | KB / cluster max (median) | objects per k | unchanged: touched, s | one service: touched / expected, made again, s | cw verify: s (checks, peak) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...bench.results.map(regenerateRow),
  ];
  return `${lines.join("\n")}\n`;
}

const sizeOf = (r: SizeResult) =>
  `${count(r.size.clusters)} × ${count(r.size.services)}${r.incomplete ? " (cut short)" : ""} | ${r.layout ?? "object"}`;

function stageRow(r: SizeResult): string {
  const t = r.generate;
  const floor = `${r.floorSample < 1 ? "≈" : ""}${seconds(r.floorMs)}`;
  const ratio = t.render === undefined ? "–" : (t.render / r.floorMs).toFixed(2);
  const stages = [t.parse, t.check, t.plan, t.generate, t.validate, t.render].map(seconds).join(" | ");
  const files = r.filesFloorMs === undefined ? "–" : seconds(r.filesFloorMs);
  const c = r.cliFirst;
  const cli = c ? `${seconds(c.times.total)} (${seconds(c.times.cpu.total)})` : "–";
  const peak = c?.peakRss ?? r.memory.peakRss;
  return `| ${sizeOf(r)} | ${count(r.output.objects)} | ${count(r.output.files)} | ${mb(r.output.bytes)} | ${stages} | ${floor} | ${ratio} | ${seconds(t.write)} | ${files} | ${seconds(compileAndWrite(t))} | ${seconds(compileAndWrite(t.cpu))} | ${cli} | ${(peak / GiB).toFixed(2)} GiB |`;
}

function regenerateRow(r: SizeResult): string {
  const o = r.output;
  const unchanged = r.unchanged ? `${r.unchanged.touched}, ${seconds(r.unchanged.times.total)}` : "–";
  const one = r.oneService
    ? `${r.oneService.touched} / ${r.oneService.expected}, ${r.oneService.clusters - r.oneService.reused}, ${seconds(r.oneService.times.total)}`
    : "–";
  const v = r.verify;
  const verified =
    v === undefined
      ? "–"
      : "timedOutAfter" in v
        ? `> ${v.timedOutAfter} (stopped)`
        : `${seconds(v.total)} (${count(v.checks)}, ${(v.peakRss / GiB).toFixed(2)} GiB${v.ok ? "" : ", FAILED"})`;
  return `| ${sizeOf(r)} | ${r.input.consumers.median} (${r.input.consumers.mean.toFixed(1)}) | ${count(o.objectsPerCluster.max)} (${count(o.objectsPerCluster.median)}) | ${kb(o.bytesPerCluster.max)} (${kb(o.bytesPerCluster.median)}) | ${o.objectsPerServiceOfCluster.min.toFixed(2)}–${o.objectsPerServiceOfCluster.max.toFixed(2)} | ${unchanged} | ${one} | ${verified} |`;
}

/** The start-up rows and the install's size, as the README quotes them. */
export function startupTable(r: StartupResult, m: BenchResults["machine"], date: string): string {
  const lines = [
    `Start-up of the installed package (\`npm pack\`, then \`npm install -g\` into a temporary prefix): the median wall time of ${r.rounds} runs of each command, taken in turns with a bare \`node -e 0\`, and the mean CPU time (user and system) of a run. ${m.cpus} × ${m.cpu}, Node ${m.node}, load average ${r.load[0].toFixed(1)} before and ${r.load[1].toFixed(1)} after, ${date.slice(0, 10)}.`,
    "",
    "| command | median ms | ÷ `node -e 0` | CPU ms | target | met |",
    "| --- | ---: | ---: | ---: | --- | --- |",
    ...r.commands.map(
      (c) =>
        `| \`${c.command}\` | ${c.medianMs.toFixed(0)} | ${c.ratio.toFixed(2)} | ${c.cpuMs === undefined ? "–" : c.cpuMs.toFixed(0)} | ${c.target ?? "–"} | ${c.met === undefined ? "–" : c.met ? "yes" : "**no**"} |`,
    ),
    "",
    `Installed: ${mb(r.install.installedBytes)} from a ${mb(r.install.tarballBytes)} tarball, no dependencies; \`npm install -g\` took ${r.install.seconds.toFixed(1)} s. What takes it: ${r.install.parts
      .slice(0, 8)
      .map((p) => `${p.what} ${mb(p.bytes)}`)
      .join(
        ", ",
      )}${r.install.parts.length > 8 ? `, ${r.install.parts.length - 8} more libraries ${mb(r.install.parts.slice(8).reduce((n, p) => n + p.bytes, 0))}` : ""}.`,
  ];
  return `${lines.join("\n")}\n`;
}

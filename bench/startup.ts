// How fast the installed cw starts, and what its install weighs: the package packed and installed as
// a user gets it (scripts/pack.ts), then `cw --version`, `cw --help` and `cw check` on the example
// run in turns with a bare `node -e 0`, each many times, their medians compared. The machine's load
// moves every row alike, so the ratios to node hold better than the milliseconds.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { build } from "esbuild";
import { bundleOptions, ROOT } from "../scripts/build.js";
import { packAndInstall } from "../scripts/pack.js";

export interface StartupCommand {
  readonly command: string;
  readonly medianMs: number;
  /** CPU time (user and system) per run, averaged; undefined where /proc is not there to ask. */
  readonly cpuMs?: number;
  /** The median over `node -e 0`'s. */
  readonly ratio: number;
  readonly target?: string;
  readonly met?: boolean;
}

export interface StartupResult {
  readonly rounds: number;
  /** The machine's load average (1 minute) before and after: other work slows every row. */
  readonly load: readonly [number, number];
  readonly install: {
    readonly seconds: number;
    readonly tarballBytes: number;
    readonly installedBytes: number;
    /** What the installed bytes are, largest first. */
    readonly parts: readonly { readonly what: string; readonly bytes: number }[];
  };
  readonly commands: readonly StartupCommand[];
}

const EXAMPLE = join(ROOT, "examples", "split-bookinfo", "federation.yaml");

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export async function measureStartup(rounds: number): Promise<StartupResult> {
  const dir = mkdtempSync(join(tmpdir(), "cw-bench-startup-"));
  try {
    const installed = packAndInstall(dir);
    // cw runs through its #!/usr/bin/env node line, as from a shell; this node comes first.
    const env = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) };
    const runs: {
      command: string;
      file: string;
      args: string[];
      target?: (ms: number, node: number) => [string, boolean];
    }[] = [
      { command: "node -e 0", file: process.execPath, args: ["-e", "0"] },
      { command: "cw --version", file: installed.bin, args: ["--version"], target: within3 },
      { command: "cw --help", file: installed.bin, args: ["--help"], target: within3 },
      {
        command: "cw check examples/split-bookinfo/federation.yaml",
        file: installed.bin,
        args: ["check", EXAMPLE],
        target: (ms) => ["< 500 ms", ms < 500],
      },
    ];
    const times = runs.map(() => [] as number[]);
    const cpu = runs.map(() => 0);
    const loadBefore = loadavg()[0] ?? 0;
    for (let round = 0; round < rounds; round++) {
      runs.forEach((run, i) => {
        const cpuBefore = childrenCpuMs();
        const started = performance.now();
        const ran = spawnSync(run.file, run.args, { env, cwd: dir, stdio: "ignore" });
        if (ran.status !== 0) throw new Error(`${run.command} exited with ${ran.status ?? ran.signal}`);
        times[i]?.push(performance.now() - started);
        cpu[i] = (cpu[i] ?? 0) + ((childrenCpuMs() ?? 0) - (cpuBefore ?? 0));
      });
    }
    const node = median(times[0] ?? []);
    const cpuKnown = childrenCpuMs() !== undefined;
    return {
      rounds,
      load: [loadBefore, loadavg()[0] ?? 0],
      install: {
        seconds: installed.installSeconds,
        tarballBytes: installed.tarballBytes,
        installedBytes: folderBytes(installed.packageDir),
        parts: await installParts(installed.packageDir),
      },
      commands: runs.map((run, i) => {
        const ms = median(times[i] ?? []);
        const target = run.target?.(ms, node);
        return {
          command: run.command,
          medianMs: ms,
          ...(cpuKnown && { cpuMs: (cpu[i] ?? 0) / rounds }),
          ratio: ms / node,
          ...(target && { target: target[0], met: target[1] }),
        };
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CPU time of this process's finished children, in ms (Linux: /proc/self/stat's cutime and
 * cstime, in clock ticks of 10 ms, so only a sum over many runs means much).
 */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    // After "pid (comm) ", field 3 is the state; cutime and cstime are fields 16 and 17.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function within3(ms: number, node: number): [string, boolean] {
  return ["≤ 3 × node -e 0", ms <= 3 * node];
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}

/** The bundled code by the library it came from (bundled again, in memory, as dist/ is), and the rest. */
async function installParts(packageDir: string): Promise<{ what: string; bytes: number }[]> {
  const bundle = await build({ ...bundleOptions(), write: false });
  const parts = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? "cw's own code";
      parts.set(pkg, (parts.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  const code = [...parts.values()].reduce((a, b) => a + b, 0);
  parts.set("other files (web page, licences, schema, README)", folderBytes(packageDir) - code);
  return [...parts].map(([what, bytes]) => ({ what, bytes })).sort((a, b) => b.bytes - a.bytes);
}

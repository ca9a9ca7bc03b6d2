// Runs `cw` as a user runs it: the bundle `npm run build` makes (bench/run.ts builds it once into a
// folder of its own), in a process of its own, so that its wall time includes start-up and a helper
// thread starting from the bundle, and its peak memory is its own, not the benchmark's.

import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), "usage-preload.cjs");

export interface CommandRun {
  /** Stopped at the time limit (then status is -1 and the usage figures are 0). */
  readonly timedOut: boolean;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** User and system time of the whole process, all threads. */
  readonly cpuMs: number;
  readonly peakRss: number;
}

/**
 * `node <cli> ...args`, waited for (and killed after `timeoutMs`, if given); throws when it could not
 * start, or ended without saying its usage.
 */
export function runCommand(cli: string, args: readonly string[], timeoutMs?: number): CommandRun {
  const usageFile = join(tmpdir(), `cw-bench-usage-${process.pid}-${Date.now()}.json`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--require", PRELOAD, cli, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, CW_BENCH_USAGE: usageFile },
    ...(timeoutMs !== undefined && { timeout: timeoutMs, killSignal: "SIGKILL" as const }),
  });
  const wallMs = performance.now() - started;
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
    rmSync(usageFile, { force: true });
    const { stdout, stderr } = run;
    return { timedOut: true, status: -1, stdout, stderr, wallMs, cpuMs: 0, peakRss: 0 };
  }
  if (run.error) throw run.error;
  let usage: { peakRss: number; cpuMs: number };
  try {
    usage = JSON.parse(readFileSync(usageFile, "utf8")) as typeof usage;
  } catch {
    throw new Error(`bench: ${args[0]} ended (${run.status ?? run.signal}) without its usage: ${run.stderr}`);
  } finally {
    rmSync(usageFile, { force: true });
  }
  return {
    timedOut: false,
    status: run.status ?? -1,
    stdout: run.stdout,
    stderr: run.stderr,
    wallMs,
    ...usage,
  };
}

// Packs cw as npm publishes it (npm pack, which builds dist/ first) and installs the tarball into a
// folder of its own, as `npm install -g` does for a user: the package as people get it, for the test
// that runs the installed cw (test/package.test.ts) and for the start-up benchmark (bench/startup.ts).
// The tarball has no dependencies, so the install reads nothing from the registry (--offline).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./build.js";

export interface Installed {
  /** The tarball npm pack wrote, its size and the paths in it. */
  readonly tarball: string;
  readonly tarballBytes: number;
  readonly unpackedBytes: number;
  readonly files: readonly string[];
  /** Where it was installed: <prefix>/bin/cw, <prefix>/lib/node_modules/coddiwomple. */
  readonly prefix: string;
  readonly bin: string;
  readonly packageDir: string;
  /** What npm install printed on stdout and stderr (its warnings), and how long it took. */
  readonly installOutput: string;
  readonly installSeconds: number;
}

/** npm with these arguments; its stdout, or an error with what it said. */
function npm(args: readonly string[], cwd: string): { stdout: string; stderr: string } {
  const run = spawnSync("npm", ["--no-audit", "--no-fund", "--no-update-notifier", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (run.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${run.status}):\n${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

export function packAndInstall(dir: string): Installed {
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], ROOT).stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  const info = packed[0];
  if (!info) throw new Error("npm pack wrote no tarball");
  const tarball = join(dir, info.filename);
  const prefix = join(dir, "prefix");
  const started = performance.now();
  const installed = npm(["install", "--global", "--prefix", prefix, "--offline", tarball], dir);
  return {
    tarball,
    tarballBytes: info.size,
    unpackedBytes: info.unpackedSize,
    files: info.files.map((f) => f.path),
    prefix,
    bin: join(prefix, "bin", "cw"),
    packageDir: join(prefix, "lib", "node_modules", "coddiwomple"),
    installOutput: installed.stdout + installed.stderr,
    installSeconds: (performance.now() - started) / 1000,
  };
}

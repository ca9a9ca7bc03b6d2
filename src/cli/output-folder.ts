// Reading an output folder (or any folder laid out the same way: one subfolder per cluster, YAML
// files below it) into per-cluster configuration for the tracer. The only file access trace and
// verify need; everything after it is pure. What cannot be read is a problem reported and skipped,
// never a crash: symbolic links are not followed (as cw generate never follows one there, see
// src/emit/scan.ts), and a file that vanished or cannot be read is named with the system's reason.

import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ClusterConfig, type ConfigFile, loadClusterConfig } from "../trace/config.js";
import { UsageError } from "./usage-error.js";

export interface OutputFolder {
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  readonly problems: readonly string[];
}

export function readOutputFolder(dir: string): OutputFolder {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    throw new UsageError(`cannot read the folder ${dir}; give the folder cw generate wrote (default: out)`);
  }
  const clusters = new Map<string, ClusterConfig>();
  const problems: string[] = [];
  for (const name of entries) {
    if (name.startsWith(".")) continue;
    const kind = entryKind(join(dir, name), problems);
    if (kind !== "folder") continue;
    const loaded = loadClusterConfig(name, filesBelow(join(dir, name), problems));
    clusters.set(name, loaded.config);
    problems.push(...loaded.problems);
  }
  return { clusters, problems };
}

/** What a path is, without following a link; a link or an unreadable entry is a problem. */
function entryKind(path: string, problems: string[]): "folder" | "file" | undefined {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      problems.push(`${path}: a symbolic link, which cw does not follow in an output folder`);
      return undefined;
    }
    return stat.isDirectory() ? "folder" : stat.isFile() ? "file" : undefined;
  } catch (e) {
    problems.push(`${path}: ${(e as NodeJS.ErrnoException).code ?? "cannot be read"}`);
    return undefined;
  }
}

function filesBelow(dir: string, problems: string[], prefix = ""): ConfigFile[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix)).sort();
  } catch (e) {
    problems.push(`${join(dir, prefix)}: ${(e as NodeJS.ErrnoException).code ?? "cannot be read"}`);
    return [];
  }
  return names.flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    const kind = entryKind(join(dir, rel), problems);
    if (kind === "folder") return filesBelow(dir, problems, rel);
    if (kind !== "file" || !/\.(ya?ml|server)$/.test(name)) return [];
    try {
      return [{ path: rel, content: readFileSync(join(dir, rel), "utf8") }];
    } catch (e) {
      problems.push(`${join(dir, rel)}: ${(e as NodeJS.ErrnoException).code ?? "cannot be read"}`);
      return [];
    }
  });
}

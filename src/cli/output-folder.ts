// Reading an output folder (or any folder laid out the same way: one subfolder per cluster, YAML
// files below it) into per-cluster configuration for the tracer. The only file access trace and
// verify need; everything after it is pure.

import { readdirSync, readFileSync, statSync } from "node:fs";
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
    if (name.startsWith(".") || !statSync(join(dir, name)).isDirectory()) continue;
    const loaded = loadClusterConfig(name, filesBelow(join(dir, name)));
    clusters.set(name, loaded.config);
    problems.push(...loaded.problems);
  }
  return { clusters, problems };
}

function filesBelow(dir: string, prefix = ""): ConfigFile[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return filesBelow(dir, rel);
    return /\.(ya?ml|server)$/.test(e.name)
      ? [{ path: rel, content: readFileSync(join(dir, rel), "utf8") }]
      : [];
  });
}

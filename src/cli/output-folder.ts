// Reading an output folder (or any folder laid out the same way: one subfolder per cluster, YAML
// files below it) into per-cluster configuration for the tracer. The only file access trace and
// verify need; everything after it is pure. What cannot be read is a problem reported and skipped,
// never a crash: symbolic links are not followed (as cw generate never follows one there, see
// src/emit/scan.ts), and a file that vanished or cannot be read is named with the system's reason.

import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ClusterConfig,
  type ConfigFile,
  type LoadOptions,
  loadClusterConfig,
  withExisting,
} from "../trace/config.js";
import { UsageError } from "./usage-error.js";

export interface OutputFolder {
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  readonly problems: readonly string[];
}

export function readOutputFolder(dir: string, options: LoadOptions = {}): OutputFolder {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    throw new UsageError(
      options.existing
        ? `cannot read the folder ${dir} given to --existing; give a folder with one subfolder per cluster (cw discover --existing writes one)`
        : `cannot read the folder ${dir}; give the folder cw generate wrote (default: out)`,
    );
  }
  const clusters = new Map<string, ClusterConfig>();
  const problems: string[] = [];
  for (const name of entries) {
    if (name.startsWith(".")) continue;
    const kind = entryKind(join(dir, name), problems);
    if (kind !== "folder") continue;
    const loaded = loadClusterConfig(name, filesBelow(join(dir, name), problems), options);
    clusters.set(name, loaded.config);
    problems.push(...loaded.problems.map((p) => (options.existing ? `existing ${p}` : p)));
  }
  return { clusters, problems };
}

/**
 * The output folder with the config the clusters already have (--existing): each cluster's objects
 * then include the existing ones, except this federation's own (the output replaces those). A cluster
 * with existing config but no output keeps just the existing config.
 */
export function readWithExisting(
  dir: string,
  existingDir: string | undefined,
  federation?: string,
): OutputFolder {
  const ours = readOutputFolder(dir);
  if (existingDir === undefined) return ours;
  const name = federation ?? federationOf(ours.clusters);
  const existing = readOutputFolder(existingDir, {
    existing: true,
    ...(name !== undefined && { federation: name }),
  });
  const clusters = new Map(ours.clusters);
  for (const [cluster, config] of existing.clusters) {
    const own = clusters.get(cluster);
    clusters.set(cluster, own ? withExisting(own, config) : config);
  }
  return { clusters, problems: [...ours.problems, ...existing.problems] };
}

/** The federation the output folder's objects are labelled with, if they say. */
function federationOf(clusters: ReadonlyMap<string, ClusterConfig>): string | undefined {
  for (const config of clusters.values())
    for (const o of config.objects) {
      const name = o.metadata.labels["coddiwomple.io/federation"];
      if (name !== undefined) return name;
    }
  return undefined;
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

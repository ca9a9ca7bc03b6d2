// A folder a test runs cw in: the topology (with its clusters' existing config) written into it, and
// every file below it read back, to compare runs byte for byte.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type fc from "fast-check";
import { federationArbitrary, splitExisting, supportedFeatures } from "./random-topology.js";

/**
 * Random topologies for whole cw runs in a work folder: every feature cw supports, with the clusters'
 * existing config, and small (3-7 clusters, 12 services at most) so that a run takes about a second.
 */
export const workFolderTopology = (): fc.Arbitrary<Record<string, unknown>> =>
  federationArbitrary({
    features: supportedFeatures(),
    existing: true,
    minClusters: 3,
    maxClusters: 7,
    maxServices: 12,
  });

/** Every file below `root`, by relative path ("/" separators, sorted), with its text. */
export function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  for (const path of readdirSync(root, { recursive: true, encoding: "utf8" }).sort()) {
    if (statSync(join(root, path)).isFile()) out.set(path, readFileSync(join(root, path), "utf8"));
  }
  return out;
}

/** Writes `doc` as dir/federation.yaml and its clusters' existing config under dir/existing/. */
export function placeTopology(dir: string, doc: Record<string, unknown>): void {
  const { federation, files } = splitExisting(doc);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "federation.yaml"), JSON.stringify(federation, null, 1));
  rmSync(join(dir, "existing"), { recursive: true, force: true });
  mkdirSync(join(dir, "existing"));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
}

// The output folder's manifest, .coddiwomple-manifest: what cw wrote there last time, so that the next
// run knows the folder is its own, which files it may replace or delete, which the user edited, and
// what the output was made from:
//   tool, federation  whose folder it is (read first, and alone, by verify and trace);
//   layout            how the files are laid out (emit/layout.ts); absent in folders written before
//                     layouts, which are the object layout;
//   inputs            the run key: a hash of everything the output depends on (the topology's and the
//                     lock file's bytes, the options, cw's own code), so that a run with the same key
//                     writes nothing, without reading the topology (cli/run-key.ts);
//   diagnostics       the warnings that run reported, said again by a run that stops at the key;
//   clusters          per cluster, the key of its objects (incremental/cluster-key.ts); manifests
//                     written before 2026-12-07 also listed, in the multi-document layouts, the
//                     objects its files hold, which are now read from the files (object-ids.ts);
//   files             every file cw wrote, with the sha256 of its content.

import { closeSync, lstatSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { byText } from "../compare.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { LAYOUTS, type Layout } from "./layout.js";

// No .json or .yaml ending: `kubectl apply -R -f` and validators would take it for a manifest.
export const MANIFEST = ".coddiwomple-manifest";

export interface ManifestCluster {
  /** The key of the cluster's objects, when they may be kept (no warnings of their own). */
  readonly key?: string;
  /**
   * The ids (layout.ts objectId) of the cluster's objects, one a line, in the multi-document layouts of
   * older manifests only: read, never written (object-ids.ts reads them from the files).
   */
  readonly objects?: string;
}

/** What a run records besides its files. */
export interface RunRecord {
  readonly layout: Layout;
  readonly inputs?: string;
  readonly diagnostics?: readonly Diagnostic[];
  readonly clusters?: ReadonlyMap<string, ManifestCluster>;
}

export interface Manifest extends RunRecord {
  readonly federation: string;
  readonly files: Readonly<Record<string, string>>;
}

/**
 * The manifest as read at one moment, with what identifies the file it was read from then (device,
 * inode, size, change and modification times), so that a later reader can take it instead of reading
 * and parsing it again (tens of megabytes at 500 clusters) while the file is still that one.
 */
export interface ReadManifest {
  readonly manifest: Manifest | undefined;
  readonly stamp: string | undefined;
}

/**
 * What identifies the manifest file as it is now; undefined when there is none, or it is not a plain
 * file (a link is not followed: the scan refuses it, scan.ts).
 */
export function manifestStamp(dir: string): string | undefined {
  const s = lstatSync(join(dir, MANIFEST), { bigint: true, throwIfNoEntry: false });
  return s?.isFile() ? [s.dev, s.ino, s.size, s.ctimeNs, s.mtimeNs].join(":") : undefined;
}

/** The manifest with its stamp, taken before the read: a change during the read changes the stamp. */
export function readStampedManifest(dir: string): ReadManifest {
  const stamp = manifestStamp(dir);
  return { manifest: stamp === undefined ? undefined : readManifest(dir), stamp };
}

/** `earlier`'s manifest if the file is still the one it was read from, else the manifest read now. */
export const manifestAgain = (dir: string, earlier: ReadManifest | undefined): Manifest | undefined =>
  earlier?.stamp !== undefined && earlier.stamp === manifestStamp(dir) ? earlier.manifest : readManifest(dir);

/** The folder's manifest, or undefined when it has none that cw wrote. */
export function readManifest(dir: string): Manifest | undefined {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (m === null || m.tool !== "coddiwomple" || typeof m.federation !== "string") return undefined;
  if (typeof m.files !== "object" || m.files === null) return undefined;
  // Whatever cannot be read of the rest counts as absent: the run then makes everything again.
  const layout = LAYOUTS.find((l) => l === m.layout) ?? (m.layout === undefined ? "object" : undefined);
  return {
    federation: m.federation,
    files: m.files as Record<string, string>,
    layout: layout ?? "object",
    ...(layout !== undefined && typeof m.inputs === "string" && { inputs: m.inputs }),
    ...(Array.isArray(m.diagnostics) && { diagnostics: m.diagnostics as Diagnostic[] }),
    ...(layout !== undefined && { clusters: clustersOf(m.clusters) }),
  };
}

function clustersOf(value: unknown): Map<string, ManifestCluster> {
  const clusters = new Map<string, ManifestCluster>();
  if (value === null || typeof value !== "object") return clusters;
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (entry === null || typeof entry !== "object") continue;
    const { key, objects } = entry as Record<string, unknown>;
    clusters.set(name, {
      ...(typeof key === "string" && { key }),
      ...(typeof objects === "string" && { objects }),
    });
  }
  return clusters;
}

/**
 * The manifest, as JSON.stringify(manifest, null, 2) writes it, paths and clusters sorted; written in
 * pieces, since with a million files it is a hundred megabytes. `path` must not exist yet.
 */
export function writeManifest(
  path: string,
  federation: string,
  record: RunRecord,
  files: ReadonlyMap<string, string>,
): void {
  const fd = openSync(path, "wx");
  try {
    const head = {
      tool: "coddiwomple",
      federation,
      layout: record.layout,
      ...(record.inputs !== undefined && { inputs: record.inputs }),
      ...(record.diagnostics !== undefined && { diagnostics: record.diagnostics }),
      clusters: Object.fromEntries([...(record.clusters ?? [])].sort(byText(([k]) => k))),
    };
    // The head without its closing brace, then the files.
    writeSync(fd, `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "files": {`);
    const paths = [...files.keys()].sort();
    if (paths.length === 0) writeSync(fd, "}\n}\n");
    else {
      const chunk: string[] = [];
      paths.forEach((p, i) => {
        chunk.push(`${i === 0 ? "\n" : ",\n"}    ${JSON.stringify(p)}: ${JSON.stringify(files.get(p))}`);
        if (chunk.length === 4096) writeSync(fd, chunk.splice(0).join(""));
      });
      writeSync(fd, `${chunk.join("")}\n  }\n}\n`);
    }
  } finally {
    closeSync(fd);
  }
}

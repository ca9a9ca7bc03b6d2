// What `cw discover --existing <dir>` changes in the folder, decided without touching the disk (the
// scan is existing-write.ts's): a pure function from what is there to what to do, table-tested.
//
// Rules. A file is cw's when the folder's manifest lists it with the hash it has on disk. For each
// cluster that was read:
// - a file to write where none is: written;
// - a file to write over one of cw's: rewritten if its content changed;
// - over a file cw did not write, or one of cw's that was edited since: refused (CW3002, CW3003),
//   unless --force; a file that already holds exactly the new content is simply taken over;
// - a file of cw's whose object is gone from the cluster: deleted; if it was edited, kept and reported;
// - anything else in the folder (the user's own files): left alone.
// A cluster folder that is a symbolic link, or not a folder, is refused even with --force: cw never
// writes through a link. Clusters that were not read (unreachable) keep their folder as it was.
// One refusal anywhere and nothing at all is written.

import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ExistingFile } from "./existing-layout.js";

/** What the folder's manifest says cw wrote: path -> the hashes the file may have (sha256, hex). */
export type ExistingManifest = ReadonlyMap<string, readonly string[]>;

export interface DiskFile {
  readonly path: string;
  /** sha256 of the content, hex; absent for a symbolic link (never read through). */
  readonly hash?: string;
}

export interface ClusterOnDisk {
  readonly cluster: string;
  /** What <dir>/<cluster> is: absent, a folder, or something cw refuses to write into. */
  readonly folder: "absent" | "folder" | "symlink" | "not-a-folder";
  /** Every file below the cluster folder (any depth). */
  readonly files: readonly DiskFile[];
}

export interface ClusterSnapshot {
  readonly cluster: string;
  readonly files: readonly ExistingFile[];
}

export interface ExistingPlan {
  /** Cluster folders to create (also for a cluster with no objects: "known to have none"). */
  readonly folders: readonly string[];
  readonly writes: readonly ExistingFile[];
  readonly deletes: readonly string[];
  /** Edited files of objects gone from the cluster, kept: one line each for the person. */
  readonly kept: readonly string[];
  /** Why nothing is written; empty when the plan can be applied. */
  readonly refusals: readonly Diagnostic[];
  /** The manifest after the plan is applied. */
  readonly manifest: ExistingManifest;
  /** Files written per cluster, for the report. */
  readonly counts: ReadonlyMap<
    string,
    { readonly files: number; readonly written: number; readonly deleted: number }
  >;
}

export function planExisting(
  dir: string,
  snapshots: readonly ClusterSnapshot[],
  disk: readonly ClusterOnDisk[],
  manifest: ExistingManifest,
  hashOf: (content: string) => string,
  force: boolean,
): ExistingPlan {
  const folders: string[] = [];
  const writes: ExistingFile[] = [];
  const deletes: string[] = [];
  const kept: string[] = [];
  const refusals: Diagnostic[] = [];
  const next = new Map(manifest);
  const counts = new Map<string, { files: number; written: number; deleted: number }>();
  const ours = (f: DiskFile) => f.hash !== undefined && (manifest.get(f.path) ?? []).includes(f.hash);
  for (const snapshot of snapshots) {
    const { cluster } = snapshot;
    const onDisk = disk.find((d) => d.cluster === cluster) ?? { cluster, folder: "absent", files: [] };
    if (onDisk.folder === "symlink" || onDisk.folder === "not-a-folder") {
      const what = onDisk.folder === "symlink" ? "a symbolic link" : "not a folder";
      refusals.push(diag("CW3002", { kind: "existing-folder", path: `${dir}/${cluster}`, what, cluster }));
      continue;
    }
    folders.push(cluster);
    const present = new Map(onDisk.files.map((f) => [f.path, f]));
    const wanted = new Set(snapshot.files.map((f) => f.path));
    let written = 0;
    let deleted = 0;
    for (const file of snapshot.files) {
      const hash = hashOf(file.content);
      next.set(file.path, [hash]);
      const there = present.get(file.path);
      if (there?.hash === hash) continue; // the same bytes: nothing to write, whoever wrote it
      if (there && !ours(there) && !force) {
        refusals.push(refusal(dir, there, manifest.has(there.path)));
        continue;
      }
      writes.push(file);
      written++;
    }
    for (const file of onDisk.files) {
      if (wanted.has(file.path) || !manifest.has(file.path)) continue;
      next.delete(file.path);
      if (ours(file)) {
        deletes.push(file.path);
        deleted++;
      } else
        kept.push(
          `${dir}/${file.path}: its object is gone from cluster ${cluster}, but you edited the file, so it is kept`,
        );
    }
    counts.set(cluster, { files: snapshot.files.length, written, deleted });
  }
  return { folders, writes, deletes, kept, refusals, manifest: next, counts };
}

function refusal(dir: string, file: DiskFile, listed: boolean): Diagnostic {
  const path = `${dir}/${file.path}`;
  if (file.hash === undefined) return diag("CW3002", { kind: "link", path });
  return listed
    ? diag("CW3003", { kind: "edited", path, by: "discover" })
    : diag("CW3002", { kind: "foreign", path, force: true });
}

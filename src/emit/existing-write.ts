// Writing the `--existing` folder: scan what is on disk, plan (existing-plan.ts, pure), apply. The
// manifest (.coddiwomple-existing, JSON, not read as config since it is not *.yaml) records the hash of
// every file cw wrote, so a later run knows its own files from the user's. Each file is replaced
// atomically (a temporary file beside it, renamed over it); before any file changes, an interim
// manifest accepts its old and its new hash, so a run cut short leaves files the next run still
// recognises as its own. Symbolic links are never followed.

import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { compareText } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import {
  type ClusterOnDisk,
  type ClusterSnapshot,
  type DiskFile,
  type ExistingManifest,
  type ExistingPlan,
  planExisting,
} from "./existing-plan.js";

export const EXISTING_MANIFEST = ".coddiwomple-existing";

export const sha256 = (content: string): string => createHash("sha256").update(content).digest("hex");

export interface ExistingWriteResult {
  readonly plan?: ExistingPlan;
  readonly diagnostics: readonly Diagnostic[];
}

export function writeExisting(
  dir: string,
  snapshots: readonly ClusterSnapshot[],
  options: { readonly force: boolean },
): ExistingWriteResult {
  const manifest = readManifest(dir);
  if ("code" in manifest) return { diagnostics: [manifest] };
  const disk = snapshots.map((s) => scanCluster(dir, s.cluster));
  const plan = planExisting(dir, snapshots, disk, manifest, sha256, options.force);
  if (plan.refusals.length > 0) return { plan, diagnostics: plan.refusals };
  try {
    apply(dir, plan, manifest);
  } catch (e) {
    return { plan, diagnostics: [diag("CW3004", { kind: "write", path: dir, error: (e as Error).message })] };
  }
  return { plan, diagnostics: [] };
}

function readManifest(dir: string): ExistingManifest | Diagnostic {
  const path = join(dir, EXISTING_MANIFEST);
  if (!existsSync(path)) return new Map();
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { files?: Record<string, unknown> };
    const entries = Object.entries(parsed.files ?? {}).filter(
      (e): e is [string, string[]] => Array.isArray(e[1]) && e[1].every((h) => typeof h === "string"),
    );
    return new Map(entries);
  } catch (e) {
    return diag("CW3003", { kind: "unreadable-record", path, error: (e as Error).message });
  }
}

function scanCluster(dir: string, cluster: string): ClusterOnDisk {
  const root = join(dir, cluster);
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(root);
  } catch {
    return { cluster, folder: "absent", files: [] };
  }
  if (stat.isSymbolicLink()) return { cluster, folder: "symlink", files: [] };
  if (!stat.isDirectory()) return { cluster, folder: "not-a-folder", files: [] };
  const files: DiskFile[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isSymbolicLink()) files.push({ path });
      else if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push({ path, hash: sha256(readFileSync(join(dir, path), "utf8")) });
    }
  };
  walk(cluster);
  return { cluster, folder: "folder", files };
}

function apply(dir: string, plan: ExistingPlan, old: ExistingManifest): void {
  mkdirSync(dir, { recursive: true });
  const interim = new Map(old);
  for (const w of plan.writes) interim.set(w.path, [...(old.get(w.path) ?? []), sha256(w.content)]);
  if (plan.writes.length > 0) writeManifest(dir, interim);
  for (const cluster of plan.folders) mkdirSync(join(dir, cluster), { recursive: true });
  for (const w of plan.writes) {
    const target = join(dir, w.path);
    mkdirSync(dirname(target), { recursive: true });
    replace(target, w.content);
  }
  for (const path of plan.deletes) {
    unlinkSync(join(dir, path));
    removeEmptyParents(dir, dirname(path));
  }
  // Nothing changed, nothing written: not even the manifest.
  if (manifestText(plan.manifest) !== manifestText(old) || !existsSync(join(dir, EXISTING_MANIFEST)))
    writeManifest(dir, plan.manifest);
}

const manifestText = (manifest: ExistingManifest): string => {
  const files = Object.fromEntries([...manifest].sort(([a], [b]) => compareText(a, b)));
  return `${JSON.stringify({ files }, null, 2)}\n`;
};

function writeManifest(dir: string, manifest: ExistingManifest): void {
  replace(join(dir, EXISTING_MANIFEST), manifestText(manifest));
}

function replace(target: string, content: string): void {
  const tmp = join(dirname(target), `.cw-tmp-${randomBytes(6).toString("hex")}`);
  writeFileSync(tmp, content, { flag: "wx" });
  try {
    renameSync(tmp, target);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

/** Namespace folders emptied by deletions go too; the cluster folder stays ("known to have none"). */
function removeEmptyParents(dir: string, relative: string): void {
  let current = relative;
  while (current.includes("/") && readdirSync(join(dir, current)).length === 0) {
    rmdirSync(join(dir, current));
    current = dirname(current);
  }
}

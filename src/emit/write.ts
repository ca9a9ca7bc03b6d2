// Writing the output folder: the one place cw changes the user's disk besides the lock file.
// Rules: cw writes only into a folder it created (marked by its manifest) or an empty one; it never
// overwrites or deletes a file it did not write, nor one the user edited since (without --force);
// files the user added to the folder are carried over; and the folder is replaced in one rename, so
// a reader sees either the old output or the new, never half of each. Unchanged output writes nothing.

import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ClusterOutput } from "./layout.js";

// No .json or .yaml ending: `kubectl apply -R -f` and validators would take it for a manifest.
export const MANIFEST = ".coddiwomple-manifest";

export interface WriteOptions {
  /** Overwrite generated files the user edited. */
  readonly force?: boolean;
}

export interface ClusterChanges {
  readonly cluster: string;
  readonly files: number;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  /** Files cw wrote last time and no longer generates: objects to prune from the cluster. */
  readonly removed: readonly string[];
}

export interface WriteResult {
  readonly diagnostics: Diagnostic[];
  /** False when nothing needed writing or an error stopped it. */
  readonly wrote: boolean;
  readonly changes: readonly ClusterChanges[];
}

interface Manifest {
  readonly tool: "coddiwomple";
  readonly federation: string;
  readonly files: Readonly<Record<string, string>>;
}

const sha256 = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");

function readManifest(dir: string): Manifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
    return m.tool === "coddiwomple" && typeof m.files === "object" ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Every file below dir, relative, with "/" separators; symlinks are listed, not followed. */
function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

export function writeOutput(
  dir: string,
  federation: string,
  clusters: readonly ClusterOutput[],
  options: WriteOptions = {},
): WriteResult {
  const generated = new Map<string, string>();
  for (const c of clusters) for (const f of c.files) generated.set(`${c.cluster}/${f.path}`, f.content);

  let old: Manifest | undefined;
  let onDisk: string[] = [];
  if (existsSync(dir)) {
    if (!lstatSync(dir).isDirectory()) {
      return fail(diag("CW3001", `${dir} exists and is not a folder; choose another output folder with -o`));
    }
    onDisk = listFiles(dir);
    old = readManifest(dir);
    if (!old && onDisk.length > 0) {
      return fail(
        diag(
          "CW3001",
          `${dir} already holds files that cw did not write; choose a new or empty folder with -o`,
        ),
      );
    }
  }
  const oldFiles = old?.files ?? {};
  const diagnostics: Diagnostic[] = [];
  const present = new Set(onDisk);
  for (const [path, hash] of Object.entries(oldFiles)) {
    if (!present.has(path) || options.force) continue;
    if (
      sha256(readFileSync(join(dir, path))) !== hash &&
      generated.get(path) !== readFileSync(join(dir, path), "utf8")
    ) {
      diagnostics.push(
        diag(
          "CW3003",
          `${join(dir, path)} was edited since cw wrote it; move your change into the topology, then run again with --force`,
        ),
      );
    }
  }
  for (const path of generated.keys()) {
    if (present.has(path) && !(path in oldFiles)) {
      diagnostics.push(
        diag(
          "CW3002",
          `${join(dir, path)} exists and cw did not write it; move it away or choose another folder`,
        ),
      );
    }
  }
  if (diagnostics.length > 0) return { diagnostics, wrote: false, changes: [] };

  const changes = clusters.map((c): ClusterChanges => {
    const added: string[] = [];
    const changed: string[] = [];
    for (const f of c.files) {
      const key = `${c.cluster}/${f.path}`;
      const before = oldFiles[key];
      if (before === undefined || !present.has(key)) added.push(f.path);
      else if (before !== sha256(f.content)) changed.push(f.path);
    }
    return { cluster: c.cluster, files: c.files.length, added, changed, removed: [] };
  });
  // Files of the last run that are no longer generated, grouped by cluster (including whole
  // clusters that left the topology).
  const removedByCluster = new Map<string, string[]>();
  for (const path of Object.keys(oldFiles).sort()) {
    if (generated.has(path) || !present.has(path)) continue;
    const [cluster = "", ...rest] = path.split("/");
    removedByCluster.set(cluster, [...(removedByCluster.get(cluster) ?? []), rest.join("/")]);
  }
  const all = changes.map((c) => ({ ...c, removed: removedByCluster.get(c.cluster) ?? [] }));
  for (const [cluster, removed] of removedByCluster) {
    if (!clusters.some((c) => c.cluster === cluster))
      all.push({ cluster, files: 0, added: [], changed: [], removed });
  }
  const manifest: Manifest = {
    tool: "coddiwomple",
    federation,
    files: Object.fromEntries(
      [...generated.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, c]) => [p, sha256(c)]),
    ),
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const unchanged =
    old !== undefined &&
    all.every((c) => c.added.length === 0 && c.changed.length === 0 && c.removed.length === 0) &&
    existsSync(join(dir, MANIFEST)) &&
    readFileSync(join(dir, MANIFEST), "utf8") === manifestText;
  if (unchanged) return { diagnostics: [], wrote: false, changes: all };

  const parent = dirname(dir);
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const stage = join(parent, `.${basename(dir)}.cw-tmp-${tag}`);
  const retired = join(parent, `.${basename(dir)}.cw-old-${tag}`);
  try {
    mkdirSync(parent, { recursive: true });
    // Not recursive: Node's recursive mkdir can spin forever where the parent refuses children (/proc).
    mkdirSync(stage);
    for (const [path, content] of generated) {
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      writeFileSync(join(stage, path), content);
    }
    writeFileSync(join(stage, MANIFEST), manifestText);
    // Carry over what the user put in the folder; drop only files cw wrote before.
    for (const path of onDisk) {
      if (path === MANIFEST || path in oldFiles) continue;
      cpSync(join(dir, path), join(stage, path), {
        recursive: true,
        verbatimSymlinks: true,
        preserveTimestamps: true,
      });
    }
    if (existsSync(dir)) {
      renameSync(dir, retired);
      try {
        renameSync(stage, dir);
      } catch (e) {
        renameSync(retired, dir);
        throw e;
      }
      rmSync(retired, { recursive: true, force: true });
    } else {
      renameSync(stage, dir);
    }
  } catch (e) {
    try {
      rmSync(stage, { recursive: true, force: true });
    } catch {
      // The stage may never have been created; the error that matters is the one below.
    }
    return fail(diag("CW3004", `cannot write ${dir}: ${e instanceof Error ? e.message : String(e)}`));
  }
  return { diagnostics: [], wrote: true, changes: all };
}

function fail(d: Diagnostic): WriteResult {
  return { diagnostics: [d], wrote: false, changes: [] };
}

// Writing the output folder: the one place cw changes the user's disk besides the lock file.
// Rules: cw writes only into a folder it created (marked by its manifest) or an empty one; it never
// overwrites or deletes a file it did not write, nor one the user edited since (without --force);
// files the user added to the folder stay; every file is replaced atomically, so a reader sees either
// its old or its new content, never half of it; and only files whose content changed are written, so
// regenerating after a one-service change touches that service's files (plus the manifest), and
// regenerating unchanged input writes nothing at all.
//
// The writer takes the output one cluster at a time (openOutput, then add per cluster, then finish),
// so that a large federation's files need not all be in memory at once:
// - a new (or empty) folder is written as the clusters arrive, into a staging folder beside it that
//   finish renames into place, so the folder appears complete or not at all (abort deletes it);
// - an existing folder keeps only the files whose content changed until finish has checked the folder
//   (no file of the user's in the way, no hand edits lost), then replaces those in place, one file at
//   a time (a temporary file beside the target, renamed over it). The manifest is written last; before
//   any new file appears, an interim manifest already lists it, so that a run cut short leaves a
//   folder the next run still recognises as its own.
//
// Around all of it (scan.ts, run-lock.ts): one run at a time holds the folder's lock, from the scan to
// the end; the folder and everything in it must be real folders and files, never symbolic links; a
// folder of another federation's is not taken over without --force; and what a killed run left
// behind (staging folders, temporary files) is cleaned up by the next.

import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { NO_PROGRESS, type Progress } from "../progress.js";
import { temporaryName } from "./atomic-file.js";
import { type FileSink, openFileSink } from "./file-sink.js";
import type { ClusterOutput } from "./layout.js";
import { takeRunLock } from "./run-lock.js";
import { type FolderScan, MANIFEST, scanOutput } from "./scan.js";

export { MANIFEST } from "./scan.js";

export interface WriteOptions {
  /** Overwrite generated files the user edited. */
  readonly force?: boolean;
  /** Told how many files are written; nothing by default. */
  readonly progress?: Progress;
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

export interface OutputWriter {
  /** One cluster's files: into the staging folder at once for a new folder, else kept for finish. */
  add(cluster: ClusterOutput): void;
  /** Check the folder, write what changed, and say what did; writes nothing when it reports errors. */
  finish(): WriteResult;
  /** The run had errors: drop what was staged and leave the folder as it was. */
  abort(): void;
}

/** Write every cluster's files: openOutput, add each cluster, finish. */
export function writeOutput(
  dir: string,
  federation: string,
  clusters: readonly ClusterOutput[],
  options: WriteOptions = {},
): WriteResult {
  const writer = openOutput(dir, federation, options);
  for (const c of clusters) writer.add(c);
  return writer.finish();
}

const sha256 = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");

/**
 * Write `content` to a file that must not exist yet: O_EXCL, so that a link planted where a temporary
 * file is about to go is never followed.
 */
function writeNew(path: string, content: string): void {
  // open/write/close: measurably cheaper per file than writeFileSync, which matters at 10^6 files.
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

const tmpTag = () => `${process.pid}-${randomBytes(4).toString("hex")}`;

/** Replace one file atomically: write a temporary file beside it, then rename it over the target. */
function replaceFile(target: string, write: (path: string) => void): void {
  const tmp = temporaryName(target);
  try {
    write(tmp);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The manifest, as JSON.stringify(manifest, null, 2) writes it, paths sorted; written in pieces, since
 * with a million files it is a hundred megabytes.
 */
function writeManifest(path: string, federation: string, files: ReadonlyMap<string, string>): void {
  const fd = openSync(path, "wx");
  try {
    const paths = [...files.keys()].sort();
    writeSync(
      fd,
      `{\n  "tool": "coddiwomple",\n  "federation": ${JSON.stringify(federation)},\n  "files": {`,
    );
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

const EMPTY_SCAN: FolderScan = {
  exists: false,
  oldFiles: new Map(),
  foreign: new Set(),
  missing: new Set(),
  manifestTime: 0n,
};

/** Why the folder's lock could not be taken: another run holds it (CW3007), or it cannot be made. */
function lockRefusal(dir: string, outcome: { busy: boolean; problem: string }): Diagnostic {
  return outcome.busy
    ? diag(
        "CW3007",
        `${outcome.problem}, writing ${dir}; wait for it to finish, or delete that lock file if no cw runs there any more`,
      )
    : diag("CW3004", `cannot lock ${dir}: ${outcome.problem}; choose a folder you can write with -o`);
}

interface Changes {
  readonly cluster: string;
  readonly files: number;
  readonly added: string[];
  readonly changed: string[];
}

export function openOutput(dir: string, federation: string, options: WriteOptions = {}): OutputWriter {
  const progress = options.progress ?? NO_PROGRESS;
  // One run at a time: the folder's lock is held from the scan until finish or abort.
  const taken = takeRunLock(dir);
  const lock = taken.ok ? taken.lock : undefined;
  const scan: FolderScan = taken.ok
    ? scanOutput(dir, federation, options.force === true)
    : { ...EMPTY_SCAN, refusal: lockRefusal(dir, taken) };
  const { exists, oldFiles, foreign, missing, manifestTime } = scan;
  // Staging and retired folders are named after the folder itself, even when it is given as "."
  const absolute = resolve(dir);
  const previous = scan.previous;

  /** Every generated file's hash: the next manifest. */
  const hashes = new Map<string, string>();
  /** Generated files to write at finish (existing folder only), by path. */
  const pending = new Map<string, string>();
  /**
   * Generated files that are unchanged since the last run but may have been edited on disk: finish
   * reads them. One that still has the size cw wrote and is older than the manifest (written after
   * every file) is taken as unedited, as git and make judge files by their stat: an edit that kept
   * both would have to set the clock back, and, since cw does not touch such a file, it could not lose
   * that edit anyway. Reading every file instead costs as much as compiling, with a million of them.
   */
  const suspect = new Set<string>();
  const changes: Changes[] = [];
  let failure: Diagnostic | undefined = scan.refusal;
  let stage: string | undefined;

  // A new folder's files go to a worker thread that writes them while the next cluster compiles.
  let sink: FileSink | undefined;
  const stageFolder = (): string => {
    if (stage === undefined) {
      mkdirSync(dirname(dir), { recursive: true });
      stage = join(dirname(absolute), `.${basename(absolute)}.cw-tmp-${tmpTag()}`);
      // Not recursive: Node's recursive mkdir can spin forever where the parent refuses children (/proc).
      mkdirSync(stage);
    }
    return stage;
  };
  const dropStage = () => {
    sink?.abort();
    sink = undefined;
    if (stage === undefined) return;
    try {
      rmSync(stage, { recursive: true, force: true });
    } catch {
      // Best effort: the error that stopped the run is the one to report.
    }
    stage = undefined;
  };
  const unedited = (path: string, size: number): boolean => {
    const stat = lstatSync(join(dir, path), { bigint: true });
    return stat.isFile() && stat.size === BigInt(size) && stat.mtimeNs < manifestTime;
  };
  const cannotWrite = (e: unknown) =>
    diag("CW3004", `cannot write ${dir}: ${e instanceof Error ? e.message : String(e)}`);

  return {
    add(cluster) {
      if (failure) return;
      progress.stage("write");
      const added: string[] = [];
      const changed: string[] = [];
      try {
        if (previous === undefined) {
          const root = stageFolder();
          sink ??= openFileSink();
          sink.write(
            cluster.files.map((f) => {
              const key = `${cluster.cluster}/${f.path}`;
              hashes.set(key, sha256(f.content));
              added.push(f.path);
              return { path: join(root, key), content: f.content };
            }),
          );
          // The count is what is on disk, which the writer thread may be behind.
          progress.advance(sink.written());
        } else {
          for (const f of cluster.files) {
            const key = `${cluster.cluster}/${f.path}`;
            const hash = sha256(f.content);
            const before = oldFiles.get(key);
            // The same hash as last time: keep the manifest's string, not a second copy of it.
            hashes.set(key, before === hash ? before : hash);
            const fresh = before === undefined || missing.has(key);
            if (fresh) added.push(f.path);
            else if (before !== hash) changed.push(f.path);
            // With --force, edited files are restored whether or not they changed: keep them all.
            if (fresh || before !== hash || options.force) pending.set(key, f.content);
            else if (!unedited(key, Buffer.byteLength(f.content))) suspect.add(key);
          }
        }
      } catch (e) {
        failure = cannotWrite(e);
        dropStage();
      }
      changes.push({ cluster: cluster.cluster, files: cluster.files.length, added, changed });
    },

    abort() {
      dropStage();
      failure ??= diag("CW3004", `nothing was written to ${dir}`);
      lock?.release();
    },

    finish() {
      try {
        if (failure) {
          dropStage();
          return fail(failure);
        }
        return previous === undefined ? finishNew() : finishUpdate(previous);
      } catch (e) {
        dropStage();
        return fail(cannotWrite(e));
      } finally {
        lock?.release();
      }
    },
  };

  function finishNew(): WriteResult {
    sink?.close((n) => progress.advance(n));
    sink = undefined;
    writeManifest(join(stageFolder(), MANIFEST), federation, hashes);
    progress.advance(hashes.size);
    const from = stage as string;
    stage = undefined;
    if (exists) {
      // An empty folder (anything else was refused): swap it for the staged one.
      const retired = join(dirname(absolute), `.${basename(absolute)}.cw-old-${tmpTag()}`);
      renameSync(dir, retired);
      try {
        renameSync(from, dir);
      } catch (e) {
        renameSync(retired, dir);
        stage = from;
        throw e;
      }
      rmSync(retired, { recursive: true, force: true });
    } else {
      try {
        renameSync(from, dir);
      } catch (e) {
        stage = from; // dropped by finish, never left behind
        throw e;
      }
    }
    return { diagnostics: [], wrote: true, changes: changes.map((c) => ({ ...c, removed: [] })) };
  }

  function finishUpdate(previous: { readonly federation: string }): WriteResult {
    // Every file cw wrote before is checked for hand edits, not only those it is about to replace: a
    // folder that no longer holds what cw generated must not pass for up to date. An edit that already
    // matches the new output is no edit. With --force, edited files are restored. Files cw is about to
    // replace or delete are always read; those it leaves alone only when their stat was suspect.
    const diagnostics: Diagnostic[] = [];
    const restore = new Set<string>();
    for (const [path, hash] of oldFiles) {
      if (missing.has(path)) continue;
      if (hashes.has(path) && !pending.has(path) && !suspect.has(path)) continue;
      const disk = readFileSync(join(dir, path));
      if (sha256(disk) === hash) continue;
      // A file not pending is generated unchanged (or not at all): its disk content is then an edit.
      const wanted = pending.get(path);
      if (wanted !== undefined && disk.equals(Buffer.from(wanted))) continue;
      if (options.force) {
        if (hashes.get(path) === hash) restore.add(path);
        continue;
      }
      diagnostics.push(
        diag(
          "CW3003",
          `${join(dir, path)} was edited since cw wrote it; move your change into the topology, then run again with --force`,
        ),
      );
    }
    for (const path of pending.keys()) {
      if (!oldFiles.has(path) && foreign.has(path)) {
        diagnostics.push(
          diag(
            "CW3002",
            `${join(dir, path)} exists and cw did not write it; move it away or choose another folder`,
          ),
        );
      }
    }
    if (diagnostics.length > 0) return { diagnostics, wrote: false, changes: [] };

    // What to write: added and changed files, and (with --force) edited ones; the rest of `pending`
    // (kept by --force) is unchanged on disk.
    const writes: string[] = [];
    for (const c of changes) {
      for (const p of c.added) writes.push(`${c.cluster}/${p}`);
      for (const p of c.changed) writes.push(`${c.cluster}/${p}`);
    }
    for (const path of restore) {
      const [cluster = "", ...rest] = path.split("/");
      changes.find((c) => c.cluster === cluster)?.changed.push(rest.join("/"));
      writes.push(path);
    }
    // Files of the last run that are no longer generated, grouped by cluster (including whole
    // clusters that left the topology).
    const removed: string[] = [];
    const removedByCluster = new Map<string, string[]>();
    const gone = [...oldFiles.keys()].filter((path) => !hashes.has(path) && !missing.has(path)).sort();
    for (const path of gone) {
      removed.push(path);
      const [cluster = "", ...rest] = path.split("/");
      const list = removedByCluster.get(cluster);
      if (list) list.push(rest.join("/"));
      else removedByCluster.set(cluster, [rest.join("/")]);
    }
    const all: ClusterChanges[] = changes.map((c) => ({
      ...c,
      removed: removedByCluster.get(c.cluster) ?? [],
    }));
    const generatedClusters = new Set(changes.map((c) => c.cluster));
    for (const [cluster, gone] of removedByCluster) {
      if (!generatedClusters.has(cluster))
        all.push({ cluster, files: 0, added: [], changed: [], removed: gone });
    }
    let sameManifest = previous.federation === federation && oldFiles.size === hashes.size;
    for (const [path, hash] of hashes) {
      if (!sameManifest) break;
      sameManifest = oldFiles.get(path) === hash;
    }
    if (writes.length === 0 && removed.length === 0 && sameManifest) {
      return { diagnostics: [], wrote: false, changes: all };
    }

    progress.stage("write", writes.length);
    // The interim manifest: the old one plus every file about to appear, so that a run cut short
    // leaves no file the next run would take for the user's.
    const adding = writes.filter((p) => !oldFiles.has(p));
    if (adding.length > 0) {
      const interim = new Map(oldFiles);
      for (const path of adding) interim.set(path, hashes.get(path) ?? "");
      replaceFile(join(dir, MANIFEST), (tmp) => writeManifest(tmp, federation, interim));
    }
    const folders = new Set<string>();
    let done = 0;
    for (const path of writes) {
      const target = join(dir, path);
      if (!folders.has(dirname(target))) {
        realFolder(dir, dirname(path));
        folders.add(dirname(target));
      }
      replaceFile(target, (tmp) => writeNew(tmp, pending.get(path) ?? ""));
      if (++done % 1000 === 0) progress.advance(done);
    }
    progress.advance(done);
    const emptied = new Set<string>();
    for (const path of removed) {
      realFolder(dir, dirname(path));
      unlinkSync(join(dir, path));
      for (let parent = dirname(path); parent !== "."; parent = dirname(parent)) emptied.add(parent);
    }
    // Folders left empty by the removals go too (a cluster that left the topology); deepest first, and
    // only when empty, so a folder that holds the user's files stays.
    for (const folder of [...emptied].sort((a, b) => b.length - a.length)) {
      if (readdirSync(join(dir, folder)).length === 0) rmdirSync(join(dir, folder));
    }
    replaceFile(join(dir, MANIFEST), (tmp) => writeManifest(tmp, federation, hashes));
    return { diagnostics: [], wrote: true, changes: all };
  }
}

/**
 * Make sure `folder` (relative to `dir`) is a real folder, every step of it, creating what is
 * missing: the scan refused links, and this keeps a link put there since from being followed.
 */
function realFolder(dir: string, folder: string): void {
  let at = dir;
  for (const part of folder === "." ? [] : folder.split("/")) {
    at = join(at, part);
    let stat: ReturnType<typeof lstatSync> | undefined;
    try {
      stat = lstatSync(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      mkdirSync(at);
      continue;
    }
    if (!stat.isDirectory()) throw new Error(`${at} is not a folder (a symbolic link or a file)`);
  }
}

function fail(d: Diagnostic): WriteResult {
  return { diagnostics: [d], wrote: false, changes: [] };
}

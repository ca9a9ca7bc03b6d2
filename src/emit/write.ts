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

import { hash, randomBytes } from "node:crypto";
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
import { byText } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { NO_PROGRESS, type Progress } from "../progress.js";
import { temporaryName } from "./atomic-file.js";
import { type FileSink, openFileSink } from "./file-sink.js";
import { type ClusterOutput, fileBytes, isSettingFile, type Layout, objectIdsOf } from "./layout.js";
import {
  MANIFEST,
  type Manifest,
  type ManifestCluster,
  type ReadManifest,
  type RunRecord,
  writeManifest,
} from "./manifest.js";
import { OldClusters } from "./old-clusters.js";
import { type RunLock, takeRunLock } from "./run-lock.js";
import { type FolderScan, scanOutput } from "./scan.js";

export { MANIFEST } from "./manifest.js";

export interface WriteOptions {
  /** Overwrite generated files the user edited. */
  readonly force?: boolean;
  /** Told how many files are written; nothing by default. */
  readonly progress?: Progress;
  /** How the files are laid out (recorded in the manifest); the object layout by default. */
  readonly layout?: Layout;
  /** The manifest as the run read it before (for its helpers), taken if the file is still that one. */
  readonly manifest?: ReadManifest;
}

export interface ClusterChanges {
  readonly cluster: string;
  readonly files: number;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  /** Files cw wrote last time and no longer generates. */
  readonly removed: readonly string[];
  /** Objects cw generated last time and no longer does (layout.ts objectId): to prune from the cluster. */
  readonly pruned: readonly string[];
  /** The cluster's objects were not made again: last run's files were kept (compile.ts reuse). */
  readonly reused: boolean;
}

export interface WriteResult {
  readonly diagnostics: Diagnostic[];
  /** False when nothing needed writing or an error stopped it. */
  readonly wrote: boolean;
  readonly changes: readonly ClusterChanges[];
  /** The layout of the last run's files, when it was another than this run's. */
  readonly previousLayout?: Layout;
}

/** What the run was made from, for the manifest (manifest.ts). */
export interface RunInputs {
  /** The run key. */
  readonly inputs?: string;
  /** The run's warnings. */
  readonly diagnostics?: readonly Diagnostic[];
}

export interface UpToDate {
  readonly diagnostics: readonly Diagnostic[];
  readonly changes: readonly ClusterChanges[];
}

export interface OutputWriter {
  /**
   * One cluster's files: into the staging folder at once for a new folder, else kept for finish. A
   * `reused` output (compile.ts) keeps last run's files of the cluster, besides the settings it has.
   */
  add(cluster: ClusterOutput): void;
  /**
   * Whether last run's files of the cluster can be kept for an output with this key: the manifest
   * has the key, in the same layout, and the files are there as cw wrote them (by their size and time,
   * as for unchanged files). Never with --force, which restores edited files.
   */
  reusable(cluster: string, key: string): boolean;
  /**
   * When the last run had this run key and its files are all there as cw wrote them, nothing needs
   * doing: its warnings, and its files by cluster. Undefined otherwise.
   */
  upToDate(inputs: string): UpToDate | undefined;
  /** Check the folder, write what changed, and say what did; writes nothing when it reports errors. */
  finish(run?: RunInputs): WriteResult;
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

// One call per file, without a Hash object: a million files in the object layout.
const sha256 = (content: Uint8Array) => hash("sha256", content, "hex");
const EMPTY = new Uint8Array(0);

/**
 * Write `content` to a file that must not exist yet: O_EXCL, so that a link planted where a temporary
 * file is about to go is never followed.
 */
function writeNew(path: string, content: Uint8Array): void {
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
    ? diag("CW3007", { what: dir, problem: outcome.problem })
    : diag("CW3004", { kind: "lock", dir, problem: outcome.problem });
}

interface Changes {
  readonly cluster: string;
  readonly files: number;
  readonly added: string[];
  readonly changed: string[];
  readonly reused: boolean;
}

export function openOutput(dir: string, federation: string, options: WriteOptions = {}): OutputWriter {
  return new FolderWriter(dir, federation, options);
}

class FolderWriter implements OutputWriter {
  private readonly progress: Progress;
  private readonly layout: Layout;
  private readonly lock?: RunLock;
  private readonly scan: FolderScan;
  /** Last run's files by cluster. */
  private readonly old: OldClusters;
  /** Every generated file's hash: the next manifest. */
  private readonly hashes = new Map<string, string>();
  /** Generated files to write at finish (existing folder only), by path. */
  private readonly pending = new Map<string, Uint8Array>();
  /**
   * Generated files that are unchanged since the last run but may have been edited on disk: finish
   * reads them. One that still has the size cw wrote and is older than the manifest (written after
   * every file) is taken as unedited, as git and make judge files by their stat: an edit that kept
   * both would have to set the clock back, and, since cw does not touch such a file, it could not lose
   * that edit anyway. Reading every file instead costs as much as compiling, with a million of them.
   */
  private readonly suspect = new Set<string>();
  private readonly changes: Changes[] = [];
  /** The next manifest's clusters. */
  private readonly clusters = new Map<string, ManifestCluster>();
  /** The objects each cluster made again holds now, by id, in the multi-document layouts. */
  private readonly objectsNow = new Map<string, readonly string[]>();
  private failure?: Diagnostic;
  /** The staging folder of a new folder's files, once made. */
  private stage?: string;
  /** A new folder's files go to a worker thread that writes them while the next cluster compiles. */
  private sink?: FileSink;

  constructor(
    private readonly dir: string,
    private readonly federation: string,
    private readonly options: WriteOptions,
  ) {
    this.progress = options.progress ?? NO_PROGRESS;
    this.layout = options.layout ?? "object";
    // One run at a time: the folder's lock is held from the scan until finish or abort.
    const taken = takeRunLock(dir);
    if (taken.ok) this.lock = taken.lock;
    this.scan = taken.ok
      ? scanOutput(dir, federation, options.force === true, options.manifest)
      : { ...EMPTY_SCAN, refusal: lockRefusal(dir, taken) };
    this.failure = this.scan.refusal;
    const previous = this.scan.previous;
    this.old = new OldClusters(
      this.scan.oldFiles,
      previous?.layout ?? "object",
      previous?.clusters ?? new Map(),
    );
  }

  add(cluster: ClusterOutput): void {
    if (this.failure) return;
    this.progress.stage("write");
    const added: string[] = [];
    const changed: string[] = [];
    let files = cluster.files.length;
    try {
      if (cluster.reused) files += this.keep(cluster.cluster);
      this.record(cluster);
      if (this.scan.previous === undefined) this.stageFiles(cluster, added);
      else this.compare(cluster, added, changed);
    } catch (e) {
      this.failure = this.cannotWrite(e);
      this.dropStage();
    }
    this.changes.push({ cluster: cluster.cluster, files, added, changed, reused: cluster.reused === true });
  }

  reusable(cluster: string, key: string): boolean {
    const previous = this.scan.previous;
    if (this.failure || !previous || this.options.force || previous.layout !== this.layout) return false;
    if (this.old.entry(cluster)?.key !== key) return false;
    for (const path of this.old.files(cluster)) {
      if (isSettingFile(path)) continue;
      const full = `${cluster}/${path}`;
      if (!this.intact(full, this.scan.oldFiles.get(full) ?? "")) return false;
    }
    return true;
  }

  upToDate(inputs: string): UpToDate | undefined {
    const previous = this.scan.previous;
    if (this.failure || !previous || this.options.force || previous.inputs !== inputs) return undefined;
    if (previous.layout !== this.layout) return undefined;
    const counts = new Map<string, number>();
    for (const [path, hash] of this.scan.oldFiles) {
      if (!this.intact(path, hash)) return undefined;
      const cluster = path.slice(0, path.indexOf("/"));
      counts.set(cluster, (counts.get(cluster) ?? 0) + 1);
    }
    const changes = [...counts].map(([cluster, files]) => ({
      cluster,
      files,
      added: [],
      changed: [],
      removed: [],
      pruned: [],
      reused: true,
    }));
    return { diagnostics: previous.diagnostics ?? [], changes };
  }

  abort(): void {
    this.dropStage();
    this.failure ??= diag("CW3004", { kind: "aborted", dir: this.dir });
    this.lock?.release();
  }

  finish(run: RunInputs = {}): WriteResult {
    try {
      if (this.failure) {
        this.dropStage();
        return fail(this.failure);
      }
      const record: RunRecord = { layout: this.layout, ...run, clusters: this.clusters };
      const previous = this.scan.previous;
      if (previous === undefined) return this.finishNew(record);
      const result = this.finishUpdate(previous, record);
      return previous.layout === this.layout ? result : { ...result, previousLayout: previous.layout };
    } catch (e) {
      this.dropStage();
      return fail(this.cannotWrite(e));
    } finally {
      this.lock?.release();
    }
  }

  /** Last run's files of a reused cluster, but its settings, which come with its output: kept. */
  private keep(cluster: string): number {
    let kept = 0;
    for (const path of this.old.files(cluster)) {
      if (isSettingFile(path)) continue;
      const full = `${cluster}/${path}`;
      this.hashes.set(full, this.scan.oldFiles.get(full) ?? "");
      kept++;
    }
    return kept;
  }

  /**
   * The cluster's entry in the next manifest, its key, and the objects its files hold now (the
   * manifest does not list them: object-ids.ts).
   */
  private record(cluster: ClusterOutput): void {
    if (cluster.reused) {
      const key = this.old.entry(cluster.cluster)?.key;
      if (key !== undefined) this.clusters.set(cluster.cluster, { key });
      return;
    }
    if (cluster.key !== undefined) this.clusters.set(cluster.cluster, { key: cluster.key });
    // Only a folder with last run's objects has any to name as no longer generated.
    if (this.layout !== "object" && this.scan.previous !== undefined) {
      this.objectsNow.set(
        cluster.cluster,
        cluster.files.flatMap((f) => f.objects ?? []),
      );
    }
  }

  /** A new folder's files: to the writer thread at once, into the staging folder. */
  private stageFiles(cluster: ClusterOutput, added: string[]): void {
    const root = this.stageFolder();
    this.sink ??= openFileSink();
    this.sink.write(
      cluster.files.map((f) => {
        const key = `${cluster.cluster}/${f.path}`;
        const bytes = fileBytes(f);
        this.hashes.set(key, sha256(bytes));
        added.push(f.path);
        return { path: join(root, key), bytes };
      }),
    );
    // The count is what is on disk, which the writer thread may be behind.
    this.progress.advance(this.sink.written());
  }

  /** An existing folder's files: what changed is kept for finish, what did not is checked by stat. */
  private compare(cluster: ClusterOutput, added: string[], changed: string[]): void {
    const { oldFiles, missing } = this.scan;
    for (const f of cluster.files) {
      const key = `${cluster.cluster}/${f.path}`;
      const bytes = fileBytes(f);
      const hash = sha256(bytes);
      const before = oldFiles.get(key);
      // The same hash as last time: keep the manifest's string, not a second copy of it.
      this.hashes.set(key, before === hash ? before : hash);
      const fresh = before === undefined || missing.has(key);
      if (fresh) added.push(f.path);
      else if (before !== hash) changed.push(f.path);
      // With --force, edited files are restored whether or not they changed: keep them all.
      if (fresh || before !== hash || this.options.force) this.pending.set(key, bytes);
      else if (!this.unedited(key, bytes.length)) this.suspect.add(key);
    }
  }

  private stageFolder(): string {
    if (this.stage === undefined) {
      const absolute = resolve(this.dir);
      mkdirSync(dirname(this.dir), { recursive: true });
      // Named after the folder itself, even when it is given as "."
      this.stage = join(dirname(absolute), `.${basename(absolute)}.cw-tmp-${tmpTag()}`);
      // Not recursive: Node's recursive mkdir can spin forever where the parent refuses children (/proc).
      mkdirSync(this.stage);
    }
    return this.stage;
  }

  private dropStage(): void {
    this.sink?.abort();
    this.sink = undefined;
    if (this.stage === undefined) return;
    try {
      rmSync(this.stage, { recursive: true, force: true });
    } catch {
      // Best effort: the error that stopped the run is the one to report.
    }
    this.stage = undefined;
  }

  private unedited(path: string, size: number): boolean {
    const stat = lstatSync(join(this.dir, path), { bigint: true });
    return stat.isFile() && stat.size === BigInt(size) && stat.mtimeNs < this.scan.manifestTime;
  }

  /**
   * A file of the last run is there as cw wrote it: changed neither in content nor in status since
   * the manifest was written (an edit, a chmod, even a `touch` that sets the time back, all set the
   * file's ctime to now), or else its content still has the manifest's hash.
   */
  private intact(path: string, hash: string): boolean {
    if (this.scan.missing.has(path)) return false;
    const stat = lstatSync(join(this.dir, path), { bigint: true });
    if (!stat.isFile()) return false;
    const time = this.scan.manifestTime;
    if (stat.mtimeNs < time && stat.ctimeNs < time) return true;
    return sha256(readFileSync(join(this.dir, path))) === hash;
  }

  private cannotWrite(e: unknown): Diagnostic {
    return diag("CW3004", {
      kind: "write",
      path: this.dir,
      error: e instanceof Error ? e.message : String(e),
    });
  }

  private finishNew(record: RunRecord): WriteResult {
    this.sink?.close((n) => this.progress.advance(n));
    this.sink = undefined;
    writeManifest(join(this.stageFolder(), MANIFEST), this.federation, record, this.hashes);
    this.progress.advance(this.hashes.size);
    const from = this.stage as string;
    this.stage = undefined;
    const dir = this.dir;
    if (this.scan.exists) {
      // An empty folder (anything else was refused): swap it for the staged one.
      const absolute = resolve(dir);
      const retired = join(dirname(absolute), `.${basename(absolute)}.cw-old-${tmpTag()}`);
      renameSync(dir, retired);
      try {
        renameSync(from, dir);
      } catch (e) {
        renameSync(retired, dir);
        this.stage = from;
        throw e;
      }
      rmSync(retired, { recursive: true, force: true });
    } else {
      try {
        renameSync(from, dir);
      } catch (e) {
        this.stage = from; // dropped by finish, never left behind
        throw e;
      }
    }
    const changes = this.changes.map((c) => ({ ...c, removed: [], pruned: [] }));
    return { diagnostics: [], wrote: true, changes };
  }

  private finishUpdate(previous: Omit<Manifest, "files">, record: RunRecord): WriteResult {
    const checked = this.checkEdits();
    if (checked.diagnostics.length > 0)
      return { diagnostics: checked.diagnostics, wrote: false, changes: [] };
    const writes = this.writesAfter(checked.restore);
    const { removed, all } = this.removals();
    const sameManifest = sameRecord(previous, record, this.federation) && this.sameFiles();
    if (writes.length === 0 && removed.length === 0 && sameManifest) {
      return { diagnostics: [], wrote: false, changes: all };
    }
    this.replaceFiles(writes);
    this.removeFiles(removed);
    replaceFile(join(this.dir, MANIFEST), (tmp) => writeManifest(tmp, this.federation, record, this.hashes));
    return { diagnostics: [], wrote: true, changes: all };
  }

  /**
   * Every file cw wrote before is checked for hand edits, not only those it is about to replace: a
   * folder that no longer holds what cw generated must not pass for up to date. An edit that already
   * matches the new output is no edit. With --force, edited files are restored. Files cw is about to
   * replace or delete are always read; those it leaves alone only when their stat was suspect.
   */
  private checkEdits(): { diagnostics: Diagnostic[]; restore: Set<string> } {
    const { oldFiles, missing, foreign } = this.scan;
    const diagnostics: Diagnostic[] = [];
    const restore = new Set<string>();
    for (const [path, hash] of oldFiles) {
      if (missing.has(path)) continue;
      if (this.hashes.has(path) && !this.pending.has(path) && !this.suspect.has(path)) continue;
      const disk = readFileSync(join(this.dir, path));
      const asWritten = sha256(disk) === hash;
      this.old.read(path, disk, asWritten);
      if (asWritten) continue;
      // A file not pending is generated unchanged (or not at all): its disk content is then an edit.
      const wanted = this.pending.get(path);
      if (wanted !== undefined && disk.equals(wanted)) continue;
      if (this.options.force) {
        if (this.hashes.get(path) === hash) restore.add(path);
        continue;
      }
      diagnostics.push(diag("CW3003", { kind: "edited", path: join(this.dir, path), by: "generate" }));
    }
    for (const path of this.pending.keys()) {
      if (!oldFiles.has(path) && foreign.has(path)) {
        diagnostics.push(diag("CW3002", { kind: "foreign", path: join(this.dir, path), force: false }));
      }
    }
    return { diagnostics, restore };
  }

  /**
   * What to write: added and changed files, and (with --force) edited ones; the rest of `pending`
   * (kept by --force) is unchanged on disk.
   */
  private writesAfter(restore: ReadonlySet<string>): string[] {
    const writes: string[] = [];
    for (const c of this.changes) {
      for (const p of c.added) writes.push(`${c.cluster}/${p}`);
      for (const p of c.changed) writes.push(`${c.cluster}/${p}`);
    }
    for (const path of restore) {
      const [cluster = "", ...rest] = path.split("/");
      this.changes.find((c) => c.cluster === cluster)?.changed.push(rest.join("/"));
      writes.push(path);
    }
    return writes;
  }

  /**
   * Files of the last run that are no longer generated, and objects, grouped by cluster (including
   * whole clusters that left the topology); with each cluster's changes.
   */
  private removals(): { removed: string[]; all: ClusterChanges[] } {
    const { oldFiles, missing } = this.scan;
    const removed: string[] = [];
    const removedByCluster = new Map<string, string[]>();
    const gone = [...oldFiles.keys()].filter((path) => !this.hashes.has(path) && !missing.has(path)).sort();
    for (const path of gone) {
      removed.push(path);
      const [cluster = "", ...rest] = path.split("/");
      const list = removedByCluster.get(cluster);
      if (list) list.push(rest.join("/"));
      else removedByCluster.set(cluster, [rest.join("/")]);
    }
    const touched = this.changes.filter(
      (c) => c.added.length + c.changed.length > 0 || removedByCluster.has(c.cluster),
    );
    const pruned = this.prunedObjects(new Set(touched.map((c) => c.cluster)));
    const all: ClusterChanges[] = this.changes.map((c) => ({
      ...c,
      removed: removedByCluster.get(c.cluster) ?? [],
      pruned: pruned.get(c.cluster) ?? [],
    }));
    const generatedClusters = new Set(this.changes.map((c) => c.cluster));
    for (const [cluster, files] of removedByCluster) {
      if (generatedClusters.has(cluster)) continue;
      all.push({
        cluster,
        files: 0,
        added: [],
        changed: [],
        removed: files,
        pruned: this.old.objectIds(cluster),
        reused: false,
      });
    }
    return { removed, all };
  }

  /**
   * Of these clusters' objects last time, those no longer generated, by cluster. A reused cluster
   * (its key is last run's) has last run's objects.
   */
  private prunedObjects(clusters: ReadonlySet<string>): Map<string, string[]> {
    const paths = new Map<string, string[]>();
    if (this.layout === "object") {
      for (const path of this.hashes.keys()) {
        const slash = path.indexOf("/");
        const cluster = path.slice(0, slash);
        if (!clusters.has(cluster)) continue;
        const list = paths.get(cluster);
        if (list) list.push(path.slice(slash + 1));
        else paths.set(cluster, [path.slice(slash + 1)]);
      }
    }
    const reused = new Set(this.changes.filter((c) => c.reused).map((c) => c.cluster));
    const pruned = new Map<string, string[]>();
    for (const cluster of clusters) {
      if (reused.has(cluster)) continue;
      const now = new Set(
        objectIdsOf(this.layout, paths.get(cluster) ?? [], this.objectsNow.get(cluster) ?? []),
      );
      const gone = this.old.objectIds(cluster).filter((id) => !now.has(id));
      if (gone.length > 0) pruned.set(cluster, gone.sort());
    }
    return pruned;
  }

  private sameFiles(): boolean {
    const { oldFiles } = this.scan;
    if (oldFiles.size !== this.hashes.size) return false;
    for (const [path, hash] of this.hashes) if (oldFiles.get(path) !== hash) return false;
    return true;
  }

  private replaceFiles(writes: readonly string[]): void {
    const { oldFiles } = this.scan;
    this.progress.stage("write", writes.length);
    // The interim manifest: the old one plus every file about to appear, so that a run cut short
    // leaves no file the next run would take for the user's.
    const adding = writes.filter((p) => !oldFiles.has(p));
    const previous = this.scan.previous;
    if (adding.length > 0 && previous) {
      const interim = new Map(oldFiles);
      for (const path of adding) interim.set(path, this.hashes.get(path) ?? "");
      replaceFile(join(this.dir, MANIFEST), (tmp) =>
        writeManifest(tmp, this.federation, { layout: previous.layout }, interim),
      );
    }
    const folders = new Set<string>();
    let done = 0;
    for (const path of writes) {
      const target = join(this.dir, path);
      if (!folders.has(dirname(target))) {
        realFolder(this.dir, dirname(path));
        folders.add(dirname(target));
      }
      replaceFile(target, (tmp) => writeNew(tmp, this.pending.get(path) ?? EMPTY));
      if (++done % 1000 === 0) this.progress.advance(done);
    }
    this.progress.advance(done);
  }

  private removeFiles(removed: readonly string[]): void {
    const emptied = new Set<string>();
    for (const path of removed) {
      realFolder(this.dir, dirname(path));
      unlinkSync(join(this.dir, path));
      for (let parent = dirname(path); parent !== "."; parent = dirname(parent)) emptied.add(parent);
    }
    // Folders left empty by the removals go too (a cluster that left the topology); deepest first, and
    // only when empty, so a folder that holds the user's files stays.
    for (const folder of [...emptied].sort((a, b) => b.length - a.length)) {
      if (readdirSync(join(this.dir, folder)).length === 0) rmdirSync(join(this.dir, folder));
    }
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

/** Whether the next manifest says the same as the last besides its files. */
function sameRecord(previous: Omit<Manifest, "files">, record: RunRecord, federation: string): boolean {
  const clusters = (m: ReadonlyMap<string, ManifestCluster> | undefined) =>
    JSON.stringify([...(m ?? [])].sort(byText(([k]) => k)));
  return (
    previous.federation === federation &&
    previous.layout === record.layout &&
    previous.inputs === record.inputs &&
    JSON.stringify(previous.diagnostics) === JSON.stringify(record.diagnostics) &&
    clusters(previous.clusters) === clusters(record.clusters)
  );
}

// `cw generate` and `cw check`: read, compile, report, and (generate only) write the output folder
// and the lock file, or print one cluster's objects to stdout with `-o -`.

import { join } from "node:path";
import { type CompileResult, compile } from "../compile.js";
import { diag } from "../diagnostics/catalog.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../diagnostics/diagnostic.js";
import { type LineLookup, summary } from "../diagnostics/format.js";
import type { ClusterOutput } from "../emit/layout.js";
import { type LockFileWriter, openLockFile } from "../emit/lock-file.js";
import { type ClusterChanges, type OutputWriter, openOutput } from "../emit/write.js";
import type { ExistingConfig } from "../existing/model.js";
import { readExisting } from "../existing/read.js";
import { GITOPS_FOLDER, gitopsOutput } from "../gitops/layout.js";
import { type GitopsFlags, gitopsSettings } from "../gitops/settings.js";
import { renderLock } from "../plan/lock.js";
import type { Topology } from "../topology/model.js";
import { readExistingFolder } from "./existing-folder.js";
import { ExitCode, type Io } from "./io.js";
import { type Loaded, load } from "./load.js";
import type { Format, InputOptions } from "./options.js";
import { printResult, reportDiagnostics as report } from "./report.js";
import { repositoryPrefix } from "./repository-prefix.js";
import { UsageError } from "./usage-error.js";

export interface GenerateOptions extends InputOptions {
  /** The output folder, or "-" for stdout (with cluster). */
  readonly out: string;
  readonly cluster?: string;
  readonly force?: boolean;
  readonly format: Format;
  readonly validate: boolean;
  /** The --existing folder. */
  readonly existing?: string;
  /** --gitops and its flags: also write the objects that deliver the folders (src/gitops). */
  readonly gitops?: GitopsFlags;
}

export function runCheck(options: GenerateOptions, io: Io): ExitCode {
  const { loaded, compiled } = loadAndCompile(options, io);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...(compiled?.diagnostics ?? [])]);
  report(io, diagnostics, loaded.lineOf, options.format);
  if (hasErrors(diagnostics) || !compiled) return ExitCode.inputErrors;
  const t = loaded.topology;
  const counts = { clusters: t?.clusters.length ?? 0, services: t?.services.length ?? 0 };
  printResult(
    io,
    options.format,
    () => ({ ok: true, ...counts, warnings: diagnostics.length }),
    () => `ok: ${counts.clusters} clusters, ${counts.services} services, ${summary(diagnostics)}\n`,
  );
  return ExitCode.ok;
}

/**
 * Read and compile, with progress on a terminal. With `open`, each cluster's files go to the writer it
 * opens as soon as they are rendered, so that they need not all be in memory at once.
 */
function loadAndCompile(
  options: GenerateOptions,
  io: Io,
  open?: (topology: Topology, lockPath: string) => OutputWriter | undefined,
): { loaded: Loaded; compiled?: CompileResult; writer?: OutputWriter } {
  io.progress?.stage("parse");
  try {
    const loaded = withExisting(load(options), options.existing);
    if (!loaded.topology) return { loaded };
    // Input with errors is still compiled, for the problems later stages find, but nothing is staged.
    const writer = hasErrors(loaded.diagnostics) ? undefined : open?.(loaded.topology, loaded.lockPath);
    const compiled = compile(loaded.topology, loaded.lock, {
      ...(loaded.existing && { existing: loaded.existing }),
      validate: options.validate,
      keepObjects: false,
      ...(io.progress && { progress: io.progress }),
      ...(writer && { onCluster: (c: ClusterOutput) => writer.add(c) }),
    });
    return { loaded, compiled, ...(writer && { writer }) };
  } finally {
    io.progress?.done();
  }
}

/** Reads the --existing folder, if given, for the loaded topology's clusters. */
function withExisting(loaded: Loaded, dir: string | undefined): Loaded & { existing?: ExistingConfig } {
  if (dir === undefined || !loaded.topology) return loaded;
  const folder = readExistingFolder(dir);
  const read = readExisting(
    folder.input,
    loaded.topology.name,
    loaded.topology.clusters.map((c) => c.name),
  );
  const lineOf: LineLookup = (file, line) =>
    loaded.lineOf(file, line) ?? folder.texts.get(file)?.split(/\r?\n/)[line - 1];
  return {
    ...loaded,
    existing: read.existing,
    diagnostics: sortDiagnostics([...loaded.diagnostics, ...folder.diagnostics, ...read.diagnostics]),
    lineOf,
  };
}

export function runGenerate(options: GenerateOptions, io: Io): ExitCode {
  const toFolder = options.out !== "-" && options.cluster === undefined;
  if (options.gitops && !toFolder) {
    throw new UsageError(
      "--gitops writes beside the cluster folders: give an output folder with -o, not -o -",
    );
  }
  // The lock file is opened (locked, and its folder known to be writable) before the output folder,
  // so that a lock file that cannot be written stops the run before any output is written.
  let lockFile: LockFileWriter | undefined;
  let refused: Diagnostic | undefined;
  const open = (topology: Topology, lockPath: string): OutputWriter | undefined => {
    const opened = openLockFile(lockPath);
    if (!opened.ok) {
      refused = lockFileRefusal(lockPath, opened);
      return undefined;
    }
    lockFile = opened.writer;
    return openOutput(options.out, topology.name, {
      force: options.force === true,
      ...(io.progress && { progress: io.progress }),
    });
  };
  let writer: OutputWriter | undefined;
  try {
    const done = loadAndCompile(options, io, toFolder ? open : undefined);
    writer = done.writer;
    return finishGenerate(options, io, done, refused, lockFile);
  } finally {
    writer?.abort(); // after finish, this only lets go of locks that are already let go
    lockFile?.release();
  }
}

function finishGenerate(
  options: GenerateOptions,
  io: Io,
  { loaded, compiled, writer }: { loaded: Loaded; compiled?: CompileResult; writer?: OutputWriter },
  refused: Diagnostic | undefined,
  lockFile: LockFileWriter | undefined,
): ExitCode {
  const diagnostics = sortDiagnostics([
    ...loaded.diagnostics,
    ...(compiled?.diagnostics ?? []),
    ...(refused ? [refused] : []),
  ]);
  report(io, diagnostics, loaded.lineOf, options.format);
  if (hasErrors(diagnostics) || !compiled?.plan || !loaded.topology) {
    writer?.abort();
    return ExitCode.inputErrors;
  }

  if (!writer) {
    let clusters = compiled.clusters;
    if (options.cluster !== undefined) {
      const names = clusters.map((c) => c.cluster);
      clusters = clusters.filter((c) => c.cluster === options.cluster);
      if (clusters.length === 0) {
        throw new UsageError(`no cluster "${options.cluster}" in the topology; it has ${names.join(", ")}`);
      }
    }
    const only = clusters[0];
    if (options.out !== "-") {
      throw new UsageError("--cluster goes with -o -; a folder always holds every cluster");
    }
    if (clusters.length !== 1 || !only) {
      throw new UsageError("-o - prints one cluster: add --cluster NAME");
    }
    io.out(multiDocument(only));
    return ExitCode.ok;
  }

  if (options.gitops) {
    const settings = gitopsSettings(loaded.topology, options.gitops, repositoryPrefix(options.out));
    if (typeof settings === "string") {
      writer.abort();
      throw new UsageError(settings);
    }
    writer.add(gitopsOutput(loaded.topology, settings));
  }
  const written = writer.finish();
  io.progress?.done();
  if (written.diagnostics.length > 0) {
    report(io, written.diagnostics, loaded.lineOf, options.format);
    return ExitCode.inputErrors;
  }
  const lockError = writeLock(lockFile, loaded.lockPath, renderLock(compiled.plan.vips));
  if (lockError) {
    report(io, [lockError], loaded.lineOf, options.format);
    return ExitCode.inputErrors;
  }
  const topology = loaded.topology;
  printResult(
    io,
    options.format,
    () => ({
      federation: topology.name,
      out: options.out,
      wrote: written.wrote,
      clusters: written.changes.map(({ cluster, files, added, changed, removed }) => ({
        cluster,
        files,
        added,
        changed,
        removed,
      })),
      lock: loaded.lockPath,
    }),
    () => describe(options.out, topology, written.changes, written.wrote, loaded.lockPath),
  );
  return ExitCode.ok;
}

/** The resources of one cluster as one multi-document YAML stream, for kubectl apply -f -. */
function multiDocument(cluster: ClusterOutput): string {
  return cluster.files
    .filter((f) => f.service !== undefined)
    .map((f) => f.content)
    .join("---\n");
}

function writeLock(lockFile: LockFileWriter | undefined, path: string, text: string): Diagnostic | undefined {
  const problem = lockFile?.write(text);
  return problem === undefined
    ? undefined
    : diag(
        "CW3004",
        `cannot write the lock file ${path}: ${problem}; choose a writable place with --lock FILE`,
      );
}

/** Why the lock file cannot be written: another run holds it (CW3007), or its place is not writable. */
function lockFileRefusal(path: string, outcome: { busy: boolean; problem: string }): Diagnostic {
  return outcome.busy
    ? diag(
        "CW3007",
        `${outcome.problem}, writing the lock file ${path}; wait for it to finish, or delete that lock file if no cw runs there any more`,
      )
    : diag(
        "CW3004",
        `cannot write the lock file ${path}: ${outcome.problem}; nothing was written: choose a writable place with --lock FILE`,
      );
}

function describe(
  dir: string,
  topology: Topology,
  all: readonly ClusterChanges[],
  wrote: boolean,
  lockPath: string,
): string {
  const lines: string[] = [];
  const delivery = all.find((c) => c.cluster === GITOPS_FOLDER);
  const changes = all.filter((c) => c !== delivery);
  const live = changes.filter((c) => c.files > 0);
  const total = live.reduce((n, c) => n + c.files, 0);
  lines.push(
    wrote
      ? `cw: wrote ${dir}/ for federation "${topology.name}": ${live.length} clusters, ${total} files`
      : `cw: ${dir}/ is up to date for federation "${topology.name}" (${live.length} clusters, ${total} files); nothing written`,
  );
  for (const c of changes) {
    const parts = [
      c.added.length > 0 && `${c.added.length} added`,
      c.changed.length > 0 && `${c.changed.length} changed`,
      c.removed.length > 0 && `${c.removed.length} removed`,
    ].filter(Boolean);
    lines.push(
      `  ${join(dir, c.cluster)}/: ${c.files} files${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`,
    );
    for (const r of c.removed) lines.push(`    removed ${r}`);
  }
  // dns/ and mesh/ hold settings the user merged by hand, not objects kustomize applied.
  const isSetting = (path: string) => path.startsWith("dns/") || path.startsWith("mesh/");
  if (changes.some((c) => c.removed.some((r) => !isSetting(r)))) {
    lines.push(
      `Objects of removed object files are still in the clusters: prune them with cw apply --prune, your`,
      `  GitOps tool, or kubectl delete -n <namespace> <kind> <name> --context <cluster> for each.`,
    );
  }
  if (changes.some((c) => c.removed.some(isSetting))) {
    lines.push(
      `Removed dns/ or mesh/ settings: undo them where you merged them into the cluster's DNS or Istio.`,
    );
  }
  if (delivery && delivery.files === 0) {
    lines.push(
      `  ${join(dir, GITOPS_FOLDER)}/: removed (no --gitops this time); the engine's objects stay where you installed them until you delete them there`,
    );
  } else if (delivery) {
    lines.push(
      `  ${join(dir, GITOPS_FOLDER)}/: ${delivery.files} files, the GitOps objects that deliver each cluster's folder; commit the whole ${dir}/ and install them with kubectl apply -k ${join(dir, GITOPS_FOLDER)} where the engine runs (see each file's header)`,
    );
  }
  lines.push(`  VIPs recorded in ${lockPath}`);
  if (live.length > 0) {
    const first = live[0]?.cluster ?? "";
    lines.push(
      `Apply each cluster's folder to that cluster, e.g. kubectl apply -k ${join(dir, first)} --context ${first}.`,
      `Each folder's dns/ holds the DNS setting its workloads need to resolve .${topology.suffix} names; see the comments there.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

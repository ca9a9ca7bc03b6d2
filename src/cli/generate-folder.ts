// `cw generate` into an output folder. In proportion to the change:
//   - when the folder's manifest records this run's key (run-key.ts) and its files are as cw wrote
//     them, nothing is read but the input's bytes, and nothing is written: the last run's warnings are
//     said again;
//   - otherwise the topology is read and planned, and each cluster whose key (cluster-key.ts) is the
//     one the manifest records, with its files intact, keeps them: only the other clusters are
//     generated, checked and rendered again. The writer then replaces only the files that changed.
// The lock file and the output folder are each locked for the run (one run at a time), the lock file
// first, so that a lock file that cannot be written stops the run before any output is written.

import { compile } from "../compile.js";
import { diag } from "../diagnostics/catalog.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../diagnostics/diagnostic.js";
import { lineLookup } from "../diagnostics/line-lookup.js";
import type { ClusterOutput } from "../emit/layout.js";
import { type LockFileWriter, openLockFile } from "../emit/lock-file.js";
import { type Manifest, type ReadManifest, readStampedManifest } from "../emit/manifest.js";
import { type OutputWriter, openOutput } from "../emit/write.js";
import { gitopsOutput } from "../gitops/layout.js";
import { gitopsSettings } from "../gitops/settings.js";
import { renderLock } from "../plan/lock.js";
import { clusterHelperCount, type RunningHelpers, startHelpers } from "./cluster-helpers.js";
import { type ExistingFolder, readExistingFolder } from "./existing-folder.js";
import { manifestFederation } from "./folder-federation.js";
import type { GenerateOptions } from "./generate.js";
import { withExisting } from "./generate.js";
import { describeWritten, type Written, writtenData } from "./generate-report.js";
import { ExitCode, type Io } from "./io.js";
import { type InputTexts, type Loaded, parseInputs, readInputs } from "./load.js";
import { inputOptionsOf } from "./options.js";
import { printResult, reportDiagnostics as report } from "./report.js";
import { repositoryPrefix } from "./repository-prefix.js";
import { clusterSalt, type KeyedOptions, recordedClusterKeys, recordedRunKey, runKey } from "./run-key.js";
import { UsageError } from "./usage-error.js";

/** The lock file and the output folder, both locked for this run; or why they cannot be. */
interface Opened {
  lockFile?: LockFileWriter;
  writer?: OutputWriter;
  refused?: Diagnostic;
}

export function generateFolder(options: GenerateOptions, io: Io): ExitCode {
  const input = readInputs(options);
  const folder = options.existing === undefined ? undefined : readExistingFolder(options.existing);
  const keyed = keyedOptions(options, folder);
  const opened: Opened = {};
  let helpers: RunningHelpers | undefined;
  try {
    const federation = manifestFederation(options.out);
    if (federation !== undefined && recordedRunKey(options.out) === runKey(input, input.lockText, keyed)) {
      // The same bytes as last time: the same federation, named in the manifest.
      openOutputs(options, io, input.lockPath, federation, opened);
      const same = upToDate(options, io, { input, folder, keyed, federation }, opened);
      if (same !== undefined) return same;
    }
    // Read once, for the keys the helpers may skip and for the writer's scan (manifest.ts ReadManifest).
    let earlier: ReadManifest | undefined;
    const manifest = () => {
      earlier ??= readStampedManifest(options.out);
      return earlier.manifest;
    };
    helpers = startHelpersFor(options, { input, folder, keyed, manifest });
    io.progress?.stage("parse");
    const loaded = withExisting(parseInputs(options, input), folder);
    const topology = loaded.topology;
    // Input with errors is still compiled, for the problems later stages find, but nothing is staged.
    if (topology && !hasErrors(loaded.diagnostics) && !opened.writer && !opened.refused) {
      openOutputs(options, io, loaded.lockPath, topology.name, opened, earlier);
    }
    earlier = undefined; // the scan kept what it needs; the rest (a million file names) is let go
    const writer = opened.refused ? undefined : opened.writer;
    const compiled =
      topology &&
      compile(topology, loaded.lock, {
        ...(loaded.existing && { existing: loaded.existing }),
        validate: options.validate,
        keepObjects: false,
        layout: options.layout,
        salt: clusterSalt(keyed),
        ...(io.progress && { progress: io.progress }),
        ...(helpers && { helpers }),
        ...(writer && {
          onCluster: (c: ClusterOutput) => writer.add(c),
          reuse: (cluster: string, key: string) => writer.reusable(cluster, key),
        }),
      });
    io.progress?.done();
    const key = compiled?.plan && runKey(input, renderLock(compiled.plan.vips), keyed);
    const diagnostics = sortDiagnostics([
      ...loaded.diagnostics,
      ...(compiled?.diagnostics ?? []),
      ...(opened.refused ? [opened.refused] : []),
    ]);
    report(io, diagnostics, loaded.lineOf, options.format);
    if (hasErrors(diagnostics) || !compiled?.plan || !writer || key === undefined) {
      writer?.abort();
      return ExitCode.inputErrors;
    }
    return finish(options, io, { loaded, vips: compiled.plan.vips, key, diagnostics }, opened);
  } finally {
    helpers?.close();
    io.progress?.done();
    opened.writer?.abort(); // after finish, this only lets go of locks that are already let go
    opened.lockFile?.release();
  }
}

/** Helper threads for this run (--jobs), started at once so that they read and plan beside it. */
function startHelpersFor(
  options: GenerateOptions,
  run: {
    input: InputTexts;
    folder: ExistingFolder | undefined;
    keyed: KeyedOptions;
    manifest: () => Manifest | undefined;
  },
): RunningHelpers | undefined {
  const { input, folder, keyed } = run;
  const count = clusterHelperCount(options.jobs ?? "auto", input);
  if (count === 0) return undefined;
  return startHelpers(
    {
      options: inputOptionsOf(options),
      input,
      ...(folder && { folder }),
      validate: options.validate,
      layout: options.layout,
      salt: clusterSalt(keyed),
      recorded: options.force ? new Map() : recordedClusterKeys(run.manifest(), options.layout),
    },
    count,
  );
}

/** What of the options the output depends on (run-key.ts). */
function keyedOptions(options: GenerateOptions, folder: ExistingFolder | undefined): KeyedOptions {
  const prefix = options.gitops ? repositoryPrefix(options.out) : undefined;
  // Folders too: an empty one says the cluster is known to have no config.
  const existing =
    folder && new Map([...folder.input.folders.map((f): [string, string] => [`${f}/`, ""]), ...folder.texts]);
  return {
    layout: options.layout,
    validate: options.validate,
    ...(options.name !== undefined && { name: options.name }),
    ...(options.gitops && { gitops: options.gitops }),
    ...(prefix !== undefined && { repositoryPrefix: prefix }),
    ...(existing && { existing }),
  };
}

/** The lock file, then the output folder, into `opened` (or why the lock file cannot be written). */
function openOutputs(
  options: GenerateOptions,
  io: Io,
  lockPath: string,
  federation: string,
  opened: Opened,
  earlier?: ReadManifest,
): void {
  const lock = openLockFile(lockPath);
  if (!lock.ok) {
    opened.refused = lockFileRefusal(lockPath, lock);
    return;
  }
  opened.lockFile = lock.writer;
  opened.writer = openOutput(options.out, federation, {
    force: options.force === true,
    layout: options.layout,
    ...(io.progress && { progress: io.progress }),
    ...(earlier && { manifest: earlier }),
  });
}

interface Unread {
  readonly input: InputTexts;
  readonly folder: ExistingFolder | undefined;
  readonly keyed: KeyedOptions;
  readonly federation: string;
}

/**
 * When the folder's files are all there as cw wrote them for this key: the last run's warnings said
 * again, and that nothing was written. Undefined when the run must go on (with the locks taken).
 */
function upToDate(options: GenerateOptions, io: Io, unread: Unread, opened: Opened): ExitCode | undefined {
  const { input, folder, keyed, federation } = unread;
  const same = opened.writer?.upToDate(runKey(input, input.lockText, keyed));
  if (!same) return undefined;
  const lineOf = lineLookup([
    ...input.files.map((f) => [f.file, f.text] as const),
    [input.lockPath, input.lockText],
    ...(folder?.texts ?? []),
  ]);
  report(io, same.diagnostics, lineOf, options.format);
  const written: Written = {
    out: options.out,
    layout: options.layout,
    wrote: false,
    changes: same.changes,
    lockPath: input.lockPath,
  };
  printResult(
    io,
    options.format,
    () => writtenData(federation, written),
    () => describeWritten(federation, undefined, written),
  );
  return ExitCode.ok;
}

interface Compiled {
  readonly loaded: Loaded;
  readonly vips: ReadonlyMap<string, string>;
  /** The run key, with the lock file as this run leaves it. */
  readonly key: string;
  /** The run's warnings, for the manifest. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The GitOps objects, the folder's changes and the lock file written; what was done said. */
function finish(options: GenerateOptions, io: Io, run: Compiled, opened: Opened): ExitCode {
  const { loaded, vips } = run;
  const writer = opened.writer as OutputWriter;
  const topology = loaded.topology as NonNullable<Loaded["topology"]>;
  if (options.gitops) {
    const settings = gitopsSettings(topology, options.gitops, repositoryPrefix(options.out));
    if (typeof settings === "string") {
      writer.abort();
      throw new UsageError(settings);
    }
    writer.add(gitopsOutput(topology, settings));
  }
  const written = writer.finish({ inputs: run.key, diagnostics: run.diagnostics });
  io.progress?.done();
  if (written.diagnostics.length > 0) {
    report(io, written.diagnostics, loaded.lineOf, options.format);
    return ExitCode.inputErrors;
  }
  const lockError = writeLock(opened.lockFile, loaded.lockPath, renderLock(vips));
  if (lockError) {
    report(io, [lockError], loaded.lineOf, options.format);
    return ExitCode.inputErrors;
  }
  const said: Written = {
    out: options.out,
    layout: options.layout,
    wrote: written.wrote,
    changes: written.changes,
    lockPath: loaded.lockPath,
    ...(written.previousLayout !== undefined && { previousLayout: written.previousLayout }),
  };
  printResult(
    io,
    options.format,
    () => writtenData(topology.name, said),
    () => describeWritten(topology.name, topology.suffix, said),
  );
  return ExitCode.ok;
}

function writeLock(lockFile: LockFileWriter | undefined, path: string, text: string): Diagnostic | undefined {
  const problem = lockFile?.write(text);
  return problem === undefined
    ? undefined
    : diag("CW3004", { kind: "lock-file", path, problem, nothingWritten: false });
}

/** Why the lock file cannot be written: another run holds it (CW3007), or its place is not writable. */
function lockFileRefusal(path: string, outcome: { busy: boolean; problem: string }): Diagnostic {
  return outcome.busy
    ? diag("CW3007", { what: `the lock file ${path}`, problem: outcome.problem })
    : diag("CW3004", { kind: "lock-file", path, problem: outcome.problem, nothingWritten: true });
}

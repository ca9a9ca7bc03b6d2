// `cw generate` and `cw check`: read, compile, report, and (generate only) write the output folder
// and the lock file, or print one cluster's objects to stdout with `-o -`.

import { type CompileResult, compile } from "../compile.js";
import { hasErrors, sortDiagnostics } from "../diagnostics/diagnostic.js";
import { summary } from "../diagnostics/format.js";
import { lineLookup } from "../diagnostics/line-lookup.js";
import type { ClusterOutput, Layout } from "../emit/layout.js";
import type { ExistingConfig } from "../existing/model.js";
import { readExisting } from "../existing/read.js";
import type { GitopsFlags } from "../gitops/settings.js";
import { type ExistingFolder, readExistingFolder } from "./existing-folder.js";
import { generateFolder } from "./generate-folder.js";
import { ExitCode, type Io } from "./io.js";
import { type Loaded, load } from "./load.js";
import type { Format, InputOptions, Jobs } from "./options.js";
import { printResult, reportDiagnostics as report } from "./report.js";
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
  /** How the files are laid out (emit/layout.ts). */
  readonly layout: Layout;
  /** How many threads make clusters (--jobs); "auto" by default. */
  readonly jobs?: Jobs;
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

/** Read and compile, with progress on a terminal; nothing is written. */
function loadAndCompile(options: GenerateOptions, io: Io): { loaded: Loaded; compiled?: CompileResult } {
  io.progress?.stage("parse");
  try {
    const loaded = withExistingDir(load(options), options.existing);
    if (!loaded.topology) return { loaded };
    const compiled = compile(loaded.topology, loaded.lock, {
      ...(loaded.existing && { existing: loaded.existing }),
      validate: options.validate,
      ...(io.progress && { progress: io.progress }),
    });
    return { loaded, compiled };
  } finally {
    io.progress?.done();
  }
}

/** Reads the --existing folder, if given, for the loaded topology's clusters. */
function withExistingDir(loaded: Loaded, dir: string | undefined): Loaded & { existing?: ExistingConfig } {
  return dir === undefined ? loaded : withExisting(loaded, readExistingFolder(dir));
}

/** The loaded topology with the config its clusters already have. */
export function withExisting(
  loaded: Loaded,
  folder: ExistingFolder | undefined,
): Loaded & { existing?: ExistingConfig } {
  if (folder === undefined || !loaded.topology) return loaded;
  const read = readExisting(
    folder.input,
    loaded.topology.name,
    loaded.topology.clusters.map((c) => c.name),
  );
  const lineOf = lineLookup(folder.texts, loaded.lineOf);
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
  return toFolder ? generateFolder(options, io) : printCluster(options, io);
}

/** `-o - --cluster NAME`: one cluster's objects on stdout, nothing written. */
function printCluster(options: GenerateOptions, io: Io): ExitCode {
  const { loaded, compiled } = loadAndCompile(options, io);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...(compiled?.diagnostics ?? [])]);
  report(io, diagnostics, loaded.lineOf, options.format);
  if (hasErrors(diagnostics) || !compiled?.plan) return ExitCode.inputErrors;
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

/** The resources of one cluster as one multi-document YAML stream, for kubectl apply -f -. */
function multiDocument(cluster: ClusterOutput): string {
  return cluster.files
    .filter((f) => f.service !== undefined)
    .map((f) => f.content)
    .join("---\n");
}

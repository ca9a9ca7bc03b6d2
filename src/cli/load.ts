// Reading the user's files from disk: the topology (a Federation file, or the original Coddiwomple's
// two JSON files) and its lock file. Keeps every text it read, so diagnostics can quote source lines.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import { type Diagnostic, sortDiagnostics } from "../diagnostics/diagnostic.js";
import type { LineLookup } from "../diagnostics/format.js";
import { lineLookup } from "../diagnostics/line-lookup.js";
import { defaultLockPath, EMPTY_LOCK, type Lock, readLock } from "../plan/lock.js";
import { readInputFile } from "../topology/input-file.js";
import { readLegacy } from "../topology/legacy.js";
import type { Topology } from "../topology/model.js";
import { readFederation } from "../topology/read.js";
import { DNS1123_LABEL } from "../topology/schema.js";
import type { InputOptions } from "./options.js";
import { UsageError } from "./usage-error.js";

export interface Loaded {
  readonly topology?: Topology;
  readonly lock: Lock;
  readonly lockPath: string;
  readonly diagnostics: Diagnostic[];
  readonly lineOf: LineLookup;
}

/** The input files as read, before any is parsed: what the run key of cw generate hashes. */
export interface InputTexts {
  /** The topology file, or the original's cluster and service files; undefined text: unreadable. */
  readonly files: readonly { readonly file: string; readonly text?: string }[];
  readonly lockPath: string;
  /** The lock file's text; undefined when there is none (or it cannot be read). */
  readonly lockText?: string;
  /** Files that exist but cannot be read as text (CW1039, CW2001 for the lock file). */
  readonly unreadable: readonly Diagnostic[];
}

export function load(options: InputOptions): Loaded {
  return parseInputs(options, readInputs(options));
}

/** Reads the files the options name; the command was misused (UsageError) if they do not fit. */
export function readInputs(options: InputOptions): InputTexts {
  const unreadable: Diagnostic[] = [];
  /** The file's text, or undefined with a diagnostic (CW1039, CW2001 for the lock). */
  const read = (file: string, code: "CW1039" | "CW2001" = "CW1039"): string | undefined => {
    const input = readInputFile(file);
    if (!input.ok) {
      if (input.missing && code === "CW1039") throw new UsageError(`no such file: ${file}`);
      const { problem } = input;
      unreadable.push(
        code === "CW1039" ? diag(code, { problem }) : diag(code, { kind: "unreadable", problem }),
      );
      return undefined;
    }
    return input.text;
  };
  const legacy = checkInputOptions(options);
  const main = (legacy ? options.serviceFile : options.topology) as string;
  // Beside /dev/stdin or /proc/self/fd/0 is no place for a file cw keeps (and, for root, writable).
  if (options.lock === undefined && /^\/(dev|proc)\//.test(resolve(main))) {
    throw new UsageError(`${main} is not a file cw can keep a lock file beside; give one with --lock FILE`);
  }
  const lockPath = options.lock ?? defaultLockPath(main);
  const names = legacy ? [options.clusterFile as string, main] : [main];
  const files = names.map((file) => {
    const text = read(file);
    return text === undefined ? { file } : { file, text };
  });
  const lockText = existsSync(lockPath) ? read(lockPath, "CW2001") : undefined;
  return { files, lockPath, ...(lockText !== undefined && { lockText }), unreadable };
}

/** Whether the input is the original's two files; throws when the options do not fit together. */
function checkInputOptions(options: InputOptions): boolean {
  const legacy = options.clusterFile !== undefined || options.serviceFile !== undefined;
  if (legacy && options.topology !== undefined) {
    throw new UsageError("give either a topology file or --cluster-file with --service-file, not both");
  }
  if (legacy && (options.clusterFile === undefined || options.serviceFile === undefined)) {
    throw new UsageError("--cluster-file and --service-file go together: give both");
  }
  if (!legacy && options.topology === undefined) {
    throw new UsageError("give a topology file (for example examples/split-bookinfo/federation.yaml)");
  }
  if (options.name !== undefined && !legacy) {
    throw new UsageError(
      "--name goes with --cluster-file and --service-file; a topology file has metadata.name",
    );
  }
  if (options.name !== undefined && (options.name.length > 63 || !DNS1123_LABEL.test(options.name))) {
    throw new UsageError(
      `--name "${options.name}" is not a valid name; use up to 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  return legacy;
}

/** The topology and the lock, read from the texts. */
export function parseInputs(options: InputOptions, input: InputTexts): Loaded {
  const lineOf = lineLookup([
    ...input.files.map((f) => [f.file, f.text] as const),
    [input.lockPath, input.lockText],
  ]);
  const [first, second] = input.files;
  const result =
    first?.text === undefined || (second !== undefined && second.text === undefined)
      ? { diagnostics: [] }
      : second !== undefined
        ? readLegacy({
            clusters: { file: first.file, text: first.text },
            services: { file: second.file, text: second.text as string },
            ...(options.name !== undefined && { name: options.name }),
          })
        : readFederation(first.file, first.text);

  let lock = EMPTY_LOCK;
  const diagnostics = [...result.diagnostics];
  if (input.lockText !== undefined) {
    const parsed = readLock(input.lockPath, input.lockText);
    lock = parsed.lock;
    diagnostics.push(...parsed.diagnostics);
  }
  diagnostics.push(...input.unreadable);
  return {
    ...(result.topology && { topology: result.topology }),
    lock,
    lockPath: input.lockPath,
    diagnostics: sortDiagnostics(diagnostics),
    lineOf,
  };
}

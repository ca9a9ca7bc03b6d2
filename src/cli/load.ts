// Reading the user's files from disk: the topology (a Federation file, or the original Coddiwomple's
// two JSON files) and its lock file. Keeps every text it read, so diagnostics can quote source lines.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import { type Diagnostic, sortDiagnostics } from "../diagnostics/diagnostic.js";
import type { LineLookup } from "../diagnostics/format.js";
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

export function load(options: InputOptions): Loaded {
  const texts = new Map<string, string[]>();
  const unreadable: Diagnostic[] = [];
  /** The file's text, or undefined with a diagnostic (CW1039, CW2001 for the lock). */
  const read = (file: string, code: "CW1039" | "CW2001" = "CW1039"): string | undefined => {
    const input = readInputFile(file);
    if (!input.ok) {
      if (input.missing && code === "CW1039") throw new UsageError(`no such file: ${file}`);
      unreadable.push(diag(code, `${input.problem}; give the path of the file itself`));
      return undefined;
    }
    texts.set(file, input.text.split(/\r?\n/));
    return input.text;
  };
  const lineOf: LineLookup = (file, line) => texts.get(file)?.[line - 1];

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
  const main = (legacy ? options.serviceFile : options.topology) as string;
  // Beside /dev/stdin or /proc/self/fd/0 is no place for a file cw keeps (and, for root, writable).
  if (options.lock === undefined && /^\/(dev|proc)\//.test(resolve(main))) {
    throw new UsageError(`${main} is not a file cw can keep a lock file beside; give one with --lock FILE`);
  }
  const lockPath = options.lock ?? defaultLockPath(main);
  const inputs = legacy
    ? [read(options.clusterFile as string), read(options.serviceFile as string)]
    : [read(main)];
  const [first, second] = inputs;
  const result =
    first === undefined || (legacy && second === undefined)
      ? { diagnostics: [] }
      : legacy
        ? readLegacy({
            clusters: { file: options.clusterFile as string, text: first },
            services: { file: options.serviceFile as string, text: second as string },
            ...(options.name !== undefined && { name: options.name }),
          })
        : readFederation(main, first);

  let lock = EMPTY_LOCK;
  const diagnostics = [...result.diagnostics];
  if (existsSync(lockPath)) {
    const text = read(lockPath, "CW2001");
    if (text !== undefined) {
      const parsed = readLock(lockPath, text);
      lock = parsed.lock;
      diagnostics.push(...parsed.diagnostics);
    }
  }
  diagnostics.push(...unreadable);
  return {
    ...(result.topology && { topology: result.topology }),
    lock,
    lockPath,
    diagnostics: sortDiagnostics(diagnostics),
    lineOf,
  };
}

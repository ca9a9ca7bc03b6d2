// Reading the user's files from disk: the topology (a Federation file, or the original Coddiwomple's
// two JSON files) and its lock file. Keeps every text it read, so diagnostics can quote source lines.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { type Diagnostic, sortDiagnostics } from "../diagnostics/diagnostic.js";
import type { LineLookup } from "../diagnostics/format.js";
import { EMPTY_LOCK, type Lock, readLock } from "../plan/lock.js";
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
  const read = (file: string): string => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${(e as Error).message}`,
      );
    }
    texts.set(file, text.split(/\r?\n/));
    return text;
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
  const result = legacy
    ? readLegacy({
        clusters: { file: options.clusterFile as string, text: read(options.clusterFile as string) },
        services: { file: options.serviceFile as string, text: read(options.serviceFile as string) },
        ...(options.name !== undefined && { name: options.name }),
      })
    : readFederation(main, read(main));

  const lockPath = options.lock ?? defaultLockPath(main);
  let lock = EMPTY_LOCK;
  const diagnostics = [...result.diagnostics];
  if (existsSync(lockPath)) {
    const parsed = readLock(lockPath, read(lockPath));
    lock = parsed.lock;
    diagnostics.push(...parsed.diagnostics);
  }
  return {
    ...(result.topology && { topology: result.topology }),
    lock,
    lockPath,
    diagnostics: sortDiagnostics(diagnostics),
    lineOf,
  };
}

/** federation.yaml -> federation.lock.yaml, beside it. */
export function defaultLockPath(topologyFile: string): string {
  return join(dirname(topologyFile), `${basename(topologyFile, extname(topologyFile))}.lock.yaml`);
}

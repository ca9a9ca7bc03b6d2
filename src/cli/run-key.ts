// The run key of cw generate: a hash of everything its output folder's content depends on, so that a
// run whose key is the one the folder's manifest records has nothing to do, and can say so without
// reading the topology. What it covers:
//   - the input files' names and bytes (names too: the warnings it says again name them);
//   - the lock file's bytes, as the run leaves them (a run that allocates VIPs writes them; the output
//     is the same with the lock file it read and the one it wrote, since locked VIPs never move);
//   - the options that change the output: layout, --no-validate, --name, --gitops and its flags with
//     the output folder's place in its repository, and the --existing folder's files;
//   - cw's own code (code-fingerprint.ts).

import { createHash } from "node:crypto";
import { byText } from "../compare.js";
import type { Layout } from "../emit/layout.js";
import type { Manifest } from "../emit/manifest.js";
import type { GitopsFlags } from "../gitops/settings.js";
import { codeFingerprint } from "./code-fingerprint.js";
import { manifestHead } from "./folder-federation.js";
import type { InputTexts } from "./load.js";

/** What of the options the output depends on. */
export interface KeyedOptions {
  readonly layout: Layout;
  readonly validate: boolean;
  readonly name?: string;
  readonly gitops?: GitopsFlags;
  /** The output folder's place in its git repository (the default path prefix of --gitops). */
  readonly repositoryPrefix?: string;
  /** The --existing folder's files, by path. */
  readonly existing?: ReadonlyMap<string, string>;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The salt of the cluster keys: what every cluster's objects depend on besides the plan. */
export const clusterSalt = (options: KeyedOptions): string =>
  sha256(JSON.stringify({ code: codeFingerprint(), layout: options.layout, validate: options.validate }));

export function runKey(input: InputTexts, lockText: string | undefined, options: KeyedOptions): string {
  const existing = options.existing && [...options.existing].sort(byText(([k]) => k));
  return sha256(
    JSON.stringify({
      code: codeFingerprint(),
      files: input.files.map((f) => [f.file, f.text === undefined ? null : sha256(f.text)]),
      lock: [input.lockPath, lockText === undefined ? null : sha256(lockText)],
      layout: options.layout,
      validate: options.validate,
      name: options.name ?? null,
      gitops: options.gitops ?? null,
      prefix: options.repositoryPrefix ?? null,
      existing: existing?.map(([path, text]) => [path, sha256(text)]) ?? null,
    }),
  );
}

/** The run key the folder's manifest records (in its head); undefined when there is none. */
export const recordedRunKey = (dir: string): string | undefined =>
  /^\s*"inputs": "([0-9a-f]{64})",?$/m.exec(manifestHead(dir) ?? "")?.[1];

/**
 * The cluster keys a manifest records for this layout, by cluster (none for another layout: its files
 * are all made again). A helper thread needs not make a cluster whose key is one of these; the writer
 * still checks that its files are intact (emit/write.ts, reusable).
 */
export function recordedClusterKeys(manifest: Manifest | undefined, layout: Layout): Map<string, string> {
  const keys = new Map<string, string>();
  if (manifest?.layout !== layout) return keys;
  for (const [cluster, entry] of manifest.clusters ?? [])
    if (entry.key !== undefined) keys.set(cluster, entry.key);
  return keys;
}

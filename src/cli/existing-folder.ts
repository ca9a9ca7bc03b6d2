// Reading the `--existing <dir>` folder from disk: one subfolder per cluster, every *.yaml / *.yml
// file below it at any depth. The only file access of --existing; existing/read.ts makes sense of the
// texts. A folder that is not there is a usage mistake; a file that cannot be read is reported
// (CW4001) and the rest is still read, so that one run reports every problem.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { byText } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ExistingFile, ExistingInput } from "../existing/read.js";
import { UsageError } from "./usage-error.js";

export interface ExistingFolder {
  readonly input: ExistingInput;
  readonly diagnostics: Diagnostic[];
  /** Every text read, by its path, for showing source lines in diagnostics. */
  readonly texts: ReadonlyMap<string, string>;
}

/** `shownAs` names the folder in diagnostics (default: as given). */
export function readExistingFolder(dir: string, shownAs = dir): ExistingFolder {
  const top = dir.replace(/\/+$/, "") || dir;
  const shown = shownAs.replace(/\/+$/, "") || shownAs;
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = readdirSync(top, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `no such folder: ${top} (--existing takes a folder of per-cluster folders; cw discover --existing ${top} writes one)`
        : `cannot read the folder ${top}: ${(e as Error).message}`,
    );
  }
  const diagnostics: Diagnostic[] = [];
  const files: ExistingFile[] = [];
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  const below = (cluster: string) => filesBelow({ top, shown, cluster }, "", diagnostics);
  for (const cluster of folders) files.push(...below(cluster));
  const texts = new Map(files.map((f) => [f.path, f.text]));
  return { input: { dir: shown, folders, files }, diagnostics, texts };
}

interface Where {
  readonly top: string;
  readonly shown: string;
  readonly cluster: string;
}

function filesBelow(where: Where, rel: string, diagnostics: Diagnostic[]): ExistingFile[] {
  const { top, shown, cluster } = where;
  let entries: { name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }[];
  try {
    entries = readdirSync(join(top, cluster, rel), { withFileTypes: true });
  } catch (e) {
    diagnostics.push(unreadable(`${shown}/${cluster}${rel ? `/${rel}` : ""}`, e));
    return [];
  }
  return entries.sort(byText((x) => x.name)).flatMap((e) => {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return filesBelow(where, path, diagnostics);
    if (!(e.isFile() || e.isSymbolicLink()) || !/\.ya?ml$/i.test(e.name)) return [];
    const file = `${shown}/${cluster}/${path}`;
    try {
      return [{ cluster, path: file, text: readFileSync(join(top, cluster, path), "utf8") }];
    } catch (err) {
      diagnostics.push(unreadable(file, err));
      return [];
    }
  });
}

const unreadable = (path: string, e: unknown): Diagnostic =>
  diag("CW4001", { path, error: (e as Error).message }, { file: path, line: 1, col: 1, length: 1 });

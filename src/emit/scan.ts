// The output folder as it is, before cw writes anything: whether cw may write there, what it wrote
// last time (its manifest), and what else is there. Run while this run holds the folder's lock
// (run-lock.ts), so that what it finds cannot change under another cw run's hands.
//
// Refusals, each naming what is in the way:
// - the folder, or anything in it, is a symbolic link (CW3006): cw would write or delete through it,
//   in whatever folder it points at;
// - a folder that is not empty and has no manifest of cw's (CW3001);
// - a manifest of another federation (CW3005), unless --force: cw would replace and remove its files.
//
// Leftovers of a run that was killed are cleaned up here, since only a run that holds the lock may:
// staging and retired folders beside the output folder, and temporary files inside one that has cw's
// manifest. Their names say they are cw's: `.<name>.cw-tmp-<pid>-<8 hex digits>` (and `cw-old-`).

import { lstatSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { MANIFEST, type Manifest, manifestAgain, type ReadManifest } from "./manifest.js";

export { MANIFEST } from "./manifest.js";

const TEMP_FILE = /^\..+\.cw-tmp-\d+-[0-9a-f]{8}$/;

export interface FolderScan {
  readonly refusal?: Diagnostic;
  readonly exists: boolean;
  /** The last run's manifest, without its files (in oldFiles), when the folder has cw's manifest. */
  readonly previous?: Omit<Manifest, "files">;
  /** What the last run wrote, by path, with its hash. */
  readonly oldFiles: Map<string, string>;
  /** Files on disk that the last run did not write: the manifest itself, the user's own files. */
  readonly foreign: Set<string>;
  /** Files the last run wrote that are no longer on disk. */
  readonly missing: Set<string>;
  /** When the manifest was written (files older than it, of the size cw wrote, are unedited). */
  readonly manifestTime: bigint;
}

const MAX_NAMED = 5;

/** The folder as it is; `earlier`, the manifest as read before the lock was taken, if it still holds. */
export function scanOutput(
  dir: string,
  federation: string,
  force: boolean,
  earlier?: ReadManifest,
): FolderScan {
  const scan = {
    exists: false,
    oldFiles: new Map<string, string>(),
    foreign: new Set<string>(),
    missing: new Set<string>(),
    manifestTime: 0n,
  };
  const refuse = (refusal: Diagnostic): FolderScan => ({ ...scan, refusal });
  try {
    removeStaging(dir);
    const stat = lstatOrUndefined(dir);
    if (!stat) return scan;
    scan.exists = true;
    if (stat.isSymbolicLink()) return refuse(linkRefusal(dir, [dir]));
    if (!stat.isDirectory()) {
      return refuse(diag("CW3001", { dir, problem: "not-a-folder" }));
    }
    const links: string[] = [];
    const temps: string[] = [];
    const onDisk: string[] = [];
    listFiles(dir, (path, isLink) => {
      if (isLink) links.push(join(dir, path));
      else if (TEMP_FILE.test(basename(path))) temps.push(path);
      else onDisk.push(path);
    });
    if (links.length > 0) return refuse(linkRefusal(dir, links));
    const old = manifestAgain(dir, earlier);
    if (!old) {
      if (onDisk.length + temps.length > 0) {
        return refuse(diag("CW3001", { dir, problem: "foreign-files" }));
      }
      return scan;
    }
    for (const path of temps) rmSync(join(dir, path), { force: true });
    // What the last run wrote, by path; the parsed manifest itself is let go (a million keys).
    for (const path in old.files) scan.oldFiles.set(path, old.files[path] as string);
    let seen = 0;
    for (const path of onDisk) {
      if (scan.oldFiles.has(path)) seen++;
      else scan.foreign.add(path);
    }
    if (seen < scan.oldFiles.size) {
      const present = new Set(onDisk);
      for (const path of scan.oldFiles.keys()) if (!present.has(path)) scan.missing.add(path);
    }
    const manifestTime = lstatSync(join(dir, MANIFEST), { bigint: true }).mtimeNs;
    const { files: _, ...previous } = old;
    const result = { ...scan, previous, manifestTime };
    if (old.federation !== federation && !force) {
      return {
        ...result,
        refusal: diag("CW3005", { kind: "taken", dir, found: old.federation, federation }),
      };
    }
    return result;
  } catch (e) {
    return refuse(
      diag("CW3004", { kind: "read", path: dir, error: e instanceof Error ? e.message : String(e) }),
    );
  }
}

function linkRefusal(dir: string, links: readonly string[]): Diagnostic {
  const named = links.slice(0, MAX_NAMED).join(", ");
  const more = Math.max(0, links.length - MAX_NAMED);
  return diag("CW3006", { dir, named, more, count: links.length });
}

/** Every entry below dir, relative, with "/" separators; symbolic links are reported, not followed. */
function listFiles(dir: string, each: (path: string, isLink: boolean) => void, prefix = ""): void {
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) each(rel, true);
    else if (entry.isDirectory()) listFiles(dir, each, rel);
    else each(rel, false);
  }
}

/** Staging and retired folders of killed runs into `dir`, beside it. */
function removeStaging(target: string): void {
  const dir = resolve(target);
  const name = basename(dir);
  let siblings: string[];
  try {
    siblings = readdirSync(dirname(dir));
  } catch {
    return; // no parent yet: nothing left behind
  }
  for (const sibling of siblings) {
    const rest = sibling.startsWith(`.${name}.cw-`) ? sibling.slice(name.length + 5) : "";
    if (/^(tmp|old)-\d+-[0-9a-f]{8}$/.test(rest)) {
      rmSync(join(dirname(dir), sibling), { recursive: true, force: true });
    }
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

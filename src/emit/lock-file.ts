// Writing the VIP lock file beside the topology, for generate and apply, which both allocate VIPs.
// openLockFile comes first, before any output is written: it takes the lock file's run lock
// (run-lock.ts), which also proves that its folder can be written, so that a lock file that cannot be
// written (a read-only folder, a topology read from /dev/stdin) stops the run before anything else is
// changed. The file is then written only when its text changed, through a temporary file with an
// unpredictable name (created O_EXCL, removed on failure) renamed over it, so that a reader never sees
// half a file.

import { lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomically } from "./atomic-file.js";
import { takeRunLock } from "./run-lock.js";

export interface LockFileWriter {
  /** Writes `text` unless the file holds it already; the system's complaint on failure. */
  write(text: string): string | undefined;
  /** Let go of the lock file's run lock. */
  release(): void;
}

export type LockFileOutcome =
  | { readonly ok: true; readonly writer: LockFileWriter }
  | { readonly ok: false; readonly busy: boolean; readonly problem: string };

export function openLockFile(path: string): LockFileOutcome {
  try {
    if (!lstatSync(path).isFile()) {
      return { ok: false, busy: false, problem: `${path} exists and is not a regular file` };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      return {
        ok: false,
        busy: false,
        problem: `cannot read ${path} (${(e as NodeJS.ErrnoException).code})`,
      };
    }
  }
  const taken = takeRunLock(path);
  if (!taken.ok) return taken;
  removeTemporaries(path);
  return {
    ok: true,
    writer: { write: (text) => writeLockFile(path, text), release: () => taken.lock.release() },
  };
}

function writeLockFile(path: string, text: string): string | undefined {
  try {
    let current: string | undefined;
    try {
      current = readFileSync(path, "utf8");
    } catch {
      current = undefined;
    }
    if (current !== text) writeFileAtomically(path, text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Temporary files of killed runs beside the lock file; cw's by their names (also the old form). */
function removeTemporaries(path: string): void {
  const name = basename(path);
  let siblings: string[] = [];
  try {
    siblings = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const s of siblings) {
    const ours =
      (s.startsWith(`.${name}.cw-tmp-`) && /^\d+-[0-9a-f]{8}$/.test(s.slice(name.length + 9))) ||
      (s.startsWith(`${name}.cw-tmp-`) && /^\d+$/.test(s.slice(name.length + 8)));
    if (ours) rmSync(join(dirname(path), s), { force: true });
  }
}

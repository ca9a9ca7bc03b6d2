// Writing the lock file beside the topology: only when its text changed, and through a rename so that
// a reader never sees half a file. Shared by generate and apply, which both allocate VIPs.

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** Writes `text` to `path` unless it is there already; returns the system's complaint on failure. */
export function writeLockFile(path: string, text: string): string | undefined {
  try {
    if (existsSync(path) && readFileSync(path, "utf8") === text) return undefined;
    const tmp = `${path}.cw-tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

// Replacing one of the user's files (the lock file, a topology cw discover writes) so that a reader
// sees the old text or the new, never half of it: a temporary file beside it, renamed over it. The
// temporary name is unpredictable and created O_EXCL, so that a link someone planted where it goes is
// never followed, and it is removed when anything fails.

import { randomBytes } from "node:crypto";
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** `.<name>.cw-tmp-<pid>-<8 hex digits>` beside `path`: scan.ts and lock-file.ts know the form. */
export const temporaryName = (path: string): string =>
  join(dirname(path), `.${basename(path)}.cw-tmp-${process.pid}-${randomBytes(4).toString("hex")}`);

export function writeFileAtomically(path: string, text: string): void {
  const tmp = temporaryName(path);
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

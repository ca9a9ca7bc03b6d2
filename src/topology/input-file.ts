// Reading one of the user's input files (a topology, the original's JSON files, a lock file) without
// ever hanging or crashing on what a path can name. The file is opened without blocking, so that a
// FIFO with no writer, which a plain read would wait on forever (and with it the whole UI server), is
// seen for what it is; only a regular file is read, and only text that is UTF-8 throughout, since a
// decoder that replaced bad bytes would drop input without a word. Messages name the file and the
// system's reason, never the file's contents.

import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from "node:fs";

export type InputFile =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly missing: boolean; readonly problem: string };

export function readInputFile(file: string): InputFile {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    return { ok: false, missing: code === "ENOENT", problem: `cannot open ${file} (${reason(code)})` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      return { ok: false, missing: false, problem: `${file} is ${kind(stat)}, not a file` };
    }
    const bytes = readFileSync(fd);
    if (!isUtf8(bytes)) return { ok: false, missing: false, problem: `${file} is not UTF-8 text` };
    return { ok: true, text: bytes.toString("utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    return { ok: false, missing: false, problem: `cannot read ${file} (${reason(code)})` };
  } finally {
    closeSync(fd);
  }
}

function kind(stat: Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a pipe (FIFO)";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a regular file";
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a folder",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
  ENOTDIR: "a part of the path is not a folder",
  EIO: "input/output error",
  EMFILE: "too many open files",
};

const reason = (code: string): string => REASONS[code] ?? (code !== "" ? code : "unknown error");

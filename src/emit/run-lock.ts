// One cw run at a time per output folder, and per VIP lock file: two runs into one folder would each
// write a complete result and one would be lost, or both would stage a new folder and one would be
// left behind. A run holds a path by creating `.<name>.cw-lock` beside it (O_EXCL, so exactly one
// creator wins), holding its pid, host and a random token, and deletes it when done.
//
// A run that was killed leaves its lock behind. The next run takes it over when the holder is
// plainly gone: on this host, no process has its pid (or it is this process, which holds no such
// lock), or the file is empty or unreadable and older than a few seconds (killed between creating and
// writing it). A lock of another host is never taken over: cw cannot see its processes, so it says
// which file to delete once no cw runs there.
//
// Taking over renames the stale lock aside and checks that what it moved is the stale one, so that
// of two runs that found the same stale lock, neither deletes the other's fresh one.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";

export interface RunLock {
  /** The lock file. */
  readonly path: string;
  /** Delete the lock, if it is still this run's. */
  release(): void;
}

export type LockOutcome =
  | { readonly ok: true; readonly lock: RunLock }
  /** `busy`: another run holds it (say who); otherwise the lock could not be written at all. */
  | { readonly ok: false; readonly busy: boolean; readonly problem: string };

interface Holder {
  readonly tool: "coddiwomple";
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly started: string;
}

/** Locks this process holds, by lock path: its own pid on a lock it does not hold means stale. */
const held = new Set<string>();

/** Where the lock of `target` (a folder or a file, which need not exist yet) lives. */
export const lockPathOf = (target: string): string => {
  const absolute = resolve(target);
  return join(dirname(absolute), `.${basename(absolute)}.cw-lock`);
};

/** Take the lock of `target` for this run; its folder's parent is created if need be. */
export function takeRunLock(target: string): LockOutcome {
  const path = lockPathOf(target);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    return { ok: false, busy: false, problem: `cannot create ${dirname(path)} (${errno(e)})` };
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const holder: Holder = {
      tool: "coddiwomple",
      pid: process.pid,
      host: hostname(),
      token: randomBytes(8).toString("hex"),
      started: new Date().toISOString(),
    };
    try {
      const fd = openSync(path, "wx", 0o644);
      try {
        writeSync(fd, `${JSON.stringify(holder)}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      return { ok: true, lock: { path, release: () => release(path, holder.token) } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
        return { ok: false, busy: false, problem: `cannot create ${path} (${errno(e)})` };
      }
    }
    const found = readHolder(path);
    if (!found.stale) return { ok: false, busy: true, problem: found.who };
    if (!takeOver(path, found.text)) return { ok: false, busy: true, problem: found.who };
  }
  return { ok: false, busy: true, problem: `another cw run took ${path} at the same moment` };
}

function release(path: string, token: string): void {
  held.delete(path);
  try {
    const now = JSON.parse(readFileSync(path, "utf8")) as Partial<Holder>;
    if (now.token === token) rmSync(path, { force: true });
  } catch {
    // Gone already, or replaced by someone else's: nothing of ours to delete.
  }
}

/** Who holds the lock, and whether that holder is plainly gone. */
function readHolder(path: string): { stale: boolean; who: string; text: string } {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { stale: false, who: `${path} is held by another cw run`, text };
  }
  let holder: Partial<Holder> | undefined;
  try {
    holder = JSON.parse(text) as Partial<Holder>;
  } catch {
    holder = undefined;
  }
  if (holder?.tool !== "coddiwomple" || typeof holder.pid !== "number") {
    const age = Date.now() - safeMtime(path);
    return { stale: age > 5000, who: `${path} is being taken by another cw run`, text };
  }
  const who = `another cw run (pid ${holder.pid} on ${String(holder.host)}, since ${String(holder.started)}) holds ${path}`;
  if (holder.host !== hostname()) return { stale: false, who, text };
  const gone = holder.pid === process.pid ? !held.has(path) : !alive(holder.pid);
  return { stale: gone, who, text };
}

/** Move the stale lock aside; true if what was moved is the stale lock, which is then deleted. */
function takeOver(path: string, staleText: string): boolean {
  const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  let moved = "";
  try {
    moved = readFileSync(aside, "utf8");
  } catch {
    // unreadable: treat as not the stale one
  }
  if (moved !== staleText) {
    // A fresh lock replaced the stale one in between: put it back (link fails if a third run is there).
    try {
      linkSync(aside, path);
    } catch {
      // the third run holds the path now; the one we moved lost its lock, as it would have anyway
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

function safeMtime(path: string): number {
  try {
    return lstatSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

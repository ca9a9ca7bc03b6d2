// Where a folder is in its git repository: the default path prefix of `cw generate --gitops`, so that
// the engines' paths name the folders cw wrote. The repository is the nearest folder above with a
// .git entry (a folder, or a file in a worktree or submodule).

import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export function repositoryPrefix(folder: string): string | undefined {
  const target = resolve(folder);
  for (let at = target; ; at = dirname(at)) {
    if (existsSync(join(at, ".git"))) return relative(at, target).split(sep).join("/");
    if (dirname(at) === at) return undefined;
  }
}

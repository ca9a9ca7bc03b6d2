// cw's own version, as the output folder's keys need it (run-key.ts, incremental/cluster-key.ts): what
// cw generates from the same input changes with its code, and in a clone the code changes without the
// package's version number. So the fingerprint is a hash of the code that runs: the bundle's files
// (dist/*.js) in the package, the sources (src/**/*.ts) and the libraries' lock file in a clone. It
// costs a few milliseconds (5 MB of bundle), once per run.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "./package-root.js";

let memo: string | undefined;

export function codeFingerprint(): string {
  memo ??= fingerprint(dirname(fileURLToPath(import.meta.url)));
  return memo;
}

function fingerprint(here: string): string {
  const root = fileURLToPath(packageRoot(import.meta.url));
  const hash = createHash("sha256");
  // The bundle is flat (dist/*.js); in a clone this module is in src/cli/.
  const bundled = relative(root, here) === "dist";
  const code = bundled ? filesBelow(here, ".js", false) : filesBelow(join(root, "src"), ".ts", true);
  const files = bundled ? code : [...code, join(root, "package-lock.json")];
  for (const file of files.sort()) {
    hash.update(`${relative(root, file)}\n`);
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update("(unreadable)");
    }
  }
  hash.update(readFileSync(join(root, "package.json")));
  return hash.digest("hex");
}

function filesBelow(dir: string, ending: string, deep: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return deep ? filesBelow(path, ending, deep) : [];
    return entry.name.endsWith(ending) ? [path] : [];
  });
}

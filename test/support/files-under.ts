// Every file below a folder (node_modules left out) that `keep` accepts: for the tests that read the
// sources themselves (the catalog's codes, function lengths).

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : filesUnder(path, keep);
    return keep(path) ? [path] : [];
  });
}

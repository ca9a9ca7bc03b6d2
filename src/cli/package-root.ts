// Where cw's own files are: the folder holding its package.json, found from this module's place. The
// same code runs from src/cli/ in a clone and from dist/ in an installed package, so the depth differs.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The package's root folder, as a URL ending in "/". */
export function packageRoot(from: string = import.meta.url): URL {
  for (let dir = new URL("./", from); ; dir = new URL("../", dir)) {
    const manifest = new URL("package.json", dir);
    if (existsSync(manifest) && isCw(fileURLToPath(manifest))) return dir;
    if (dir.pathname === "/") throw new Error(`cw cannot find its package.json above ${from}`);
  }
}

const isCw = (path: string): boolean => {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { name?: unknown }).name === "coddiwomple";
  } catch {
    return false;
  }
};

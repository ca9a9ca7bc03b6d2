#!/usr/bin/env node
// The cw command: runs the bundle that `npm run build` writes to dist/ (npm pack builds it first, so
// an installed cw always has it). In a clone, run the sources with `npm run cw -- ARGS`, or build.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/cw.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    "cw: dist/cw.js is missing: in a clone, run `npm run build` first, or run the sources with `npm run cw -- ARGS`\n",
  );
  process.exit(70);
}
const { main } = await import(bundle.href);
main(process.argv.slice(2));

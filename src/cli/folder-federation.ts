// Whether an output folder belongs to the federation being verified or traced: cw generate leaves a
// manifest naming the federation (src/emit/write.ts), so verify and trace can say "this folder is
// another federation's" instead of tracing the wrong output and reporting its mismatches.

import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { MANIFEST } from "../emit/write.js";

/**
 * The head of the folder's manifest (its first 4 KiB), undefined when it has none. The manifest starts
 * with the tool, the federation and the run key; its list of files can be large, and is not read.
 */
export function manifestHead(dir: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, MANIFEST), "r");
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(4096);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The federation named by the folder's manifest; undefined when it has none. */
export function manifestFederation(dir: string): string | undefined {
  const found = /^\{\s*"tool":\s*"coddiwomple",\s*"federation":\s*("(?:[^"\\]|\\.)*")/.exec(
    manifestHead(dir) ?? "",
  );
  return found?.[1] === undefined ? undefined : (JSON.parse(found[1]) as string);
}

/**
 * A problem when `dir` is not the output of `federation`: its manifest names another one, or it has
 * none although the folder is only the default (-o not given), so nothing says it is this one's.
 */
export function folderFederationProblem(
  dir: string,
  federation: string,
  topologyFile: string,
  outGiven: boolean,
): Diagnostic | undefined {
  const found = manifestFederation(dir);
  const regenerate = `cw generate ${topologyFile} -o ${dir}`;
  if (found === undefined && !outGiven) {
    return diag("CW3005", {
      kind: "unmarked",
      dir,
      manifest: MANIFEST,
      federation,
      topology: topologyFile,
      regenerate,
    });
  }
  if (found !== undefined && found !== federation) {
    return diag("CW3005", { kind: "not-this", dir, found, federation, topology: topologyFile, regenerate });
  }
  return undefined;
}

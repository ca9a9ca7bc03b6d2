// Whether an output folder belongs to the federation being verified or traced: cw generate leaves a
// manifest naming the federation (src/emit/write.ts), so verify and trace can say "this folder is
// another federation's" instead of tracing the wrong output and reporting its mismatches.

import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { MANIFEST } from "../emit/write.js";

/**
 * The federation named by the folder's manifest; undefined when it has none. Only the head is read:
 * the manifest starts with the tool and the federation, and its list of files can be large.
 */
export function manifestFederation(dir: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, MANIFEST), "r");
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(4096);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString("utf8");
    const found = /^\{\s*"tool":\s*"coddiwomple",\s*"federation":\s*("(?:[^"\\]|\\.)*")/.exec(text);
    return found?.[1] === undefined ? undefined : (JSON.parse(found[1]) as string);
  } finally {
    closeSync(fd);
  }
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
    return diag(
      "CW3005",
      `${dir}/ has no ${MANIFEST}, so nothing says it holds federation "${federation}"; give the folder cw generate wrote for ${topologyFile} with -o, or write it: ${regenerate}`,
    );
  }
  if (found !== undefined && found !== federation) {
    return diag(
      "CW3005",
      `${dir}/ holds the output of federation "${found}", not of "${federation}" (${topologyFile}); give this federation's folder with -o, or write it: ${regenerate}`,
    );
  }
  return undefined;
}

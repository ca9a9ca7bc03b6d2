// How a bug in cw reaches the user: one line with the code CW9001, what went wrong, and what to do,
// never a raw stack, so that it cannot be taken for a problem of the input. The stack is there on
// request (CW_DEBUG=1), for the bug report.

import { catalog } from "../diagnostics/catalog.js";
import { printable } from "../diagnostics/printable.js";

export function internalError(e: unknown, withStack: boolean): string {
  const message = (e instanceof Error ? e.message : String(e)).replace(/^internal: /, "");
  const head = `cw: error CW9001: ${catalog.CW9001.title}: ${printable(message, 500)}; this is a bug in cw, please report it with the input that caused it`;
  if (!withStack || !(e instanceof Error) || e.stack === undefined) {
    return `${head} (run with CW_DEBUG=1 for details)`;
  }
  return `${head}\n${e.stack}`;
}

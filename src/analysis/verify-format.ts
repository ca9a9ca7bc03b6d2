// `cw verify`'s report: the summary table, every mismatch with its trace, and the assumptions the
// proof rests on that no file can show, so that "verified" is not read as more than it is.

import { formatTrace } from "../trace/format.js";
import type { Check, CheckKind, VerifyResult } from "./verify.js";

export const CHECK_KINDS: readonly CheckKind[] = [
  "consumer call",
  "local call",
  "refused call",
  "gateway probe",
  "failover",
  "resilience",
  "conflict",
];

/** The summary table, then every mismatch with its trace, then the assumptions. */
export function formatVerify(result: VerifyResult, options: { readonly verbose?: boolean } = {}): string {
  const rows = CHECK_KINDS.map((kind) => {
    const of = result.checks.filter((c) => c.kind === kind);
    const n = (s: Check["status"]) => of.filter((c) => c.status === s).length;
    return [kind, String(of.length), String(n("ok")), String(n("mismatch")), String(n("unenforced"))];
  }).filter((r) => r[1] !== "0");
  const header = ["check", "total", "ok", "mismatch", "unenforced"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = [line(header), ...rows.map(line)];
  for (const c of result.checks.filter((c) => c.status !== "ok")) {
    if (c.status === "unenforced" && !options.verbose) continue;
    out.push("", `${c.status.toUpperCase()} ${c.kind}: ${c.call}`, `  expected ${c.expected}; ${c.problem}`);
    out.push(formatTrace("  trace:", c.trace).trimEnd());
  }
  const mismatches = result.checks.filter((c) => c.status === "mismatch").length;
  const unenforced = result.checks.filter((c) => c.status === "unenforced").length;
  out.push(
    "",
    mismatches === 0
      ? `verified: ${result.checks.length} checks hold${unenforced > 0 ? ` (${unenforced} unenforced, as cw warned)` : ""}`
      : `${mismatches} of ${result.checks.length} checks do not hold`,
    "",
    "This rests on what no file shows; check these on the clusters (cw check --live):",
    ...result.assumptions.map((a) => `  - ${a}`),
  );
  return `${out.join("\n")}\n`;
}

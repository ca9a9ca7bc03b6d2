// `cw verify`'s report: the summary table, every mismatch with its trace, and the assumptions the
// proof rests on that no file can show, so that "verified" is not read as more than it is.

import { formatTrace } from "../trace/format.js";
import type { CheckKind, VerifyResult } from "./verify.js";
import { summarizeChecks, type VerifySummary } from "./verify-summary.js";

export const CHECK_KINDS: readonly CheckKind[] = [
  "consumer call",
  "local call",
  "refused call",
  "gateway probe",
  "egress probe",
  "failover",
  "resilience",
  "conflict",
];

/** The summary table, then every mismatch with its trace, then the assumptions. */
export function formatVerify(result: VerifyResult, options: { readonly verbose?: boolean } = {}): string {
  return formatSummary(summarizeChecks(result.checks, result.assumptions), options);
}

/** The same report from a summary (verifySummary), which keeps only the checks that do not hold. */
export function formatSummary(summary: VerifySummary, options: { readonly verbose?: boolean } = {}): string {
  const rows = CHECK_KINDS.flatMap((kind) => {
    const n = summary.counts.get(kind);
    return n && n.total > 0
      ? [[kind, String(n.total), String(n.ok), String(n.mismatch), String(n.unenforced)]]
      : [];
  });
  const header = ["check", "total", "ok", "mismatch", "unenforced"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = [line(header), ...rows.map(line)];
  for (const c of summary.notHeld) {
    if (c.status === "unenforced" && !options.verbose) continue;
    out.push("", `${c.status.toUpperCase()} ${c.kind}: ${c.call}`, `  expected ${c.expected}; ${c.problem}`);
    out.push(formatTrace("  trace:", c.trace).trimEnd());
  }
  const mismatches = summary.notHeld.filter((c) => c.status === "mismatch").length;
  const unenforced = summary.notHeld.filter((c) => c.status === "unenforced").length;
  out.push(
    "",
    mismatches === 0
      ? `verified: ${summary.total} checks hold${unenforced > 0 ? ` (${unenforced} unenforced, as cw warned)` : ""}`
      : `${mismatches} of ${summary.total} checks do not hold`,
    "",
    "This rests on what no file shows; check these on the clusters (cw check --live):",
    ...summary.assumptions.map((a) => `  - ${a}`),
  );
  return `${out.join("\n")}\n`;
}

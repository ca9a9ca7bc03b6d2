// `cw check --live`: is each cluster, and each link between two clusters, ready for what cw generates?
// A table in the manner of `linkerd multicluster check`: per cluster, then per link, one line per
// check, ✔ or ✘ (‼ for a warning), each ✘ with what was found, what to do, and a code `cw explain`
// knows. Exit 1 on any ✘ (an unreachable cluster included: the others are still checked).
//
// It reads each cluster once (src/kube/preflight-facts.ts), decides the lines without it
// (preflight-checks.ts, preflight-links.ts), and asks the conflict question through one function,
// ConflictAnalysis (src/analysis/conflicts), on what `cw discover --existing` would read.

import type { ConflictAnalysis } from "../analysis/conflicts/conflict.js";
import { analyzeConflicts, rootNamespace } from "../analysis/conflicts/registry.js";
import { forEachCluster } from "../kube/fan-out.js";
import { type CheckLine, clusterChecks, unreachable } from "../kube/preflight-checks.js";
import { type LiveFacts, readLiveFacts } from "../kube/preflight-facts.js";
import { linkCheck, links } from "../kube/preflight-links.js";
import type { RootCertificate } from "../kube/root-of-trust.js";
import { istioCapabilities } from "../plan/istio-version.js";
import { ExitCode, type Io } from "./io.js";
import { clientFor, type Desired, liveTargets, loadDesired } from "./live-targets.js";
import type { Format, InputOptions, LiveOptions } from "./options.js";
import { printResult } from "./report.js";

export interface PreflightOptions extends InputOptions, LiveOptions {
  readonly format: Format;
  readonly validate?: boolean;
  /** Namespace of istiod (default istio-system). */
  readonly istioNamespace?: string;
}

export interface ClusterReport {
  readonly cluster: string;
  readonly context: string;
  readonly lines: readonly CheckLine[];
}

export interface PreflightReport {
  readonly federation: string;
  readonly clusters: readonly ClusterReport[];
  readonly links: readonly CheckLine[];
}

export async function runPreflight(options: PreflightOptions, io: Io): Promise<ExitCode> {
  const desired = loadDesired(options, options.format, io);
  if (!desired) return ExitCode.inputErrors;
  const report = await preflight(desired, options, analyzeConflicts);
  printResult(
    io,
    options.format,
    () => report,
    () => renderPreflight(report),
  );
  return failures(report) > 0 ? ExitCode.inputErrors : ExitCode.ok;
}

/** Every check of every cluster and link; the UI shows the same report. */
export async function preflight(
  desired: Desired,
  options: LiveOptions & { readonly istioNamespace?: string },
  analyze: ConflictAnalysis,
): Promise<PreflightReport> {
  const targets = liveTargets(desired.clusters, options);
  const outcomes = await forEachCluster(targets, (t) => {
    const cluster = desired.clusters.find((c) => c.name === t.cluster);
    if (!cluster) throw new Error(`internal: no cluster ${t.cluster}`);
    return readLiveFacts(clientFor(t), {
      federation: desired.federation,
      istioNamespace: options.istioNamespace ?? "istio-system",
      ingress: cluster.ingress,
      coreDns: istioCapabilities(cluster.istioVersion).dns === "coredns",
    });
  });
  const roots = new Map<string, readonly RootCertificate[] | string>();
  const clusters = outcomes.map((o): ClusterReport => {
    const context = targets.find((t) => t.cluster === o.cluster)?.connect.context ?? o.cluster;
    if (!o.ok) return { cluster: o.cluster, context, lines: [unreachable(o.error)] };
    const facts: LiveFacts = o.value;
    roots.set(o.cluster, facts.roots);
    const cluster = desired.clusters.find((c) => c.name === o.cluster);
    if (!cluster) throw new Error(`internal: no cluster ${o.cluster}`);
    const expectation = {
      cluster,
      generated: desired.objects.get(o.cluster) ?? [],
      suffix: desired.topology.suffix,
      rootNamespace: rootNamespace(facts.existing.objects),
    };
    return { cluster: o.cluster, context, lines: clusterChecks(facts, expectation, analyze) };
  });
  const wanted = new Set(targets.map((t) => t.cluster));
  const linkLines = links(desired.topology)
    .filter((l) => wanted.has(l.from) || wanted.has(l.to))
    .flatMap((l) => linkCheck(l, roots) ?? []);
  return { federation: desired.federation, clusters, links: linkLines };
}

const failures = (r: PreflightReport): number =>
  [...r.clusters.flatMap((c) => c.lines), ...r.links].filter((l) => l.verdict === "fail").length;

const MARK = { pass: "✔", fail: "✘", warn: "‼" } as const;

function renderLines(lines: readonly CheckLine[]): string[] {
  return lines.flatMap((l) => [
    `${MARK[l.verdict]} ${l.title}${l.verdict === "pass" && l.detail.length > 0 ? ` (${l.detail.join("; ")})` : ""}`,
    ...(l.verdict === "pass"
      ? []
      : l.detail.map((d, i) => `    ${d}${i === 0 && l.code !== undefined ? ` [${l.code}]` : ""}`)),
  ]);
}

export function renderPreflight(report: PreflightReport): string {
  const out = [`cw check --live: federation "${report.federation}", ${report.clusters.length} clusters`];
  for (const c of report.clusters) {
    const title = `cluster ${c.cluster} (context ${c.context})`;
    out.push("", title, "-".repeat(title.length), ...renderLines(c.lines));
  }
  if (report.links.length > 0) out.push("", "links", "-----", ...renderLines(report.links));
  const failed = failures(report);
  const warned = [...report.clusters.flatMap((c) => c.lines), ...report.links].filter(
    (l) => l.verdict === "warn",
  ).length;
  out.push(
    "",
    failed === 0
      ? `Status check results are ✔${warned > 0 ? ` (${warned} warning${warned === 1 ? "" : "s"})` : ""}`
      : `${failed} check${failed === 1 ? "" : "s"} failed (✘); cw explain <code> says more about each`,
  );
  return `${out.join("\n")}\n`;
}

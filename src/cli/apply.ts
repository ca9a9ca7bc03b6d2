// `cw apply`: compile the topology and apply each cluster's objects with server-side apply (field
// manager coddiwomple), optionally pruning this federation's objects that are no longer generated.
// Clusters are applied concurrently and independently: one that fails is reported and the others go
// on; the exit code is 3 when any cluster failed. Without --dry-run, the lock file is written as
// cw generate writes it, so the VIPs now live in the clusters are the ones recorded.

import { printableLines } from "../diagnostics/printable.js";
import { openLockFile } from "../emit/lock-file.js";
import { applyCluster, type ClusterApply, failedObjects, type ObjectResult } from "../kube/apply.js";
import { describeRef } from "../kube/client.js";
import { type ClusterOutcome, forEachCluster } from "../kube/fan-out.js";
import { pruneRefusal } from "../kube/prune.js";
import { ExitCode, type Io } from "./io.js";
import { clientFor, liveTargets, loadDesired } from "./live-targets.js";
import type { Format, InputOptions, LiveOptions } from "./options.js";
import { printResult } from "./report.js";
import { UsageError } from "./usage-error.js";

export interface ApplyCliOptions extends InputOptions, LiveOptions {
  readonly dryRun: boolean;
  readonly prune: boolean;
  readonly format: Format;
  readonly validate?: boolean;
}

export async function runApply(options: ApplyCliOptions, io: Io): Promise<ExitCode> {
  const desired = loadDesired(options, options.format, io);
  if (!desired) return ExitCode.inputErrors;
  const refusal = options.prune ? pruneRefusal({ name: desired.federation, ...desired }) : undefined;
  if (refusal !== undefined) throw new UsageError(`--prune: ${refusal}`);
  const targets = liveTargets(desired.clusters, options);
  if (!options.dryRun) {
    const opened = openLockFile(desired.lock.path);
    const problem = opened.ok ? opened.writer.write(desired.lock.text) : opened.problem;
    if (opened.ok) opened.writer.release();
    if (problem) {
      const code = !opened.ok && opened.busy ? "CW3007" : "CW3004";
      io.err(
        `cw: error ${code}: cannot write the lock file ${desired.lock.path}: ${problem}; nothing was applied\n`,
      );
      return ExitCode.inputErrors;
    }
  }
  const outcomes = await forEachCluster(targets, (t) =>
    applyCluster(
      { cluster: t.cluster, client: clientFor(t), desired: desired.objects.get(t.cluster) ?? [] },
      desired.federation,
      { dryRun: options.dryRun, prune: options.prune },
    ),
  );
  const failedCluster = (o: (typeof outcomes)[number]) =>
    !o.ok || o.value.stopped !== undefined || failedObjects(o.value).length > 0;
  const failed = outcomes.filter(failedCluster);
  const contextOf = (cluster: string) => targets.find((t) => t.cluster === cluster)?.connect.context;
  const total = (cluster: string) => (desired.objects.get(cluster) ?? []).length;
  printResult(
    io,
    options.format,
    () => outcomes,
    // Names and messages come from the servers: shown with control characters escaped.
    () => printableLines(applyText(outcomes, failed, contextOf, total, options.dryRun)),
  );
  return failed.length > 0 ? ExitCode.clusterFailed : ExitCode.ok;
}

function applyText(
  outcomes: readonly ClusterOutcome<ClusterApply>[],
  failed: readonly ClusterOutcome<ClusterApply>[],
  contextOf: (cluster: string) => string | undefined,
  total: (cluster: string) => number,
  dryRun: boolean,
): string {
  const mode = dryRun ? " (dry run: nothing was changed)" : "";
  let text = "";
  for (const o of outcomes) {
    if (!o.ok) {
      text += `cluster ${o.cluster} (context ${contextOf(o.cluster)}): FAILED: ${o.error}\n`;
      continue;
    }
    text += `cluster ${o.cluster} (context ${contextOf(o.cluster)})${mode}:\n`;
    for (const r of o.value.results) text += line(r, dryRun);
    text += `  ${summary(o.cluster, o.value, total(o.cluster))}\n`;
  }
  return (
    text +
    (failed.length === 0
      ? `cw apply: ${outcomes.length} cluster${outcomes.length === 1 ? "" : "s"} ${dryRun ? "checked" : "applied"}${mode}\n`
      : `cw apply: ${failed.length} of ${outcomes.length} clusters failed (${failed.map((o) => o.cluster).join(", ")})${mode}\n`)
  );
}

function line(r: ObjectResult, dryRun: boolean): string {
  const verb =
    dryRun && r.action !== "failed" && r.action !== "not-ours" ? `${r.action} (dry run)` : r.action;
  return `  ${verb.padEnd(dryRun ? 22 : 10)} ${describeRef(r.ref)}${r.message !== undefined ? `: ${r.message}` : ""}\n`;
}

function summary(cluster: string, r: ClusterApply, total: number): string {
  const n = (a: ObjectResult["action"]) => r.results.filter((x) => x.action === a).length;
  const applied = n("created") + n("configured") + n("unchanged");
  const parts = [
    `${applied} of ${total} applied (${n("created")} created, ${n("configured")} configured, ${n("unchanged")} unchanged)`,
  ];
  if (n("deleted") > 0) parts.push(`${n("deleted")} pruned`);
  const failed = failedObjects(r).length;
  if (failed > 0) parts.push(`${failed} failed`);
  let text = `${cluster}: ${parts.join(", ")}`;
  if (r.stopped !== undefined) text += `; stopped: ${r.stopped}`;
  if (r.pruneSkipped !== undefined) text += `; prune skipped: ${r.pruneSkipped}`;
  return text;
}

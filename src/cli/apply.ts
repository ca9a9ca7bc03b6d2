// `cw apply`: compile the topology and apply each cluster's objects with server-side apply (field
// manager coddiwomple), optionally pruning this federation's objects that are no longer generated.
// Clusters are applied concurrently and independently: one that fails is reported and the others go
// on; the exit code is 3 when any cluster failed. Without --dry-run, the lock file is written as
// cw generate writes it, so the VIPs now live in the clusters are the ones recorded.

import type { Command } from "commander";
import { printableLines } from "../diagnostics/printable.js";
import { openLockFile } from "../emit/lock-file.js";
import { applyCluster, type ClusterApply, failedObjects, type ObjectResult } from "../kube/apply.js";
import { describeRef } from "../kube/client.js";
import { forEachCluster } from "../kube/fan-out.js";
import { pruneRefusal } from "../kube/prune.js";
import { inputOf, liveOptions, liveOptionValues } from "./diff.js";
import { ExitCode, type Io } from "./io.js";
import { clientFor, type LiveOptions, liveTargets, loadDesired } from "./live-targets.js";
import { type InputOptions, UsageError } from "./load.js";

export interface ApplyCliOptions extends InputOptions, LiveOptions {
  readonly dryRun: boolean;
  readonly prune: boolean;
  readonly format: "text" | "json";
  readonly validate?: boolean;
}

export function addApplyCommand(command: Command, io: Io, later: (run: Promise<ExitCode>) => void): void {
  liveOptions(command)
    .description("apply each cluster's generated objects to it with server-side apply")
    .option("--dry-run", "let the servers check everything, change nothing")
    .option("--prune", "delete this federation's objects that are no longer generated")
    .action((topology: string | undefined, raw: Record<string, unknown>, cmd: Command) => {
      const input = cmd.opts() as InputOptions & { format: "text" | "json" };
      later(
        runApply(
          {
            ...inputOf(topology, input),
            ...liveOptionValues(raw),
            dryRun: raw.dryRun === true,
            prune: raw.prune === true,
            format: input.format,
            validate: raw.validate !== false,
          },
          io,
        ),
      );
    });
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
  if (options.format === "json") {
    io.out(`${JSON.stringify(outcomes, null, 2)}\n`);
  } else {
    // Names and messages come from the servers: shown with control characters escaped.
    const out = (text: string) => io.out(printableLines(text));
    const mode = options.dryRun ? " (dry run: nothing was changed)" : "";
    for (const o of outcomes) {
      const context = targets.find((t) => t.cluster === o.cluster)?.connect.context;
      if (!o.ok) {
        out(`cluster ${o.cluster} (context ${context}): FAILED: ${o.error}\n`);
        continue;
      }
      out(`cluster ${o.cluster} (context ${context})${mode}:\n`);
      for (const r of o.value.results) out(line(r, options.dryRun));
      out(`  ${summary(o.cluster, o.value, (desired.objects.get(o.cluster) ?? []).length)}\n`);
    }
    out(
      failed.length === 0
        ? `cw apply: ${outcomes.length} cluster${outcomes.length === 1 ? "" : "s"} ${options.dryRun ? "checked" : "applied"}${mode}\n`
        : `cw apply: ${failed.length} of ${outcomes.length} clusters failed (${failed.map((o) => o.cluster).join(", ")})${mode}\n`,
    );
  }
  return failed.length > 0 ? ExitCode.clusterFailed : ExitCode.ok;
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

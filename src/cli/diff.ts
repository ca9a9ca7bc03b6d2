// `cw diff`: per cluster, what `cw apply --prune` would change, as unified diffs of the live objects
// against the server's dry-run answer. Exit 0 when every cluster matches, 4 when one differs, 3 when
// one could not be compared (the others are still shown), 1 when the topology has errors.

import type { Command } from "commander";
import { printableLines } from "../diagnostics/printable.js";
import { describeRef } from "../kube/client.js";
import { diffCluster, type ObjectDiff } from "../kube/diff.js";
import { forEachCluster } from "../kube/fan-out.js";
import { ExitCode, type Io } from "./io.js";
import { clientFor, type LiveOptions, liveTargets, loadDesired, parseTimeout } from "./live-targets.js";
import type { InputOptions } from "./load.js";

export interface DiffOptions extends InputOptions, LiveOptions {
  readonly format: "text" | "json";
  /** Check generated objects against Istio's schemas (--no-validate turns it off). */
  readonly validate?: boolean;
}

/** The options diff and apply add to the topology input options. */
export function liveOptions(command: Command): Command {
  return command
    .option("--cluster <name>", "only this cluster (repeat for more; default: all)", collect)
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option(
      "--kubeconfig-from-topology",
      "follow each cluster's kubeconfig.path in the topology (a kubeconfig can run commands)",
    )
    .option("--timeout <seconds>", "time limit of each request to a cluster", "15");
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function liveOptionValues(raw: Record<string, unknown>): LiveOptions {
  return {
    clusters: (raw.cluster as string[] | undefined) ?? [],
    ...(raw.kubeconfig !== undefined && { kubeconfig: raw.kubeconfig as string }),
    kubeconfigFromTopology: raw.kubeconfigFromTopology === true,
    timeout: parseTimeout((raw.timeout as string | undefined) ?? "15"),
  };
}

export function addDiffCommand(command: Command, io: Io, later: (run: Promise<ExitCode>) => void): void {
  liveOptions(command)
    .description("show what cw apply --prune would change in each live cluster")
    .action((topology: string | undefined, raw: Record<string, unknown>, cmd: Command) => {
      const input = cmd.opts() as InputOptions & { format: "text" | "json" };
      later(
        runDiff(
          {
            ...inputOf(topology, input),
            ...liveOptionValues(raw),
            format: input.format,
            validate: raw.validate !== false,
          },
          io,
        ),
      );
    });
}

export function inputOf(topology: string | undefined, raw: InputOptions): InputOptions {
  return {
    ...(topology !== undefined && { topology }),
    ...(raw.clusterFile !== undefined && { clusterFile: raw.clusterFile }),
    ...(raw.serviceFile !== undefined && { serviceFile: raw.serviceFile }),
    ...(raw.lock !== undefined && { lock: raw.lock }),
    ...(raw.name !== undefined && { name: raw.name }),
  };
}

export async function runDiff(options: DiffOptions, io: Io): Promise<ExitCode> {
  const desired = loadDesired(options, options.format, io);
  if (!desired) return ExitCode.inputErrors;
  const targets = liveTargets(desired.clusters, options);
  const outcomes = await forEachCluster(targets, (t) =>
    diffCluster(
      { cluster: t.cluster, client: clientFor(t), desired: desired.objects.get(t.cluster) ?? [] },
      desired.federation,
    ),
  );
  const failed = outcomes.filter(
    (o) => !o.ok || o.value.some((d) => d.action === "error" || d.action === "not-ours"),
  );
  const differs = outcomes.some((o) => o.ok && o.value.some((d) => d.action !== "unchanged"));
  if (options.format === "json") {
    io.out(`${JSON.stringify(outcomes, null, 2)}\n`);
  } else {
    // Names, labels, messages and live objects come from the servers: shown with control characters escaped.
    const out = (text: string) => io.out(printableLines(text));
    for (const o of outcomes) {
      const context = targets.find((t) => t.cluster === o.cluster)?.connect.context;
      if (!o.ok) {
        out(`== cluster ${o.cluster} (context ${context}): FAILED: ${o.error}\n`);
        continue;
      }
      out(`== cluster ${o.cluster} (context ${context}): ${counts(o.value)}\n`);
      for (const d of o.value) out(describe(d));
    }
    const summary = outcomes
      .map((o) =>
        !o.ok
          ? `${o.cluster} failed`
          : o.value.some((d) => d.action === "error" || d.action === "not-ours")
            ? `${o.cluster} has problems`
            : o.value.some((d) => d.action !== "unchanged")
              ? `${o.cluster} differs`
              : `${o.cluster} up to date`,
      )
      .join(", ");
    out(`cw diff: ${summary}\n`);
  }
  if (failed.length > 0) return ExitCode.clusterFailed;
  return differs ? ExitCode.differs : ExitCode.ok;
}

function counts(diffs: readonly ObjectDiff[]): string {
  const n = (action: ObjectDiff["action"]) => diffs.filter((d) => d.action === action).length;
  const parts = [
    `${n("create")} to create`,
    `${n("update")} to update`,
    `${n("unchanged")} unchanged`,
    `${n("prune")} to prune (with --prune)`,
  ];
  if (n("not-ours") > 0) parts.push(`${n("not-ours")} not ours`);
  if (n("error") > 0) parts.push(`${n("error")} refused`);
  return parts.join(", ");
}

function describe(d: ObjectDiff): string {
  switch (d.action) {
    case "create":
    case "update":
    case "prune":
      return d.diff;
    case "unchanged":
      return "";
    case "not-ours":
      return `!! ${describeRef(d.ref)} exists but is not cw's (${d.reason}): apply leaves it alone\n`;
    case "error":
      return `!! ${describeRef(d.ref)}: ${d.message}\n`;
  }
}

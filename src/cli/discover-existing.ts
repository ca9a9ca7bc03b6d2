// `cw discover --existing <dir>`: write, per cluster, the Istio config it already has into the folder
// `cw generate --existing` reads (the shared contract; src/kube/existing-read.ts reads, and
// src/emit/existing-write.ts writes). A cluster that cannot be read keeps its folder as it was: an
// old snapshot is better than none, and a missing folder would say "unknown", not "empty".

import { formatText } from "../diagnostics/format.js";
import type { ExistingFile } from "../emit/existing-layout.js";
import { existingFiles } from "../emit/existing-layout.js";
import { writeExisting } from "../emit/existing-write.js";
import type { KubeClient } from "../kube/client.js";
import { readExisting } from "../kube/existing-read.js";
import { forEachCluster } from "../kube/fan-out.js";
import { ExitCode, type Io } from "./io.js";

export interface ExistingTarget {
  readonly cluster: string;
  readonly client: () => KubeClient;
}

export interface ExistingCliOptions {
  readonly dir: string;
  readonly federation: string;
  readonly istioNamespace: string;
  readonly force: boolean;
  /** Print no report (the command prints JSON or YAML); problems still go to stderr. */
  readonly quiet?: boolean;
}

export async function discoverExisting(
  targets: readonly ExistingTarget[],
  options: ExistingCliOptions,
  io: Io,
): Promise<{ readonly code: ExitCode; readonly failed: number }> {
  const outcomes = await forEachCluster(targets, async (t) => {
    const snapshot = await readExisting(t.client(), options);
    return { snapshot, files: existingFiles(t.cluster, snapshot.objects) };
  });
  const read = outcomes.flatMap((o) => (o.ok ? [{ cluster: o.cluster, ...o.value }] : []));
  const result = writeExisting(
    options.dir,
    read.map((r) => ({ cluster: r.cluster, files: r.files as readonly ExistingFile[] })),
    { force: options.force },
  );
  const lines = [`\nexisting config in ${options.dir}/:`];
  for (const o of outcomes) {
    if (!o.ok) {
      lines.push(`  ${o.cluster}/: not read (${o.error}); its folder is left as it was`);
      continue;
    }
    const { snapshot } = o.value;
    const count = result.plan?.counts.get(o.cluster);
    const changes =
      result.diagnostics.length > 0 || !count
        ? "nothing written"
        : count.written + count.deleted === 0
          ? "up to date"
          : `${count.written} written, ${count.deleted} removed`;
    const skipped = [
      snapshot.ours.length > 0 &&
        `${snapshot.ours.length} of federation ${options.federation}'s own left out`,
      snapshot.unselected.length > 0 &&
        `config in ${snapshot.unselected.join(", ")} left out (istiod's discoverySelectors do not select ${snapshot.unselected.length === 1 ? "it" : "them"})`,
    ].filter(Boolean);
    lines.push(
      `  ${o.cluster}/: ${snapshot.objects.length} object${snapshot.objects.length === 1 ? "" : "s"} (${changes})${skipped.length > 0 ? `; ${skipped.join("; ")}` : ""}`,
    );
  }
  for (const k of result.plan?.kept ?? []) lines.push(`  kept: ${k}`);
  if (!options.quiet) io.out(`${lines.join("\n")}\n`);
  if (result.diagnostics.length > 0) {
    io.err(`${formatText(result.diagnostics, () => undefined)}\nnothing was written to ${options.dir}\n`);
    return { code: ExitCode.inputErrors, failed: outcomes.length - read.length };
  }
  return { code: ExitCode.ok, failed: outcomes.length - read.length };
}

// `cw diff`: per cluster, what `cw apply --prune` would change, as unified diffs of the live objects
// against the server's dry-run answer. Exit codes as kubectl diff's: 0 when every cluster matches,
// 1 when one differs, above 1 on an error: 3 when a cluster could not be compared (the others are
// still shown), 5 when the topology has errors.

import { printable, printableLines } from "../diagnostics/printable.js";
import { describeRef } from "../kube/client.js";
import { diffCluster, type ObjectDiff } from "../kube/diff.js";
import { type ClusterOutcome, forEachCluster } from "../kube/fan-out.js";
import { ExitCode, type Io, paintOut } from "./io.js";
import { clientFor, liveTargets, loadDesired } from "./live-targets.js";
import type { Format, InputOptions, LiveOptions } from "./options.js";
import { printResult } from "./report.js";
import type { Paint } from "./style.js";

export interface DiffOptions extends InputOptions, LiveOptions {
  readonly format: Format;
  /** Check generated objects against Istio's schemas (--no-validate turns it off). */
  readonly validate?: boolean;
}

export async function runDiff(options: DiffOptions, io: Io): Promise<ExitCode> {
  const desired = loadDesired(options, options.format, io);
  if (!desired) return ExitCode.diffInputErrors;
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
  const contextOf = (cluster: string) => targets.find((t) => t.cluster === cluster)?.connect.context;
  printResult(
    io,
    options.format,
    () => outcomes,
    () => diffText(outcomes, contextOf, paintOut(io)),
  );
  if (failed.length > 0) return ExitCode.clusterFailed;
  return differs ? ExitCode.differs : ExitCode.ok;
}

function diffText(
  outcomes: readonly ClusterOutcome<readonly ObjectDiff[]>[],
  contextOf: (cluster: string) => string | undefined,
  paint: Paint,
): string {
  // Names, labels, messages and live objects come from the servers: their control characters are
  // escaped before any colour is added.
  let text = "";
  for (const o of outcomes) {
    const head = `== cluster ${o.cluster} (context ${contextOf(o.cluster)})`;
    if (!o.ok) {
      text += `${paint("bold", head)}: ${paint("red", `FAILED: ${printable(o.error, 10_000)}`)}\n`;
      continue;
    }
    text += `${paint("bold", head)}: ${counts(o.value)}\n`;
    for (const d of o.value) text += colourDiff(printableLines(describe(d)), paint);
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
  return `${text}cw diff: ${summary}\n`;
}

/** Unified diff lines in the colours of git diff: headers bold, hunks cyan, - red, + green. */
function colourDiff(text: string, paint: Paint): string {
  return text.replace(/^.*$/gm, (line) =>
    /^(---|\+\+\+) /.test(line)
      ? paint("bold", line)
      : line.startsWith("@@")
        ? paint("cyan", line)
        : line.startsWith("-")
          ? paint("red", line)
          : line.startsWith("+")
            ? paint("green", line)
            : line.startsWith("!!")
              ? paint("yellow", line)
              : line,
  );
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

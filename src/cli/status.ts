// `cw status`: does each cluster run what cw generates for it? One table, a row per cluster: its
// generated objects judged from the cluster itself (this federation's labels, the hash annotation:
// kube/object-status.ts), and, with --gitops, what the engine says of the cluster's folder (the Argo
// CD Application or Flux Kustomization cw generate --gitops wrote: kube/engine-status.ts). Exit 0 when
// every cluster is in sync, 1 when one is not or cannot be read (the others are still shown).
// --format json or yaml gives the table to a script.
//
// Where the engine runs: --gitops-context names its kubeconfig context (Argo CD, and Flux in
// kubeconfig mode); Flux in in-cluster mode runs in each cluster, so each cluster is asked.

import { describeRef, errorMessage } from "../kube/client.js";
import { type Engine, type EngineState, engineStates } from "../kube/engine-status.js";
import { readExisting } from "../kube/existing-read.js";
import { forEachCluster } from "../kube/fan-out.js";
import { connect } from "../kube/node-client.js";
import { countStates, type ObjectState, type ObjectStatus, objectStatuses } from "../kube/object-status.js";
import { ExitCode, type Io } from "./io.js";
import { clientFor, type Desired, expandHome, liveTargets, loadDesired } from "./live-targets.js";
import type { Format, InputOptions, LiveOptions } from "./options.js";
import { printResult } from "./report.js";
import { UsageError } from "./usage-error.js";

export interface StatusOptions extends InputOptions, LiveOptions {
  readonly format: Format;
  readonly gitops?: Engine;
  /** The kubeconfig context where Argo CD (or a kubeconfig-mode Flux) runs. */
  readonly gitopsContext?: string;
  readonly istioNamespace: string;
}

export interface ClusterStatus {
  readonly cluster: string;
  readonly context: string;
  /** Why the cluster could not be read. */
  readonly error?: string;
  readonly objects?: number;
  readonly counts?: Record<ObjectState, number>;
  /** The objects not in sync. */
  readonly differing?: readonly { readonly object: string; readonly state: ObjectState }[];
  readonly engine?: EngineState | { readonly error: string } | "absent";
  readonly inSync: boolean;
}

export interface FleetStatus {
  readonly federation: string;
  readonly engine?: { readonly name: Engine; readonly where: string };
  readonly clusters: readonly ClusterStatus[];
}

export async function runStatus(options: StatusOptions, io: Io): Promise<ExitCode> {
  const desired = loadDesired(options, options.format, io);
  if (!desired) return ExitCode.inputErrors;
  const result = await fleetStatus(desired, options);
  printResult(
    io,
    options.format,
    () => result,
    () => renderStatus(result),
  );
  return result.clusters.every((c) => c.inSync) ? ExitCode.ok : ExitCode.inputErrors;
}

export async function fleetStatus(
  desired: Desired,
  options: LiveOptions & Pick<StatusOptions, "gitops" | "gitopsContext" | "istioNamespace">,
): Promise<FleetStatus> {
  const targets = liveTargets(desired.clusters, options);
  const gitops = desired.topology.gitops;
  const inCluster = options.gitops === "flux" && gitops?.flux?.mode === "in-cluster";
  const namespace =
    options.gitops === "argocd"
      ? (gitops?.argocd?.namespace ?? "argocd")
      : (gitops?.flux?.namespace ?? "flux-system");
  if (options.gitops !== undefined && !inCluster && options.gitopsContext === undefined) {
    throw new UsageError(
      `--gitops ${options.gitops} needs --gitops-context: the kubeconfig context of the cluster where ${options.gitops === "argocd" ? "Argo CD" : "Flux"} runs`,
    );
  }
  // The engine's view, read once (or per cluster, for a Flux in each cluster).
  let central: Map<string, EngineState> | { error: string } | undefined;
  if (options.gitops !== undefined && !inCluster && options.gitopsContext !== undefined) {
    try {
      const client = connect({
        context: options.gitopsContext,
        ...(options.kubeconfig !== undefined && { kubeconfig: expandHome(options.kubeconfig) }),
        timeoutMs: options.timeout * 1000,
      });
      central = await engineStates(client, options.gitops, desired.federation, namespace);
    } catch (e) {
      central = { error: errorMessage(e) };
    }
  }
  const outcomes = await forEachCluster(targets, async (t) => {
    const client = clientFor(t);
    const snapshot = await readExisting(client, {
      federation: desired.federation,
      istioNamespace: options.istioNamespace,
    });
    const statuses = objectStatuses(desired.objects.get(t.cluster) ?? [], snapshot.ours, snapshot.objects);
    const own =
      inCluster && options.gitops
        ? await ownEngine(client, options.gitops, desired.federation, namespace, t.cluster)
        : undefined;
    return { statuses, own };
  });
  const clusters = outcomes.map((o): ClusterStatus => {
    const context = targets.find((t) => t.cluster === o.cluster)?.connect.context ?? o.cluster;
    const engine =
      options.gitops === undefined
        ? undefined
        : inCluster
          ? o.ok
            ? o.value.own
            : undefined
          : central && "error" in central
            ? { error: String(central.error) }
            : (central?.get(o.cluster) ?? "absent");
    if (!o.ok)
      return { cluster: o.cluster, context, error: o.error, ...(engine && { engine }), inSync: false };
    return summarize(
      o.cluster,
      context,
      o.value.statuses,
      engine,
      desired.objects.get(o.cluster)?.length ?? 0,
    );
  });
  return {
    federation: desired.federation,
    ...(options.gitops !== undefined && {
      engine: {
        name: options.gitops,
        where: inCluster ? "each cluster" : `context ${options.gitopsContext}`,
      },
    }),
    clusters,
  };
}

async function ownEngine(
  client: ReturnType<typeof clientFor>,
  engine: Engine,
  federation: string,
  namespace: string,
  cluster: string,
): Promise<EngineState | { error: string } | "absent"> {
  try {
    return (await engineStates(client, engine, federation, namespace)).get(cluster) ?? "absent";
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

function summarize(
  cluster: string,
  context: string,
  statuses: readonly ObjectStatus[],
  engine: ClusterStatus["engine"],
  objects: number,
): ClusterStatus {
  const counts = countStates(statuses);
  const differing = statuses
    .filter((s) => s.state !== "in-sync")
    .map((s) => ({ object: describeRef(s.ref), state: s.state }));
  const engineOk =
    engine === undefined || (typeof engine === "object" && "synced" in engine && engine.synced);
  return {
    cluster,
    context,
    objects,
    counts,
    differing,
    ...(engine && { engine }),
    inSync: differing.length === 0 && engineOk,
  };
}

const COLUMNS: readonly [ObjectState, string][] = [
  ["in-sync", "IN SYNC"],
  ["missing", "MISSING"],
  ["edited", "CHANGED"],
  ["outdated", "OUTDATED"],
  ["not-ours", "NOT OURS"],
  ["extra", "EXTRA"],
];

const engineCell = (e: ClusterStatus["engine"]): string =>
  e === undefined
    ? ""
    : e === "absent"
      ? "no delivery object"
      : "error" in e
        ? `cannot ask: ${e.error}`
        : `${e.summary}${e.revision !== undefined ? ` @ ${e.revision}` : ""}`;

export function renderStatus(status: FleetStatus): string {
  const engineName = status.engine?.name === "argocd" ? "ARGO CD" : status.engine ? "FLUX" : undefined;
  const header = [
    "CLUSTER",
    "OBJECTS",
    ...COLUMNS.map(([, h]) => h),
    ...(engineName ? [engineName] : []),
    "STATUS",
  ];
  const rows = status.clusters.map((c) => [
    c.cluster,
    ...(c.counts
      ? [String(c.objects), ...COLUMNS.map(([s]) => String(c.counts?.[s] ?? 0))]
      : ["-", ...COLUMNS.map(() => "-")]),
    ...(engineName ? [engineCell(c.engine)] : []),
    c.error !== undefined ? "✘ unreachable" : c.inSync ? "✔ in sync" : "✘ out of sync",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const out = [
    `cw status: federation "${status.federation}"${status.engine ? `, ${engineName === "ARGO CD" ? "Argo CD" : "Flux"} on ${status.engine.where}` : ""}`,
    "",
    line(header),
    ...rows.map(line),
  ];
  const notes = status.clusters.flatMap((c) => [
    ...(c.error !== undefined ? [`${c.cluster}: ${c.error}`] : []),
    ...(c.differing ?? []).slice(0, 5).map((d) => `${c.cluster}: ${d.object} is ${d.state}`),
    ...((c.differing?.length ?? 0) > 5
      ? [`${c.cluster}: and ${(c.differing?.length ?? 0) - 5} more (--format json lists them)`]
      : []),
    ...(c.engine && typeof c.engine === "object" && "message" in c.engine && c.engine.message !== undefined
      ? [`${c.cluster}: ${c.engine.message}`]
      : []),
  ]);
  if (notes.length > 0) out.push("", ...notes);
  const off = status.clusters.filter((c) => !c.inSync).length;
  out.push(
    "",
    off === 0
      ? "Every cluster is in sync."
      : `${off} of ${status.clusters.length} clusters not in sync; cw diff shows what differs.`,
  );
  return `${out.join("\n")}\n`;
}

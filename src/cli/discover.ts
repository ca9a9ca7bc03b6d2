// `cw discover`: read live clusters (the topology's, or the kubeconfig contexts named with --context),
// print what was found, and with --write merge it into the topology file (creating it if need be).
// An unreachable cluster is reported and skipped; the others are still read, printed and written, and
// the exit code (3) says that one failed. With --existing, each cluster's Istio config is also written
// to a folder (discover-existing.ts).

import { diag } from "../diagnostics/catalog.js";
import { formatText } from "../diagnostics/format.js";
import { printable } from "../diagnostics/printable.js";
import { writeFileAtomically } from "../emit/atomic-file.js";
import { type DiscoveredCluster, type DiscoverOptions, discoverCluster } from "../kube/discover.js";
import { type ClusterOutcome, forEachCluster } from "../kube/fan-out.js";
import { connect } from "../kube/node-client.js";
import { mergeDiscovery, newTopologyText } from "../kube/topology-merge.js";
import { readInputFile } from "../topology/input-file.js";
import type { Cluster } from "../topology/model.js";
import { readFederation } from "../topology/read.js";
import {
  DEFAULT_EGRESS_SELECTOR,
  DEFAULT_GATEWAY_NAMESPACE,
  DEFAULT_INGRESS_PORT,
  DEFAULT_INGRESS_SELECTOR,
} from "../topology/schema.js";
import { clusterName, federationName } from "./default-names.js";
import { discoverExisting } from "./discover-existing.js";
import { ExitCode, type Io } from "./io.js";
import { kubeconfigOf } from "./live-targets.js";
import type { Format } from "./options.js";
import { printResult } from "./report.js";
import { UsageError } from "./usage-error.js";

/** Which clusters to read and how: the flags cw discover shares with cw init --from-discover. */
export interface DiscoverReadOptions {
  /** --context: "context" or "cluster=context". */
  readonly contexts: readonly string[];
  readonly namespaces: readonly string[];
  readonly kubeconfig?: string;
  /** --kubeconfig-from-topology: follow the topology's kubeconfig.path (src/kube/kubeconfig-path.ts). */
  readonly kubeconfigFromTopology?: boolean;
  /** The federation's name, for a new topology file. */
  readonly name?: string;
  readonly istioNamespace: string;
  readonly timeout: number;
}

export interface DiscoverCliOptions extends DiscoverReadOptions {
  readonly topology?: string;
  readonly write: boolean;
  readonly update: boolean;
  readonly format: Format;
  /** The text of a new topology file, before what was found is merged in (cw init). */
  readonly starter?: (name: string, contexts: readonly string[]) => string;
  /** --existing: the folder to write each cluster's existing Istio config into. */
  readonly existing?: string;
  /** With --existing: overwrite files there that cw did not write, or that were edited. */
  readonly force?: boolean;
}

interface Target {
  readonly cluster: string;
  readonly context: string;
  readonly kubeconfig?: string;
  readonly options: DiscoverOptions;
}

export async function runDiscover(options: DiscoverCliOptions, io: Io): Promise<ExitCode> {
  const file = options.topology;
  const input = file !== undefined ? readInputFile(file) : undefined;
  if (input && !input.ok && !input.missing) {
    io.err(`${formatText([diag("CW1039", { problem: input.problem })], () => undefined)}\n`);
    return ExitCode.inputErrors;
  }
  const text = input?.ok ? input.text : undefined;
  const { targets, federation } = planDiscovery(options, file, text);
  const client = (t: Target) =>
    connect({
      context: t.context,
      ...(t.kubeconfig !== undefined && { kubeconfig: t.kubeconfig }),
      timeoutMs: options.timeout * 1000,
    });
  const outcomes = await forEachCluster(targets, (t) => discoverCluster(client(t), t.cluster, t.options));
  const found = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  let failed = outcomes.filter((o) => !o.ok).length;
  const merge =
    file !== undefined && found.length > 0 ? mergeInto(options, file, text, found, targets) : undefined;
  printResult(
    io,
    options.format,
    () => ({ clusters: outcomes, ...(merge && { merge: mergeJson(merge) }) }),
    () => report(outcomes, targets),
  );
  if (merge && !merge.ok) {
    io.err(`cw: cannot merge into ${file}: ${merge.error}\n`);
    return ExitCode.inputErrors;
  }
  if (merge?.ok && file !== undefined) writeMerge(options, io, file, text, merge);
  if (options.existing !== undefined && federation !== undefined) {
    const existing = await discoverExisting(
      targets.map((t) => ({ cluster: t.cluster, client: () => client(t) })),
      {
        dir: options.existing,
        federation,
        istioNamespace: options.istioNamespace,
        force: options.force === true,
        quiet: options.format !== "text",
      },
      io,
    );
    if (existing.code !== ExitCode.ok) return existing.code;
    failed = Math.max(failed, existing.failed);
  }
  sayUnwritten(options, io, file, found);
  if (failed > 0) {
    io.err(`cw: error CW5001: ${unread(outcomes)}\n`);
    return ExitCode.clusterFailed;
  }
  return ExitCode.ok;
}

/** The clusters to read, and whose objects --existing leaves out; the flags' combinations checked. */
function planDiscovery(
  options: DiscoverCliOptions,
  file: string | undefined,
  text: string | undefined,
): { targets: Target[]; federation: string | undefined } {
  const read = file !== undefined && text !== undefined ? readFederation(file, text).topology : undefined;
  const known = read?.clusters ?? [];
  // Whose objects --existing leaves out: the topology's federation, or the one a new file gets.
  const federation =
    read?.name || options.name || (options.write && file !== undefined ? federationName(file) : undefined);
  if (options.existing !== undefined && federation === undefined) {
    throw new UsageError(
      "--existing leaves out this federation's own objects: give the topology file, or name the federation with --name",
    );
  }
  if (options.force && options.existing === undefined) throw new UsageError("--force goes with --existing");
  if (options.write && file === undefined) {
    throw new UsageError(
      "--write needs the topology file to write, e.g. cw discover federation.yaml --write",
    );
  }
  if (options.update && !options.write) throw new UsageError("--update goes with --write");
  const targets = options.contexts.length > 0 ? fromContexts(options, known) : fromTopology(options, known);
  if (targets.length === 0) {
    throw new UsageError(
      file !== undefined && text !== undefined
        ? `${file} has no clusters; name kubeconfig contexts with --context`
        : "name kubeconfig contexts with --context, or give a topology file whose clusters name them",
    );
  }
  return { targets, federation };
}

function mergeInto(
  options: DiscoverCliOptions,
  file: string,
  text: string | undefined,
  found: Parameters<typeof mergeDiscovery>[1],
  targets: readonly Target[],
): ReturnType<typeof mergeDiscovery> {
  const name = options.name ?? federationName(file);
  const starter = () =>
    (options.starter ?? newTopologyText)(
      name,
      targets.map((t) => t.context),
    );
  return mergeDiscovery(text ?? starter(), found, {
    update: options.update,
    name,
    namespaces: options.namespaces,
    ...(options.kubeconfig !== undefined && { kubeconfigPath: options.kubeconfig }),
    contexts: new Map(targets.map((t) => [t.cluster, t.context])),
  });
}

/** Says what the merge changes (or would), and writes the file with --write. */
function writeMerge(
  options: DiscoverCliOptions,
  io: Io,
  file: string,
  text: string | undefined,
  merge: Extract<ReturnType<typeof mergeDiscovery>, { ok: true }>,
): void {
  const verb = options.write ? "" : "would ";
  if (options.format === "text") {
    if (merge.changes.length === 0) io.out(`\n${file}: up to date with what was found\n`);
    else io.out(`\n${file}: ${verb}change\n${merge.changes.map((c) => `  ${c}\n`).join("")}`);
    if (merge.kept.length > 0) io.out(`kept as written:\n${merge.kept.map((k) => `  ${k}\n`).join("")}`);
    if (!options.write && merge.changes.length > 0) io.out(`Run again with --write to write ${file}.\n`);
  }
  if (options.write && (merge.changes.length > 0 || text === undefined))
    writeFileAtomically(file, merge.text);
}

function sayUnwritten(
  options: DiscoverCliOptions,
  io: Io,
  file: string | undefined,
  found: Parameters<typeof mergeDiscovery>[1],
): void {
  const unwritten = found.flatMap((c) =>
    c.services.filter((s) => !s.exported && !options.namespaces.includes(s.namespace)),
  ).length;
  if (options.format === "text" && file !== undefined && unwritten > 0 && options.namespaces.length === 0) {
    io.out(
      `${unwritten} Service${unwritten === 1 ? " was" : "s were"} listed but not written: name their namespaces with --namespace, or mark them with an MCS ServiceExport.\n`,
    );
  }
}

function gatewayOptions(options: DiscoverCliOptions, cluster?: Cluster): DiscoverOptions {
  return {
    namespaces: options.namespaces,
    ingress: {
      selector: cluster?.ingress.selector ?? DEFAULT_INGRESS_SELECTOR,
      namespace: cluster?.ingress.namespace ?? DEFAULT_GATEWAY_NAMESPACE,
      port: cluster?.ingress.port ?? DEFAULT_INGRESS_PORT,
    },
    egress: {
      selector: cluster?.egress?.selector ?? DEFAULT_EGRESS_SELECTOR,
      namespace: cluster?.egress?.namespace ?? DEFAULT_GATEWAY_NAMESPACE,
    },
    istioNamespace: options.istioNamespace,
  };
}

function fromTopology(options: DiscoverCliOptions, known: readonly Cluster[]): Target[] {
  return known.map((c) => {
    const path = kubeconfigOf(c, options);
    return {
      cluster: c.name,
      context: c.kubeconfig?.context ?? c.name,
      ...(path !== undefined && { kubeconfig: path }),
      options: gatewayOptions(options, c),
    };
  });
}

function fromContexts(options: DiscoverCliOptions, known: readonly Cluster[]): Target[] {
  const targets: Target[] = [];
  for (const spec of options.contexts) {
    const eq = spec.indexOf("=");
    const context = eq >= 0 ? spec.slice(eq + 1) : spec;
    const existing = known.find((c) => (c.kubeconfig?.context ?? c.name) === context);
    const cluster = eq >= 0 ? spec.slice(0, eq) : (existing?.name ?? clusterName(context));
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(cluster) || cluster.length > 63) {
      throw new UsageError(
        `"${cluster}" is not a valid cluster name; name it with --context NAME=${context} (lower-case letters, digits and '-')`,
      );
    }
    if (context === "" || targets.some((t) => t.cluster === cluster)) {
      throw new UsageError(
        `--context ${spec}: ${context === "" ? "no context named" : `cluster ${cluster} named twice`}`,
      );
    }
    const path = existing ? kubeconfigOf(existing, options) : options.kubeconfig;
    targets.push({
      cluster,
      context,
      ...(path !== undefined && { kubeconfig: path }),
      options: gatewayOptions(options, known.find((c) => c.name === cluster) ?? existing),
    });
  }
  return targets;
}

function mergeJson(merge: ReturnType<typeof mergeDiscovery>) {
  return merge.ok ? { changes: merge.changes, kept: merge.kept } : { error: merge.error };
}

/** "1 of 3 clusters could not be read (b); the other 2 were read", or "...; nothing was read". */
function unread(outcomes: readonly ClusterOutcome<DiscoveredCluster>[]): string {
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.cluster);
  const rest = outcomes.length - failed.length;
  const head = `${failed.length} of ${outcomes.length} cluster${outcomes.length === 1 ? "" : "s"} could not be read (${failed.join(", ")})`;
  if (rest === 0) return `${head}; nothing was read`;
  return `${head}; the other ${rest === 1 ? "one was" : `${rest} were`} read`;
}

/**
 * What was found, for a person. Names, addresses and notes come from the servers: each line is made
 * printable (control characters escaped), so that no server can move the cursor or recolour the
 * terminal, or make a line look like another.
 */
function report(outcomes: readonly ClusterOutcome<DiscoveredCluster>[], targets: readonly Target[]): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    const context = targets.find((t) => t.cluster === o.cluster)?.context ?? "";
    if (!o.ok) {
      lines.push(`cluster ${o.cluster} (context ${context}): not read: ${o.error}`);
      continue;
    }
    const c = o.value;
    const istio = c.istio
      ? `Istio ${c.istio.version}, trust domain ${c.istio.trustDomain ?? "not found"}`
      : "no Istio found";
    const count = `${c.services.length} Service${c.services.length === 1 ? "" : "s"}`;
    lines.push(`cluster ${c.cluster} (context ${c.context}): ${istio}, ${count}`);
    const gw = (role: string, g: DiscoveredCluster["ingress"]) =>
      g
        ? `  ${role} gateway ${g.namespace}/${g.service}: ${g.addresses.length > 0 ? g.addresses.join(", ") : "no external address"} (ports ${g.ports.join(", ")})${g.serviceAccount !== undefined ? `, service account ${g.serviceAccount}` : ""}`
        : `  ${role} gateway: none found`;
    lines.push(gw("ingress", c.ingress), gw("egress", c.egress));
    lines.push(`  MCS ServiceExport API: ${c.serviceExportApi ? "served" : "not served"}`);
    for (const n of c.notes) lines.push(`  note: ${n}`);
  }
  const found = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  const rows = [...new Set(found.flatMap((c) => c.services.map((s) => `${s.namespace}/${s.name}`)))].sort();
  if (rows.length > 0) {
    const names = found.map((c) => c.cluster);
    const width = Math.max(7, ...rows.map((r) => r.length));
    const cell = (c: DiscoveredCluster, row: string): string => {
      const s = c.services.find((x) => `${x.namespace}/${x.name}` === row);
      return (s ? (s.exported ? "yes*" : "yes") : "-").padEnd(Math.max(4, c.cluster.length) + 2);
    };
    lines.push(
      "",
      `${"Service".padEnd(width)}  ${names.map((n) => n.padEnd(Math.max(4, n.length) + 2)).join("")}`.trimEnd(),
    );
    for (const row of rows)
      lines.push(`${row.padEnd(width)}  ${found.map((c) => cell(c, row)).join("")}`.trimEnd());
    if (found.some((c) => c.services.some((s) => s.exported)))
      lines.push("(* exported with an MCS ServiceExport)");
  }
  return `${lines.map((line) => printable(line, 2000)).join("\n")}\n`;
}

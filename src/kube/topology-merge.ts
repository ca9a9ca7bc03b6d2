// Merging what `cw discover` found into a topology file, keeping the user's file theirs.
//
// Rules: nothing is ever removed. A new cluster is appended with what was found about it. A field the
// file lacks is filled in; a field the file has with another value is kept and reported, unless the
// user asked to update (`--update`). A Service is written only when the user said they want it: it is
// marked with an MCS ServiceExport (written with consumers: ["*"], the MCS meaning), or it is in a
// namespace named with --namespace. An existing service gains the backends found in other clusters;
// its ports, aliases and consumers are the user's.
//
// The file is edited through the yaml library's Document API, so comments and the user's other edits
// stay. The library re-renders the whole document, which can change spacing inside lines (`[ a ]` for
// `[a]`); so the result is laid over the original line by line, and every line the merge did not
// change is kept exactly as the user wrote it.

import {
  type Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { compareText } from "../compare.js";
import type { DiscoveredCluster, DiscoveredPort, DiscoveredService } from "./discover.js";
import { diffOps, splitLines } from "./line-diff.js";

export interface MergeOptions {
  /** Take the live value where the file has another one (default: keep the file's, and report it). */
  readonly update?: boolean;
  /** metadata.name of a new file. */
  readonly name: string;
  /** Namespaces named on the command line: their Services are written. */
  readonly namespaces: readonly string[];
  /** The kubeconfig file new clusters are read through, when not the default. */
  readonly kubeconfigPath?: string;
  /** Kubeconfig context of each cluster, by cluster name, for new clusters. */
  readonly contexts: ReadonlyMap<string, string>;
}

export type MergeResult =
  | {
      readonly ok: true;
      readonly text: string;
      /** What the merge changed, one line each. */
      readonly changes: readonly string[];
      /** Where the file and the cluster disagree and the file was kept. */
      readonly kept: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

type Protocol = "HTTP" | "HTTP2" | "GRPC" | "HTTPS" | "TLS" | "TCP" | "MONGO";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RENDER = { lineWidth: 0, flowCollectionPadding: true } as const;

export function newTopologyText(name: string, contexts: readonly string[]): string {
  return [
    `# Written by cw discover from kubeconfig context${contexts.length === 1 ? "" : "s"} ${contexts.join(", ")}.`,
    "# Edit it freely: cw discover --write merges what it finds into it and keeps your edits and comments.",
    "apiVersion: coddiwomple.io/v1alpha1",
    "kind: Federation",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  clusters: []",
    "  services: []",
    "",
  ].join("\n");
}

export function mergeDiscovery(
  text: string,
  found: readonly DiscoveredCluster[],
  options: MergeOptions,
): MergeResult {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    return { ok: false, error: `the file is not valid YAML (${doc.errors[0]?.message}); fix it first` };
  }
  const changes: string[] = [];
  const kept: string[] = [];
  const clusters = listAt(doc, "clusters");
  const services = listAt(doc, "services");
  if (typeof clusters === "string") return { ok: false, error: clusters };
  if (typeof services === "string") return { ok: false, error: services };

  for (const c of found) mergeCluster(doc, clusters, c, options, changes, kept);
  mergeServices(doc, services, found, options, changes, kept);

  if (changes.length === 0) return { ok: true, text, changes, kept };
  const rendered = doc.toString(RENDER);
  return { ok: true, text: overlay(text, parseDocument(text).toString(RENDER), rendered), changes, kept };
}

function listAt(doc: Document, field: "clusters" | "services"): YAMLSeq | string {
  const spec = doc.get("spec");
  if (!isMap(spec)) return "the file has no spec mapping; is it a Federation file?";
  const list = spec.get(field, true);
  if (list === undefined || (isScalar(list) && list.value === null)) {
    const seq = doc.createNode([]) as YAMLSeq;
    spec.set(field, seq);
    return seq;
  }
  if (!isSeq(list)) return `spec.${field} is not a list; fix it first`;
  return list;
}

const plain = (node: unknown): unknown => (isNode(node) ? node.toJSON() : node);

function byName(list: YAMLSeq, name: string): YAMLMap | undefined {
  return list.items.find((i): i is YAMLMap => isMap(i) && plain(i.get("name", true)) === name);
}

/** A node for `value`, flow-styled like the node it replaces, so `[a]` stays on one line. */
function nodeLike(doc: Document, value: unknown, old: unknown): Node {
  const node = doc.createNode(value) as Node;
  if ((isSeq(old) || isMap(old)) && old.flow && (isSeq(node) || isMap(node))) node.flow = true;
  return node;
}

const sameVersion = (file: unknown, live: unknown): boolean =>
  typeof file === "string" &&
  typeof live === "string" &&
  file.split(".").slice(0, 2).join(".") === live.split(".").slice(0, 2).join(".");

function mergeCluster(
  doc: Document,
  clusters: YAMLSeq,
  found: DiscoveredCluster,
  options: MergeOptions,
  changes: string[],
  kept: string[],
): void {
  const version = found.istio?.version.split(".").slice(0, 2).join(".");
  const addresses = found.ingress?.addresses ?? [];
  const serviceAccount = found.ingress?.serviceAccount;
  const existing = byName(clusters, found.cluster);
  if (!existing) {
    const context = options.contexts.get(found.cluster) ?? found.context;
    const ingress = {
      ...(addresses.length > 0 && { addresses }),
      ...(serviceAccount !== undefined && { serviceAccount }),
    };
    const item = doc.createNode({
      name: found.cluster,
      ...(found.istio?.trustDomain !== undefined && { trustDomain: found.istio.trustDomain }),
      ...(version !== undefined && { istioVersion: version }),
      ...(Object.keys(ingress).length > 0 && { ingress }),
      kubeconfig: { ...(options.kubeconfigPath !== undefined && { path: options.kubeconfigPath }), context },
    }) as YAMLMap;
    const kubeconfig = item.get("kubeconfig", true);
    if (isMap(kubeconfig)) kubeconfig.flow = true;
    clusters.flow = false;
    clusters.add(item);
    changes.push(`cluster ${found.cluster}: added (context ${context})`);
    return;
  }
  const reconcile = (
    path: readonly string[],
    live: unknown,
    what: string,
    same: (a: unknown, b: unknown) => boolean,
  ) => {
    const old = existing.getIn(path, true);
    const current = plain(old);
    if (current === undefined || current === null) {
      existing.setIn(path, nodeLike(doc, live, old));
      changes.push(`cluster ${found.cluster}: ${what} set to ${show(live)}`);
    } else if (!same(current, live)) {
      if (options.update) {
        existing.setIn(path, nodeLike(doc, live, old));
        changes.push(`cluster ${found.cluster}: ${what} changed from ${show(current)} to ${show(live)}`);
      } else {
        kept.push(
          `cluster ${found.cluster}: ${what} is ${show(current)} in the file but ${show(live)} in the cluster; kept (--update takes the cluster's)`,
        );
      }
    }
  };
  const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (found.istio?.trustDomain !== undefined)
    reconcile(["trustDomain"], found.istio.trustDomain, "trustDomain", equal);
  if (version !== undefined) reconcile(["istioVersion"], version, "istioVersion", sameVersion);
  if (addresses.length > 0) {
    reconcile(["ingress", "addresses"], [...addresses], "ingress.addresses", (a, b) =>
      equal([...(a as string[])].sort(), [...(b as string[])].sort()),
    );
  }
  if (serviceAccount !== undefined) {
    reconcile(["ingress", "serviceAccount"], serviceAccount, "ingress.serviceAccount", equal);
  }
}

interface Found {
  readonly service: DiscoveredService;
  readonly clusters: string[];
}

function mergeServices(
  doc: Document,
  services: YAMLSeq,
  found: readonly DiscoveredCluster[],
  options: MergeOptions,
  changes: string[],
  kept: string[],
): void {
  const items = services.items.filter(isMap);
  const taken = new Set(items.map((i) => String(plain(i.get("name", true)))));
  for (const [k, want] of [...wantedServices(found, options)].sort(([a], [b]) => compareText(a, b))) {
    const fqdn = `${want.service.name}.${want.service.namespace}.svc.cluster.local`;
    const item = items.find((i) => {
      const v = i.toJSON() as { name?: string; namespace?: string; backends?: { host?: string }[] };
      return (
        (v.name === want.service.name && (v.namespace ?? "default") === want.service.namespace) ||
        (v.backends ?? []).some((b) => b.host === fqdn)
      );
    });
    if (item) addBackends(doc, item, want.service, want.clusters, changes);
    else addService(doc, services, k, want, taken, changes, kept);
  }
  keptBackends(items, found, kept);
}

/** The Services to write: exported ones, and those of the namespaces asked for, with their clusters. */
function wantedServices(found: readonly DiscoveredCluster[], options: MergeOptions): Map<string, Found> {
  const wanted = new Map<string, Found>();
  for (const c of found) {
    for (const s of c.services) {
      if (!s.exported && !options.namespaces.includes(s.namespace)) continue;
      const k = `${s.namespace}/${s.name}`;
      const entry = wanted.get(k) ?? { service: s, clusters: [] };
      entry.clusters.push(c.cluster);
      // A ServiceExport in any cluster exports the service.
      wanted.set(k, s.exported && !entry.service.exported ? { ...entry, service: s } : entry);
    }
  }
  return wanted;
}

/** A new service entry, under a free global name, with the ports that can cross clusters. */
function addService(
  doc: Document,
  services: YAMLSeq,
  k: string,
  { service, clusters }: Found,
  taken: Set<string>,
  changes: string[],
  kept: string[],
): void {
  const fqdn = `${service.name}.${service.namespace}.svc.cluster.local`;
  const name = [service.name, `${service.name}-${service.namespace}`].find(
    (n) => n.length <= 63 && LABEL.test(n) && !taken.has(n),
  );
  const ports = topologyPorts(service.ports);
  if (name === undefined || ports.length === 0) {
    kept.push(
      name === undefined
        ? `Service ${k}: no free global name for it (${service.name} is taken); add it by hand`
        : `Service ${k}: none of its ports can cross clusters (only TCP-based ones can); not added`,
    );
    return;
  }
  taken.add(name);
  const node = doc.createNode({
    name,
    namespace: service.namespace,
    ports,
    backends: [...clusters]
      .sort()
      .map((cluster) => ({ cluster, ...(name !== service.name && { host: fqdn }) })),
    ...(service.exported && { consumers: ["*"] }),
  }) as YAMLMap;
  const portSeq = node.get("ports", true);
  if (isSeq(portSeq)) for (const p of portSeq.items) if (isMap(p)) p.flow = true;
  services.flow = false;
  services.add(node);
  changes.push(
    `service ${name}: added (Service ${k} in ${clusters.join(", ")}${service.exported ? ", exported to every cluster by its ServiceExport" : ""})`,
  );
}

/** Backends the file names in a cluster that was read, where the Service is not: kept, and said. */
function keptBackends(items: readonly YAMLMap[], found: readonly DiscoveredCluster[], kept: string[]): void {
  for (const item of items) {
    const v = item.toJSON() as {
      name?: string;
      namespace?: string;
      backends?: { cluster?: string; host?: string }[];
    };
    for (const b of v.backends ?? []) {
      const cluster = found.find((c) => c.cluster === b.cluster);
      if (!cluster || v.name === undefined) continue;
      const host = b.host ?? `${v.name}.${v.namespace ?? "default"}.svc.cluster.local`;
      const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
      if (!m) continue;
      const [, sName, sNamespace] = m;
      if (cluster.namespaces && !cluster.namespaces.includes(sNamespace ?? "")) continue;
      if (!cluster.services.some((s) => s.name === sName && s.namespace === sNamespace)) {
        kept.push(
          `service ${v.name}: cluster ${b.cluster} has no Service ${sNamespace}/${sName}; its backend there is kept`,
        );
      }
    }
  }
}

function addBackends(
  doc: Document,
  item: YAMLMap,
  service: DiscoveredService,
  clusters: readonly string[],
  changes: string[],
): void {
  const name = String(plain(item.get("name", true)));
  const present = new Set(
    ((plain(item.get("backends", true)) ?? []) as { cluster?: string }[]).map((b) => b.cluster),
  );
  const existing: unknown = item.get("backends", true);
  let seq: YAMLSeq;
  if (isSeq(existing)) seq = existing;
  else {
    seq = doc.createNode([]) as YAMLSeq;
    item.set("backends", seq);
  }
  const flowItems = seq.items.some((i) => isMap(i) && i.flow);
  const sameName =
    name === service.name && (plain(item.get("namespace", true)) ?? "default") === service.namespace;
  for (const cluster of [...clusters].sort()) {
    if (present.has(cluster)) continue;
    const node = doc.createNode({
      cluster,
      ...(!sameName && { host: `${service.name}.${service.namespace}.svc.cluster.local` }),
    }) as YAMLMap;
    if (flowItems) node.flow = true;
    seq.add(node);
    changes.push(`service ${name}: backend in cluster ${cluster} added`);
  }
}

/** The topology's ports for a Service's: TCP ports, protocols from appProtocol or Istio's name prefix. */
export function topologyPorts(
  ports: readonly DiscoveredPort[],
): { name: string; protocol: Protocol; port: number }[] {
  const out: { name: string; protocol: Protocol; port: number }[] = [];
  for (const p of ports) {
    if (p.protocol !== "TCP" || !Number.isInteger(p.port)) continue;
    const protocol = protocolOf(p);
    let name = p.name !== undefined && LABEL.test(p.name) ? p.name : `${protocol.toLowerCase()}-${p.port}`;
    if (out.some((o) => o.name === name)) name = `${protocol.toLowerCase()}-${p.port}`;
    if (out.some((o) => o.name === name || o.port === p.port)) continue;
    out.push({ name, protocol, port: p.port });
  }
  return out;
}

function protocolOf(p: DiscoveredPort): Protocol {
  const app = p.appProtocol?.toLowerCase();
  if (app === "kubernetes.io/h2c") return "HTTP2";
  if (app === "kubernetes.io/ws") return "HTTP";
  if (app === "kubernetes.io/wss") return "HTTPS";
  const hint = app ?? p.name?.toLowerCase().split("-")[0] ?? "";
  const known: Record<string, Protocol> = {
    http: "HTTP",
    http2: "HTTP2",
    grpc: "GRPC",
    "grpc-web": "GRPC",
    https: "HTTPS",
    tls: "TLS",
    tcp: "TCP",
    mongo: "MONGO",
  };
  return known[hint] ?? "TCP";
}

const show = (v: unknown): string => (Array.isArray(v) ? `[${v.join(", ")}]` : JSON.stringify(v));

/**
 * The merged text, built from the user's own lines where the merge left them alone: `before` is the
 * user's document re-rendered, `after` the merged one re-rendered. Where re-rendering changed the
 * number of lines, the lines no longer line up, and the re-rendered merge is used as it is.
 */
function overlay(original: string, before: string, after: string): string {
  const originalLines = splitLines(original);
  const beforeLines = splitLines(before);
  if (originalLines.length !== beforeLines.length) return after;
  // Flow lists the way the user writes them: `[a]` (as Prettier does) or `[ a ]`.
  const padded = (original.match(/\[ \S/g) ?? []).length;
  const tight = (original.match(/\[[^\s\]]/g) ?? []).length;
  const style = (line: string) =>
    tight > padded ? line.replace(/\[ (?=\S)/g, "[").replace(/(?<=\S) \]/g, "]") : line;
  const out: string[] = [];
  let i = 0;
  for (const op of diffOps(beforeLines, splitLines(after))) {
    if (op.kind === " ") out.push(originalLines[i++] as string);
    else if (op.kind === "-") i++;
    else out.push(style(op.line));
  }
  return `${out.join("\n")}\n`;
}

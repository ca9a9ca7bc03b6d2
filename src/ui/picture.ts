// What the federation picture shows, before it is written as Graphviz DOT (graph.ts): the clusters,
// and in each its callers, egress gateway, ingress gateway and services; and the routing as the tracer
// proves it. Every arrow comes from a traced call (each consumer cluster calling each service's first
// name on its first port, with the clusters taken down if any): a split's every share, local ones too,
// with its weight and subset; the share that fails, to a "calls fail" node. The clusters a call would
// fail over to, which no trace reaches while the first is up, are drawn dashed as standby (from the
// plan's failover order). A selected trace is drawn on top, each arrow labelled with its hop numbers.

import { FAILURES, type Trace, type TracePath, tracePaths } from "../index.js";
import type { FederationView } from "./view-model.js";

export type EdgeStyle = "gateway" | "passthrough" | "egress" | "local" | "fails" | "standby" | "trace";
export type NodeKind = "callers" | "egress" | "ingress" | "service" | "fails";

export interface PictureNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: readonly string[];
}

export interface PictureCluster {
  readonly name: string;
  readonly title: readonly string[];
  readonly down: boolean;
  readonly nodes: readonly PictureNode[];
}

export interface PictureEdge {
  readonly from: string;
  readonly to: string;
  readonly style: EdgeStyle;
  /** Lines of the label: on the arrow that arrives (or fails), what arrives and from whom. */
  readonly label: readonly string[];
  /** The selected trace passes this arrow: its hop numbers, as "hops 1–5". */
  readonly traced?: string;
}

export interface Picture {
  readonly clusters: readonly PictureCluster[];
  readonly edges: readonly PictureEdge[];
}

/** A call traced for the picture. */
export interface RoutedCall {
  /** The service's name; for a host no service has, the Kubernetes host it arrived at. */
  readonly service: string;
  readonly host: string;
  readonly caller: string;
  readonly mode: string;
  readonly trace: Trace;
}

export interface PictureInput {
  readonly view: FederationView;
  /** Services to draw; every service and cluster when undefined. */
  readonly focus?: ReadonlySet<string>;
  readonly down: ReadonlySet<string>;
  readonly routed: readonly RoutedCall[];
  readonly selected?: RoutedCall;
}

interface Segment {
  readonly from: string;
  readonly to: string;
  readonly first: number;
  readonly last: number;
}

interface EdgeBuild {
  from: string;
  to: string;
  style: EdgeStyle;
  /** Per label head (what arrives), the callers it comes from, and the word before them. */
  heads: Map<string, { readonly prefix: string; readonly who: string[] }>;
  traced: Set<string>;
}

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** The nodes a path passes: the caller's sidecars, each gateway, and where it arrives or fails. */
export function segmentsOf(path: TracePath, caller: string, service: string): Segment[] {
  const out: Segment[] = [];
  let from = `${caller}/callers`;
  let first = 1;
  path.hops.forEach((h, i) => {
    if (h.kind !== "gateway") return;
    const node = `${h.proxy.cluster}/${h.proxy.role === "egress-gateway" ? "egress" : "ingress"}`;
    if (node === from) return;
    out.push({ from, to: node, first, last: i });
    from = node;
    first = i + 1;
  });
  const end =
    path.end.kind === "arrived" ? `${path.end.cluster}/svc/${service}` : `${path.end.cluster}/fails`;
  out.push({ from, to: end, first, last: path.hops.length });
  return out;
}

/** gateway, passthrough or egress; local when the path never leaves the caller's cluster. */
function styleOf(path: TracePath, caller: string, mode: string): EdgeStyle {
  const away =
    path.end.cluster !== caller || path.hops.some((h) => "proxy" in h && h.proxy.cluster !== caller);
  if (!away) return "local";
  return mode === "passthrough" || mode === "egress" ? mode : "gateway";
}

export function buildPicture(input: PictureInput): Picture {
  const edges = new Map<string, EdgeBuild>();
  const edge = (from: string, to: string, style: EdgeStyle): EdgeBuild => {
    const key = `${from}|${to}|${style}`;
    let e = edges.get(key);
    if (!e) {
      e = { from, to, style, heads: new Map(), traced: new Set() };
      edges.set(key, e);
    }
    return e;
  };
  const reached = new Set<string>();
  for (const call of input.routed) {
    for (const path of tracePaths(call.trace)) {
      const style = styleOf(path, call.caller, call.mode);
      const segments = segmentsOf(path, call.caller, call.service);
      segments.forEach((s, i) => {
        const last = i === segments.length - 1;
        const e = edge(s.from, s.to, last && path.end.kind === "failed" ? "fails" : style);
        if (last)
          addHead(
            e,
            headOf(call.host, path),
            `${call.caller}${path.share < 0.9995 ? ` ${pct(path.share)}` : ""}`,
          );
      });
      if (path.end.kind === "arrived") reached.add(`${call.caller}|${call.service}|${path.end.cluster}`);
    }
  }
  addStandby(input, reached, edge);
  if (input.selected) drawSelected(input.selected, edges, edge);
  return { clusters: clustersOf(input, edges), edges: [...edges.values()].map(finish).sort(byEnds) };
}

function headOf(host: string, path: TracePath): string {
  if (path.end.kind === "failed") return `${host}: ${FAILURES[path.end.reason]}`;
  return `${host}${path.end.subset !== undefined ? ` · subset ${path.end.subset}` : ""}`;
}

function addHead(e: EdgeBuild, head: string, who: string, prefix = "from"): void {
  const entry = e.heads.get(head) ?? { prefix, who: [] };
  if (!entry.who.includes(who)) entry.who.push(who);
  e.heads.set(head, entry);
}

/** Backend clusters a caller fails over to, that no trace reaches now: dashed, from the plan. */
function addStandby(
  input: PictureInput,
  reached: ReadonlySet<string>,
  edge: (from: string, to: string, style: EdgeStyle) => EdgeBuild,
): void {
  for (const call of input.view.calls) {
    if (call.mode === "local" || !/first|failover|by locality/.test(call.share)) continue;
    if (input.focus && !input.focus.has(call.service)) continue;
    if (input.down.has(call.to) || reached.has(`${call.from}|${call.service}|${call.to}`)) continue;
    const host = input.view.services.find((s) => s.name === call.service)?.hosts[0] ?? call.service;
    edge(`${call.from}/callers`, `${call.to}/ingress`, "standby");
    addHead(
      edge(`${call.to}/ingress`, `${call.to}/svc/${call.service}`, "standby"),
      `${host} · standby`,
      `${call.from} (${call.share})`,
      "for",
    );
  }
}

/** The selected trace, on the arrows it takes (a new black arrow where the picture has none). */
function drawSelected(
  selected: RoutedCall,
  edges: Map<string, EdgeBuild>,
  edge: (from: string, to: string, style: EdgeStyle) => EdgeBuild,
): void {
  for (const path of tracePaths(selected.trace)) {
    for (const s of segmentsOf(path, selected.caller, selected.service)) {
      const hops =
        s.first === s.last
          ? `hop ${s.first}`
          : s.first > s.last
            ? "before any hop"
            : `hops ${s.first}–${s.last}`;
      const existing = [...edges.values()].find(
        (e) => e.from === s.from && e.to === s.to && e.style !== "standby",
      );
      const e = existing ?? edge(s.from, s.to, "trace");
      if (!existing && s.to.endsWith("/fails") && path.end.kind === "failed")
        addHead(e, headOf(selected.host, path), selected.caller);
      e.traced.add(hops);
    }
  }
}

function finish(e: EdgeBuild): PictureEdge {
  const label = [...e.heads].flatMap(([head, { prefix, who }]) => [head, `${prefix} ${who.join(", ")}`]);
  return {
    from: e.from,
    to: e.to,
    style: e.style,
    label,
    ...(e.traced.size > 0 && { traced: [...e.traced].join(", ") }),
  };
}

const byEnds = (a: PictureEdge, b: PictureEdge) => {
  const ka = `${a.from}|${a.to}|${a.style}`;
  const kb = `${b.from}|${b.to}|${b.style}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

const KIND_ORDER: Readonly<Record<NodeKind, number>> = {
  callers: 0,
  egress: 1,
  ingress: 2,
  service: 3,
  fails: 4,
};

/** The clusters to draw and their nodes: every one when nothing is focused, else those where the
 * services drawn run and those the arrows touch. */
function clustersOf(input: PictureInput, edges: ReadonlyMap<string, EdgeBuild>): PictureCluster[] {
  const { view } = input;
  const ids = new Set<string>();
  for (const e of edges.values()) ids.add(e.from).add(e.to);
  if (!input.focus) {
    for (const c of view.clusters) {
      ids.add(`${c.name}/callers`).add(`${c.name}/ingress`);
      if (c.egress) ids.add(`${c.name}/egress`);
    }
  }
  // Where each service drawn runs, even where no call arrives (a cluster that is down).
  for (const s of view.services) {
    if (input.focus && !input.focus.has(s.name)) continue;
    for (const b of s.backends) ids.add(`${b}/svc/${s.name}`);
  }
  const clusters: PictureCluster[] = [];
  for (const c of view.clusters) {
    const prefix = `${c.name}/`;
    const nodes = [...ids]
      .filter((id) => id.startsWith(prefix))
      .map((id) => nodeOf(input, c.name, id.slice(prefix.length), id))
      .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (nodes.length === 0) continue;
    const down = input.down.has(c.name);
    const title = [
      `cluster ${c.name}${down ? " · DOWN" : ""}`,
      `Istio ${c.istioVersion} · ${c.trustDomain} · ${c.mode}`,
    ];
    clusters.push({ name: c.name, title, down, nodes });
  }
  return clusters;
}

function nodeOf(input: PictureInput, cluster: string, rest: string, id: string): PictureNode {
  if (rest === "callers") return { id, kind: "callers", label: ["callers", "(sidecars)"] };
  if (rest === "egress") return { id, kind: "egress", label: ["egress gateway"] };
  if (rest === "fails") return { id, kind: "fails", label: ["✘ calls fail here"] };
  if (rest === "ingress") {
    const c = input.view.clusters.find((k) => k.name === cluster);
    const at = `${c?.ingress.addresses.join(", ") || "no address"}:${c?.ingress.port ?? ""}`;
    return { id, kind: "ingress", label: ["ingress gateway", at] };
  }
  const name = rest.slice("svc/".length);
  const s = input.view.services.find((k) => k.name === name);
  const ports = s?.ports.map((p) => `${p.port}/${p.protocol}`).join(", ") ?? "";
  return { id, kind: "service", label: s ? [s.name, `${s.namespace} · ${ports}`] : [name] };
}

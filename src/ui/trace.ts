// The trace form's endpoint: checks the request (the target written as cw trace --to takes it), then
// runs cw trace's tracer (public API: the session's tracer, createTracer over each cluster's generated files and the mesh facts
// of the topology, with the clusters the page takes down) and answers with the paths, each hop as one
// line of text and the objects that decided it, for the page to draw and link to their YAML. Nothing
// here touches the disk.

import {
  type Caller,
  FAILURES,
  type Hop,
  hopText,
  outcome,
  parseTargetText,
  refText,
  type Target,
  type Trace,
  type Tracer,
  tracePaths,
} from "../index.js";

export interface TraceRequest {
  readonly from: { readonly cluster: string; readonly namespace: string; readonly serviceAccount: string };
  readonly to: Target;
  /** Clusters taken down (what if they fail). */
  readonly down: readonly string[];
}

/** An object a hop names, and the generated file that holds it. */
export interface ObjectLink {
  readonly cluster: string;
  readonly path: string;
  readonly text: string;
}

export interface HopView {
  readonly kind: string;
  /** The word cw trace labels the hop with, and the rest of cw trace's line. */
  readonly label: string;
  readonly text: string;
  readonly links: readonly ObjectLink[];
}

export interface TraceAnswer {
  readonly title: string;
  readonly outcome: string;
  readonly paths: readonly {
    readonly share: number;
    readonly hops: readonly HopView[];
    readonly end: { readonly kind: "arrived" | "failed"; readonly text: string };
  }[];
}

type ObjectRef = Extract<Hop, { kind: "gateway" }>["gateway"];

/** Finds the file of an object in a cluster's generated folder; undefined when it has none. */
export type FileOf = (
  cluster: string,
  ref: ObjectRef | { readonly coreDnsFile: string },
) => string | undefined;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$|^[0-9a-fA-F:.]+$/;

/** The request body, checked field by field; nothing unchecked reaches the tracer. */
export function checkTraceRequest(body: unknown, clusters: readonly string[]): Checked<TraceRequest> {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (k: string, d?: string) => (typeof b[k] === "string" ? (b[k] as string).trim() : d);
  const cluster = str("cluster");
  const namespace = str("namespace", "default") || "default";
  const serviceAccount = str("serviceAccount", "default") || "default";
  if (cluster === undefined || !clusters.includes(cluster)) {
    return { ok: false, error: `choose a calling cluster (${clusters.join(", ")})` };
  }
  for (const [what, v] of [
    ["namespace", namespace],
    ["service account", serviceAccount],
  ] as const) {
    if (v.length > 63 || !NAME.test(v)) return { ok: false, error: `the ${what} is not a Kubernetes name` };
  }
  const to = checkTarget(
    str("to") ?? str("host") ?? "",
    typeof b.port === "number" ? String(b.port) : str("port"),
  );
  if (!to.ok) return to;
  const down = checkDown(b.down, clusters);
  if (!down.ok) return down;
  return {
    ok: true,
    value: { from: { cluster, namespace, serviceAccount }, to: to.value, down: down.value },
  };
}

/** As cw trace --to and --port read it: host:port, or a URL (its scheme's port unless it names one). */
function checkTarget(to: string, port: string | undefined): Checked<Target> {
  if (to.length === 0)
    return { ok: false, error: "say what to call: host:port (reviews.global:9080) or a URL" };
  if (to.length > 2048) return { ok: false, error: "the target is longer than 2048 characters" };
  const parsed = parseTargetText(to, port === "" ? undefined : port, {
    to: "to",
    port: "port",
    apart: "the host in to and its port in port",
  });
  if (!parsed.ok) return { ok: false, error: parsed.problem };
  const { host, path } = parsed.target;
  if (host.length > 253 || !HOST.test(host)) {
    return { ok: false, error: `the host ${host} is not a host name or an IP address (e.g. reviews.global)` };
  }
  if (path !== undefined && path.length > 1024)
    return { ok: false, error: "the path is longer than 1024 characters" };
  return { ok: true, value: parsed.target };
}

/** Clusters to take down: a list of the topology's cluster names. */
export function checkDown(value: unknown, clusters: readonly string[]): Checked<readonly string[]> {
  if (value === undefined || value === "") return { ok: true, value: [] };
  const names = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || !clusters.includes(n))) {
    return { ok: false, error: `the clusters to take down are names of clusters (${clusters.join(", ")})` };
  }
  return { ok: true, value: [...new Set(names as string[])].sort() };
}

export function runTrace(request: TraceRequest, tracer: Tracer, fileOf: FileOf): TraceAnswer {
  const down = new Set(request.down);
  const trace = tracer.call(request.from, request.to, down.size > 0 ? down : undefined);
  return answerOf(titleOf(request.from, request.to, request.down), trace, fileOf);
}

export function titleOf(caller: Caller, target: Target, down: readonly string[] = []): string {
  const path = target.path !== undefined && target.path !== "/" ? target.path : "";
  const what = `${caller.cluster}/${caller.namespace}/${caller.serviceAccount} -> ${target.host}:${target.port}${path}`;
  return down.length > 0 ? `${what}, with ${down.join(", ")} down` : what;
}

/** A trace as the page draws it: each path's hops, with links to the objects, and how it ended. */
export function answerOf(title: string, trace: Trace, fileOf: FileOf): TraceAnswer {
  return {
    title,
    outcome: outcome(trace),
    paths: tracePaths(trace).map((p) => ({
      share: p.share,
      hops: p.hops.map((h) => {
        const line = hopText(h);
        const m = /^(\S+)\s+(.*)$/s.exec(line);
        return { kind: h.kind, label: m?.[1] ?? h.kind, text: m?.[2] ?? line, links: linksOf(h, fileOf) };
      }),
      end:
        p.end.kind === "arrived"
          ? {
              kind: "arrived",
              text: `arrived at ${p.end.service}:${p.end.port}${p.end.subset !== undefined ? ` subset ${p.end.subset}` : ""} in cluster ${p.end.cluster}`,
            }
          : {
              kind: "failed",
              text: `${FAILURES[p.end.reason]} in cluster ${p.end.cluster}: ${p.end.message}`,
            },
    })),
  };
}

function linksOf(h: Hop, fileOf: FileOf): ObjectLink[] {
  const links: ObjectLink[] = [];
  const add = (cluster: string, ref: ObjectRef | { readonly coreDnsFile: string }, text: string) => {
    const path = fileOf(cluster, ref);
    if (path !== undefined && !links.some((l) => l.cluster === cluster && l.path === path))
      links.push({ cluster, path, text });
  };
  for (const ref of refsOf(h)) add(ref.cluster, ref, refText(ref));
  if (h.kind === "dns" && typeof h.by === "object" && "coreDnsFile" in h.by)
    add(h.cluster, h.by, `CoreDNS ${h.by.coreDnsFile}`);
  return links;
}

function refsOf(h: Hop): ObjectRef[] {
  switch (h.kind) {
    case "dns":
      return typeof h.by === "object" && "kind" in h.by ? [h.by] : [];
    case "listener":
    case "route":
    case "authz":
      return h.by ? [h.by] : [];
    case "cluster":
      return [
        ...(h.destinationRule ? [h.destinationRule] : []),
        ...(h.service !== "kubernetes" ? [h.service] : []),
      ];
    case "gateway":
      return [h.gateway];
    default:
      return [];
  }
}

// The trace form's endpoint: checks the request, then runs cw trace's tracer (public API: traceCall
// over each cluster's generated files and the mesh facts of the topology) and answers with the paths,
// each hop as one line of text, for the page to draw. Nothing here touches the disk.

import {
  type Caller,
  type ClusterConfig,
  type ClusterOutput,
  FAILURES,
  hopText,
  loadClusterConfig,
  meshFactsFromTopology,
  outcome,
  type Target,
  type Topology,
  traceCall,
  tracePaths,
} from "../index.js";

export interface TraceRequest {
  readonly from: { readonly cluster: string; readonly namespace: string; readonly serviceAccount: string };
  readonly to: { readonly host: string; readonly port: number; readonly path?: string };
}

export interface TraceAnswer {
  readonly title: string;
  readonly outcome: string;
  readonly paths: readonly {
    readonly share: number;
    /** Each hop: its kind, the word cw trace labels it with, and the rest of cw trace's line. */
    readonly hops: readonly { readonly kind: string; readonly label: string; readonly text: string }[];
    readonly end: { readonly kind: "arrived" | "failed"; readonly text: string };
  }[];
}

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$/;

/** The request body, checked field by field; nothing unchecked reaches the tracer. */
export function checkTraceRequest(body: unknown, clusters: readonly string[]): Checked<TraceRequest> {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (k: string, d?: string) => (typeof b[k] === "string" ? (b[k] as string).trim() : d);
  const cluster = str("cluster");
  const namespace = str("namespace", "default") || "default";
  const serviceAccount = str("serviceAccount", "default") || "default";
  const host = str("host") ?? "";
  const port = typeof b.port === "number" ? b.port : Number(str("port") ?? Number.NaN);
  const path = str("path");
  if (cluster === undefined || !clusters.includes(cluster)) {
    return { ok: false, error: `choose a calling cluster (${clusters.join(", ")})` };
  }
  for (const [what, v] of [
    ["namespace", namespace],
    ["service account", serviceAccount],
  ] as const) {
    if (v.length > 63 || !NAME.test(v)) return { ok: false, error: `the ${what} is not a Kubernetes name` };
  }
  if (host.length === 0 || host.length > 253 || !HOST.test(host)) {
    return { ok: false, error: "the host is not a host name or an IP address (e.g. reviews.global)" };
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, error: "the port is not a number from 1 to 65535" };
  }
  if (path !== undefined && (path.length > 1024 || !path.startsWith("/"))) {
    return { ok: false, error: "the path starts with / and is at most 1024 characters" };
  }
  return {
    ok: true,
    value: {
      from: { cluster, namespace, serviceAccount },
      to: { host: host.replace(/^\[|\]$/g, ""), port, ...(path ? { path } : {}) },
    },
  };
}

export function runTrace(
  request: TraceRequest,
  topology: Topology,
  outputs: readonly ClusterOutput[],
): TraceAnswer {
  const clusters = new Map<string, ClusterConfig>(
    outputs.map((o) => [o.cluster, loadClusterConfig(o.cluster, o.files).config]),
  );
  const caller: Caller = request.from;
  const target: Target = request.to;
  const trace = traceCall({ clusters, mesh: meshFactsFromTopology(topology) }, caller, target);
  return {
    title: `${caller.cluster}/${caller.namespace}/${caller.serviceAccount} -> ${target.host}:${target.port}${target.path ?? ""}`,
    outcome: outcome(trace),
    paths: tracePaths(trace).map((p) => ({
      share: p.share,
      hops: p.hops.map((h) => {
        const line = hopText(h);
        const m = /^(\S+)\s+(.*)$/s.exec(line);
        return { kind: h.kind, label: m?.[1] ?? h.kind, text: m?.[2] ?? line };
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

// The tracer's entry points. A Tracer is made once for an input (createTracer) and keeps the indexes
// every trace reads; its call follows a call from a workload, by name, through DNS, its sidecar, any
// egress gateway, the remote ingress gateway and its policies, to the Kubernetes Service reached; its
// probe starts at a cluster's ingress (or egress) gateway, as a caller that skips its own configuration and
// connects directly would: what the gateway itself admits. traceCall and traceProbe trace one of each.
// Pure: configuration and facts in, a Trace out. It reads Istio objects only, never cw's plan.

import { type Connection, clusterIndex, Indexes, type TraceContext, type TraceInput } from "./context.js";
import { resolveName } from "./dns.js";
import { gatewayInbound } from "./gateway.js";
import { principalOf } from "./mesh.js";
import { sidecarOutbound } from "./sidecar.js";
import { sidecarScopeFor } from "./sidecar-scope.js";

import type { Caller, ProxyRef, Target, Trace } from "./types.js";

const TLS_MODE_LABEL = "security.istio.io/tlsMode";

/**
 * The labels of a caller whose own are not known. One object for every such call: the caches keyed
 * by a proxy's labels (label-cache.ts) find it by identity, without writing the labels out.
 */
const INJECTED: Readonly<Record<string, string>> = Object.freeze({ [TLS_MODE_LABEL]: "istio" });

export type { TraceInput } from "./context.js";

export interface Tracer {
  /** A call from a workload; `down` takes clusters down for this call only. */
  call(caller: Caller, target: Target, down?: ReadonlySet<string>): Trace;
  probe(probe: Probe): Trace;
  /** The tracer's indexes, for analyses over the same configuration (verify's conflicts). */
  readonly indexes: Indexes;
}

export function createTracer(input: TraceInput): Tracer {
  const indexes = new Indexes(input);
  const context = (down?: ReadonlySet<string>): TraceContext => ({
    input: down ? { ...input, down } : input,
    depth: 0,
    enterGateway: gatewayInbound,
    indexes,
  });
  // The context of a trace with no clusters down, the same for every one (none changes it).
  const allUp = context();
  const start = (down?: ReadonlySet<string>): TraceContext => (down ? context(down) : allUp);
  return {
    call: (caller, target, down) => callFrom(start(down), caller, target),
    probe: (probe) => probeAt(start(), probe),
    indexes,
  };
}

export const traceCall = (input: TraceInput, caller: Caller, target: Target): Trace =>
  createTracer(input).call(caller, target);

export const traceProbe = (input: TraceInput, probe: Probe): Trace => createTracer(input).probe(probe);

function callFrom(ctx: TraceContext, caller: Caller, target: Target): Trace {
  const index = clusterIndex(ctx, caller.cluster);
  if (!index) {
    return {
      hops: [],
      end: {
        kind: "failed",
        reason: "unsupported",
        cluster: caller.cluster,
        message: `there is no configuration for cluster ${caller.cluster}`,
      },
    };
  }
  const scope = sidecarScopeFor(index, caller.namespace, caller.labels);
  const resolved = resolveName(index, caller.namespace, target.host, scope);
  if (!resolved.ok) return { hops: [], end: resolved.failure };
  const self = {
    ref: { cluster: caller.cluster, role: "sidecar" as const, namespace: caller.namespace },
    index,
    principal: principalOf(index.trustDomain, caller.namespace, caller.serviceAccount),
    scope,
    // Injection labels every pod with a sidecar; the caller's own are added when known.
    labels: caller.labels ? { ...INJECTED, ...caller.labels } : INJECTED,
  };
  const rest = sidecarOutbound(
    ctx,
    self,
    caller,
    target,
    resolved.address,
    resolved.kubernetes,
    resolved.completed,
  );
  return { hops: [resolved.hop, ...rest.hops], end: rest.end };
}

export interface Probe {
  /** The cluster whose gateway is probed. */
  readonly cluster: string;
  /**
   * Which of its gateways: the ingress gateway (default), where other clusters arrive, or the egress
   * gateway, as a workload of the cluster that skips its own sidecar's configuration would reach it.
   */
  readonly gateway?: "ingress" | "egress";
  /** Who connects: a mesh identity (Istio mutual TLS), or none (plain TLS without a certificate). */
  readonly principal?: string;
  readonly sni: string;
  /** The Host header, for HTTP servers; default: the SNI. */
  readonly host?: string;
  /** Default: the gateway's cross-cluster port (the egress gateway's Service port, else 443). */
  readonly port?: number;
}

/** The egress gateway's Service port when the facts do not say: Istio's default egress gateway's. */
const EGRESS_PORT = 443;

function probeAt(ctx: TraceContext, probe: Probe): Trace {
  const facts = ctx.input.mesh.clusters.get(probe.cluster);
  const role: ProxyRef["role"] = probe.gateway === "egress" ? "egress-gateway" : "ingress-gateway";
  const gateway = probe.gateway === "egress" ? facts?.egress : facts?.ingress;
  if (!facts || !gateway) {
    return {
      hops: [],
      end: {
        kind: "failed",
        reason: "unsupported",
        cluster: probe.cluster,
        message: `cluster ${probe.cluster} has no known ${probe.gateway ?? "ingress"} gateway`,
      },
    };
  }
  const port = "addresses" in gateway ? gateway.port : (gateway.port ?? EGRESS_PORT);
  const conn: Connection = {
    port: probe.port ?? port,
    tls: {
      mode: probe.principal !== undefined ? "ISTIO_MUTUAL" : "SIMPLE",
      sni: probe.sni,
      decidedBy: "destination-rule",
      subjectAltNames: [],
    },
    principal: probe.principal,
    http: { host: probe.host ?? probe.sni, path: "/" },
  };
  const gw = {
    ref: { cluster: probe.cluster, role, namespace: gateway.namespace },
    facts: gateway,
    cluster: facts,
  };
  return gatewayInbound(ctx, gw, conn);
}

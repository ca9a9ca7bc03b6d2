// The tracer's entry points. A Tracer is made once for an input (createTracer) and keeps the indexes
// every trace reads; its call follows a call from a workload, by name, through DNS, its sidecar, any
// egress gateway, the remote ingress gateway and its policies, to the Kubernetes Service reached; its
// probe starts at a cluster's ingress gateway, as a caller that skips its own configuration and
// connects directly would: what the gateway itself admits. traceCall and traceProbe trace one of each.
// Pure: configuration and facts in, a Trace out. It reads Istio objects only, never cw's plan.

import { type Connection, clusterIndex, Indexes, type TraceContext, type TraceInput } from "./context.js";
import { resolveName } from "./dns.js";
import { gatewayInbound } from "./gateway.js";
import { principalOf } from "./mesh.js";
import { sidecarOutbound } from "./sidecar.js";
import { sidecarScopeFor } from "./sidecar-scope.js";

const TLS_MODE_LABEL = "security.istio.io/tlsMode";

import type { Caller, Target, Trace } from "./types.js";

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
  const start = (down?: ReadonlySet<string>): TraceContext => ({
    input: down ? { ...input, down } : input,
    depth: 0,
    enterGateway: gatewayInbound,
    indexes,
  });
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
    labels: { [TLS_MODE_LABEL]: "istio", ...caller.labels },
  };
  const rest = sidecarOutbound(ctx, self, caller, target, resolved.address, resolved.kubernetes);
  return { hops: [resolved.hop, ...rest.hops], end: rest.end };
}

export interface Probe {
  /** The cluster whose ingress gateway is probed. */
  readonly cluster: string;
  /** Who connects: a mesh identity (Istio mutual TLS), or none (plain TLS without a certificate). */
  readonly principal?: string;
  readonly sni: string;
  /** The Host header, for HTTP servers; default: the SNI. */
  readonly host?: string;
  /** Default: the gateway's cross-cluster port. */
  readonly port?: number;
}

function probeAt(ctx: TraceContext, probe: Probe): Trace {
  const facts = ctx.input.mesh.clusters.get(probe.cluster);
  const ingress = facts?.ingress;
  if (!facts || !ingress) {
    return {
      hops: [],
      end: {
        kind: "failed",
        reason: "unsupported",
        cluster: probe.cluster,
        message: `cluster ${probe.cluster} has no known ingress gateway`,
      },
    };
  }
  const conn: Connection = {
    port: probe.port ?? ingress.port,
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
    ref: { cluster: probe.cluster, role: "ingress-gateway" as const, namespace: ingress.namespace },
    facts: ingress,
    cluster: facts,
  };
  return gatewayInbound(ctx, gw, conn);
}

// What every hop function receives: the clusters' configuration and facts, and how to continue at a
// gateway (passed in, so that the hop modules do not import each other in a circle).

import type { ClusterConfig } from "./config.js";
import type { ClusterFacts, GatewayFacts, MeshFacts } from "./mesh.js";
import { type ClusterIndex, indexCluster } from "./registry.js";
import type { SidecarScope } from "./sidecar-scope.js";
import type { Failure, Hop, ProxyRef, TlsOrigination, Trace } from "./types.js";

export interface TraceInput {
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  readonly mesh: MeshFacts;
  /** Clusters taken to be down (cw trace --down): their gateways answer nothing. */
  readonly down?: ReadonlySet<string>;
}

/** A proxy making a connection onwards. */
export interface ProxyState {
  readonly ref: ProxyRef;
  readonly index: ClusterIndex;
  /** The proxy's own identity, presented when it originates Istio mutual TLS. */
  readonly principal: string;
  /** A sidecar's Sidecar scope; gateways see every service exported to their namespace. */
  readonly scope?: SidecarScope;
  /** The proxy's pod labels (failoverPriority compares endpoints with them). */
  readonly labels: Readonly<Record<string, string>>;
}

/** A connection arriving at a gateway. */
export interface Connection {
  readonly port: number;
  readonly tls: TlsOrigination;
  /** The identity in the client certificate, when the client sent Istio mutual TLS. */
  readonly principal?: string;
  /** HTTP inside the connection: the Host header and path. */
  readonly http?: {
    readonly host: string;
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
  };
}

export interface GatewayProxy {
  readonly ref: ProxyRef;
  readonly facts: GatewayFacts;
  readonly cluster: ClusterFacts;
}

export interface TraceContext {
  readonly input: TraceInput;
  /** Proxies passed so far; a trace that passes too many is a loop. */
  readonly depth: number;
  readonly enterGateway: (ctx: TraceContext, gateway: GatewayProxy, conn: Connection) => Trace;
}

export const MAX_PROXIES = 8;

export function clusterIndex(ctx: TraceContext, cluster: string): ClusterIndex | undefined {
  const config = ctx.input.clusters.get(cluster);
  return config && indexCluster(config, ctx.input.mesh.clusters.get(cluster));
}

export const failed = (hops: readonly Hop[], f: Omit<Failure, "kind">): Trace => ({
  hops,
  end: { kind: "failed", ...f },
});

export const prepend = (hops: readonly Hop[], t: Trace): Trace => ({
  hops: [...hops, ...t.hops],
  end: t.end,
});

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
  /** The tracer's indexes, built once for every call it traces. */
  readonly indexes: Indexes;
}

export const MAX_PROXIES = 8;

/** Where Indexes.memo keeps a value, beside the maps of longer keys. */
const LEAF = Symbol("value");

/**
 * What a tracer computes once and every trace reads: each cluster's index (with what the hop modules
 * derive from it, in its memo), and which cluster's ingress gateway an address is. Built lazily, per
 * tracer: nothing is cached beside the input it was made from.
 */
export class Indexes {
  private readonly byCluster = new Map<string, ClusterIndex | undefined>();
  private owners: ReadonlyMap<string, ClusterFacts> | undefined;
  private readonly memos = new WeakMap<object, Map<unknown, unknown>>();

  constructor(private readonly input: TraceInput) {}

  /**
   * A value computed once per tracer for an owner (a gateway's facts, say) and a key of parts: what
   * every trace through the owner would otherwise compute again (gateway.ts keeps its plans here).
   * The parts are looked up one by one in nested maps rather than joined into one text: they are
   * mostly strings the caller already holds, whose hashes are kept, so a hit allocates nothing.
   */
  memo<T>(owner: object, parts: readonly (string | number)[], build: () => T): T {
    let level = this.memos.get(owner);
    if (!level) {
      level = new Map();
      this.memos.set(owner, level);
    }
    for (const part of parts) {
      let next = level.get(part) as Map<unknown, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(part, next);
      }
      level = next;
    }
    if (level.has(LEAF)) return level.get(LEAF) as T;
    const value = build();
    level.set(LEAF, value);
    return value;
  }

  cluster(name: string): ClusterIndex | undefined {
    if (this.byCluster.has(name)) return this.byCluster.get(name);
    const config = this.input.clusters.get(name);
    const index = config && indexCluster(config, this.input.mesh.clusters.get(name));
    this.byCluster.set(name, index);
    return index;
  }

  /** The first cluster (in the facts' order) whose ingress gateway has `address`. */
  ingressOwner(address: string): ClusterFacts | undefined {
    if (!this.owners) {
      const map = new Map<string, ClusterFacts>();
      for (const c of this.input.mesh.clusters.values())
        for (const a of c.ingress?.addresses ?? []) if (!map.has(a)) map.set(a, c);
      this.owners = map;
    }
    return this.owners.get(address);
  }
}

export const clusterIndex = (ctx: TraceContext, cluster: string): ClusterIndex | undefined =>
  ctx.indexes.cluster(cluster);

export const failed = (hops: readonly Hop[], f: Omit<Failure, "kind">): Trace => ({
  hops,
  end: { kind: "failed", ...f },
});

export const prepend = (hops: readonly Hop[], t: Trace): Trace => ({
  hops: [...hops, ...t.hops],
  end: t.end,
});

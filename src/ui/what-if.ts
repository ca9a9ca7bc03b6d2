// "What if these clusters fail": where each caller's calls go when the chosen clusters are down,
// traced as `cw trace --down` traces them (the session's tracer, with the clusters down; failover priorities and
// the share each priority takes are src/trace/load-balancing.ts, after Envoy). The calls are verify's
// own (consumer, local and refused calls), for the verify matrix's cells, and the consumer calls of
// each service's primary name and first port for the picture. Traces are kept per service, so the
// matrix's pages and the picture share them, and dropped with the session on reload.

import {
  type Caller,
  type Expectation,
  type Service,
  type Target,
  type Topology,
  type Trace,
  type Tracer,
  tracePaths,
} from "../index.js";
import { rowOf } from "./matrix-rows.js";
import type { RoutedCall } from "./picture.js";
import { serviceExpectations } from "./verify-matrix.js";

/** "down": the caller's own cluster is down, so it calls nothing. */
export type DownStatus = "arrives" | "partial" | "fails" | "refused" | "leaks" | "down";

export interface DownCell {
  readonly status: DownStatus;
  /** Where the calls arrive, and what share fails: "b 100%", "a/v1 15%, a/v2 10%, fails 75%". */
  readonly text: string;
}

/** A call verify makes, traced with the clusters down. */
export interface DownCall {
  readonly expectation: Extract<Expectation, { kind: "consumer call" | "local call" | "refused call" }>;
  readonly row: string;
  /** The service's first name and first port: the call a cell and the picture stand for. */
  readonly primary: boolean;
  readonly trace: Trace;
}

export class WhatIf {
  readonly down: ReadonlySet<string>;
  readonly #topology: Topology;
  readonly #tracer: Tracer;
  readonly #calls = new Map<string, readonly DownCall[]>();

  constructor(topology: Topology, tracer: Tracer, down: ReadonlySet<string>) {
    this.#topology = topology;
    this.#tracer = tracer;
    this.down = down;
  }

  /** Every call of the service, traced once. */
  calls(service: Service): readonly DownCall[] {
    const known = this.#calls.get(service.name);
    if (known) return known;
    const primaryHost = `${service.name}.${this.#topology.suffix}`;
    const firstPort = service.ports[0]?.port;
    const calls: DownCall[] = [];
    for (const e of serviceExpectations(this.#topology, service)) {
      if (e.kind !== "consumer call" && e.kind !== "local call" && e.kind !== "refused call") continue;
      calls.push({
        expectation: e,
        row: rowOf(e).key,
        primary: e.target.host === primaryHost && e.target.port === firstPort,
        trace: this.#trace(e.caller, e.target),
      });
    }
    this.#calls.set(service.name, calls);
    return calls;
  }

  /** The picture's arrows for a service: each consumer's call to its first name and port. */
  routed(service: Service): RoutedCall[] {
    const routed: RoutedCall[] = [];
    for (const c of this.calls(service)) {
      if (!c.primary || c.expectation.kind !== "consumer call") continue;
      const { caller, target, mode } = c.expectation;
      // A cluster that is down calls nothing.
      if (this.down.has(caller.cluster)) continue;
      routed.push({ service: service.name, host: target.host, caller: caller.cluster, mode, trace: c.trace });
    }
    return routed;
  }

  /** Any call, traced with these clusters down (the picture's selected trace). */
  trace(caller: Caller, target: Target): Trace {
    return this.#trace(caller, target);
  }

  #trace(caller: Caller, target: Target): Trace {
    return this.#tracer.call(caller, target, this.down.size > 0 ? this.down : undefined);
  }

  /** The cells of one service: its primary call per row. */
  cells(service: Service): Map<string, DownCell> {
    const cells = new Map<string, DownCell>();
    for (const c of this.calls(service)) {
      if (!c.primary || cells.has(c.row)) continue;
      const callerDown = this.down.has(c.expectation.caller.cluster);
      cells.set(c.row, callerDown ? { status: "down", text: "its cluster is down" } : cellOf(c));
    }
    return cells;
  }
}

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** Where one call goes: the shares that arrive, per cluster and subset, and the share that fails. */
export function cellOf(call: DownCall): DownCell {
  const arrived = new Map<string, number>();
  let failed = 0;
  for (const p of tracePaths(call.trace)) {
    if (p.end.kind === "failed") {
      failed += p.share;
      continue;
    }
    const key = `${p.end.cluster}${p.end.subset !== undefined ? `/${p.end.subset}` : ""}`;
    arrived.set(key, (arrived.get(key) ?? 0) + p.share);
  }
  const parts = [...arrived].map(([where, share]) => `${where} ${pct(share)}`);
  if (failed > 0) parts.push(`fails ${pct(failed)}`);
  const text = parts.join(", ");
  if (call.expectation.kind === "refused call") {
    return arrived.size === 0 ? { status: "refused", text: "refused" } : { status: "leaks", text };
  }
  return { status: failed === 0 ? "arrives" : arrived.size === 0 ? "fails" : "partial", text };
}

// Judging one expectation of `cw verify` (verify-expectations.ts) by tracing it through the folder:
// the call or probe is traced, and the trace's paths are compared with what the topology says.

import type { Probe, Tracer } from "../trace/trace.js";
import {
  type Caller,
  type Failure,
  type Hop,
  type Target,
  type Trace,
  type TracePath,
  tracePaths,
} from "../trace/types.js";
import type { Expectation, ServiceUnderTest } from "./verify-expectations.js";

export interface Verdict {
  readonly expected: string;
  readonly status: "ok" | "mismatch" | "unenforced";
  /** Why it is a mismatch (or unenforced); empty when ok. */
  readonly problem: string;
  readonly trace: Trace;
}

const SHARE_TOLERANCE = 1e-6;

/** What to trace for an expectation: a call (with clusters down) or a probe. */
export type Retrace =
  | { readonly call: Caller; readonly target: Target; readonly down?: string }
  | { readonly probe: Probe };

export function retraceOf(e: Expectation): Retrace {
  if ("probe" in e) return { probe: e.probe };
  return { call: e.caller, target: e.target, ...(e.kind === "failover" && { down: e.down }) };
}

export function traceAgain(tracer: Tracer, r: Retrace): Trace {
  if ("probe" in r) return tracer.probe(r.probe);
  return tracer.call(r.call, r.target, r.down !== undefined ? new Set([r.down]) : undefined);
}

/** An expectation's call or probe, traced (the same as traceAgain of its retraceOf, without the object). */
export function traceOf(tracer: Tracer, e: Expectation): Trace {
  if ("probe" in e) return tracer.probe(e.probe);
  return tracer.call(e.caller, e.target, e.kind === "failover" ? new Set([e.down]) : undefined);
}

export function judge(tracer: Tracer, e: Expectation): Verdict {
  const trace = traceOf(tracer, e);
  switch (e.kind) {
    case "consumer call": {
      const split = e.of.split;
      // A split decides the shares; a failover order then only ranks each share's endpoints.
      const first = split.length > 0 ? undefined : firstAlive(e.order, e.of.backends, undefined);
      const expected =
        split.length > 0
          ? split
              .map((s) => `${s.cluster}${s.subset !== undefined ? `/${s.subset}` : ""} ${s.weight}%`)
              .join(", ")
          : first !== undefined
            ? `${first}, first in the failover order`
            : `any of ${[...e.of.backends.keys()].join(", ")}`;
      const targets = first !== undefined ? only(e.of.backends, first) : e.of.backends;
      const leaves = e.viaEgress ? e.caller.cluster : undefined;
      const problem = reachProblem(trace, e.of, e.port.targetPort, targets, leaves, first === undefined);
      return verdict(`reaches ${expected}${e.viaEgress ? " via the egress gateway" : ""}`, problem, trace);
    }
    case "local call": {
      const local = new Map([[e.caller.cluster, e.of.backends.get(e.caller.cluster) ?? ""]]);
      const problem = reachProblem(trace, { ...e.of, split: [] }, e.port.targetPort, local, undefined);
      return verdict(`reaches ${e.caller.cluster} locally`, problem, trace);
    }
    case "refused call":
      return refusal(
        trace,
        e.why === "non-consumer" ? "refused" : `refused (caller ${e.why})`,
        e.unenforcedBecause,
      );
    case "gateway probe":
      return refusal(
        trace,
        "refused",
        () => e.unenforcedBecause ?? throughExisting(trace),
        "the gateway lets it through",
      );
    case "egress probe":
      return refusedHere(trace, e.probe.cluster, e.unenforcedBecause);
    case "failover": {
      const remaining = new Map([...e.of.backends].filter(([c]) => c !== e.down));
      const first = firstAlive(e.order, e.of.backends, e.down);
      const targets = first !== undefined ? only(e.of.backends, first) : remaining;
      const problem = reachProblem(
        trace,
        { ...e.of, split: [] },
        e.port.targetPort,
        targets,
        undefined,
        true,
      );
      return verdict(`reaches ${[...targets.keys()].join(" or ")} while ${e.down} is down`, problem, trace);
    }
    case "resilience":
      return verdict("application errors do not eject a backend cluster", ejectionProblem(trace), trace);
  }
}

/** The first cluster of a failover order that runs the service and is not down. */
const firstAlive = (
  order: readonly string[],
  backends: ReadonlyMap<string, string>,
  down: string | undefined,
) => order.find((c) => c !== down && backends.has(c));

const only = (backends: ReadonlyMap<string, string>, cluster: string): ReadonlyMap<string, string> =>
  new Map([...backends].filter(([c]) => c === cluster));

/**
 * A probe that arrives through an AUTO_PASSTHROUGH server of the cluster's existing config (Istio's
 * east-west gateway passes every service it covers to the pods), at pods that accept the prober's
 * trust domain by the cluster's own settings: the exposure is the cluster's design, which cw cannot
 * narrow, so it is reported as unenforced. Accepted only because cw's own settings turn trust-domain
 * validation off, it is a mismatch.
 */
function throughExisting(trace: Trace): string | undefined {
  for (const p of tracePaths(trace)) {
    if (p.end.kind !== "arrived") continue;
    const gw = p.hops.find(
      (h) => h.kind === "gateway" && h.tlsMode === "AUTO_PASSTHROUGH" && h.gateway.existing,
    );
    const arrive = p.hops.find((h) => h.kind === "arrive");
    const td = arrive?.kind === "arrive" ? arrive.peerTrustDomain : undefined;
    if (gw?.kind !== "gateway") continue;
    if (td?.by === "skip-validation" && !td.setting?.existing) return undefined;
    return `existing Gateway ${gw.gateway.namespace}/${gw.gateway.name} passes every service it covers through to the pods, which accept ${td ? `trust domain ${td.domain} (${td.by})` : "their own trust domain"}: only a policy on those pods would refuse it`;
  }
  return undefined;
}

const verdict = (expected: string, problem: string, trace: Trace): Verdict => ({
  expected,
  status: problem === "" ? "ok" : "mismatch",
  problem,
  trace,
});

/**
 * A call that must not arrive, and must not leave the cluster either. Why a refusal would not be
 * enforced may be a function, asked only when the call arrives (a gateway probe's reads the paths).
 */
function refusal(
  trace: Trace,
  expected: string,
  unenforcedBecause?: string | (() => string | undefined),
  arrives = "the call arrives",
): Verdict {
  const { leak, arrived } = endsOf(trace);
  if (leak) {
    return {
      expected,
      status: "mismatch",
      problem: `the name is looked up outside the cluster: ${leak.message}`,
      trace,
    };
  }
  if (!arrived) return { expected, status: "ok", problem: "", trace };
  const because = typeof unenforcedBecause === "function" ? unenforcedBecause() : unenforcedBecause;
  if (because !== undefined) return { expected, status: "unenforced", problem: because, trace };
  return { expected, status: "mismatch", problem: arrives, trace };
}

/**
 * What a refusal reads of how the trace's paths end: the first (in tracePaths' order) whose name
 * leaves the cluster, and whether any arrives. Nearly every check of a large federation is a
 * refusal, so its paths' hops are not copied out.
 */
function endsOf(
  trace: Trace,
  into: { leak?: Failure; arrived: boolean } = { arrived: false },
): { leak?: Failure; arrived: boolean } {
  const end = trace.end;
  if (end.kind === "fork") for (const b of end.branches) endsOf(b.trace, into);
  else if (end.kind === "arrived") into.arrived = true;
  else if (end.reason === "name-leaves-cluster") into.leak ??= end;
  return into;
}

/** An egress probe: refused, and by the cluster itself (its egress gateway), not further on. */
function refusedHere(trace: Trace, cluster: string, unenforcedBecause?: string): Verdict {
  const v = refusal(
    trace,
    "refused at its own egress gateway",
    unenforcedBecause,
    "the egress gateway lets it through",
  );
  const elsewhere = tracePaths(trace).find((p) => p.end.kind === "failed" && p.end.cluster !== cluster);
  if (v.status !== "ok" || elsewhere?.end.kind !== "failed") return v;
  return {
    ...v,
    status: unenforcedBecause !== undefined ? "unenforced" : "mismatch",
    problem:
      unenforcedBecause ??
      `the egress gateway lets it through: it is refused only in cluster ${elsewhere.end.cluster} (${elsewhere.end.reason}: ${elsewhere.end.message})`,
  };
}

/** Empty when every path arrives where expected (and in the expected shares); else what is wrong. */
function reachProblem(
  trace: Trace,
  of: ServiceUnderTest,
  targetPort: number,
  backends: ReadonlyMap<string, string>,
  /** The caller's cluster, when calls that leave it must pass its egress gateway. */
  egressOf: string | undefined,
  anyShares = false,
): string {
  const paths = tracePaths(trace);
  const problems: string[] = [];
  const shares = new Map<string, number>();
  for (const p of paths) {
    const wrong = pathProblem(p, backends, targetPort, egressOf);
    if (wrong) {
      problems.push(wrong);
      continue;
    }
    if (p.end.kind !== "arrived") continue;
    const key =
      of.split.length > 0
        ? `${p.end.cluster}${p.end.subset !== undefined ? `/${p.end.subset}` : ""}`
        : p.end.cluster;
    shares.set(key, (shares.get(key) ?? 0) + p.share);
  }
  if (problems.length > 0) return problems.join("; ");
  if (of.split.length > 0) return splitProblems(of, shares).join("; ");
  if (anyShares) return "";
  const missing = [...backends.keys()].filter((c) => !shares.has(c));
  return missing.map((c) => `backend cluster ${c} is never reached`).join("; ");
}

function pathProblem(
  p: TracePath,
  backends: ReadonlyMap<string, string>,
  targetPort: number,
  egressOf: string | undefined,
): string | undefined {
  if (p.end.kind === "failed")
    return `${pct(p.share)} fails: ${p.end.reason} in ${p.end.cluster}: ${p.end.message}`;
  const host = backends.get(p.end.cluster);
  if (host === undefined || p.end.service !== host || p.end.port !== targetPort) {
    return `${pct(p.share)} arrives at ${p.end.service}:${p.end.port} in ${p.end.cluster}, not a backend on port ${targetPort}`;
  }
  // A split's local shares stay in the cluster; whatever leaves it passes its egress gateway.
  const leaves = egressOf !== undefined && p.end.cluster !== egressOf;
  if (leaves && !p.hops.some((h) => h.kind === "gateway" && h.proxy.role === "egress-gateway")) {
    return `${pct(p.share)} does not pass the egress gateway`;
  }
  return undefined;
}

function splitProblems(of: ServiceUnderTest, shares: ReadonlyMap<string, number>): string[] {
  const total = of.split.reduce((n, s) => n + s.weight, 0);
  const want = new Map<string, number>();
  for (const s of of.split) {
    const key = `${s.cluster}${s.subset !== undefined ? `/${s.subset}` : ""}`;
    want.set(key, (want.get(key) ?? 0) + s.weight / total);
  }
  const problems: string[] = [];
  for (const key of new Set([...want.keys(), ...shares.keys()])) {
    const w = want.get(key) ?? 0;
    const got = shares.get(key) ?? 0;
    if (Math.abs(w - got) > SHARE_TOLERANCE) problems.push(`${key} gets ${pct(got)}, declared ${pct(w)}`);
  }
  return problems;
}

/** Empty unless some hop balancing over gateways would eject one for its application's 5xx answers. */
function ejectionProblem(trace: Trace): string {
  const problems = new Set<string>();
  for (const p of tracePaths(trace)) {
    if (p.end.kind === "failed") problems.add(`${pct(p.share)} fails: ${p.end.reason}: ${p.end.message}`);
    for (const h of p.hops) {
      const text = ejectsOnApplicationErrors(h);
      if (text) problems.add(text);
    }
  }
  return [...problems].join("; ");
}

function ejectsOnApplicationErrors(h: Hop): string | undefined {
  if (h.kind !== "cluster" || !h.outlier || h.endpoints < 2) return undefined;
  const { consecutive5xx } = h.outlier;
  if (consecutive5xx.value === 0) return undefined;
  return `${h.proxy.cluster}'s ${h.proxy.role} ejects a gateway of ${h.host}:${h.port} after ${consecutive5xx.value} application errors (HTTP 5xx) in a row from the service behind it (${consecutive5xx.why})`;
}

export const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

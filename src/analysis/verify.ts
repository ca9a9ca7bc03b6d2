// `cw verify`: proves that a folder of per-cluster Istio configuration routes every call the topology
// allows, where the topology says, and no other. Expectations come from the topology alone
// (verify-expectations.ts); the trace interpreter (src/trace) decides what the YAML does, and
// verify-judge.ts compares the two. A refusal the topology itself says cannot be enforced (a
// non-consumer sharing a consumer's trust domain, CW1019; a gateway on Istio before 1.5, CW1022;
// narrowed consumers of a cluster whose egress gateway has no DENY policies, CW1031) is "unenforced",
// not a mismatch: cw warned about it when it generated the folder.

import { inShareOrder, type ShareHelpers } from "../shares.js";
import type { Topology } from "../topology/model.js";
import type { ClusterConfig } from "../trace/config.js";
import { createTracer, type Tracer } from "../trace/trace.js";
import type { Trace } from "../trace/types.js";
import { assumptionsOf } from "./assumptions.js";
import { meshFactsFromTopology } from "./mesh-facts.js";
import { conflictsOf } from "./verify-conflicts.js";
import { egressProbes } from "./verify-egress-probes.js";
import { type Expectation, type ExpectationKind, serviceExpectations } from "./verify-expectations.js";
import { judge, type Retrace, retraceOf, traceAgain, type Verdict } from "./verify-judge.js";
import { CheckTally, type VerifySummary } from "./verify-summary.js";

export { CHECK_KINDS, formatSummary, formatVerify } from "./verify-format.js";
export { summarizeChecks, type VerifySummary } from "./verify-summary.js";

export interface VerifyInput {
  readonly topology: Topology;
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  /** The clusters' existing config is part of `clusters` (--existing). */
  readonly withExisting?: boolean;
}

export type CheckKind = ExpectationKind | "conflict";

export interface Check {
  readonly kind: CheckKind;
  /** Who calls what, e.g. "a/default/default -> reviews.global:9080". */
  readonly call: string;
  readonly expected: string;
  readonly status: "ok" | "mismatch" | "unenforced";
  /** Why it is a mismatch (or unenforced); empty when ok. */
  readonly problem: string;
  readonly trace: Trace;
}

export interface VerifyResult {
  readonly checks: readonly Check[];
  readonly ok: boolean;
  /** What the proof takes for granted, in words (assumptions.ts). */
  readonly assumptions: readonly string[];
}

/** Every check, each one kept: what `--format json|yaml` prints, and what the UI and tests read. */
export function verify(input: VerifyInput): VerifyResult {
  const checks = [...allChecks(input)];
  return {
    checks,
    ok: checks.every((c) => c.status !== "mismatch"),
    assumptions: assumptionsOf(input.topology, input.withExisting === true),
  };
}

/**
 * The same checks, counted as they are made; only those that do not hold are kept (verify-summary.ts).
 * With helpers (other threads, each verifying the same input with a tracer of its own), the shares of
 * the work are spread over the threads and their summaries merged in share order: the same summary.
 */
export function verifySummary(input: VerifyInput, helpers?: VerifyHelpers): VerifySummary {
  const assumptions = assumptionsOf(input.topology, input.withExisting === true);
  const tracer = verifyTracer(input);
  if (!helpers) {
    const tally = new CheckTally();
    for (let share = 0; share < shareCount(input.topology); share++) tallyShare(input, tracer, share, tally);
    return tally.summary(assumptions);
  }
  const settle = (share: number, theirs?: ShareSummary) => theirs ?? summarizeShare(input, tracer, share);
  const differs = (share: number, theirs: ShareSummary) =>
    theirs.key === shareKey(input.topology, share)
      ? undefined
      : `the helper's topology differs at share ${share}`;
  const tally = new CheckTally();
  for (const part of inShareOrder(shareCount(input.topology), helpers, settle, differs))
    tally.merge(part.summary);
  return tally.summary(assumptions);
}

/**
 * Other threads that verify some shares of the work (cli/verify-helpers.ts). They and verifySummary
 * take shares from one queue (shares.ts), so that neither waits while the other has much left.
 */
export type VerifyHelpers = ShareHelpers<ShareSummary>;

/** One share's summary, with the key (shareKey) by which verifySummary checks it is of the same input. */
export interface ShareSummary {
  readonly key: string;
  readonly summary: VerifySummary;
}

/**
 * How many services a share of the work holds: at most MAX_SHARE_SERVICES (a second or so of checks
 * at 500 clusters), and fewer in a small federation, so that it still has SHARES shares to spread.
 */
const MAX_SHARE_SERVICES = 50;
const SHARES = 16;
const shareSize = (topology: Topology): number =>
  Math.max(1, Math.min(MAX_SHARE_SERVICES, Math.ceil(topology.services.length / SHARES)));

/** The shares of the work: the services, a share size at a time, then the egress probes and conflicts. */
export const shareCount = (topology: Topology): number =>
  Math.ceil(topology.services.length / shareSize(topology)) + 1;

/** What a share is of, in words a helper's share is checked by: its first and last services. */
const shareKey = (topology: Topology, share: number): string => {
  const size = shareSize(topology);
  const of = topology.services.slice(share * size, (share + 1) * size);
  return `${share}:${of[0]?.name ?? ""}..${of[of.length - 1]?.name ?? ""}`;
};

/** One share's checks, summarized, with its key (what a helper sends; verifySummary merges them). */
export function summarizeShare(input: VerifyInput, tracer: Tracer, share: number): ShareSummary {
  const tally = new CheckTally();
  tallyShare(input, tracer, share, tally);
  return { key: shareKey(input.topology, share), summary: tally.summary([]) };
}

/**
 * One share's checks, counted: a check that holds is counted and nothing of it is made (most checks
 * of a large federation hold, and making each one's object cost more than tracing a probe).
 */
function tallyShare(input: VerifyInput, tracer: Tracer, share: number, tally: CheckTally): void {
  for (const e of shareExpectations(input.topology, share)) {
    const v = judge(tracer, e);
    if (v.status === "ok") tally.held(e.kind);
    else tally.add(notHeldCheck(e, v));
  }
  if (share === shareCount(input.topology) - 1) for (const c of conflictChecks(input, tracer)) tally.add(c);
}

/** The tracer every check of a run reads. */
export const verifyTracer = (input: VerifyInput): Tracer =>
  createTracer({ clusters: input.clusters, mesh: meshFactsFromTopology(input.topology) });

/** Every expectation judged, then every conflict with the clusters' existing config, one at a time. */
function* allChecks(input: VerifyInput): Generator<Check> {
  const tracer = verifyTracer(input);
  const total = shareCount(input.topology);
  for (let share = 0; share < total; share++) yield* shareChecks(input, tracer, share);
}

/** The checks of one share: its services' expectations, or (the last) egress probes and conflicts. */
function* shareChecks(input: VerifyInput, tracer: Tracer, share: number): Generator<Check> {
  for (const e of shareExpectations(input.topology, share)) yield checkExpectation(tracer, e);
  if (share === shareCount(input.topology) - 1) yield* conflictChecks(input, tracer);
}

/** The expectations of one share: its services', or (the last share) the egress gateways' probes. */
function* shareExpectations(topology: Topology, share: number): Generator<Expectation> {
  const size = shareSize(topology);
  if (share === shareCount(topology) - 1) {
    yield* egressProbes(topology);
    return;
  }
  for (const service of topology.services.slice(share * size, (share + 1) * size))
    yield* serviceExpectations(topology, service);
}

/** A mismatch per conflict with the clusters' existing config (--existing). */
function* conflictChecks(input: VerifyInput, tracer: Tracer): Generator<Check> {
  for (const c of conflictsOf(tracer, input.topology)) {
    const trace: Trace = {
      hops: [],
      end: { kind: "failed", reason: "config-conflict", cluster: c.cluster, message: c.problem },
    };
    yield {
      kind: "conflict",
      call: `${c.cluster}: ${c.what}`,
      expected: "no conflict with the cluster's existing config",
      status: "mismatch",
      problem: c.problem,
      trace,
    };
  }
}

/** One expectation judged: the check verify reports (cw ui judges a page of them at a time). */
export function checkExpectation(tracer: Tracer, e: Expectation): Check {
  const v = judge(tracer, e);
  if (v.status !== "ok") return notHeldCheck(e, v);
  const fields = { kind: e.kind, call: e.text, expected: v.expected, status: v.status, problem: v.problem };
  return new HeldCheck(fields, tracer, retraceOf(e));
}

/** A check that does not hold, with its trace (it is shown). */
const notHeldCheck = (e: Expectation, v: Verdict): Check => ({
  kind: e.kind,
  call: e.text,
  expected: v.expected,
  status: v.status,
  problem: v.problem,
  trace: v.trace,
});

/**
 * A check that holds does not keep its trace: the trace is computed again, the same (tracing is
 * pure), when it is first read. A large federation has millions of checks, and keeping every trace
 * alive cost more in memory and garbage collection than tracing again the few that are read. Checks
 * that do not hold keep theirs, since they are shown. (A getter on a class keeps instances small.)
 */
class HeldCheck implements Check {
  readonly kind: CheckKind;
  readonly call: string;
  readonly expected: string;
  readonly status: Check["status"];
  readonly problem: string;
  #tracer: Tracer | undefined;
  #retrace: Retrace | undefined;
  #trace: Trace | undefined;

  constructor(fields: Omit<Check, "trace">, tracer: Tracer, retrace: Retrace) {
    this.kind = fields.kind;
    this.call = fields.call;
    this.expected = fields.expected;
    this.status = fields.status;
    this.problem = fields.problem;
    this.#tracer = tracer;
    this.#retrace = retrace;
  }

  get trace(): Trace {
    if (this.#trace === undefined && this.#tracer && this.#retrace) {
      this.#trace = traceAgain(this.#tracer, this.#retrace);
      this.#tracer = undefined;
      this.#retrace = undefined;
    }
    return this.#trace as Trace;
  }

  /** The same JSON as a check with its trace. */
  toJSON(): Check {
    const { kind, call, expected, status, problem, trace } = this;
    return { kind, call, expected, status, problem, trace };
  }
}

// `cw verify`: proves that a folder of per-cluster Istio configuration routes every call the topology
// allows, where the topology says, and no other. Expectations come from the topology alone
// (verify-expectations.ts); the trace interpreter (src/trace) decides what the YAML does, and
// verify-judge.ts compares the two. A refusal the topology itself says cannot be enforced (a
// non-consumer sharing a consumer's trust domain, CW1019; a gateway on Istio before 1.5, CW1022;
// narrowed consumers of a cluster whose egress gateway has no DENY policies, CW1031) is "unenforced",
// not a mismatch: cw warned about it when it generated the folder.

import type { Topology } from "../topology/model.js";
import type { ClusterConfig } from "../trace/config.js";
import { createTracer, type TraceInput, type Tracer } from "../trace/trace.js";
import type { Trace } from "../trace/types.js";
import { assumptionsOf } from "./assumptions.js";
import { meshFactsFromTopology } from "./mesh-facts.js";
import { conflictsOf } from "./verify-conflicts.js";
import { type Expectation, type ExpectationKind, expectations } from "./verify-expectations.js";
import { judge, type Retrace, retraceOf, traceAgain } from "./verify-judge.js";
import { summarizeChecks, type VerifySummary } from "./verify-summary.js";

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

/** The same checks, counted as they are made; only those that do not hold are kept (verify-summary.ts). */
export function verifySummary(input: VerifyInput): VerifySummary {
  return summarizeChecks(allChecks(input), assumptionsOf(input.topology, input.withExisting === true));
}

/** Every expectation judged, then every conflict with the clusters' existing config, one at a time. */
function* allChecks(input: VerifyInput): Generator<Check> {
  const traceInput: TraceInput = { clusters: input.clusters, mesh: meshFactsFromTopology(input.topology) };
  const tracer = createTracer(traceInput);
  for (const e of expectations(input.topology)) yield checkExpectation(tracer, e);
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
  const fields = { kind: e.kind, call: e.text, expected: v.expected, status: v.status, problem: v.problem };
  return v.status === "ok" ? new HeldCheck(fields, tracer, retraceOf(e)) : { ...fields, trace: v.trace };
}

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

// `cw verify`: proves that a folder of per-cluster Istio configuration routes every call the topology
// allows, where the topology says, and no other. Expectations come from the topology alone (never
// from cw's plan or generators); the trace interpreter (src/trace) decides what the YAML does.
//   consumer calls  every consumer cluster, every host (name and aliases) and port: arrives at a
//                   backend cluster's Kubernetes Service on its targetPort; with a split, in the
//                   declared shares per (cluster, subset); in egress mode, through the egress gateway.
//   local calls     every backend cluster calling its own service by a global name: arrives locally.
//   refused calls   every other cluster (and, when consumers are narrowed to namespaces, callers in
//                   another namespace): the call fails somewhere.
//   gateway probes  a caller that skips its own configuration and connects straight to a backend
//                   cluster's ingress gateway, with every name the service might be asked for, as each
//                   non-consumer cluster's identity, an outsider's, and no identity at all: refused.
// A probe that gets through where the topology itself says it cannot be stopped (a non-consumer sharing
// a consumer's trust domain, CW1019; a gateway on Istio before 1.5, CW1022) is "unenforced", not a
// mismatch: cw warned about it when it generated the folder.

import type { Cluster, Service, Topology } from "../topology/model.js";
import type { ClusterConfig } from "../trace/config.js";
import { formatTrace } from "../trace/format.js";
import { principalOf } from "../trace/mesh.js";
import { outboundSni } from "../trace/sni.js";
import { type Probe, type TraceInput, traceCall, traceProbe } from "../trace/trace.js";
import { type Caller, type Target, type Trace, tracePaths } from "../trace/types.js";
import { meshFactsFromTopology } from "./mesh-facts.js";

export interface VerifyInput {
  readonly topology: Topology;
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
}

export type CheckKind = "consumer call" | "local call" | "refused call" | "gateway probe";
export const CHECK_KINDS: readonly CheckKind[] = [
  "consumer call",
  "local call",
  "refused call",
  "gateway probe",
];

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
}

type Loose = Readonly<Record<string, unknown>>;
const loose = (x: unknown): Loose => (typeof x === "object" && x !== null ? (x as Loose) : {});
const strings = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((v): v is string => typeof v === "string") : [];

/** An identity no cluster of any federation has: the gateways must refuse it everywhere. */
export const OUTSIDER_TRUST_DOMAIN = "outsider.cw-verify.invalid";
const CALLER_NAMESPACE = "default";
const CALLER_SA = "default";
const SHARE_TOLERANCE = 1e-6;

interface Split {
  readonly cluster: string;
  readonly subset?: string;
  readonly weight: number;
}

const modeOf = (topology: Topology, caller: Cluster, service: Service): string => {
  const sm = loose(loose(service).mode).value;
  if (typeof sm === "string") return sm;
  const cm = loose(caller).mode;
  if (typeof cm === "string") return cm;
  const tm = loose(topology).mode;
  return typeof tm === "string" ? tm : "gateway";
};

const splitOf = (service: Service): Split[] =>
  (Array.isArray(loose(service).split) ? (loose(service).split as unknown[]) : []).flatMap((x) => {
    const s = loose(x);
    if (typeof s.cluster !== "string" || typeof s.weight !== "number") return [];
    return [
      { cluster: s.cluster, weight: s.weight, ...(typeof s.subset === "string" && { subset: s.subset }) },
    ];
  });

const minorOf = (version: string): number => Number(version.split(".")[1] ?? "0");

export function verify(input: VerifyInput): VerifyResult {
  const { topology } = input;
  const mesh = meshFactsFromTopology(topology);
  const traceInput = { clusters: input.clusters, mesh };
  const checks: Check[] = [];
  const clusters = topology.clusters;
  const byName = new Map(clusters.map((c) => [c.name, c]));

  for (const service of topology.services) {
    const hosts = [service.name, ...service.aliases.map((a) => a.name)].map((n) => `${n}.${topology.suffix}`);
    const backends = new Map(service.backends.map((b) => [b.cluster, b]));
    const consumerEntries = service.consumers.flatMap((c) =>
      c.cluster === "*"
        ? clusters.map((k) => ({ cluster: k.name, raw: loose(c) }))
        : [{ cluster: c.cluster, raw: loose(c) }],
    );
    const consumers = new Map(consumerEntries.map((e) => [e.cluster, e.raw]));
    const split = splitOf(service);

    // Every caller calls the same targets; each is written out once ("host:port"), shared by the checks.
    const targets = hosts.flatMap((host) =>
      service.ports.map((port) => ({
        port,
        target: { host, port: port.port },
        text: `${host}:${port.port}`,
      })),
    );
    for (const caller of clusters) {
      const consumer = consumers.get(caller.name);
      const isBackend = backends.has(caller.name);
      const narrowedNs = consumer ? strings(consumer.namespaces) : [];
      const narrowedSa = consumer ? strings(consumer.serviceAccounts) : [];
      const ns = narrowedNs[0] ?? CALLER_NAMESPACE;
      const sa = narrowedSa[0] ?? CALLER_SA;
      const who = { cluster: caller.name, namespace: ns, serviceAccount: sa };
      const whoText = `${caller.name}/${ns}/${sa} -> `;
      for (const { port, target, text } of targets) {
        const call = { caller: who, target };
        if (consumer && (!isBackend || split.length > 0)) {
          const mode = modeOf(topology, caller, service);
          const trace = traceCall(traceInput, who, target);
          const expected =
            split.length > 0
              ? split
                  .map((s) => `${s.cluster}${s.subset !== undefined ? `/${s.subset}` : ""} ${s.weight}%`)
                  .join(", ")
              : `any of ${[...backends.keys()].join(", ")}`;
          const problem = reachProblem(trace, service, port.targetPort, backends, split, mode);
          checks.push(
            check(
              "consumer call",
              whoText + text,
              `reaches ${expected}${mode === "egress" ? " via the egress gateway" : ""}`,
              problem,
              trace,
              { input: traceInput, call },
            ),
          );
          // A backend cluster's own callers reach the local pods whatever the consumer list says.
          if (!isBackend && (narrowedNs.length > 0 || narrowedSa.length > 0)) {
            const otherNs = narrowedNs.length > 0 ? "cw-verify-other" : ns;
            const otherSa = narrowedSa.length > 0 ? "cw-verify-other" : sa;
            const other = { cluster: caller.name, namespace: otherNs, serviceAccount: otherSa };
            const t = traceCall(traceInput, other, target);
            const arrived = tracePaths(t).some((p) => p.end.kind === "arrived");
            const fields: Omit<Check, "trace"> = {
              kind: "refused call",
              call: `${caller.name}/${otherNs}/${otherSa} -> ${text}`,
              expected: "refused (caller outside the consumer's namespaces or service accounts)",
              status: !arrived ? "ok" : mode === "egress" ? "unenforced" : "mismatch",
              problem: !arrived
                ? ""
                : mode === "egress"
                  ? "in egress mode the remote gateway sees the egress gateway's identity, not the caller's"
                  : "the call arrives",
            };
            checks.push(withTrace(fields, t, { input: traceInput, call: { caller: other, target } }));
          }
        } else if (isBackend) {
          const trace = traceCall(traceInput, who, target);
          const local = new Map([[caller.name, backends.get(caller.name)]]);
          const problem = reachProblem(
            trace,
            service,
            port.targetPort,
            local as typeof backends,
            [],
            "local",
          );
          checks.push(
            check("local call", whoText + text, `reaches ${caller.name} locally`, problem, trace, {
              input: traceInput,
              call,
            }),
          );
        } else {
          const trace = traceCall(traceInput, who, target);
          const arrived = tracePaths(trace).filter((p) => p.end.kind === "arrived");
          checks.push(
            check(
              "refused call",
              whoText + text,
              "refused",
              arrived.length > 0 ? "the call arrives" : "",
              trace,
              { input: traceInput, call },
            ),
          );
        }
      }
    }

    // Gateway probes: every name the service could be asked for at each backend's gateway.
    // Consumers that call through a gateway: those without a local backend, or all of them with a split.
    const consumerDomains = new Set(
      [...consumers.keys()]
        .filter((c) => !backends.has(c) || split.length > 0)
        .map((c) => byName.get(c)?.trustDomain),
    );
    const probers = [
      ...clusters
        .filter((c) => !consumers.has(c.name) && !backends.has(c.name))
        .map((c) => ({ label: c.name, td: c.trustDomain as string | undefined })),
      { label: "an outsider", td: OUTSIDER_TRUST_DOMAIN },
      { label: "a caller without a mesh identity", td: undefined },
    ];
    const names = new Set<string>();
    for (const h of hosts) {
      names.add(h);
      for (const p of service.ports) names.add(`p${p.port}.${h}`);
    }
    const passthroughConsumers = [...consumers.keys()].some((c) => {
      const k = byName.get(c);
      return k !== undefined && modeOf(topology, k, service) === "passthrough";
    });
    for (const [clusterName, backend] of backends) {
      const cluster = byName.get(clusterName);
      if (!cluster || cluster.ingress.addresses.length === 0) continue;
      const sniList = [
        ...names,
        ...service.ports.map((p) => outboundSni({ port: p.targetPort, subset: "", host: backend.host })),
      ];
      for (const prober of probers) {
        const principal =
          prober.td !== undefined ? principalOf(prober.td, CALLER_NAMESPACE, CALLER_SA) : undefined;
        const whoText = `${prober.label}${principal ? ` (${principal})` : ""} -> ${clusterName} ingress, SNI `;
        for (const sni of sniList) {
          const probe: Probe =
            principal !== undefined
              ? { cluster: clusterName, sni, principal }
              : { cluster: clusterName, sni };
          const trace = traceProbe(traceInput, probe);
          const arrived = tracePaths(trace).some((p) => p.end.kind === "arrived");
          let status: Check["status"] = arrived ? "mismatch" : "ok";
          let problem = arrived ? "the gateway lets it through" : "";
          if (arrived && prober.td !== undefined && consumerDomains.has(prober.td)) {
            status = "unenforced";
            problem = `${prober.label} shares trust domain ${prober.td} with a consumer (CW1019)`;
          } else if (arrived && prober.td === cluster.trustDomain && passthroughConsumers) {
            // Passthrough mode polices at the pods, which must admit their own cluster's callers.
            status = "unenforced";
            problem = `${prober.label} shares trust domain ${prober.td} with backend cluster ${clusterName}, whose own callers the pods admit (passthrough mode)`;
          } else if (arrived && minorOf(cluster.istioVersion) < 5) {
            status = "unenforced";
            problem = `cluster ${clusterName} runs Istio ${cluster.istioVersion}, which has no DENY policies (CW1022)`;
          }
          const fields: Omit<Check, "trace"> = {
            kind: "gateway probe",
            call: whoText + sni,
            expected: "refused",
            status,
            problem,
          };
          checks.push(withTrace(fields, trace, { input: traceInput, probe }));
        }
      }
    }
  }
  return { checks, ok: checks.every((c) => c.status !== "mismatch") };
}

function check(
  kind: CheckKind,
  call: string,
  expected: string,
  problem: string,
  trace: Trace,
  retrace: Retrace,
): Check {
  return withTrace(
    { kind, call, expected, status: problem === "" ? "ok" : "mismatch", problem },
    trace,
    retrace,
  );
}

/**
 * A check that holds does not keep its trace: the trace is computed again, the same (tracing is
 * pure), when it is first read. A large federation has millions of checks, and keeping every trace
 * alive cost more in memory and garbage collection than tracing again the few that are read. Checks
 * that do not hold keep theirs, since they are shown.
 */
function withTrace(fields: Omit<Check, "trace">, trace: Trace, retrace: Retrace): Check {
  return fields.status === "ok" ? new HeldCheck(fields, retrace) : { ...fields, trace };
}

/** What to trace again: a call or a probe. */
type Retrace = { readonly input: TraceInput } & (
  | { readonly call: { readonly caller: Caller; readonly target: Target } }
  | { readonly probe: Probe }
);

/** A check that holds, with its trace on demand (a getter on the class, so instances stay small). */
class HeldCheck implements Check {
  readonly kind: CheckKind;
  readonly call: string;
  readonly expected: string;
  readonly status: Check["status"];
  readonly problem: string;
  #retrace: Retrace | undefined;
  #trace: Trace | undefined;

  constructor(fields: Omit<Check, "trace">, retrace: Retrace) {
    this.kind = fields.kind;
    this.call = fields.call;
    this.expected = fields.expected;
    this.status = fields.status;
    this.problem = fields.problem;
    this.#retrace = retrace;
  }

  get trace(): Trace {
    if (this.#trace === undefined) {
      const r = this.#retrace;
      if (r)
        this.#trace =
          "probe" in r ? traceProbe(r.input, r.probe) : traceCall(r.input, r.call.caller, r.call.target);
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

/** Empty when every path arrives where expected (and in the expected shares); else what is wrong. */
function reachProblem(
  trace: Trace,
  service: Service,
  targetPort: number,
  backends: ReadonlyMap<string, { readonly host: string } | undefined>,
  split: readonly Split[],
  mode: string,
): string {
  const paths = tracePaths(trace);
  const problems: string[] = [];
  const shares = new Map<string, number>();
  for (const p of paths) {
    if (p.end.kind === "failed") {
      problems.push(`${pct(p.share)} fails: ${p.end.reason} in ${p.end.cluster}: ${p.end.message}`);
      continue;
    }
    const b = backends.get(p.end.cluster);
    if (!b || p.end.service !== b.host || p.end.port !== targetPort) {
      problems.push(
        `${pct(p.share)} arrives at ${p.end.service}:${p.end.port} in ${p.end.cluster}, not a backend of ${service.name} on port ${targetPort}`,
      );
      continue;
    }
    if (mode === "egress" && !p.hops.some((h) => h.kind === "gateway" && h.proxy.role === "egress-gateway")) {
      problems.push(`${pct(p.share)} does not pass the egress gateway`);
    }
    const key =
      split.length > 0
        ? `${p.end.cluster}${p.end.subset !== undefined ? `/${p.end.subset}` : ""}`
        : p.end.cluster;
    shares.set(key, (shares.get(key) ?? 0) + p.share);
  }
  if (problems.length > 0) return problems.join("; ");
  if (split.length > 0) {
    const total = split.reduce((n, s) => n + s.weight, 0);
    const want = new Map<string, number>();
    for (const s of split) {
      const key = `${s.cluster}${s.subset !== undefined ? `/${s.subset}` : ""}`;
      want.set(key, (want.get(key) ?? 0) + s.weight / total);
    }
    for (const key of new Set([...want.keys(), ...shares.keys()])) {
      const w = want.get(key) ?? 0;
      const got = shares.get(key) ?? 0;
      if (Math.abs(w - got) > SHARE_TOLERANCE) problems.push(`${key} gets ${pct(got)}, declared ${pct(w)}`);
    }
  } else {
    const reached = new Set(shares.keys());
    for (const c of backends.keys())
      if (!reached.has(c)) problems.push(`backend cluster ${c} is never reached`);
  }
  return problems.join("; ");
}

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** The summary table, then every mismatch with its trace. */
export function formatVerify(result: VerifyResult, options: { readonly verbose?: boolean } = {}): string {
  const rows = CHECK_KINDS.map((kind) => {
    const of = result.checks.filter((c) => c.kind === kind);
    const n = (s: Check["status"]) => of.filter((c) => c.status === s).length;
    return [kind, String(of.length), String(n("ok")), String(n("mismatch")), String(n("unenforced"))];
  });
  const header = ["check", "total", "ok", "mismatch", "unenforced"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = [line(header), ...rows.map(line)];
  for (const c of result.checks.filter((c) => c.status !== "ok")) {
    if (c.status === "unenforced" && !options.verbose) continue;
    out.push("", `${c.status.toUpperCase()} ${c.kind}: ${c.call}`, `  expected ${c.expected}; ${c.problem}`);
    out.push(formatTrace("  trace:", c.trace).trimEnd());
  }
  const mismatches = result.checks.filter((c) => c.status === "mismatch").length;
  const unenforced = result.checks.filter((c) => c.status === "unenforced").length;
  out.push(
    "",
    mismatches === 0
      ? `verified: ${result.checks.length} checks hold${unenforced > 0 ? ` (${unenforced} unenforced, as cw warned)` : ""}`
      : `${mismatches} of ${result.checks.length} checks do not hold`,
  );
  return `${out.join("\n")}\n`;
}

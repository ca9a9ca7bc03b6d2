// The egress gateway as the point where a private cluster controls what leaves (seed 004). For each
// cluster whose calls leave through its egress gateway, probes that connect to that egress gateway
// directly, with Istio mutual TLS as a workload of the cluster would, skipping their own sidecar's
// configuration (exportTo, Sidecar scope): what the egress gateway itself admits. Each must be refused
// there, in the cluster, not at a remote gateway:
//   - for a service called through it in egress mode whose consumer is narrowed: a caller outside the
//     consumer's namespaces (or service accounts), with every name the service may be asked for;
//   - for such a service with an HTTP port: a consumer whose Host names no service of the federation;
//   - for every service the cluster does not call through it: its names, as a workload of the cluster.
// A passed-through call shows the egress gateway no certificate, so its consumer's narrowing is the
// pods' to check (the gateway probes and refused calls prove it). From the topology alone.

import type { Cluster, Service, Topology } from "../topology/model.js";
import { principalOf } from "../trace/mesh.js";
import { outboundSni } from "../trace/sni.js";
import type { Probe } from "../trace/trace.js";
import {
  CALLER_NAMESPACE,
  CALLER_SA,
  type ConsumerEntry,
  callerMode,
  consumerMap,
  type Expectation,
  minorOf,
  OTHER_CALLER,
  underTest,
  viaEgressOf,
} from "./verify-expectations.js";

export function* egressProbes(topology: Topology): Generator<Expectation> {
  const carriers = egressCarriers(topology);
  if (carriers.size === 0) return;
  // Each service's consumers once, not once per cluster: "*" expands to every cluster.
  const consumers = topology.services.map((s) => consumerMap(topology, s));
  for (const cluster of topology.clusters) {
    if (!carriers.has(cluster.name)) continue;
    for (const [i, s] of topology.services.entries())
      yield* probesAt(topology, cluster, s, consumers[i]?.get(cluster.name));
  }
}

/** One service's egress probes, in every cluster (the UI judges a service at a time). */
export function* egressProbesOf(
  topology: Topology,
  s: Service,
  carriers: ReadonlySet<string>,
): Generator<Expectation> {
  if (carriers.size === 0) return;
  const consumers = consumerMap(topology, s);
  for (const cluster of topology.clusters)
    if (carriers.has(cluster.name)) yield* probesAt(topology, cluster, s, consumers.get(cluster.name));
}

/** The clusters some of whose calls leave through their egress gateway: the ones probed. */
export function egressCarriers(topology: Topology): ReadonlySet<string> {
  const withEgress = topology.clusters.filter((c) => c.egress);
  if (withEgress.length === 0) return new Set();
  const consumers = topology.services.map((s) => consumerMap(topology, s));
  const carries = (cluster: Cluster) =>
    topology.services.some((s, i) => consumers[i]?.has(cluster.name) && leavesThrough(cluster, s));
  return new Set(withEgress.filter(carries).map((c) => c.name));
}

/** A carrying cluster's probes of `s`: its consumer's outsiders, or every name of a service it does not call out. */
function* probesAt(
  topology: Topology,
  cluster: Cluster,
  s: Service,
  consumer: ConsumerEntry | undefined,
): Generator<Expectation> {
  if (consumer && leavesThrough(cluster, s)) {
    if (callerMode(cluster, s) === "egress") yield* consumerProbes(topology, cluster, s, consumer);
  } else yield* otherNameProbes(topology, cluster, s);
}

/** Does a consumer in `cluster` call `s` in another cluster, through its egress gateway? */
function leavesThrough(cluster: Cluster, s: Service): boolean {
  const local = s.backends.some((b) => b.cluster === cluster.name);
  const away = s.split.length > 0 ? s.split.some((sh) => sh.cluster !== cluster.name) : !local;
  return away && s.backends.length > 0 && viaEgressOf(cluster, s);
}

/** Every name the egress gateway might be asked for, for `s`: its hosts, port SNIs, shares' SNIs. */
function namesOf(topology: Topology, s: Service, caller: string): string[] {
  const hosts = [s.name, ...s.aliases.map((a) => a.name)].map((n) => `${n}.${topology.suffix}`);
  const shares = s.split
    .filter((sh) => sh.cluster !== caller)
    .map((sh) => `${sh.cluster}--${sh.subset ?? ""}`);
  const names = new Set<string>(hosts);
  for (const p of s.ports) {
    names.add(`p${p.port}.${hosts[0]}`);
    for (const share of shares) names.add(`p${p.port}.${share.replace(/--$/, "")}.${hosts[0]}`);
    for (const b of s.backends) names.add(outboundSni({ port: p.targetPort, subset: "", host: b.host }));
  }
  return [...names];
}

function probe(
  cluster: Cluster,
  s: Service,
  who: { ns: string; sa: string },
  sni: string,
  extra: { host?: string; unenforcedBecause?: string } = {},
): Expectation {
  const principal = principalOf(cluster.trustDomain, who.ns, who.sa);
  const p: Probe = {
    cluster: cluster.name,
    gateway: "egress",
    principal,
    sni,
    ...(extra.host !== undefined && { host: extra.host }),
  };
  return {
    kind: "egress probe",
    probe: p,
    prober: `${cluster.name}/${who.ns}/${who.sa}`,
    text: `${cluster.name}/${who.ns}/${who.sa} -> ${cluster.name} egress gateway, SNI ${sni}${extra.host !== undefined ? `, Host ${extra.host}` : ""}`,
    of: underTest(s),
    ...(extra.unenforcedBecause !== undefined && { unenforcedBecause: extra.unenforcedBecause }),
  };
}

function* consumerProbes(
  topology: Topology,
  cluster: Cluster,
  s: Service,
  consumer: ConsumerEntry,
): Generator<Expectation> {
  const ns = consumer.namespaces?.[0] ?? CALLER_NAMESPACE;
  const sa = consumer.serviceAccounts?.[0] ?? CALLER_SA;
  const noDeny =
    minorOf(cluster.istioVersion) < 5
      ? `cluster ${cluster.name} runs Istio ${cluster.istioVersion}, which has no DENY policies for its egress gateway (CW1031)`
      : undefined;
  const outsiders = [
    ...((consumer.namespaces?.length ?? 0) > 0 ? [{ ns: OTHER_CALLER, sa }] : []),
    ...((consumer.serviceAccounts?.length ?? 0) > 0 ? [{ ns, sa: OTHER_CALLER }] : []),
  ];
  for (const who of outsiders)
    for (const sni of namesOf(topology, s, cluster.name))
      yield probe(cluster, s, who, sni, noDeny !== undefined ? { unenforcedBecause: noDeny } : {});
  if (s.ports.some((p) => p.protocol === "HTTP" || p.protocol === "HTTP2" || p.protocol === "GRPC")) {
    const host = `${OTHER_CALLER}.${topology.suffix}`;
    yield probe(cluster, s, { ns, sa }, `${s.name}.${topology.suffix}`, { host });
  }
}

function* otherNameProbes(topology: Topology, cluster: Cluster, s: Service): Generator<Expectation> {
  for (const sni of namesOf(topology, s, cluster.name))
    yield probe(cluster, s, { ns: CALLER_NAMESPACE, sa: CALLER_SA }, sni);
}

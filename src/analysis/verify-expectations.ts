// What `cw verify` expects of the folder, from the topology alone (never from cw's plan or
// generators): one expectation per call or probe, produced lazily, since a large federation has
// millions of them.
//   consumer call  every consumer cluster, every host (name and aliases) and port: arrives at a
//                  backend cluster's Kubernetes Service on its targetPort; with a split, in the
//                  declared shares per (cluster, subset); in egress mode, through the egress gateway.
//                  With routeKubernetesName, the same for the service's Kubernetes name, short
//                  (reviews:9080 from its namespace, reviews.default:9080 from others) and full, on
//                  the Kubernetes Service's port, where the consumer runs the service (or everywhere);
//                  and a caller outside a narrowed consumer's namespaces still reaches it locally.
//   local call     every backend cluster calling its own service by a global name: arrives locally.
//   refused call   every other cluster (and, when consumers are narrowed to namespaces or service
//                  accounts, a caller outside them): the call fails somewhere inside the cluster.
//   gateway probe  a caller that skips its own configuration and connects straight to a backend
//                  cluster's ingress gateway, with every name the service might be asked for (its
//                  global names, their port SNIs, and the AUTO_PASSTHROUGH SNI of its pods), as each
//                  non-consumer cluster's identity, an outsider's, and no identity at all: refused.
//   egress probe   a workload of a cluster that calls services through its egress gateway, skipping
//                  its own sidecar's configuration and connecting to the egress gateway directly
//                  (verify-egress-probes.ts): outside a narrowed consumer's namespaces or service
//                  accounts, with a Host that is none of the service's names, or with the names of a
//                  service the cluster does not call through it: refused there, in its own cluster.
//   failover       with several backend clusters and no split, each backend cluster taken down in
//                  turn: a consumer's calls still arrive, at the others (cw trace --down).
//   resilience     the same consumer calls: a backend's application errors (HTTP 500s) do not eject
//                  its cluster's gateway from the caller's load balancing.

import { kubernetesHost } from "../topology/kubernetes-name.js";
import type { Cluster, Port, Service, SplitShare, Topology } from "../topology/model.js";
import type { Mode } from "../topology/schema.js";
import { principalOf } from "../trace/mesh.js";
import { outboundSni } from "../trace/sni.js";
import type { Probe } from "../trace/trace.js";
import type { Caller, Target } from "../trace/types.js";
import { egressProbes } from "./verify-egress-probes.js";

/** An identity no cluster of any federation has: the gateways must refuse it everywhere. */
export const OUTSIDER_TRUST_DOMAIN = "outsider.cw-verify.invalid";
export const CALLER_NAMESPACE = "default";
export const CALLER_SA = "default";
/** The namespace and service account of a caller outside a narrowed consumer. */
export const OTHER_CALLER = "cw-verify-other";

/** The service being called, as every expectation about it needs it. */
export interface ServiceUnderTest {
  readonly service: Service;
  /** Backend clusters and the Kubernetes host each runs it under. */
  readonly backends: ReadonlyMap<string, string>;
  readonly split: readonly SplitShare[];
}

interface Call {
  readonly caller: Caller;
  readonly target: Target;
  /** "a/default/default -> reviews.global:9080". */
  readonly text: string;
  readonly of: ServiceUnderTest;
  readonly port: Port;
}

export type Expectation =
  | (Call & {
      readonly kind: "consumer call";
      readonly mode: Mode;
      /** The call leaves through the caller's egress gateway (egress mode, or passthrough from one). */
      readonly viaEgress: boolean;
      /** The declared failover order, when the caller's Istio can follow it (1.18+, else CW1030). */
      readonly order: readonly string[];
    })
  | (Call & { readonly kind: "local call" })
  | (Call & {
      readonly kind: "refused call";
      readonly why: "non-consumer" | "outside the consumer's namespaces or service accounts";
      /** Set when the topology itself says the refusal cannot be enforced, and why. */
      readonly unenforcedBecause?: string;
    })
  | {
      readonly kind: "gateway probe" | "egress probe";
      readonly probe: Probe;
      /**
       * Who probes: at a backend's ingress gateway, a non-consumer cluster's name, "an outsider", or a
       * caller without identity; at a cluster's own egress gateway, its workload (cluster/ns/sa).
       */
      readonly prober: string;
      readonly text: string;
      readonly of: ServiceUnderTest;
      /** Set when the topology itself says the refusal cannot be enforced, and why. */
      readonly unenforcedBecause?: string;
    }
  | (Call & { readonly kind: "failover"; readonly down: string; readonly order: readonly string[] })
  | (Call & { readonly kind: "resilience" });

export type ExpectationKind = Expectation["kind"];

export interface Prober {
  readonly label: string;
  /** Undefined for a caller without a mesh identity. */
  readonly trustDomain?: string;
}

export const minorOf = (version: string): number => Number(version.split(".")[1] ?? "0");

export const callerMode = (caller: Cluster, service: Service): Mode => service.mode?.value ?? caller.mode;

/** Calls leave through the caller's egress gateway in egress mode, and in passthrough from an egress cluster. */
export const viaEgressOf = (caller: Cluster, service: Service): boolean => {
  const mode = callerMode(caller, service);
  return mode === "egress" || (mode === "passthrough" && caller.mode === "egress");
};

const hostsOf = (topology: Topology, s: Service) =>
  [s.name, ...s.aliases.map((a) => a.name)].map((n) => `${n}.${topology.suffix}`);

/** Every expectation of the topology, service by service, then the egress gateways' probes. */
export function* expectations(topology: Topology): Generator<Expectation> {
  for (const service of topology.services) yield* serviceExpectations(topology, service);
  yield* egressProbes(topology);
}

/** The service under test, as every expectation about it carries it. */
export const underTest = (service: Service): ServiceUnderTest => ({
  service,
  backends: new Map(service.backends.map((b) => [b.cluster, b.host])),
  split: service.split,
});

/** One service's expectations but for the egress gateways' probes (verify-egress-probes.ts). */
export function* serviceExpectations(topology: Topology, service: Service): Generator<Expectation> {
  const of = underTest(service);
  const consumers = consumerMap(topology, service);
  const targets = hostsOf(topology, service).flatMap((host) =>
    service.ports.map((port) => ({ port, target: { host, port: port.port }, text: `${host}:${port.port}` })),
  );
  for (const caller of topology.clusters) {
    const consumer = consumers.get(caller.name);
    const isBackend = of.backends.has(caller.name);
    const ns = consumer?.namespaces?.[0] ?? CALLER_NAMESPACE;
    const sa = consumer?.serviceAccounts?.[0] ?? CALLER_SA;
    const who: Caller = { cluster: caller.name, namespace: ns, serviceAccount: sa };
    const prefix = `${caller.name}/${ns}/${sa} -> `;
    if (!consumer || (isBackend && of.split.length === 0)) {
      // Most calls of a large federation: written out, not spread, since there are millions of them.
      for (const { port, target, text } of targets) {
        yield isBackend
          ? { caller: who, target, text: prefix + text, of, port, kind: "local call" }
          : { caller: who, target, text: prefix + text, of, port, kind: "refused call", why: "non-consumer" };
      }
    } else {
      yield* consumerCalls(topology, of, caller, consumer, who, prefix, targets);
    }
    if (consumer) yield* kubernetesNameCalls(of, caller, consumer, who);
  }
  yield* probes(topology, of, consumers);
}

/** A consumer cluster's calls of the service's global names, and what goes with each. */
function* consumerCalls(
  topology: Topology,
  of: ServiceUnderTest,
  caller: Cluster,
  consumer: ConsumerEntry,
  who: Caller,
  prefix: string,
  targets: readonly { port: Port; target: Target; text: string }[],
): Generator<Expectation> {
  const { service } = of;
  const isBackend = of.backends.has(caller.name);
  const mode = callerMode(caller, service);
  const viaEgress = viaEgressOf(caller, service);
  const order = minorOf(caller.istioVersion) >= 18 ? service.failover.map((f) => f.cluster) : [];
  for (const { port, target, text } of targets) {
    const call = { caller: who, target, text: prefix + text, of, port };
    yield { ...call, kind: "consumer call", mode, viaEgress, order };
    yield* narrowedOut(caller, consumer, isBackend, mode, call, text);
    if (port === service.ports[0] && target.host === `${service.name}.${topology.suffix}`) {
      yield* resilience(of, call, order, gatewayCount(topology, of));
    }
  }
}

/**
 * Calls of the service's Kubernetes name where its consumer's route carries it: the consumer runs the
 * service and its split sends calls away, or (everywhere) the consumer does not run it and its DNS
 * proxy (1.8+) can answer the name cw creates there.
 */
function* kubernetesNameCalls(
  of: ServiceUnderTest,
  caller: Cluster,
  consumer: ConsumerEntry,
  who: Caller,
): Generator<Expectation> {
  const wanted = of.service.routeKubernetesName?.value;
  const isBackend = of.backends.has(caller.name);
  const away = of.split.length > 0 ? of.split.some((s) => s.cluster !== caller.name) : !isBackend;
  if (wanted === undefined || !away) return;
  if (!isBackend && (wanted !== "everywhere" || minorOf(caller.istioVersion) < 8)) return;
  const host = of.backends.get(caller.name) ?? kubernetesHost(of.service);
  const mode = callerMode(caller, of.service);
  const viaEgress = viaEgressOf(caller, of.service);
  const order = minorOf(caller.istioVersion) >= 18 ? of.service.failover.map((f) => f.cluster) : [];
  const callsAs = (c: Caller, kind: "consumer call" | "local call") =>
    kubernetesNames(host, c.namespace).flatMap((name) =>
      of.service.ports.map((port): Expectation => {
        const target = { host: name, port: port.targetPort };
        const text = `${c.cluster}/${c.namespace}/${c.serviceAccount} -> ${name}:${port.targetPort}`;
        const call = { caller: c, target, text, of, port };
        return kind === "consumer call" ? { ...call, kind, mode, viaEgress, order } : { ...call, kind };
      }),
    );
  yield* callsAs(who, "consumer call");
  // Other namespaces of a narrowed consumer that runs the service keep calling it locally.
  if (isBackend && (consumer.namespaces?.length ?? 0) > 0) {
    yield* callsAs(
      { cluster: caller.name, namespace: OTHER_CALLER, serviceAccount: OTHER_CALLER },
      "local call",
    );
  }
}

/** How a caller in `namespace` writes a Service's name: the shortest form that resolves, and in full. */
function kubernetesNames(host: string, namespace: string): string[] {
  const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
  if (!m) return [host];
  return [m[2] === namespace ? (m[1] ?? host) : `${m[1]}.${m[2]}`, host];
}

/** How many gateway addresses a consumer balances over for the service. */
const gatewayCount = (topology: Topology, of: ServiceUnderTest): number =>
  topology.clusters
    .filter((c) => of.backends.has(c.name))
    .reduce((n, c) => n + c.ingress.addresses.length, 0);

export type ConsumerEntry = {
  readonly namespaces?: readonly string[];
  readonly serviceAccounts?: readonly string[];
};

/** Each consumer cluster's entry ("*" expanded; an entry naming the cluster wins). */
export function consumerMap(topology: Topology, service: Service): Map<string, ConsumerEntry> {
  const map = new Map<string, ConsumerEntry>();
  for (const c of service.consumers) {
    const entry = {
      ...(c.namespaces && { namespaces: c.namespaces }),
      ...(c.serviceAccounts && { serviceAccounts: c.serviceAccounts }),
    };
    if (c.cluster === "*") for (const k of topology.clusters) map.set(k.name, entry);
    else map.set(c.cluster, entry);
  }
  return map;
}

/** A caller of a narrowed consumer's cluster that is outside its namespaces or service accounts. */
function* narrowedOut(
  caller: Cluster,
  consumer: ConsumerEntry,
  isBackend: boolean,
  mode: Mode,
  call: Call,
  text: string,
): Generator<Expectation> {
  // A backend cluster's own callers reach the local pods whatever the consumer list says.
  const narrowed = (consumer.namespaces?.length ?? 0) > 0 || (consumer.serviceAccounts?.length ?? 0) > 0;
  if (isBackend || !narrowed) return;
  const ns = (consumer.namespaces?.length ?? 0) > 0 ? OTHER_CALLER : call.caller.namespace;
  const sa = (consumer.serviceAccounts?.length ?? 0) > 0 ? OTHER_CALLER : call.caller.serviceAccount;
  yield {
    ...call,
    caller: { cluster: caller.name, namespace: ns, serviceAccount: sa },
    text: `${caller.name}/${ns}/${sa} -> ${text}`,
    kind: "refused call",
    why: "outside the consumer's namespaces or service accounts",
    // In egress mode the check is the egress gateway's, which needs DENY policies (1.5+, CW1031).
    ...(mode === "egress" &&
      minorOf(caller.istioVersion) < 5 && {
        unenforcedBecause: `in egress mode the remote gateway sees the egress gateway's identity, not the caller's, and cluster ${caller.name}'s Istio ${caller.istioVersion} has no DENY policies for its egress gateway (CW1031)`,
      }),
  };
}

/** Failover and resilience checks for a consumer of a service with several backend clusters. */
function* resilience(
  of: ServiceUnderTest,
  call: Call,
  order: readonly string[],
  gateways: number,
): Generator<Expectation> {
  if (of.split.length > 0) return;
  // Ejection matters wherever the caller balances over two gateways or more.
  if (gateways >= 2) yield { ...call, kind: "resilience" };
  if (of.backends.size < 2) return;
  for (const down of of.backends.keys()) {
    if (down === call.caller.cluster) continue;
    yield { ...call, kind: "failover", down, order, text: `${call.text} with ${down} down` };
  }
}

/** Who probes the gateways of a service's backend clusters: every cluster that is neither a consumer
 * nor a backend, an outsider, and a caller without identity (none when no backend has an address). */
export function probersOf(topology: Topology, service: Service): Prober[] {
  const backends = new Set(service.backends.map((b) => b.cluster));
  const reachable = topology.clusters.some((c) => backends.has(c.name) && c.ingress.addresses.length > 0);
  return reachable ? probersFor(topology, consumerMap(topology, service), backends) : [];
}

function probersFor(
  topology: Topology,
  consumers: ReadonlyMap<string, ConsumerEntry>,
  backends: { has(cluster: string): boolean },
): Prober[] {
  return [
    ...topology.clusters
      .filter((c) => !consumers.has(c.name) && !backends.has(c.name))
      .map((c) => ({ label: c.name, trustDomain: c.trustDomain })),
    { label: "an outsider", trustDomain: OUTSIDER_TRUST_DOMAIN },
    { label: "a caller without a mesh identity" },
  ];
}

function* probes(
  topology: Topology,
  of: ServiceUnderTest,
  consumers: ReadonlyMap<string, ConsumerEntry>,
): Generator<Expectation> {
  // The principal a prober presents, once per prober rather than once per probe.
  const probers = probersFor(topology, consumers, of.backends).map((p) => ({
    ...p,
    principal:
      p.trustDomain !== undefined ? principalOf(p.trustDomain, CALLER_NAMESPACE, CALLER_SA) : undefined,
  }));
  const names = new Set<string>();
  for (const h of hostsOf(topology, of.service)) {
    names.add(h);
    for (const p of of.service.ports) names.add(`p${p.port}.${h}`);
  }
  const byName = new Map(topology.clusters.map((c) => [c.name, c]));
  // Consumers that call through a gateway: those without a local backend, or all of them with a split.
  const consumerDomains = new Set(
    [...consumers.keys()]
      .filter((c) => !of.backends.has(c) || of.split.length > 0)
      .map((c) => byName.get(c)?.trustDomain),
  );
  const passthroughConsumers = [...consumers.keys()].some((c) => {
    const k = byName.get(c);
    return k !== undefined && callerMode(k, of.service) === "passthrough";
  });
  const unenforced = (prober: Prober, backend: Cluster): string | undefined => {
    const td = prober.trustDomain;
    if (td !== undefined && consumerDomains.has(td))
      return `${prober.label} shares trust domain ${td} with a consumer (CW1019)`;
    // Passthrough mode polices at the pods, which must admit their own cluster's callers.
    if (td === backend.trustDomain && passthroughConsumers)
      return `${prober.label} shares trust domain ${td} with backend cluster ${backend.name}, whose own callers the pods admit (passthrough mode)`;
    if (minorOf(backend.istioVersion) < 5)
      return `cluster ${backend.name} runs Istio ${backend.istioVersion}, which has no DENY policies (CW1022)`;
    return undefined;
  };
  for (const [clusterName, host] of of.backends) {
    const backend = byName.get(clusterName);
    if (!backend || backend.ingress.addresses.length === 0) continue;
    const snis = [
      ...names,
      ...of.service.ports.map((p) => outboundSni({ port: p.targetPort, subset: "", host })),
    ];
    for (const prober of probers) {
      const { label, principal } = prober;
      const who = `${label}${principal ? ` (${principal})` : ""} -> ${clusterName} ingress, SNI `;
      const because = unenforced(prober, backend);
      // Most checks of a large federation are these: objects written out whole, never spread.
      for (const sni of snis) {
        const probe: Probe =
          principal !== undefined ? { cluster: clusterName, sni, principal } : { cluster: clusterName, sni };
        yield because !== undefined
          ? { kind: "gateway probe", probe, prober: label, text: who + sni, of, unenforcedBecause: because }
          : { kind: "gateway probe", probe, prober: label, text: who + sni, of };
      }
    }
  }
}

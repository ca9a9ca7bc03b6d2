// What `cw verify` expects of the folder, from the topology alone (never from cw's plan or
// generators): one expectation per call or probe, produced lazily, since a large federation has
// millions of them.
//   consumer call  every consumer cluster, every host (name and aliases) and port: arrives at a
//                  backend cluster's Kubernetes Service on its targetPort; with a split, in the
//                  declared shares per (cluster, subset); in egress mode, through the egress gateway.
//   local call     every backend cluster calling its own service by a global name: arrives locally.
//   refused call   every other cluster (and, when consumers are narrowed to namespaces or service
//                  accounts, a caller outside them): the call fails somewhere inside the cluster.
//   gateway probe  a caller that skips its own configuration and connects straight to a backend
//                  cluster's ingress gateway, with every name the service might be asked for (its
//                  global names, their port SNIs, and the AUTO_PASSTHROUGH SNI of its pods), as each
//                  non-consumer cluster's identity, an outsider's, and no identity at all: refused.
//   failover       with several backend clusters and no split, each backend cluster taken down in
//                  turn: a consumer's calls still arrive, at the others (cw trace --down).
//   resilience     the same consumer calls: a backend's application errors (HTTP 500s) do not eject
//                  its cluster's gateway from the caller's load balancing.

import type { Cluster, Port, Service, SplitShare, Topology } from "../topology/model.js";
import type { Mode } from "../topology/schema.js";
import { principalOf } from "../trace/mesh.js";
import { outboundSni } from "../trace/sni.js";
import type { Probe } from "../trace/trace.js";
import type { Caller, Target } from "../trace/types.js";

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
      readonly kind: "gateway probe";
      readonly probe: Probe;
      /** Who probes: a non-consumer cluster's name, "an outsider", or a caller without identity. */
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

const minorOf = (version: string): number => Number(version.split(".")[1] ?? "0");

export const callerMode = (caller: Cluster, service: Service): Mode => service.mode?.value ?? caller.mode;

const hostsOf = (topology: Topology, s: Service) =>
  [s.name, ...s.aliases.map((a) => a.name)].map((n) => `${n}.${topology.suffix}`);

/** Every expectation of the topology, service by service. */
export function* expectations(topology: Topology): Generator<Expectation> {
  for (const service of topology.services) yield* serviceExpectations(topology, service);
}

function* serviceExpectations(topology: Topology, service: Service): Generator<Expectation> {
  const of: ServiceUnderTest = {
    service,
    backends: new Map(service.backends.map((b) => [b.cluster, b.host])),
    split: service.split,
  };
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
    for (const { port, target, text } of targets) {
      const call = { caller: who, target, text: `${caller.name}/${ns}/${sa} -> ${text}`, of, port };
      if (consumer && (!isBackend || of.split.length > 0)) {
        const mode = callerMode(caller, service);
        const order = minorOf(caller.istioVersion) >= 18 ? service.failover.map((f) => f.cluster) : [];
        yield { ...call, kind: "consumer call", mode, order };
        yield* narrowedOut(caller, consumer, isBackend, mode, call, text);
        if (port === service.ports[0] && target.host === `${service.name}.${topology.suffix}`) {
          yield* resilience(of, call, order, gatewayCount(topology, of));
        }
      } else if (isBackend) {
        yield { ...call, kind: "local call" };
      } else {
        yield { ...call, kind: "refused call", why: "non-consumer" };
      }
    }
  }
  yield* probes(topology, of, consumers);
}

/** How many gateway addresses a consumer balances over for the service. */
const gatewayCount = (topology: Topology, of: ServiceUnderTest): number =>
  topology.clusters
    .filter((c) => of.backends.has(c.name))
    .reduce((n, c) => n + c.ingress.addresses.length, 0);

type ConsumerEntry = {
  readonly namespaces?: readonly string[];
  readonly serviceAccounts?: readonly string[];
};

function consumerMap(topology: Topology, service: Service): Map<string, ConsumerEntry> {
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
    ...(mode === "egress" && {
      unenforcedBecause:
        "in egress mode the remote gateway sees the egress gateway's identity, not the caller's",
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
  const probers = probersFor(topology, consumers, of.backends);
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
      const principal =
        prober.trustDomain !== undefined
          ? principalOf(prober.trustDomain, CALLER_NAMESPACE, CALLER_SA)
          : undefined;
      const who = `${prober.label}${principal ? ` (${principal})` : ""} -> ${clusterName} ingress, SNI `;
      const because = unenforced(prober, backend);
      for (const sni of snis) {
        const probe: Probe = { cluster: clusterName, sni, ...(principal !== undefined && { principal }) };
        yield {
          kind: "gateway probe",
          probe,
          prober: prober.label,
          text: who + sni,
          of,
          ...(because && { unenforcedBecause: because }),
        };
      }
    }
  }
}

// The trace form's host picker: the global names a caller may call, by the topology, and the names it
// may not, each with the reason, so that tracing one shows where it is refused. It reads the topology
// only (as verify's expectations do): a cluster that runs the service calls its own pods; a consumer,
// by name or "*" (a consumer listed by name wins), calls it when its namespace and service account
// are among those the consumer is narrowed to; every other caller is refused.

import type { Consumer, Service, Topology } from "../index.js";

export interface CallerId {
  readonly cluster: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface CallableHost {
  readonly host: string;
  readonly service: string;
  /** The service's ports; the picker fills in the first. */
  readonly ports: readonly number[];
  readonly why: string;
}

export interface Callable {
  readonly allowed: readonly CallableHost[];
  readonly refused: readonly CallableHost[];
}

export function callable(topology: Topology, caller: CallerId): Callable {
  const allowed: CallableHost[] = [];
  const refused: CallableHost[] = [];
  const services = [...topology.services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const s of services) {
    const verdict = verdictOf(s, caller);
    const hosts = [s.name, ...s.aliases.map((a) => a.name)].map((n) => `${n}.${topology.suffix}`);
    const ports = s.ports.map((p) => p.port);
    for (const host of hosts)
      (verdict.ok ? allowed : refused).push({ host, service: s.name, ports, why: verdict.why });
  }
  return { allowed, refused };
}

function verdictOf(s: Service, caller: CallerId): { ok: boolean; why: string } {
  if (s.backends.some((b) => b.cluster === caller.cluster))
    return { ok: true, why: `runs in ${caller.cluster}` };
  const consumer = consumerOf(s, caller.cluster);
  if (!consumer) {
    const names = s.consumers.map((c) => c.cluster);
    return {
      ok: false,
      why:
        names.length === 0
          ? `not exported: private to ${s.backends.map((b) => b.cluster).join(", ")}`
          : `${caller.cluster} is not a consumer (consumers: ${names.join(", ")})`,
    };
  }
  const { namespaces, serviceAccounts } = consumer;
  if (namespaces && namespaces.length > 0 && !namespaces.includes(caller.namespace)) {
    return { ok: false, why: `exported to ${caller.cluster} for namespaces ${namespaces.join(", ")} only` };
  }
  if (serviceAccounts && serviceAccounts.length > 0 && !serviceAccounts.includes(caller.serviceAccount)) {
    return {
      ok: false,
      why: `exported to ${caller.cluster} for service accounts ${serviceAccounts.join(", ")} only`,
    };
  }
  return { ok: true, why: `${caller.cluster} is a consumer` };
}

/** The consumer entry that applies to a cluster: its own, else "*". */
function consumerOf(s: Service, cluster: string): Consumer | undefined {
  return s.consumers.find((c) => c.cluster === cluster) ?? s.consumers.find((c) => c.cluster === "*");
}

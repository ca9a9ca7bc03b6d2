// CW1019: the gateway admits callers by the trust domain in their certificate, so a service whose
// consumers share a trust domain with clusters that are not consumers cannot keep those out.

import { byName } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Cluster, Service } from "../topology/model.js";
import { at } from "../topology/source.js";

export function trustDomainWarnings(
  service: Service,
  backends: readonly Cluster[],
  consumers: readonly Cluster[],
  byTrustDomain: ReadonlyMap<string, readonly Cluster[]>,
  podDomains: readonly string[],
): Diagnostic[] {
  if (consumers.length === 0 || !shareDomains(consumers, byTrustDomain, podDomains)) return [];
  const allowed = new Set([...consumers.map((c) => c.trustDomain), ...podDomains]);
  const consumerNames = new Set(consumers.map((c) => c.name));
  const backendNames = new Set(backends.map((c) => c.name));
  const leaky = [...allowed]
    .flatMap((domain) => byTrustDomain.get(domain) ?? [])
    .filter((c) => !consumerNames.has(c.name) && !backendNames.has(c.name))
    .sort(byName);
  if (leaky.length === 0) return [];
  const domains = [...new Set(leaky.map((c) => c.trustDomain))].sort();
  return [
    diag(
      "CW1019",
      { service: service.name, leaky: leaky.map((c) => c.name), domains, backends: podDomains.length > 0 },
      at(service.origins.name),
    ),
  ];
}

/**
 * Does any domain the gateway admits hold more than one cluster? If not, each holds only the
 * consumer or backend it was taken from, and none leaks: most services are planned without a set.
 */
function shareDomains(
  consumers: readonly Cluster[],
  byTrustDomain: ReadonlyMap<string, readonly Cluster[]>,
  podDomains: readonly string[],
): boolean {
  for (const c of consumers) if ((byTrustDomain.get(c.trustDomain)?.length ?? 0) > 1) return true;
  for (const d of podDomains) if ((byTrustDomain.get(d)?.length ?? 0) > 1) return true;
  return false;
}

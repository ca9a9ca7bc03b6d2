// One cluster's plan: what it runs, exports and calls, which subsets its backends need, and the
// warnings that depend on the cluster's Istio release and on the config it already has.

import ipaddr from "ipaddr.js";
import { byText } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ExistingCluster } from "../existing/model.js";
import type { Cluster, Subset } from "../topology/model.js";
import { at } from "../topology/source.js";
import { type ExistingFacts, existingFacts } from "./existing-facts.js";
import { type Export, exportOf, foreignPassthroughDomains, landing } from "./exports.js";
import { type IstioCapabilities, istioCapabilities } from "./istio-version.js";
import type { ClusterPlan, Route, ServicePlan } from "./plan.js";

export function planCluster(
  cluster: Cluster,
  local: readonly ServicePlan[],
  routes: readonly Route[],
  existing: ExistingCluster | undefined,
): { plan: ClusterPlan; diagnostics: Diagnostic[] } {
  const istio = istioCapabilities(cluster.istioVersion);
  const exports = local.flatMap((s) => exportOf(s, cluster) ?? []);
  const facts = existingFacts(existing, cluster.ingress, cluster.egress);
  const plan: ClusterPlan = {
    cluster,
    istio,
    ingressByIp: cluster.ingress.addresses.every((a) => ipaddr.isValid(a)),
    existing: facts,
    local,
    exports,
    routes,
    subsets: local.flatMap((s) => {
      const subsets = subsetsSelected(s, cluster);
      return subsets.length > 0 ? [{ service: s, subsets }] : [];
    }),
    routeTo: new Map(routes.map((r) => [r.service, r])),
    runs: new Set(local),
  };
  const diagnostics = [
    ...unfollowedFailover(cluster, istio, routes),
    ...unenforcedExports(cluster, istio, exports),
    ...defaultedIdentity(cluster, exports),
    ...trustDomainValidation(cluster, istio, exports),
    ...unknownPassthrough(cluster, facts, exports),
  ];
  return { plan, diagnostics };
}

/**
 * Subsets of a local service selected here: by other clusters' shares landing here, and by local
 * shares of this cluster's own callers.
 */
function subsetsSelected(s: ServicePlan, cluster: Cluster): Subset[] {
  const chosen = new Set<Subset>();
  for (const r of s.routes) {
    for (const subset of landing(r, cluster)) if (subset) chosen.add(subset);
    if (r.caller === cluster)
      for (const sh of r.shares) if (sh.kind === "local" && sh.subset) chosen.add(sh.subset);
  }
  return [...chosen].sort(byText((x) => x.name));
}

/** Exports a cluster's Istio cannot enforce (no DENY policies before 1.5). */
function unenforcedExports(
  cluster: Cluster,
  istio: IstioCapabilities,
  exports: readonly Export[],
): Diagnostic[] {
  if (istio.security || exports.length === 0) return [];
  return [
    diag(
      "CW1022",
      { cluster: cluster.name, version: cluster.istioVersion },
      at(cluster.origins.istioVersion ?? cluster.origin),
    ),
  ];
}

function unfollowedFailover(
  cluster: Cluster,
  istio: IstioCapabilities,
  routes: readonly Route[],
): Diagnostic[] {
  if (istio.failoverPriorityValues) return [];
  return routes
    .filter((r) => r.ordered)
    .map((r) =>
      diag(
        "CW1030",
        { cluster: cluster.name, version: cluster.istioVersion, service: r.service.service.name },
        at(r.service.service.failover[0]?.origin ?? r.service.service.origin),
      ),
    );
}

// Istio's multi-network guide installs an east-west Gateway with an AUTO_PASSTHROUGH server for
// *.local on port 15443. Next to it, cw's own passthrough server for a service on the same port and
// gateway duplicates its filter chains and Envoy rejects the whole listener. With the cluster's
// config under --existing, cw relies on that server instead (ingress-gateway.ts); without it, cw
// cannot know, so it says so where it writes such a server.
function unknownPassthrough(
  cluster: Cluster,
  facts: ExistingFacts,
  exports: readonly Export[],
): Diagnostic[] {
  const hosts = [...new Set(exports.flatMap((e) => (e.passthrough ? [e.service.backendHost] : [])))].sort();
  if (facts.known || hosts.length === 0) return [];
  return [
    diag(
      "CW1043",
      { hosts, port: cluster.ingress.port, cluster: cluster.name },
      at(cluster.origins.ingress === cluster.origin ? cluster.origins.name : cluster.origins.ingress, "key"),
    ),
  ];
}

// Callers pin the ingress gateway's identity (ServiceEntry subjectAltNames) for calls that end at
// the gateway, so a wrong service account fails every handshake. The default is only the name
// istioctl and the IstioOperator give the gateway: say so where a cluster relies on it.
function defaultedIdentity(cluster: Cluster, exports: readonly Export[]): Diagnostic[] {
  if (cluster.origins.ingressServiceAccount || !exports.some((e) => e.terminated)) return [];
  return [
    diag(
      "CW1041",
      { cluster: cluster.name, serviceAccount: cluster.ingress.serviceAccount },
      at(cluster.origins.ingress === cluster.origin ? cluster.origins.name : cluster.origins.ingress, "key"),
    ),
  ];
}

// Passthrough callers of another trust domain need the pods' sidecars to accept it. Where the
// cluster's Istio cannot list extra trust domains (meshConfig.caCertificates[].trustDomains), the only
// way is to turn the check off for every pod (mesh-settings.ts): say plainly what that opens.
function trustDomainValidation(
  cluster: Cluster,
  istio: IstioCapabilities,
  exports: readonly Export[],
): Diagnostic[] {
  const foreign = foreignPassthroughDomains(exports, cluster.trustDomain);
  if (foreign.length === 0 || istio.caCertificateTrustDomains) return [];
  return [
    diag(
      "CW1042",
      { cluster: cluster.name, version: cluster.istioVersion, domains: foreign },
      at(cluster.origins.istioVersion ?? cluster.origins.name),
    ),
  ];
}

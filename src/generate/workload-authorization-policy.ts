// In a cluster that passthrough routes reach: the ingress gateway only forwards the encrypted stream
// (Istio applies no gateway policy to AUTO_PASSTHROUGH chains), so the check happens at the pods. The
// same holds for every service of the cluster that an AUTO_PASSTHROUGH server it already has covers
// (below), whatever mode its callers use.
// The policy refuses any caller whose certificate is neither from this cluster's own trust domain
// (local callers, and calls that the ingress gateway terminated and forwarded) nor one the topology
// allows to call in passthrough mode. It selects the service's pods (the service's selector,
// default app: <name>) in the service's namespace.

import { hostCovers } from "../plan/existing-facts.js";
import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const workloadAuthorizationPolicies: Generator = (ctx) => {
  const security = ctx.cluster.istio.security;
  if (!security) return [];
  const exports = new Map(ctx.cluster.exports.map((e) => [e.service, e]));
  return ctx.cluster.local.flatMap((service) => {
    const arrival = exports.get(service)?.passthrough;
    if (!arrival && !exposedByExisting(ctx.cluster.existing.autoPassthrough, service.backendHost)) return [];
    const s = service.service;
    const allowed = [
      ...new Set([`${ctx.cluster.cluster.trustDomain}/*`, ...(arrival?.principals ?? [])]),
    ].sort();
    return [
      make(ctx, service, {
        apiVersion: security,
        kind: "AuthorizationPolicy",
        name: objectName(s.name, ctx.plan.topology.suffix, "passthrough"),
        namespace: s.namespace,
        spec: {
          selector: { matchLabels: { ...s.selector } },
          action: "DENY",
          rules: [{ from: [{ source: { notPrincipals: allowed } }] }],
        },
      }),
    ];
  });
};

/**
 * An AUTO_PASSTHROUGH server the cluster already has (Istio's east-west Gateway, *.local) lets any
 * caller whose certificate chains to the shared root reach the pods of every service it covers,
 * past the ingress gateway's policy: those pods need the policy too, whether cw's callers use
 * passthrough or not.
 */
const exposedByExisting = (servers: readonly { readonly host: string }[], host: string): boolean =>
  servers.some((s) => hostCovers(s.host, host));

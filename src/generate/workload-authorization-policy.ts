// In a cluster that passthrough routes reach: the ingress gateway only forwards the encrypted stream
// (Istio applies no gateway policy to AUTO_PASSTHROUGH chains), so the check happens at the pods.
// The policy refuses any caller whose certificate is neither from this cluster's own trust domain
// (local callers, and calls that the ingress gateway terminated and forwarded) nor one the topology
// allows to call in passthrough mode. It selects the service's pods (the service's selector,
// default app: <name>) in the service's namespace.

import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const workloadAuthorizationPolicies: Generator = (ctx) => {
  const security = ctx.cluster.istio.security;
  if (!security) return [];
  return ctx.cluster.exports.flatMap((e) => {
    const arrival = e.passthrough;
    if (!arrival) return [];
    const s = e.service.service;
    const allowed = [...new Set([`${ctx.cluster.cluster.trustDomain}/*`, ...arrival.principals])].sort();
    return [
      make(ctx, e.service, {
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

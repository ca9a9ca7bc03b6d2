// In a cluster that exports a service: an AuthorizationPolicy on the ingress gateway that refuses
// connections for the service's SNI names unless the caller's certificate is from a consumer's trust
// domain. It is a DENY policy on purpose: an ALLOW policy on a shared ingress gateway would refuse
// all the gateway's other traffic (Istio denies what no ALLOW policy matches once one exists).
// The SNI list is every name the service's Gateway servers accept, aliases included: a caller may
// send any SNI it likes, and one the servers accept but the policy missed would pass unchecked.
// Principals are written "<trust domain>/*" (two segments), which Istio's trust-domain alias rewriting
// leaves as it is, so a consumer on the default cluster.local is not rewritten to the local domain.
// Clusters older than Istio 1.5 cannot enforce DENY policies; compile warns about them (CW1022).

import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const ingressAuthorizationPolicies: Generator = (ctx) => {
  const security = ctx.cluster.istio.security;
  if (!security) return [];
  const ingress = ctx.cluster.cluster.ingress;
  return ctx.cluster.exported.map((s) => {
    const domains = [...new Set(s.consumers.map((c) => c.trustDomain))].sort();
    return make(ctx, s, {
      apiVersion: security,
      kind: "AuthorizationPolicy",
      name: objectName(s.service.name, ctx.plan.topology.suffix, "ingress"),
      namespace: ingress.namespace,
      spec: {
        selector: { matchLabels: { ...ingress.selector } },
        action: "DENY",
        rules: [
          {
            from: [{ source: { notPrincipals: domains.map((d) => `${d}/*`) } }],
            when: [{ key: "connection.sni", values: [...new Set(s.ports.flatMap((p) => p.serverNames))] }],
          },
        ],
      },
    });
  });
};

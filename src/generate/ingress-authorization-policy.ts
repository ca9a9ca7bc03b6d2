// In a cluster where routes terminate at the ingress gateway: an AuthorizationPolicy on the gateway
// that refuses connections for the service's SNI names unless the caller's certificate is one the
// topology allows (a consumer cluster's trust domain, or the namespaces and service accounts listed
// for it; the egress gateway's identity for callers in egress mode). It lists every name the
// Gateway accepts for the service, aliases and subsets included: a name left out would be a way in.
// It is a DENY policy on purpose: an ALLOW policy on a shared ingress gateway would refuse all the
// gateway's other traffic (Istio denies what no ALLOW policy matches once one exists). Clusters
// before Istio 1.5 have no DENY action; compile.ts warns about them.

import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const ingressAuthorizationPolicies: Generator = (ctx) => {
  const security = ctx.cluster.istio.security;
  if (!security) return [];
  const ingress = ctx.cluster.cluster.ingress;
  return ctx.cluster.exports.flatMap((e) => {
    const arrival = e.terminated;
    if (!arrival) return [];
    return [
      make(ctx, e.service, {
        apiVersion: security,
        kind: "AuthorizationPolicy",
        name: objectName(e.service.service.name, ctx.plan.topology.suffix, "ingress"),
        namespace: ingress.namespace,
        spec: {
          selector: { matchLabels: { ...ingress.selector } },
          action: "DENY",
          rules: [
            {
              from: [{ source: { notPrincipals: [...arrival.principals] } }],
              when: [{ key: "connection.sni", values: [...arrival.names] }],
            },
          ],
        },
      }),
    ];
  });
};

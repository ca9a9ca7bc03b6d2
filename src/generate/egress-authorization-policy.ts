// The egress gateway as the point where a private cluster controls what leaves (seed 004). In a
// cluster that calls a service through its egress gateway, terminated there (egress mode): a DENY
// AuthorizationPolicy on the egress gateway that refuses connections for the service's names unless
// the caller's certificate is one of the consumer's namespaces and service accounts in this cluster.
// The remote gateway sees only the egress gateway's certificate, so this is where the narrower check
// can be made; the remote ingress keeps its check of the calling cluster.
//   - Every SNI the egress Gateway accepts for the service (its servers' hosts: egress-legs.ts).
//   - On the HTTP port, a Host that is not one of the service's names is refused too, whoever calls:
//     a sidecar admitted for one name must not reach another through the first one's server.
//     (hosts is HTTP-only: on a TLS chain Istio drops it from a DENY rule, which then denies more;
//     the rule's SNI condition names only the HTTP server's names, which no TLS chain carries.)
// Every other name is refused by the Gateway itself: it has servers for the names this cluster calls
// through it and no others, and cw verify probes it with the rest. DENY rather than ALLOW for the
// reason ingress-authorization-policy.ts gives: an ALLOW policy would refuse the egress gateway's other
// traffic. A passed-through leg shows the egress gateway no certificate; the pods at the far end check
// the caller there (workload-authorization-policy.ts). Clusters before Istio 1.5 have no DENY action
// (check.ts, CW1031).

import { egressNames } from "../plan/egress-legs.js";
import { callerPrincipals } from "../plan/exports.js";
import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";
import { egressRoutes } from "./egress.js";

export const egressAuthorizationPolicies: Generator = (ctx) => {
  const security = ctx.cluster.istio.security;
  if (!security) return [];
  return egressRoutes(ctx).flatMap(({ route, egress }) => {
    if (route.mode !== "egress") return [];
    const s = route.service;
    const http = s.ports.some((p) => p.crossing === "http");
    const hostRule = {
      to: [{ operation: { notHosts: s.hosts.flatMap((h) => [h, `${h}:*`]) } }],
      when: [{ key: "connection.sni", values: [...s.hosts] }],
    };
    return [
      make(ctx, s, {
        apiVersion: security,
        kind: "AuthorizationPolicy",
        name: objectName(s.service.name, ctx.plan.topology.suffix, "egress"),
        namespace: egress.namespace,
        spec: {
          selector: { matchLabels: { ...egress.selector } },
          action: "DENY",
          rules: [
            {
              from: [{ source: { notPrincipals: [...new Set(callerPrincipals(route))].sort() } }],
              when: [{ key: "connection.sni", values: egressNames(route) }],
            },
            ...(http ? [hostRule] : []),
          ],
        },
      }),
    ];
  });
};

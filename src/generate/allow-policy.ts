// Meshes that deny by default. Once any ALLOW AuthorizationPolicy applies to a workload, Istio refuses
// every request that no ALLOW policy of that workload matches: an allow-nothing policy in the root
// namespace does that to every workload of the mesh, and a policy on the ingress gateway or on the
// called pods to those (ListAuthorizationPolicies in pilot/pkg/model/authorization.go looks in the
// root namespace and the workload's own; the ALLOW action denies what no rule matches). cw's DENY
// policies then let nothing in, so where --existing shows such a policy, cw adds ALLOW policies for
// exactly its consumers, beside the DENY ones:
//   - on the ingress gateway, for the callers the DENY policy admits, on the service's SNI names;
//   - on the called pods: the ingress gateway's own identity (it forwards what it terminated) and the
//     passthrough callers (their mTLS reaches the pods);
//   - on the calling cluster's egress gateway (egress mode): this cluster's callers of the service;
//     for a passed-through leg, its SNI alone.
// Nowhere else: an ALLOW policy on a workload that had none would refuse all its other traffic.

import { egressNames } from "../plan/egress-legs.js";
import { callerPrincipals } from "../plan/exports.js";
import { objectName } from "../plan/names.js";
import type { ServicePlan } from "../plan/plan.js";
import { type GenerateContext, type Generator, make } from "./context.js";
import { egressRoutes, passthroughWildcard } from "./egress.js";
import type { Generated } from "./resource.js";

export const allowPolicies: Generator = (ctx) => {
  const security = ctx.cluster.istio.security;
  if (!security || !ctx.cluster.existing.known) return [];
  return [...ingressAllows(ctx, security), ...podAllows(ctx, security), ...egressAllows(ctx, security)];
};

function policy(
  ctx: GenerateContext,
  service: ServicePlan,
  security: string,
  at: { name: string; namespace: string; selector: Readonly<Record<string, string>> },
  principals: readonly string[] | undefined,
  sni?: readonly string[],
): Generated {
  return make(ctx, service, {
    apiVersion: security,
    kind: "AuthorizationPolicy",
    name: at.name,
    namespace: at.namespace,
    spec: {
      selector: { matchLabels: { ...at.selector } },
      action: "ALLOW",
      rules: [
        {
          ...(principals && { from: [{ source: { principals: [...new Set(principals)].sort() } }] }),
          ...(sni && { when: [{ key: "connection.sni", values: [...sni] }] }),
        },
      ],
    },
  });
}

function ingressAllows(ctx: GenerateContext, security: string): Generated[] {
  if (!ctx.cluster.existing.ingressDenies) return [];
  const { namespace, selector } = ctx.cluster.cluster.ingress;
  const suffix = ctx.plan.topology.suffix;
  return ctx.cluster.exports.flatMap((e) => {
    const arrival = e.terminated;
    if (!arrival) return [];
    const name = objectName(e.service.service.name, suffix, "ingress-allow");
    return [
      policy(ctx, e.service, security, { name, namespace, selector }, arrival.principals, arrival.names),
    ];
  });
}

function podAllows(ctx: GenerateContext, security: string): Generated[] {
  const { cluster, existing } = ctx.cluster;
  const gateway = `${cluster.trustDomain}/ns/${cluster.ingress.namespace}/sa/${cluster.ingress.serviceAccount}`;
  return ctx.cluster.exports.flatMap((e) => {
    const s = e.service.service;
    if (!existing.podsDeny(s.namespace, s.selector)) return [];
    const principals = [...(e.terminated ? [gateway] : []), ...(e.passthrough?.principals ?? [])];
    const name = objectName(s.name, ctx.plan.topology.suffix, "allow");
    return [
      policy(ctx, e.service, security, { name, namespace: s.namespace, selector: s.selector }, principals),
    ];
  });
}

// A passed-through leg shows the egress gateway no certificate, only its SNI: that is all an ALLOW
// rule can name there, and the pods at the far end check the caller (workload-authorization-policy.ts).
function egressAllows(ctx: GenerateContext, security: string): Generated[] {
  if (!ctx.cluster.existing.egressDenies) return [];
  return egressRoutes(ctx).map(({ route, egress }) => {
    const s = route.service;
    const name = objectName(s.service.name, ctx.plan.topology.suffix, "egress-allow");
    const at = { name, namespace: egress.namespace, selector: egress.selector };
    return route.mode === "passthrough"
      ? policy(ctx, s, security, at, undefined, [passthroughWildcard(route)])
      : policy(ctx, s, security, at, callerPrincipals(route), egressNames(route));
  });
}

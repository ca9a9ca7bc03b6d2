// Egress mode (seed 004): a cluster whose workloads may not reach the outside sends its cross-cluster
// calls through its own egress gateway, which alone talks to the remote ingress gateways.
//   sidecar --ISTIO_MUTUAL, SNI per port--> egress gateway --ISTIO_MUTUAL--> remote ingress gateway
// For each service the cluster calls in egress mode, three kinds of object do that here:
//   - a Gateway on the egress gateway that terminates the sidecars' mTLS for the service's names,
//     one server per port like the remote ingress gateway's (HTTPS for the HTTP port, TLS per SNI for
//     the others);
//   - one DestinationRule for the egress gateway's Service with a subset per port of each service,
//     each originating mTLS with that port's SNI (below: why one, and where it lives);
//   - for each non-HTTP port, a VirtualService bound to the egress Gateway sending what arrives on to
//     the global host, whose DestinationRule (destination-rule.ts) adds the mTLS to the remote gateway.
//     The HTTP port's legs are in the mesh VirtualService (mesh-virtual-service.ts).

import { egressGatewayName, egressSubsetName, portSni } from "../plan/names.js";
import type { Route } from "../plan/plan.js";
import { exportTo, type GenerateContext, type Generator, make, makeShared } from "./context.js";
import type { GatewayServer } from "./istio-specs.js";

const egressRoutes = (ctx: GenerateContext): Route[] =>
  ctx.cluster.routes.filter((r) => r.mode === "egress" && r.caller.egress);

export const egressGateways: Generator = (ctx) =>
  egressRoutes(ctx).map((route) => {
    const s = route.service;
    const egress = route.caller.egress;
    if (!egress) throw new Error("internal: egress route without an egress gateway");
    const ns = ctx.plan.topology.namespace;
    const servers = s.ports.map(
      (p): GatewayServer =>
        p.crossing === "http"
          ? {
              port: { number: egress.port, name: `https-${p.port.port}`, protocol: "HTTPS" },
              hosts: s.hosts.map((h) => `${ns}/${h}`),
              tls: { mode: "ISTIO_MUTUAL" },
            }
          : {
              port: { number: egress.port, name: `tls-${p.port.port}`, protocol: "TLS" },
              hosts: [`${ns}/${portSni(p.port.port, s.primaryHost)}`],
              tls: { mode: "ISTIO_MUTUAL" },
            },
    );
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "Gateway",
      name: egressGatewayName(s.service.name, ctx.plan.topology.suffix),
      namespace: egress.namespace,
      spec: { selector: { ...egress.selector }, servers },
    });
  });

// One DestinationRule for the egress gateway's Service, with a subset per port of every service this
// cluster calls in egress mode and the union of their namespaces in exportTo. One per service would
// be several rules for one host: Istio 1.20-1.23 merges them under the first rule's exportTo, and
// 1.24 and later (ENABLE_ENHANCED_DESTINATIONRULE_MERGE) keeps rules with different exportTo apart,
// so that a caller sees only one of them and the other services' subsets are missing
// (mergeDestinationRule in pilot/pkg/model/destination_rule.go, 1.20.0 to 1.30.3).
// It lives in the egress gateway's namespace, the Service's own: a sidecar looks a DestinationRule up
// in its own namespace, then in the Service's, then in the root namespace (destinationRule in
// pilot/pkg/model/push_context.go, 1.30.3), so a rule in cw's namespace would be found only by
// sidecars there, or when that is the root namespace.
export const egressDestinationRules: Generator = (ctx) => {
  const routes = egressRoutes(ctx);
  const egress = ctx.cluster.cluster.egress;
  const first = routes[0];
  if (!first || !egress) return [];
  const scopes = routes.map((r) => exportTo(ctx, r.service));
  const scope = scopes.every((s) => s !== undefined) ? [...new Set(scopes.flat())].sort() : undefined;
  return [
    makeShared(ctx, first.service.service.origin, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "DestinationRule",
      name: EGRESS_DESTINATION_RULE,
      namespace: egress.namespace,
      spec: {
        host: `${egress.service}.${egress.namespace}.svc.cluster.local`,
        subsets: routes.flatMap(({ service: s }) =>
          s.ports.map((p) => ({
            name: egressSubsetName(s.service.name, p.port.port),
            trafficPolicy: {
              tls: {
                mode: "ISTIO_MUTUAL",
                sni: p.crossing === "http" ? s.primaryHost : portSni(p.port.port, s.primaryHost),
              },
            },
          })),
        ),
        ...(scope && { exportTo: scope }),
      },
    }),
  ];
};

/** The one DestinationRule of a cluster's egress gateway Service. */
export const EGRESS_DESTINATION_RULE = "coddiwomple-egress";

export const egressVirtualServices: Generator = (ctx) =>
  egressRoutes(ctx).flatMap((route) => {
    const s = route.service;
    const egress = route.caller.egress;
    if (!egress) throw new Error("internal: egress route without an egress gateway");
    const gateway = `${egress.namespace}/${egressGatewayName(s.service.name, ctx.plan.topology.suffix)}`;
    return s.ports
      .filter((p) => p.crossing === "tcp")
      .map((p) =>
        make(ctx, s, {
          apiVersion: ctx.cluster.istio.networking,
          kind: "VirtualService",
          name: `${egressGatewayName(s.service.name, ctx.plan.topology.suffix)}-${p.port.port}`,
          namespace: ctx.plan.topology.namespace,
          spec: {
            hosts: [portSni(p.port.port, s.primaryHost)],
            gateways: [gateway],
            tcp: [
              {
                match: [{ port: egress.port }],
                route: [{ destination: { host: s.primaryHost, port: { number: p.port.port } } }],
              },
            ],
          },
        }),
      );
  });

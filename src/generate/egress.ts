// Egress mode (seed 004): a cluster whose workloads may not reach other networks directly sends its
// cross-cluster calls through its own egress gateway, which alone talks to the remote ingress gateways.
//   terminated:  sidecar --ISTIO_MUTUAL, SNI per leg--> egress gateway --ISTIO_MUTUAL--> remote gateway
//   passthrough: sidecar --ISTIO_MUTUAL, Istio's SNI, through both gateways--> the service's pods
// For each service the cluster calls through its egress gateway (the legs: plan/egress-legs.ts):
//   - a Gateway on the egress gateway: terminated, one server per leg like the remote ingress
//     gateway's (HTTPS for the HTTP port, TLS per SNI for the others); passed through, one TLS
//     PASSTHROUGH server for *.<backend host>, the only host that covers Istio's SNI;
//   - one DestinationRule for the egress gateway's Service with a subset per leg of each service,
//     each originating mTLS with the leg's SNI (below: why one, and where it lives);
//   - VirtualServices bound to the egress Gateway that send what arrives on: terminated, one per
//     non-HTTP leg, to the global host (and the share's subset), whose DestinationRule
//     (destination-rule.ts) adds the mTLS to the remote gateway; passed through, one tls route for
//     the wildcard to the global host, whose DestinationRule then adds no TLS of its own. The HTTP
//     port's terminated legs are in the mesh VirtualService (mesh-virtual-service.ts).

import { type EgressLeg, egressLegs, viaEgress } from "../plan/egress-legs.js";
import { egressGatewayName } from "../plan/names.js";
import type { Route } from "../plan/plan.js";
import type { EgressGateway } from "../topology/model.js";
import { exportTo, type GenerateContext, type Generator, make, makeShared } from "./context.js";
import type { GatewayServer } from "./istio-specs.js";

/** The routes through this cluster's egress gateway, with the gateway. */
export function egressRoutes(ctx: GenerateContext): { route: Route; egress: EgressGateway }[] {
  // A loop, not a flatMap: four generators ask, and most clusters' routes leave by their sidecars, for
  // which a flatMap would make an empty list each time.
  const found: { route: Route; egress: EgressGateway }[] = [];
  for (const route of ctx.cluster.routes) {
    const egress = route.caller.egress;
    if (viaEgress(route) && egress) found.push({ route, egress });
  }
  return found;
}

/** The one host a passed-through route's egress server and route name: Istio's SNI ends in it. */
export const passthroughWildcard = (route: Route): string => `*.${route.service.backendHost}`;

export const egressGateways: Generator = (ctx) =>
  egressRoutes(ctx).map(({ route, egress }) => {
    const s = route.service;
    const ns = ctx.plan.topology.namespace;
    const servers: GatewayServer[] =
      route.mode === "passthrough"
        ? [
            {
              port: { number: egress.port, name: "tls-passthrough", protocol: "TLS" },
              hosts: [`${ns}/${passthroughWildcard(route)}`],
              tls: { mode: "PASSTHROUGH" },
            },
          ]
        : terminatedServers(route, egress, ns);
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "Gateway",
      name: egressGatewayName(s.service.name, ctx.plan.topology.suffix),
      namespace: egress.namespace,
      spec: { selector: { ...egress.selector }, servers },
    });
  });

/** One HTTPS server per HTTP port (its legs differ only by header), one TLS server per other leg. */
function terminatedServers(route: Route, egress: EgressGateway, ns: string): GatewayServer[] {
  const s = route.service;
  const http = new Set<EgressLeg["port"]>();
  return egressLegs(route).flatMap((leg) => {
    if (leg.port.crossing === "http") {
      if (http.has(leg.port)) return [];
      http.add(leg.port);
      return [
        {
          port: { number: egress.port, name: `https-${leg.port.port.port}`, protocol: "HTTPS" },
          hosts: s.hosts.map((h) => `${ns}/${h}`),
          tls: { mode: "ISTIO_MUTUAL" },
        },
      ];
    }
    return [
      {
        port: { number: egress.port, name: `tls-${legSuffix(leg)}`, protocol: "TLS" },
        hosts: [`${ns}/${leg.sni}`],
        tls: { mode: "ISTIO_MUTUAL" },
      },
    ];
  });
}

/** A leg's port and share, as object and server names carry them: 5432, 5432-b--v3. */
const legSuffix = (leg: EgressLeg): string =>
  [leg.port.port.port, ...(leg.share ? [leg.share.name] : [])].join("-");

// One DestinationRule for the egress gateway's Service, with a subset per leg of every service this
// cluster calls through it and the union of their namespaces in exportTo. One per service would
// be several rules for one host: Istio 1.20-1.23 merges them under the first rule's exportTo, and
// 1.24 and later (ENABLE_ENHANCED_DESTINATIONRULE_MERGE) keeps rules with different exportTo apart,
// so that a caller sees only one of them and the other services' subsets are missing
// (mergeDestinationRule in pilot/pkg/model/destination_rule.go, 1.20.0 to 1.30.3).
// It lives in the egress gateway's namespace, the Service's own: a sidecar looks a DestinationRule up
// in its own namespace, then in the Service's, then in the root namespace (destinationRule in
// pilot/pkg/model/push_context.go, 1.30.3), so a rule in cw's namespace would be found only by
// sidecars there, or when that is the root namespace.
// A passed-through leg's mTLS ends at the pods, not at the egress gateway: it names the pods'
// identities, since without subjectAltNames Istio expects the egress gateway's own
// (buildUpstreamTLSSettings in pilot/pkg/networking/core/cluster_tls.go; check.ts requires the
// service's serviceAccount, CW1047).
export const egressDestinationRules: Generator = (ctx) => {
  const routes = egressRoutes(ctx);
  const egress = ctx.cluster.cluster.egress;
  const first = routes[0];
  if (!first || !egress) return [];
  const scopes = routes.map(({ route }) => exportTo(ctx, route.service));
  const scope = scopes.every((s) => s !== undefined) ? [...new Set(scopes.flat())].sort() : undefined;
  return [
    makeShared(ctx, first.route.service.service.origin, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "DestinationRule",
      name: EGRESS_DESTINATION_RULE,
      namespace: egress.namespace,
      spec: {
        host: `${egress.service}.${egress.namespace}.svc.cluster.local`,
        subsets: routes.flatMap(({ route }) =>
          egressLegs(route).map((leg) => {
            const sans = route.mode === "passthrough" ? podIdentities(route, leg) : [];
            return {
              name: leg.subset,
              trafficPolicy: {
                tls: {
                  mode: "ISTIO_MUTUAL",
                  sni: leg.sni,
                  ...(sans.length > 0 && { subjectAltNames: sans }),
                },
              },
            };
          }),
        ),
        ...(scope && { exportTo: scope }),
      },
    }),
  ];
};

/** The identities of the pods a passed-through leg may reach: the share's cluster, or any remote. */
function podIdentities(route: Route, leg: EgressLeg): string[] {
  const s = route.service.service;
  if (s.serviceAccount === undefined) return [];
  const clusters = leg.share ? route.remotes.filter((c) => c.name === leg.share?.cluster) : route.remotes;
  return [
    ...new Set(clusters.map((c) => `spiffe://${c.trustDomain}/ns/${s.namespace}/sa/${s.serviceAccount}`)),
  ].sort();
}

/** The one DestinationRule of a cluster's egress gateway Service. */
export const EGRESS_DESTINATION_RULE = "coddiwomple-egress";

export const egressVirtualServices: Generator = (ctx) =>
  egressRoutes(ctx).flatMap(({ route, egress }) => {
    const s = route.service;
    const name = egressGatewayName(s.service.name, ctx.plan.topology.suffix);
    const gateway = `${egress.namespace}/${name}`;
    const vs = (suffix: string, spec: Record<string, unknown>) =>
      make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "VirtualService",
        name: `${name}-${suffix}`,
        namespace: ctx.plan.topology.namespace,
        spec: { ...spec, gateways: [gateway] },
      });
    if (route.mode === "passthrough") {
      // Every remote share of a split goes to one cluster (CW1032): any of their subsets selects its
      // gateway's endpoints; the SNI, untouched, tells that gateway the subset.
      const share = egressLegs(route).find((l) => l.share)?.share;
      const host = passthroughWildcard(route);
      const to = {
        host: s.primaryHost,
        port: { number: s.ports[0]?.port.port ?? 0 },
        ...(share && { subset: share.name }),
      };
      return [
        vs("passthrough", {
          hosts: [host],
          tls: [{ match: [{ port: egress.port, sniHosts: [host] }], route: [{ destination: to }] }],
        }),
      ];
    }
    return egressLegs(route)
      .filter((leg) => leg.port.crossing === "tcp")
      .map((leg) =>
        vs(legSuffix(leg), {
          hosts: [leg.sni],
          tcp: [
            {
              match: [{ port: egress.port }],
              route: [
                {
                  destination: {
                    host: s.primaryHost,
                    port: { number: leg.port.port.port },
                    ...(leg.share && { subset: leg.share.name }),
                  },
                },
              ],
            },
          ],
        }),
      );
  });

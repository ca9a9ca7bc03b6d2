// The VirtualService for a global service's names in a cluster, bound to `mesh` (the cluster's
// sidecars), where routing is needed there:
//   - the service runs here and this cluster's callers stay here: every port to the local Kubernetes
//     Service on its own port (targetPort);
//   - a split: every port shares its calls as the split says, local shares to the local Service
//     (and subset), remote shares to the global host's subset for that cluster (destination-rule.ts);
//     on the HTTP port a remote share with a subset carries it in the x-coddiwomple-subset header
//     when the remote gateway terminates (it reads it, see ingress-virtual-service.ts);
//   - egress mode: every port to the cluster's egress gateway (its Service, the subset for the port,
//     egress-destination-rule.ts), and, bound to the egress Gateway, the HTTP port on from there to the
//     global host (other ports' second leg is in egress-virtual-service.ts, one per SNI).
//   - calls that cross a gateway older than Istio 1.6: the HTTP port's Host without its port (below).
// A cluster that only calls the service elsewhere, all of it, needs none otherwise: the ServiceEntry
// and the DestinationRule route it. Route kinds follow the protocol: HTTP routes for HTTP, HTTP2 and GRPC,
// TLS routes matched by SNI for HTTPS and TLS, TCP routes for TCP and MONGO.

import { egressLegs, SHARE_HEADER, viaEgress } from "../plan/egress-legs.js";
import {
  egressGatewayName,
  isHttpFamily,
  isTlsFamily,
  objectName,
  SUBSET_HEADER,
  shareSubsetName,
} from "../plan/names.js";
import type { PortPlan, Route, ServicePlan } from "../plan/plan.js";
import {
  backendDestination,
  exportTo,
  type GenerateContext,
  type Generator,
  make,
  servicesHere,
} from "./context.js";
import type { HttpRoute, RouteDestination, TcpRoute, TlsRoute } from "./istio-specs.js";

type Destination = RouteDestination;

export const meshVirtualServices: Generator = (ctx) => {
  const old = oldGateways(ctx);
  return servicesHere(ctx).flatMap(({ service: s, route, local }) => {
    const egress = route !== undefined && viaEgress(route) && route.caller.egress;
    const rewrite = route !== undefined && needsBareHost(ctx, route, old);
    if (route && !local && !egress && !isSplit(route) && !rewrite) return [];
    const http: HttpRoute[] = [];
    const tls: TlsRoute[] = [];
    const tcp: TcpRoute[] = [];
    // Terminated at the egress gateway, the HTTP port's second leg is routed here too; a passed-through
    // leg has a VirtualService of its own there (egress.ts).
    const egressRef =
      egress &&
      route?.mode === "egress" &&
      `${egress.namespace}/${egressGatewayName(s.service.name, ctx.plan.topology.suffix)}`;
    for (const p of s.ports) {
      const destinations = route
        ? shares(ctx, s, route, p)
        : [{ destination: backendDestination(ctx, s, p.port.targetPort) }];
      const mesh = egressRef ? { gateways: ["mesh"], port: p.port.port } : { port: p.port.port };
      const authority = rewrite && p.crossing === "http" && { rewrite: { authority: s.primaryHost } };
      if (isHttpFamily(p.port.protocol))
        http.push({ name: p.port.name, match: [mesh], ...authority, route: destinations });
      else if (isTlsFamily(p.port.protocol))
        tls.push({ match: [{ ...mesh, sniHosts: [...s.hosts] }], route: destinations });
      else tcp.push({ match: [mesh], route: destinations });
      if (egress && egressRef && route && p.crossing === "http") {
        http.push(...egressHttpLegs(route, p, egressRef, egress.port));
      }
    }
    const scope = exportTo(ctx, s, route, local);
    return [
      make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "VirtualService",
        name: objectName(s.service.name, ctx.plan.topology.suffix, "mesh"),
        namespace: ctx.plan.topology.namespace,
        spec: {
          hosts: [...s.hosts],
          gateways: egressRef ? ["mesh", egressRef] : ["mesh"],
          ...(http.length > 0 && { http }),
          ...(tls.length > 0 && { tls }),
          ...(tcp.length > 0 && { tcp }),
          ...(scope && { exportTo: scope }),
        },
      }),
    ];
  });
};

/** The clusters whose gateways are older than Istio 1.6 (needsBareHost), by name. */
const oldGateways = (ctx: GenerateContext): ReadonlySet<string> =>
  new Set(ctx.plan.clusters.filter((c) => !c.istio.gatewayAnyPortHost).map((c) => c.cluster.name));

/**
 * Whether the route's Host header must lose its port. Gateways before Istio 1.6 match a virtual host
 * only by "host" or "host:<the gateway server's port>" (buildGatewayHTTPRouteConfig in
 * pilot/pkg/networking/core/v1alpha3/gateway.go, 1.1.0 to 1.5.10); 1.6 added "host:*"
 * (buildGatewayVirtualHostDomains). A caller sends "Host: reviews.global:9080", which such a gateway
 * answers with 404: the remote ingress gateway of a backend cluster, and in egress mode the caller's
 * own egress gateway. The caller's route then sets the authority to the bare global host, which every
 * version's gateway matches. `old` holds the clusters with such gateways (oldGateways).
 */
function needsBareHost(ctx: GenerateContext, route: Route, old: ReadonlySet<string>): boolean {
  if (route.mode === "passthrough") return false;
  if (route.mode === "egress" && !ctx.cluster.istio.gatewayAnyPortHost) return true;
  return old.size > 0 && route.remotes.some((c) => old.has(c.name));
}

const isSplit = (route: Route) => route.shares.some((s) => s.kind === "local" || s.cluster !== undefined);

/**
 * The egress gateway's legs for the HTTP port: on to the remote gateway through the global host. With a
 * split, one route per share, matched on the x-coddiwomple-share header the sidecar set, which the
 * route swaps for the subset header the remote gateway reads (ingress-virtual-service.ts).
 */
function egressHttpLegs(route: Route, p: PortPlan, egressRef: string, egressPort: number): HttpRoute[] {
  const s = route.service;
  const match = { gateways: [egressRef], port: egressPort };
  const to = (subset?: string) => ({
    destination: { host: s.primaryHost, ...(subset && { subset }), port: { number: p.port.port } },
  });
  return egressLegs(route)
    .filter((leg) => leg.port === p)
    .map((leg) => {
      if (!leg.share) return { name: `${p.port.name}-egress`, match: [match], route: [to()] };
      const { name, subset } = leg.share;
      return {
        name: `${p.port.name}-egress-${name}`,
        match: [{ ...match, headers: { [SHARE_HEADER]: { exact: name } } }],
        headers: {
          request: { remove: [SHARE_HEADER], ...(subset && { set: { [SUBSET_HEADER]: subset.name } }) },
        },
        route: [to(name)],
      };
    });
}

/** Where a route sends one port's calls, with weights when they are shared. */
export function shares(ctx: GenerateContext, s: ServicePlan, route: Route, p: PortPlan): Destination[] {
  const egress = viaEgress(route) ? route.caller.egress : undefined;
  const legs = egress ? egressLegs(route).filter((leg) => leg.port === p) : [];
  const terminated = route.mode !== "passthrough";
  const out: Destination[] = route.shares.map((share) => {
    if (share.kind === "local") {
      const local = backendDestination(ctx, s, p.port.targetPort);
      return {
        destination: { ...local, ...(share.subset && { subset: share.subset.name }) },
        weight: share.weight,
      };
    }
    const subset = share.cluster ? shareSubsetName(share.cluster.name, share.subset?.name) : undefined;
    if (egress) {
      // To the egress gateway's Service, on the leg's subset of its DestinationRule (egress.ts).
      const leg = legs.find((l) => l.share?.name === subset) ?? legs[0];
      const header =
        terminated && p.crossing === "http" && leg?.share
          ? { headers: { request: { set: { [SHARE_HEADER]: leg.share.name } } } }
          : {};
      const host = `${egress.service}.${egress.namespace}.svc.cluster.local`;
      return {
        destination: { host, subset: leg?.subset ?? "", port: { number: egress.port } },
        weight: share.weight,
        ...header,
      };
    }
    const header =
      terminated && p.crossing === "http" && share.subset
        ? { headers: { request: { set: { [SUBSET_HEADER]: share.subset.name } } } }
        : {};
    return {
      destination: { host: s.primaryHost, ...(subset && { subset }), port: { number: p.port.port } },
      weight: share.weight,
      ...header,
    };
  });
  // A single destination carries no weight: Istio requires weights only to share.
  return out.length === 1 ? out.map(({ weight: _, ...d }) => d) : out;
}

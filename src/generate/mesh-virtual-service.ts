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

import {
  egressGatewayName,
  egressSubsetName,
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
  routeOf,
  runsHere,
} from "./context.js";
import type { HttpRoute, RouteDestination, TcpRoute, TlsRoute } from "./istio-specs.js";
import { servicesHere } from "./service-entry.js";

type Destination = RouteDestination;

export const meshVirtualServices: Generator = (ctx) =>
  servicesHere(ctx).flatMap((s) => {
    const route = routeOf(ctx, s);
    const local = runsHere(ctx, s);
    const egress = route?.mode === "egress" && route.caller.egress;
    const rewrite = route !== undefined && needsBareHost(ctx, route);
    if (route && !local && !egress && !isSplit(route) && !rewrite) return [];
    const http: HttpRoute[] = [];
    const tls: TlsRoute[] = [];
    const tcp: TcpRoute[] = [];
    const egressRef =
      egress && `${egress.namespace}/${egressGatewayName(s.service.name, ctx.plan.topology.suffix)}`;
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
      // The egress gateway's leg for the HTTP port: on to the remote gateway through the global host.
      if (egress && egressRef && p.crossing === "http") {
        http.push({
          name: `${p.port.name}-egress`,
          match: [{ gateways: [egressRef], port: egress.port }],
          route: [{ destination: { host: s.primaryHost, port: { number: p.port.port } } }],
        });
      }
    }
    const scope = exportTo(ctx, s);
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

/**
 * Whether the route's Host header must lose its port. Gateways before Istio 1.6 match a virtual host
 * only by "host" or "host:<the gateway server's port>" (buildGatewayHTTPRouteConfig in
 * pilot/pkg/networking/core/v1alpha3/gateway.go, 1.1.0 to 1.5.10); 1.6 added "host:*"
 * (buildGatewayVirtualHostDomains). A caller sends "Host: reviews.global:9080", which such a gateway
 * answers with 404: the remote ingress gateway of a backend cluster, and in egress mode the caller's
 * own egress gateway. The caller's route then sets the authority to the bare global host, which every
 * version's gateway matches.
 */
function needsBareHost(ctx: GenerateContext, route: Route): boolean {
  if (route.mode === "passthrough") return false;
  if (route.mode === "egress" && !ctx.cluster.istio.gatewayAnyPortHost) return true;
  return route.remotes.some((c) => ctx.plan.byCluster.get(c.name)?.istio.gatewayAnyPortHost === false);
}

const isSplit = (route: Route) => route.shares.some((s) => s.kind === "local" || s.cluster !== undefined);

/** Where a route sends one port's calls, with weights when they are shared. */
function shares(ctx: GenerateContext, s: ServicePlan, route: Route, p: PortPlan): Destination[] {
  const egress = route.mode === "egress" ? route.caller.egress : undefined;
  if (egress) {
    const host = `${egress.service}.${egress.namespace}.svc.cluster.local`;
    return [
      {
        destination: {
          host,
          subset: egressSubsetName(s.service.name, p.port.port),
          port: { number: egress.port },
        },
      },
    ];
  }
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

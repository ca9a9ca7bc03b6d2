// The service's own Kubernetes name, routed as its global name (routeKubernetesName, seed 002): the
// first cluster's VirtualService of seed 002 is for reviews.default.svc.cluster.local, so that
// productpage keeps calling reviews:9080 and 75% of those calls go to v3 in the second cluster.
// In a consuming cluster whose route carries the name:
//   - a VirtualService for the Kubernetes host, bound to the sidecars, that shares every port's calls
//     as the route does (mesh-virtual-service.ts), matched on the port callers of the Kubernetes
//     Service use (its targetPort). The HTTP port's Host header is set to the global host: the remote
//     gateway (and in egress mode the cluster's own egress gateway) routes by it, and knows no
//     Kubernetes name of the caller's cluster. A sidecar's virtual host for a Service-form host also
//     answers reviews and reviews.default (GenerateAltVirtualHosts, pilot/pkg/networking/core/httproute.go).
//     It is exported to the consumer's namespaces when the topology names them: other namespaces keep
//     calling the local Service itself.
//   - where the cluster runs no such Service (takeover), a ServiceEntry that creates the name on the
//     service's VIP, which the sidecars' DNS proxy answers (check.ts warns, CW1045, about what it
//     shadows). No endpoints: the VirtualService sends every call on.

import { isHttpFamily, isTlsFamily, objectName } from "../plan/names.js";
import type { Route } from "../plan/plan.js";
import { type GenerateContext, type Generator, make } from "./context.js";
import type { HttpRoute, TcpRoute, TlsRoute } from "./istio-specs.js";
import { shares } from "./mesh-virtual-service.js";

const withName = (ctx: GenerateContext): Route[] => ctx.cluster.routes.filter((r) => r.kubernetesName);

/** Who sees the objects: the consumer's namespaces, when the topology names them. */
const scopeOf = (route: Route): string[] | undefined =>
  route.callers.namespaces ? [...new Set(route.callers.namespaces)].sort() : undefined;

export const kubernetesNameVirtualServices: Generator = (ctx) =>
  withName(ctx).map((route) => {
    const s = route.service;
    const host = route.kubernetesName?.host ?? "";
    const rewrite = route.mode !== "passthrough" && { rewrite: { authority: s.primaryHost } };
    const http: HttpRoute[] = [];
    const tls: TlsRoute[] = [];
    const tcp: TcpRoute[] = [];
    for (const p of s.ports) {
      const match = { port: p.port.targetPort };
      const route_ = shares(ctx, s, route, p);
      if (isHttpFamily(p.port.protocol))
        http.push({ name: p.port.name, match: [match], ...rewrite, route: route_ });
      else if (isTlsFamily(p.port.protocol))
        tls.push({ match: [{ ...match, sniHosts: [host] }], route: route_ });
      else tcp.push({ match: [match], route: route_ });
    }
    const scope = scopeOf(route);
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "VirtualService",
      name: objectName(s.service.name, ctx.plan.topology.suffix, "kubernetes"),
      namespace: ctx.plan.topology.namespace,
      spec: {
        hosts: [host],
        gateways: ["mesh"],
        ...(http.length > 0 && { http }),
        ...(tls.length > 0 && { tls }),
        ...(tcp.length > 0 && { tcp }),
        ...(scope && { exportTo: scope }),
      },
    });
  });

export const kubernetesNameServiceEntries: Generator = (ctx) =>
  withName(ctx)
    .filter((r) => r.kubernetesName?.takeover)
    .map((route) => {
      const s = route.service;
      const scope = scopeOf(route);
      return make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "ServiceEntry",
        name: objectName(s.service.name, ctx.plan.topology.suffix, "kubernetes"),
        namespace: ctx.plan.topology.namespace,
        spec: {
          hosts: [route.kubernetesName?.host ?? ""],
          addresses: [s.vip],
          ports: s.ports.map(({ port }) => ({
            number: port.targetPort,
            name: port.name,
            protocol: port.protocol,
          })),
          location: "MESH_INTERNAL",
          resolution: "NONE",
          ...(scope && { exportTo: scope }),
        },
      });
    });

// In a cluster that exports a service: one VirtualService per port, bound to the service's Gateway,
// routing what arrives to the local Kubernetes Service. The HTTP port is routed by Host; every other
// port has a server of its own (matched by its SNI), and a TCP route can only match the gateway port,
// which all servers share, so each such port needs its own VirtualService to stay unambiguous.

import { objectName } from "../plan/names.js";
import { backendDestination, type Generator, make } from "./context.js";

export const ingressVirtualServices: Generator = (ctx) =>
  ctx.cluster.exported.flatMap((s) => {
    const { namespace, suffix } = ctx.plan.topology;
    // The Gateway is in the ingress gateway's namespace (ingress-gateway.ts).
    const gateway = `${ctx.cluster.cluster.ingress.namespace}/${objectName(s.service.name, suffix)}`;
    return s.ports.map((p) => {
      const route = [{ destination: backendDestination(ctx, s, p.port.targetPort) }];
      const spec =
        p.crossing === "http"
          ? { hosts: [...s.hosts], gateways: [gateway], http: [{ name: p.port.name, route }] }
          : {
              hosts: [p.sni],
              gateways: [gateway],
              tcp: [{ match: [{ port: ctx.cluster.cluster.ingress.port }], route }],
            };
      return make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "VirtualService",
        name: objectName(s.service.name, suffix, "ingress", p.port.port),
        namespace,
        spec,
      });
    });
  });

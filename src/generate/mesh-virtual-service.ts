// In a cluster that runs a backend: a VirtualService bound to the `mesh` gateway, so local callers
// using a global name reach the local Kubernetes Service on its own port (targetPort), without ever
// leaving the cluster. One route per port, of the kind the port's protocol needs: HTTP routes for
// HTTP, HTTP2 and GRPC; TLS routes matched by SNI for HTTPS and TLS; TCP routes for TCP and MONGO.

import { isHttpFamily, isTlsFamily, objectName } from "../plan/names.js";
import { backendDestination, type Generator, make } from "./context.js";

export const meshVirtualServices: Generator = (ctx) =>
  ctx.cluster.local.map((s) => {
    const http: unknown[] = [];
    const tls: unknown[] = [];
    const tcp: unknown[] = [];
    for (const { port } of s.ports) {
      const route = [{ destination: backendDestination(ctx, s, port.targetPort) }];
      if (isHttpFamily(port.protocol)) http.push({ name: port.name, match: [{ port: port.port }], route });
      else if (isTlsFamily(port.protocol))
        tls.push({ match: [{ port: port.port, sniHosts: [...s.hosts] }], route });
      else tcp.push({ match: [{ port: port.port }], route });
    }
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "VirtualService",
      name: objectName(s.service.name, ctx.plan.topology.suffix, "mesh"),
      namespace: ctx.plan.topology.namespace,
      spec: {
        hosts: [...s.hosts],
        gateways: ["mesh"],
        ...(http.length > 0 && { http }),
        ...(tls.length > 0 && { tls }),
        ...(tcp.length > 0 && { tcp }),
      },
    });
  });

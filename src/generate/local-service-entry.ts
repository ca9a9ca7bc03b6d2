// In a cluster that runs a backend: a ServiceEntry that makes the global names exist locally, with
// the service's VIP (so DNS answers it and sidecars capture it) and the local Kubernetes Service as
// its endpoint. The mesh VirtualService (mesh-virtual-service.ts) does the routing; the endpoint keeps
// the name working even for a port no route covers.

import { objectName } from "../plan/names.js";
import { backendDestination, type Generator, make } from "./context.js";

export const localServiceEntries: Generator = (ctx) =>
  ctx.cluster.local.map((s) => {
    const { host } = backendDestination(ctx, s, 0);
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "ServiceEntry",
      name: objectName(s.service.name, ctx.plan.topology.suffix),
      namespace: ctx.plan.topology.namespace,
      spec: {
        hosts: [...s.hosts],
        addresses: [s.vip],
        ports: s.ports.map(({ port }) => ({ number: port.port, name: port.name, protocol: port.protocol })),
        location: "MESH_INTERNAL",
        resolution: "DNS",
        endpoints: [
          {
            address: host,
            ports: Object.fromEntries(s.ports.map(({ port }) => [port.name, port.targetPort])),
          },
        ],
      },
    });
  });

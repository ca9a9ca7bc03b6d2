// In a cluster that runs a backend: a ServiceEntry that makes the global names exist locally, with
// the service's VIP, so that the DNS proxy answers them and sidecars capture connections to them.
// It has no endpoints (resolution NONE): the mesh VirtualService (mesh-virtual-service.ts) sends every
// port to the local Kubernetes Service. An endpoint naming that Service's DNS name would carry no
// tlsMode label, so a sidecar would reach it in plain text, which a STRICT mTLS mesh refuses.

import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const localServiceEntries: Generator = (ctx) =>
  ctx.cluster.local.map((s) =>
    make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "ServiceEntry",
      name: objectName(s.service.name, ctx.plan.topology.suffix),
      namespace: ctx.plan.topology.namespace,
      spec: {
        hosts: [...s.hosts],
        addresses: [s.vip],
        ports: s.ports.map(({ port }) => ({ number: port.port, name: port.name, protocol: port.protocol })),
        location: "MESH_INTERNAL",
        resolution: "NONE",
      },
    }),
  );

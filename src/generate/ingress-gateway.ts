// In a cluster that exports a service: a Gateway on the ingress gateway that accepts Istio mutual TLS
// for exactly that service's names, nothing else. Hosts are written as "./host" so that only
// VirtualServices in cw's own namespace can bind to them: another team's VirtualService cannot
// capture traffic that arrives for a global name.

import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const ingressGateways: Generator = (ctx) =>
  ctx.cluster.exported.map((s) => {
    const port = ctx.cluster.cluster.ingress.port;
    const servers = s.ports.map((p) =>
      p.crossing === "http"
        ? {
            port: { number: port, name: `https-${p.port.port}`, protocol: "HTTPS" },
            hosts: s.hosts.map((h) => `./${h}`),
            tls: { mode: "ISTIO_MUTUAL" },
          }
        : {
            port: { number: port, name: `tls-${p.port.port}`, protocol: "TLS" },
            hosts: [`./${p.sni}`],
            tls: { mode: "ISTIO_MUTUAL" },
          },
    );
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "Gateway",
      name: objectName(s.service.name, ctx.plan.topology.suffix),
      namespace: ctx.plan.topology.namespace,
      spec: { selector: { ...ctx.cluster.cluster.ingress.selector }, servers },
    });
  });

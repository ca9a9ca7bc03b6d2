// In a cluster that other clusters' routes reach: a Gateway on the ingress gateway that accepts
// exactly what those routes send, nothing else.
//   Terminated (gateway and egress mode): one server per port, Istio mTLS (ISTIO_MUTUAL). The HTTP
//   port's server is HTTPS with all the service's hosts (terminate, then route by Host); every other
//   port has a TLS server per SNI it receives (p<port>[.<subset>].<host>), since Istio picks a TCP
//   route per server, not per SNI. Hosts are written "<cw's namespace>/host" so that only
//   VirtualServices in cw's namespace can bind to them.
//   Passthrough: one AUTO_PASSTHROUGH server for the backend's Kubernetes host, which Istio routes by
//   the SNI outbound_.<port>_.<subset>_.<host> straight to the pods; mTLS ends at the pods.
// The Gateway lives in the ingress gateway's own namespace, as istiod requires when
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE is on. All servers share the gateway's one mTLS port; Istio tells
// them apart by SNI.

import { objectName, portSni } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const ingressGateways: Generator = (ctx) =>
  ctx.cluster.exports.map((e) => {
    const s = e.service;
    const { port, namespace, selector } = ctx.cluster.cluster.ingress;
    const routes = ctx.plan.topology.namespace;
    const servers: unknown[] = [];
    if (e.terminated) {
      for (const p of s.ports) {
        if (p.crossing === "http") {
          servers.push({
            port: { number: port, name: `https-${p.port.port}`, protocol: "HTTPS" },
            hosts: p.serverNames.map((h) => `${routes}/${h}`),
            tls: { mode: "ISTIO_MUTUAL" },
          });
          continue;
        }
        for (const subset of e.terminated.subsets) {
          servers.push({
            port: {
              number: port,
              name: ["tls", p.port.port, subset?.name].filter(Boolean).join("-"),
              protocol: "TLS",
            },
            hosts: [`${routes}/${portSni(p.port.port, s.primaryHost, subset?.name)}`],
            tls: { mode: "ISTIO_MUTUAL" },
          });
        }
      }
    }
    if (e.passthrough) {
      servers.push({
        port: { number: port, name: "tls-passthrough", protocol: "TLS" },
        hosts: [s.backendHost],
        tls: { mode: "AUTO_PASSTHROUGH" },
      });
    }
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "Gateway",
      name: objectName(s.service.name, ctx.plan.topology.suffix),
      namespace,
      spec: { selector: { ...selector }, servers },
    });
  });

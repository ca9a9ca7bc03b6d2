// In a cluster that exports a service: a Gateway on the ingress gateway that accepts Istio mutual TLS
// for exactly that service's names (PortPlan.serverNames), nothing else. The Gateway lives in the
// ingress gateway's own namespace, as istiod requires when PILOT_SCOPE_GATEWAY_TO_NAMESPACE is on
// (by default a selector reaches gateway pods in any namespace). Hosts are written as
// "<cw's namespace>/host" so that only VirtualServices in cw's namespace can bind to them: another
// team's VirtualService cannot capture traffic that arrives for a global name. The HTTP port's
// server is HTTPS (terminate, then route by Host); every other port's server is TLS with
// ISTIO_MUTUAL, which Istio terminates and then proxies as TCP. All servers share the gateway's one
// mTLS port; Istio tells them apart by SNI.

import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";

export const ingressGateways: Generator = (ctx) =>
  ctx.cluster.exported.map((s) => {
    const { port, namespace, selector } = ctx.cluster.cluster.ingress;
    const routes = ctx.plan.topology.namespace;
    const servers = s.ports.map((p) => ({
      port:
        p.crossing === "http"
          ? { number: port, name: `https-${p.port.port}`, protocol: "HTTPS" }
          : { number: port, name: `tls-${p.port.port}`, protocol: "TLS" },
      hosts: p.serverNames.map((h) => `${routes}/${h}`),
      tls: { mode: "ISTIO_MUTUAL" },
    }));
    return make(ctx, s, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "Gateway",
      name: objectName(s.service.name, ctx.plan.topology.suffix),
      namespace,
      spec: { selector: { ...selector }, servers },
    });
  });

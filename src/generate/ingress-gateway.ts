// In a cluster that other clusters' routes reach: a Gateway on the ingress gateway that accepts
// exactly what those routes send, nothing else.
//   Terminated (gateway and egress mode): one server per port, Istio mTLS (ISTIO_MUTUAL). The HTTP
//   port's server is HTTPS with all the service's hosts (terminate, then route by Host); every other
//   port has a TLS server per SNI it receives (p<port>[.<subset>].<host>), since Istio picks a TCP
//   route per server, not per SNI. Hosts are written "<cw's namespace>/host" so that only
//   VirtualServices in cw's namespace can bind to them.
//   Passthrough: one AUTO_PASSTHROUGH server for the backend's Kubernetes host, which Istio routes by
//   the SNI outbound_.<port>_.<subset>_.<host> straight to the pods; mTLS ends at the pods. None when
//   the cluster already has one that covers the host on that port (below).
// The Gateway lives in the ingress gateway's own namespace, as istiod requires when
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE is on. All servers share the gateway's one mTLS port; Istio tells
// them apart by SNI.

import { hostCovers } from "../plan/existing-facts.js";
import { objectName, portSni } from "../plan/names.js";
import { type GenerateContext, type Generator, make } from "./context.js";
import type { GatewayServer } from "./istio-specs.js";

export const ingressGateways: Generator = (ctx) =>
  ctx.cluster.exports.flatMap((e) => {
    const s = e.service;
    const { port, namespace, selector } = ctx.cluster.cluster.ingress;
    const routes = ctx.plan.topology.namespace;
    const servers: GatewayServer[] = [];
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
    if (e.passthrough && !coveredByExisting(ctx, s.backendHost)) {
      // Before per-service chains (see IstioCapabilities.autoPassthroughPerService) the SNI
      // outbound_.<port>_.<subset>_.<host> is matched against the server's hosts as server names:
      // only "*.<host>" covers it.
      const legacy = !ctx.cluster.istio.autoPassthroughPerService;
      servers.push({
        port: { number: port, name: "tls-passthrough", protocol: "TLS" },
        hosts: legacy ? [s.backendHost, `*.${s.backendHost}`] : [s.backendHost],
        tls: { mode: "AUTO_PASSTHROUGH" },
      });
    }
    if (servers.length === 0) return [];
    return [
      make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "Gateway",
        name: objectName(s.service.name, ctx.plan.topology.suffix),
        namespace,
        spec: { selector: { ...selector }, servers },
      }),
    ];
  });

/**
 * Whether the cluster already has an AUTO_PASSTHROUGH server for the host on the ingress gateway's
 * port (Istio's east-west Gateway: *.local on 15443). Each AUTO_PASSTHROUGH server builds a filter
 * chain per service it covers, matching the SNI outbound_.<port>_.<subset>_.<host> and Istio's mTLS
 * protocols (builtAutoPassthroughFilterChains in pilot/pkg/networking/core/gateway.go, 1.30.3), and
 * mergeGateways (pilot/pkg/model/gateway.go) drops a second server only when its hosts are the same
 * strings, so a server of cw's for payments.billing.svc.cluster.local next to one for *.local
 * builds the same chain twice and Envoy rejects the listener. Then cw writes no server: theirs
 * already routes the calls, and only the pod policy is cw's.
 */
const coveredByExisting = (ctx: GenerateContext, host: string): boolean =>
  ctx.cluster.existing.autoPassthrough.some((s) => hostCovers(s.host, host));

// In a cluster where routes terminate at the ingress gateway: VirtualServices bound to the service's
// Gateway that send what arrives to the local Kubernetes Service (targetPort).
//   The HTTP port: one VirtualService for the hosts. A split that picks a subset here says so in the
//   x-coddiwomple-subset header (set by the caller's route); the gateway routes on it to the subset
//   and removes it. Calls without a subset go to the whole service, if some route sends such calls.
//   Every other port: one VirtualService per SNI, as a TCP route can only match the gateway port,
//   which all servers share.
// Passthrough arrivals need no VirtualService: AUTO_PASSTHROUGH routes by SNI.

import { objectName, portSni, SUBSET_HEADER } from "../plan/names.js";
import { backendDestination, type Generator, make } from "./context.js";

export const ingressVirtualServices: Generator = (ctx) =>
  ctx.cluster.exports.flatMap((e) => {
    const arrival = e.terminated;
    if (!arrival) return [];
    const s = e.service;
    const { namespace, suffix } = ctx.plan.topology;
    const gateway = `${ctx.cluster.cluster.ingress.namespace}/${objectName(s.service.name, suffix)}`;
    return s.ports.flatMap((p) => {
      const to = (subset?: string) => ({
        destination: { ...backendDestination(ctx, s, p.port.targetPort), ...(subset && { subset }) },
      });
      if (p.crossing === "http") {
        const http = arrival.subsets.map((subset) =>
          subset
            ? {
                name: `${p.port.name}-${subset.name}`,
                match: [{ headers: { [SUBSET_HEADER]: { exact: subset.name } } }],
                headers: { request: { remove: [SUBSET_HEADER] } },
                route: [to(subset.name)],
              }
            : { name: p.port.name, route: [to()] },
        );
        // Routes with a header match first: Istio takes the first route that matches.
        http.sort((a, b) => Number("match" in b) - Number("match" in a));
        return [
          make(ctx, s, {
            apiVersion: ctx.cluster.istio.networking,
            kind: "VirtualService",
            name: objectName(s.service.name, suffix, "ingress", p.port.port),
            namespace,
            spec: { hosts: [...s.hosts], gateways: [gateway], http },
          }),
        ];
      }
      return arrival.subsets.map((subset) =>
        make(ctx, s, {
          apiVersion: ctx.cluster.istio.networking,
          kind: "VirtualService",
          name: objectName(s.service.name, suffix, "ingress", p.port.port, ...(subset ? [subset.name] : [])),
          namespace,
          spec: {
            hosts: [portSni(p.port.port, s.primaryHost, subset?.name)],
            gateways: [gateway],
            tcp: [{ match: [{ port: ctx.cluster.cluster.ingress.port }], route: [to(subset?.name)] }],
          },
        }),
      );
    });
  });

// In a cluster that consumes a service from others: a ServiceEntry that makes the global names exist
// with the service's VIP, and one endpoint per address of each backend cluster's ingress gateway,
// every service port mapped to the gateway's mTLS port. Endpoints carry the backend cluster as a label
// and its locality, for subsets and locality-aware load balancing. They carry no `network`: Istio
// drops endpoints on another network unless it knows that network's gateway, which here it cannot.

import ipaddr from "ipaddr.js";
import { objectName } from "../plan/names.js";
import { type Generator, make } from "./context.js";
import { LABEL_CLUSTER } from "./resource.js";

export const remoteServiceEntries: Generator = (ctx) =>
  ctx.cluster.imported.map((s) => {
    const endpoints = s.backends.flatMap(({ cluster }) =>
      cluster.ingress.addresses.map((address) => ({
        address,
        ports: Object.fromEntries(s.ports.map(({ port }) => [port.name, cluster.ingress.port])),
        labels: { [LABEL_CLUSTER]: cluster.name },
        ...(cluster.region !== undefined && {
          locality: cluster.zone !== undefined ? `${cluster.region}/${cluster.zone}` : cluster.region,
        }),
      })),
    );
    const allIps = endpoints.every((e) => ipaddr.isValid(e.address));
    const identities = s.backends.map(
      ({ cluster }) =>
        `spiffe://${cluster.trustDomain}/ns/${cluster.ingress.namespace}/sa/${cluster.ingress.serviceAccount}`,
    );
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
        resolution: allIps ? "STATIC" : "DNS",
        endpoints,
        subjectAltNames: [...new Set(identities)].sort(),
      },
    });
  });

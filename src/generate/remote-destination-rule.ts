// In a cluster that consumes a service from others: a DestinationRule per global host (a rule applies
// to one host, and each alias is a host of its own) that makes the sidecar originate Istio mutual TLS
// to the remote gateway, with the SNI the gateway's servers match: the service's host for its HTTP
// port, p<port>.<host> for each other port.

import { type Generator, make } from "./context.js";

export const remoteDestinationRules: Generator = (ctx) =>
  ctx.cluster.imported.flatMap((s) => {
    const portLevelSettings = s.ports
      .filter((p) => p.crossing === "tcp")
      .map((p) => ({ port: { number: p.port.port }, tls: { mode: "ISTIO_MUTUAL", sni: p.sni } }));
    return s.hosts.map((host) =>
      make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "DestinationRule",
        // Hosts are unique across the federation and valid object names, so the host is the name.
        name: host,
        namespace: ctx.plan.topology.namespace,
        spec: {
          host,
          trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL", sni: s.primaryHost },
            ...(portLevelSettings.length > 0 && { portLevelSettings }),
          },
        },
      }),
    );
  });

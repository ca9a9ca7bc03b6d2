// In a cluster that consumes a service from others: a DestinationRule per global host (a rule applies
// to one host, and each alias is a host of its own) that makes the sidecar originate Istio mutual TLS
// to the remote gateway, with the SNI the gateway's servers match: the service's host for its HTTP
// port, p<port>.<host> for each other port.
//
// When the service has more than one gateway endpoint (backends in several clusters, or a gateway
// with several addresses), the rule also turns on outlier detection. Istio applies locality
// priorities, and so fails over from the nearest backend cluster to the next, only when outlier
// detection is set; without it a dead cluster keeps getting its share of calls. Gateway errors
// (502/503/504, or connect failures for TCP) are what a dead backend cluster produces, unlike the
// application's own 500s. maxEjectionPercent is 100 so that every endpoint of a failed cluster can be
// ejected, not just Envoy's default 10%. Port-level settings replace the destination-level policy
// wholesale in Istio (omitted fields fall back to defaults), so each port repeats the detection.

import type { ServicePlan } from "../plan/plan.js";
import { type GenerateContext, type Generator, make } from "./context.js";

export const remoteDestinationRules: Generator = (ctx) =>
  ctx.cluster.imported.flatMap((s) => {
    const outlierDetection = outlierDetectionFor(ctx, s);
    const withOutliers = outlierDetection && { outlierDetection };
    const portLevelSettings = s.ports
      .filter((p) => p.crossing === "tcp")
      .map((p) => ({
        port: { number: p.port.port },
        tls: { mode: "ISTIO_MUTUAL", sni: p.sni },
        ...withOutliers,
      }));
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
            ...withOutliers,
            ...(portLevelSettings.length > 0 && { portLevelSettings }),
          },
        },
      }),
    );
  });

function outlierDetectionFor(ctx: GenerateContext, s: ServicePlan): Record<string, unknown> | undefined {
  const endpoints = s.backends.reduce((n, b) => n + b.cluster.ingress.addresses.length, 0);
  if (endpoints < 2) return undefined;
  return {
    [ctx.cluster.istio.gatewayErrors]: 5,
    interval: "10s",
    baseEjectionTime: "30s",
    maxEjectionPercent: 100,
  };
}

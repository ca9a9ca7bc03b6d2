// In a cluster with a route to a service elsewhere: a DestinationRule per global host (a rule applies
// to one host, and each alias is a host of its own) that makes the caller's proxy originate Istio
// mutual TLS to the remote gateway, with the SNI that gateway's servers match (sni.ts). In egress
// mode the same rule drives the egress gateway's leg to the remote gateway.
//
// Failover. When the route can reach more than one gateway endpoint, the rule turns on outlier
// detection: Istio applies locality priorities, and so fails over from one backend cluster to the
// next, only when outlier detection is set; without it a dead cluster keeps getting its share of
// calls. Gateway errors (502/503/504, or connect failures for TCP) are what a dead backend cluster
// produces, unlike the application's own 500s. maxEjectionPercent is 100 so that every endpoint of
// a failed cluster can be ejected, not Envoy's default 10%. With an explicit failover order, the
// ServiceEntry's endpoints carry labels that rank their clusters and failoverPriority lists them:
// Istio gives an endpoint the priority of the number of leading entries it matches (Istio 1.18+).
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
//
// Splits. Each share of a split that goes to another cluster is a subset of this rule, selecting
// that cluster's endpoints by their cluster label, with the SNI of its subset there.
//
// Port-level settings replace the destination-level policy wholesale in Istio (omitted fields fall
// back to defaults), so each port repeats outlier detection and load balancing.
//
// In egress mode the rule drives the egress gateway's leg to the remote gateway; passed through the
// egress gateway, that leg carries the sidecar's own mTLS and the rule adds none (DISABLE).

import { viaEgress } from "../plan/egress-legs.js";
import { shareSubsetName } from "../plan/names.js";
import type { Route } from "../plan/plan.js";
import { exportTo, type GenerateContext, type Generator, make } from "./context.js";
import type { TrafficPolicy } from "./istio-specs.js";
import { LABEL_CLUSTER } from "./resource.js";
import { FAILOVER_LABEL, FAILOVER_VALUE } from "./service-entry.js";
import { mainPort, sniFor } from "./sni.js";

export const destinationRules: Generator = (ctx) => {
  // The same for every route of this cluster: made once, shared by its rules.
  const outlierDetection = outlierDetectionFor(ctx);
  return ctx.cluster.routes.flatMap((route) => {
    const s = route.service;
    const resilience = resilienceFor(ctx, route, outlierDetection);
    const policy = (subset?: string): TrafficPolicy => {
      // Passed through the egress gateway, the sidecar's mTLS is already inside: the egress gateway
      // forwards it as it is (egress.ts), and TLS of its own here would wrap it a second time.
      if (viaEgress(route) && route.mode === "passthrough")
        return { tls: { mode: "DISABLE" }, ...resilience };
      const main = mainPort(route);
      const top = main ? sniFor(route, main, subset) : s.primaryHost;
      const portLevelSettings: NonNullable<TrafficPolicy["portLevelSettings"]> = [];
      for (const p of s.ports) {
        const sni = sniFor(route, p, subset);
        if (sni !== top)
          portLevelSettings.push({
            port: { number: p.port.port },
            tls: { mode: "ISTIO_MUTUAL", sni },
            ...resilience,
          });
      }
      return {
        tls: { mode: "ISTIO_MUTUAL", sni: top },
        ...resilience,
        ...(portLevelSettings.length > 0 && { portLevelSettings }),
      };
    };
    const subsets = route.shares.flatMap((share) =>
      share.kind === "remote" && share.cluster
        ? [
            {
              name: shareSubsetName(share.cluster.name, share.subset?.name),
              labels: { [LABEL_CLUSTER]: share.cluster.name },
              trafficPolicy: policy(share.subset?.name),
            },
          ]
        : [],
    );
    const scope = exportTo(ctx, s, route);
    // One policy for the rules of all the service's hosts.
    const trafficPolicy = policy();
    return s.hosts.map((host) =>
      make(ctx, s, {
        apiVersion: ctx.cluster.istio.networking,
        kind: "DestinationRule",
        // Hosts are unique across the federation and valid object names, so the host is the name.
        name: host,
        namespace: ctx.plan.topology.namespace,
        spec: {
          host,
          trafficPolicy,
          ...(subsets.length > 0 && { subsets }),
          ...(scope && { exportTo: scope }),
        },
      }),
    );
  });
};

type OutlierDetection = NonNullable<TrafficPolicy["outlierDetection"]>;

function resilienceFor(
  ctx: GenerateContext,
  route: Route,
  outlierDetection: OutlierDetection,
): Pick<TrafficPolicy, "outlierDetection" | "loadBalancer"> {
  const endpoints = route.remotes.reduce((n, c) => n + c.ingress.addresses.length, 0);
  if (endpoints < 2) return {};
  const ordered = route.ordered && ctx.cluster.istio.failoverPriorityValues;
  return {
    outlierDetection,
    ...(ordered && {
      loadBalancer: {
        localityLbSetting: {
          enabled: true,
          failoverPriority: route.remotes
            .slice(1)
            .map((_, k) => `${FAILOVER_LABEL(k + 1)}=${FAILOVER_VALUE}`),
        },
      },
    }),
  };
}

function outlierDetectionFor(ctx: GenerateContext): OutlierDetection {
  // Envoy's outlier detection counts consecutive 5xx too, 5 by default, unless told otherwise:
  // applyOutlierDetection (pilot/pkg/networking/core/cluster_traffic_policy.go, 1.7 to 1.30.3; in
  // v1alpha3/cluster.go at 1.5 and 1.6) sets Envoy's consecutive_5xx only from consecutive5xxErrors,
  // so with consecutiveGatewayErrors alone five application 500s from one cluster would eject its
  // gateway, and with maxEjectionPercent 100 and no panic threshold every cluster in turn. The field
  // exists from 1.5; before, consecutiveErrors itself turned the 5xx count off
  // (EnforcingConsecutive_5Xx: 0 in applyOutlierDetection at 1.4.10).
  const errors = ctx.cluster.istio.gatewayErrors;
  return {
    ...(errors === "consecutiveGatewayErrors" ? { consecutiveGatewayErrors: 5 } : { consecutiveErrors: 5 }),
    ...(errors === "consecutiveGatewayErrors" && { consecutive5xxErrors: 0 }),
    interval: "10s",
    baseEjectionTime: "30s",
    maxEjectionPercent: 100,
  };
}

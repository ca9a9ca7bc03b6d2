// In a cluster that runs a service whose subsets some route selects (a split's share, from here or
// from another cluster): a DestinationRule for the local Kubernetes Service that defines exactly
// those subsets, by the labels the topology gives them. Seed 002 calls these "the DestinationRule
// subsets on both sides". It sets no TLS, so Istio's automatic mTLS stays in charge.
// It lives in the service's own namespace: Istio looks a host's DestinationRule up in the caller's
// namespace, then the service's, then the root namespace, so only there does every caller (the
// local sidecars and the ingress gateway alike) find it whatever namespace cw's other objects use.
// A rule of the user's own for the same host in that namespace is merged with it by Istio (subsets
// of both); one in a caller's namespace takes precedence, so its subsets must use the same names.

import { objectName } from "../plan/names.js";
import { backendDestination, type Generator, make } from "./context.js";

export const backendDestinationRules: Generator = (ctx) =>
  ctx.cluster.subsets.map(({ service, subsets }) =>
    make(ctx, service, {
      apiVersion: ctx.cluster.istio.networking,
      kind: "DestinationRule",
      name: objectName(service.service.name, ctx.plan.topology.suffix, "backend"),
      namespace: service.service.namespace,
      spec: {
        host: backendDestination(ctx, service, 0).host,
        subsets: subsets.map((s) => ({ name: s.name, labels: { ...s.labels } })),
      },
    }),
  );

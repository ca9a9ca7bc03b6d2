// A ServiceEntry for every global service a cluster runs or calls, making its names exist there with
// the service's VIP, so that the DNS proxy answers them and sidecars capture connections to them.
//   Called from here (a route): one endpoint per address of each backend cluster's ingress gateway
//   that the route may reach, every service port mapped to that gateway's mTLS port. Endpoints carry
//   their cluster as a label (for a split's subsets) and its locality; with a failover order, also
//   the labels that order them (see destination-rule.ts). They carry no `network`: Istio drops
//   endpoints on another network unless it knows that network's gateway, which here it cannot.
//   subjectAltNames pins the identity at the other end: the remote ingress gateway's, or in
//   passthrough mode the service's own pods' (when the topology names their service account).
//   Only run here: no endpoints (resolution NONE). The mesh VirtualService sends every port to the
//   local Kubernetes Service; an endpoint naming it would carry no tlsMode label, so a sidecar would
//   reach it in plain text, which a STRICT mTLS mesh refuses.

import { objectName } from "../plan/names.js";
import { exportTo, type Generator, make, servicesHere } from "./context.js";
import { LABEL_CLUSTER } from "./resource.js";

export const FAILOVER_LABEL = (k: number) => `coddiwomple.io/failover-${k}`;
export const FAILOVER_VALUE = "preferred";

export const serviceEntries: Generator = (ctx) =>
  servicesHere(ctx).map(({ service: s, route, local }) => {
    const remotes = route?.remotes ?? [];
    const endpoints = remotes.flatMap((cluster, rank) => {
      // One ports mapping for the cluster's addresses: every service port to its gateway's mTLS port.
      const ports: Record<string, number> = {};
      for (const { port } of s.ports) ports[port.name] = cluster.ingress.port;
      const locality =
        cluster.region === undefined
          ? undefined
          : cluster.zone !== undefined
            ? `${cluster.region}/${cluster.zone}`
            : cluster.region;
      return cluster.ingress.addresses.map((address) => {
        // The cluster at rank i of a failover order of n carries labels 1..n-1-i, so that a
        // failoverPriority listing those labels in order ranks it i (see destination-rule.ts).
        const order = route?.ordered
          ? Object.fromEntries(
              Array.from({ length: remotes.length - 1 - rank }, (_, k) => [
                FAILOVER_LABEL(k + 1),
                FAILOVER_VALUE,
              ]),
            )
          : {};
        return {
          address,
          ports,
          labels: { [LABEL_CLUSTER]: cluster.name, ...order },
          ...(locality !== undefined && { locality }),
        };
      });
    });
    const identities =
      route?.mode === "passthrough"
        ? s.service.serviceAccount === undefined
          ? []
          : remotes.map(
              (c) => `spiffe://${c.trustDomain}/ns/${s.service.namespace}/sa/${s.service.serviceAccount}`,
            )
        : remotes.map(
            (c) => `spiffe://${c.trustDomain}/ns/${c.ingress.namespace}/sa/${c.ingress.serviceAccount}`,
          );
    const scope = exportTo(ctx, s, route, local);
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
        resolution:
          endpoints.length === 0
            ? "NONE"
            : remotes.every((c) => ctx.plan.byCluster.get(c.name)?.ingressByIp)
              ? "STATIC"
              : "DNS",
        ...(endpoints.length > 0 && { endpoints }),
        ...(identities.length > 0 && { subjectAltNames: [...new Set(identities)].sort() }),
        ...(scope && { exportTo: scope }),
      },
    });
  });

// How a route's calls cross its cluster's egress gateway (seed 004): the legs the caller's sidecar
// sends there, one per port, or with a split one per port and remote share, each on its own subset of
// the egress gateway Service's DestinationRule and with the SNI that tells the egress gateway what it
// carries.
//   Terminated at the egress gateway (egress mode): the HTTP port's legs all send the service's host
//   as SNI, and a split's share travels in the x-coddiwomple-share header, which the egress gateway
//   routes on; every other port's leg has an SNI of its own, p<port>.<share>.<host> with a split.
//   The egress gateway then opens mTLS of its own to the remote ingress gateway, as a sidecar would.
//   Passed through (passthrough mode from a cluster in egress mode): the sidecar's mTLS goes through
//   the egress gateway and the remote ingress gateway to the pods, with Istio's own SNI,
//   outbound_.<targetPort>_.<subset>_.<backend host>, which only a wildcard server host can match
//   (Istio validates server hosts as DNS names, and the SNI has underscores). The SNI names a subset
//   but not a cluster, so the egress gateway can hold a split's remote shares apart only when they all
//   go to one cluster (check.ts, CW1032).

import type { Subset } from "../topology/model.js";
import { passthroughSni, portSni, shareSubsetName } from "./names.js";
import type { PortPlan, Route } from "./plan.js";

export interface EgressLeg {
  readonly port: PortPlan;
  /** The remote share the leg carries, with its name (<cluster>--<subset>); undefined without a split. */
  readonly share?: {
    readonly name: string;
    readonly cluster: string;
    readonly subset?: Subset;
    readonly weight: number;
  };
  /** The subset of the egress gateway Service's DestinationRule the sidecar sends the leg to. */
  readonly subset: string;
  /** The SNI the sidecar sends the egress gateway. */
  readonly sni: string;
}

/** The header that carries a split's share from the sidecar to its egress gateway (HTTP port). */
export const SHARE_HEADER = "x-coddiwomple-share";

/** Does the route leave through its cluster's egress gateway? */
export const viaEgress = (route: Route): boolean => route.exit === "egress-gateway";

/** The egress gateway DestinationRule's subset for one port of a service, and a share of it. */
export const egressSubsetName = (service: string, port: number, share?: string): string =>
  share === undefined ? `${service}-${port}` : `${service}-${port}-${share}`;

export function egressLegs(route: Route): EgressLeg[] {
  const s = route.service;
  const remote = route.shares.flatMap((share) =>
    share.kind === "remote" && share.cluster
      ? [
          {
            name: shareSubsetName(share.cluster.name, share.subset?.name),
            cluster: share.cluster.name,
            weight: share.weight,
            ...(share.subset && { subset: share.subset }),
          },
        ]
      : [],
  );
  // A split names a cluster in every share; a route without one sends everything to any backend.
  const split = route.shares.some((sh) => sh.kind === "local" || sh.cluster !== undefined);
  return s.ports.flatMap((p): EgressLeg[] => {
    const sniOf = (share?: EgressLeg["share"]) =>
      route.mode === "passthrough"
        ? passthroughSni(p.port.targetPort, s.backendHost, share?.subset?.name)
        : p.crossing === "http"
          ? s.primaryHost
          : portSni(p.port.port, s.primaryHost, share?.name);
    if (!split) return [{ port: p, subset: egressSubsetName(s.service.name, p.port.port), sni: sniOf() }];
    return remote.map((share) => ({
      port: p,
      share,
      subset: egressSubsetName(s.service.name, p.port.port, share.name),
      sni: sniOf(share),
    }));
  });
}

/** The SNI names the egress Gateway accepts for a route's terminated legs (its servers' hosts). */
export function egressNames(route: Route): string[] {
  const s = route.service;
  return [
    ...new Set(egressLegs(route).flatMap((leg) => (leg.port.crossing === "http" ? [...s.hosts] : [leg.sni]))),
  ];
}

// The spec of each Istio kind cw writes, as Istio's published schemas describe it (through
// @kubernetes-models/istio, types only: nothing of it is bundled). Generators build objects through
// `make`, which takes the spec of the kind it is given, so a misspelt or misplaced field fails the
// type check instead of reaching a cluster. The schemas are of the newest API version; what an older
// release cannot read is still checked at run time (analysis/schema-check.ts).

import type {
  IDestinationRule,
  IGateway,
  IServiceEntry,
  ISidecar,
  IVirtualService,
} from "@kubernetes-models/istio/networking.istio.io/v1";
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1";

export interface IstioSpecs {
  readonly AuthorizationPolicy: NonNullable<IAuthorizationPolicy["spec"]>;
  readonly DestinationRule: NonNullable<IDestinationRule["spec"]>;
  readonly Gateway: NonNullable<IGateway["spec"]>;
  readonly ServiceEntry: NonNullable<IServiceEntry["spec"]>;
  readonly Sidecar: NonNullable<ISidecar["spec"]>;
  readonly VirtualService: NonNullable<IVirtualService["spec"]>;
}

export type IstioKind = keyof IstioSpecs;
export type SpecOf<K extends IstioKind> = IstioSpecs[K];

/** Parts of specs that generators build apart from the object they go into. */
export type HttpRoute = NonNullable<SpecOf<"VirtualService">["http"]>[number];
export type TlsRoute = NonNullable<SpecOf<"VirtualService">["tls"]>[number];
export type TcpRoute = NonNullable<SpecOf<"VirtualService">["tcp"]>[number];
export type RouteDestination = NonNullable<HttpRoute["route"]>[number];
export type TrafficPolicy = NonNullable<SpecOf<"DestinationRule">["trafficPolicy"]>;
export type Subset = NonNullable<SpecOf<"DestinationRule">["subsets"]>[number];
export type AuthorizationRule = NonNullable<SpecOf<"AuthorizationPolicy">["rules"]>[number];
export type GatewayServer = NonNullable<SpecOf<"Gateway">["servers"]>[number];

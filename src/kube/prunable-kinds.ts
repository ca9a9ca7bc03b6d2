// The kinds prune looks at: every kind cw generates or has generated, by API group, not version (the
// server lists them at its preferred version). A kind must stay here after cw stops generating it, or
// its old objects could never be pruned. Kinds the generated config uses are added at run time too,
// so a new generator's objects are pruned even before it is listed here.

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

export const PRUNABLE_KINDS: readonly GroupKind[] = [
  { group: "networking.istio.io", kind: "DestinationRule" },
  { group: "networking.istio.io", kind: "EnvoyFilter" },
  { group: "networking.istio.io", kind: "Gateway" },
  { group: "networking.istio.io", kind: "ServiceEntry" },
  { group: "networking.istio.io", kind: "Sidecar" },
  { group: "networking.istio.io", kind: "VirtualService" },
  { group: "networking.istio.io", kind: "WorkloadEntry" },
  { group: "security.istio.io", kind: "AuthorizationPolicy" },
  { group: "security.istio.io", kind: "PeerAuthentication" },
];

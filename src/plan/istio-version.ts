// What a cluster's Istio release can read. Each release accepts older API versions too, so cw writes
// the newest one the cluster knows: networking.istio.io/v1 and security.istio.io/v1 arrived in 1.22,
// networking v1beta1 in 1.5. AuthorizationPolicy (security v1beta1) arrived in 1.4 but could only
// ALLOW; the DENY action and exclusions (notPrincipals) that cw's ingress policy needs came in 1.5,
// so cw treats older clusters as having no usable policy. The same release renamed outlier detection's
// consecutiveErrors to consecutiveGatewayErrors (same meaning: 502/503/504, or connect failures for
// TCP). Istio's DNS proxy (ISTIO_META_DNS_CAPTURE) arrived in 1.8; older clusters need their CoreDNS
// to answer global names. DestinationRule failoverPriority with label values ("key=value", matched
// against endpoints rather than the caller) arrived in 1.18 (istio/istio#39111, release note 43535).
// Gateways match a Host header with any port from 1.6 (buildGatewayVirtualHostDomains in
// pilot/pkg/networking/core/v1alpha3/gateway.go); before, only the bare host or host:<server port>.

export type NetworkingApi =
  | "networking.istio.io/v1"
  | "networking.istio.io/v1beta1"
  | "networking.istio.io/v1alpha3";
export type SecurityApi = "security.istio.io/v1" | "security.istio.io/v1beta1";

/** How workloads in a cluster resolve global names to VIPs. */
export type DnsMethod = "istio-dns-proxy" | "coredns";

/** The DestinationRule outlierDetection field that counts gateway errors. */
export type GatewayErrorsField = "consecutiveGatewayErrors" | "consecutiveErrors";

export interface IstioCapabilities {
  readonly networking: NetworkingApi;
  /** Undefined before 1.5, which had no DENY AuthorizationPolicy. */
  readonly security?: SecurityApi;
  readonly dns: DnsMethod;
  readonly gatewayErrors: GatewayErrorsField;
  /** failoverPriority entries of the form label=value. */
  readonly failoverPriorityValues: boolean;
  /**
   * Gateways match a Host header with any port ("host:*", 1.6 and later); before, only the bare host
   * or "host:<server port>".
   */
  readonly gatewayAnyPortHost: boolean;
  /**
   * Sidecars accept peers of the trust domains listed in meshConfig.caCertificates[].trustDomains
   * (TrustDomainsForValidation in pilot/pkg/networking/plugin/authn/util.go): 1.16.4 and later
   * 1.16 patches, 1.17.2 and later, not 1.17.0 or 1.17.1.
   */
  readonly caCertificateTrustDomains: boolean;
  /**
   * AUTO_PASSTHROUGH builds a filter chain per service port named outbound_.<port>_.<subset>_.<host>
   * (builtAutoPassthroughFilterChains, 1.8.6, 1.9.5, 1.10 and later); before, one chain per server
   * whose server names are the server's hosts, which a cluster SNI matches only through a wildcard.
   */
  readonly autoPassthroughPerService: boolean;
}

export function istioCapabilities(version: string): IstioCapabilities {
  const minor = Number(version.split(".")[1] ?? "0");
  // A version without its patch ("1.17") stands for the minor's first release: a patch-level feature
  // is assumed missing unless the topology says the cluster has it.
  const patch = Number(version.split(".")[2] ?? "0");
  const networking =
    minor >= 22
      ? "networking.istio.io/v1"
      : minor >= 5
        ? "networking.istio.io/v1beta1"
        : "networking.istio.io/v1alpha3";
  const dns: DnsMethod = minor >= 8 ? "istio-dns-proxy" : "coredns";
  const gatewayErrors: GatewayErrorsField = minor >= 5 ? "consecutiveGatewayErrors" : "consecutiveErrors";
  const base = {
    networking,
    dns,
    gatewayErrors,
    failoverPriorityValues: minor >= 18,
    gatewayAnyPortHost: minor >= 6,
    caCertificateTrustDomains: minor >= 18 || (minor === 17 && patch >= 2) || (minor === 16 && patch >= 4),
    autoPassthroughPerService: minor >= 10 || (minor === 9 && patch >= 5) || (minor === 8 && patch >= 6),
  } as const;
  if (minor >= 22) return { ...base, security: "security.istio.io/v1" };
  if (minor >= 5) return { ...base, security: "security.istio.io/v1beta1" };
  return base;
}

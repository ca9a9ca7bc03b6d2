// What a cluster's Istio release can read. Each release accepts older API versions too, so cw writes
// the newest one the cluster knows: networking.istio.io/v1 and security.istio.io/v1 arrived in 1.22,
// networking v1beta1 in 1.5, security v1beta1 (AuthorizationPolicy) in 1.4. Istio's DNS proxy
// (ISTIO_META_DNS_CAPTURE) arrived in 1.8; older clusters need their CoreDNS to answer global names.

export type NetworkingApi =
  | "networking.istio.io/v1"
  | "networking.istio.io/v1beta1"
  | "networking.istio.io/v1alpha3";
export type SecurityApi = "security.istio.io/v1" | "security.istio.io/v1beta1";

/** How workloads in a cluster resolve global names to VIPs. */
export type DnsMethod = "istio-dns-proxy" | "coredns";

export interface IstioCapabilities {
  readonly networking: NetworkingApi;
  /** Undefined before 1.4, which had no AuthorizationPolicy. */
  readonly security?: SecurityApi;
  readonly dns: DnsMethod;
}

export function istioCapabilities(version: string): IstioCapabilities {
  const minor = Number(version.split(".")[1] ?? "0");
  const networking =
    minor >= 22
      ? "networking.istio.io/v1"
      : minor >= 5
        ? "networking.istio.io/v1beta1"
        : "networking.istio.io/v1alpha3";
  const dns: DnsMethod = minor >= 8 ? "istio-dns-proxy" : "coredns";
  if (minor >= 22) return { networking, security: "security.istio.io/v1", dns };
  if (minor >= 4) return { networking, security: "security.istio.io/v1beta1", dns };
  return { networking, dns };
}

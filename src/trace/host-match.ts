// Host names as Istio compares them (https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
// "hosts", and .../gateway/#Server "hosts"):
// - names are case-insensitive; a leading "*." wildcard matches any name ending in the rest, however
//   many labels it adds ("*.global" matches "a.global" and "a.b.global", not "global"); "*" matches all.
//   Istio's host.Name.Matches and Envoy's server_names lookup (which tries a.b.global, *.b.global,
//   *.global in turn) agree on this.
// - a short name (no dot) in a VirtualService or DestinationRule means <name>.<namespace of the
//   object>.svc.cluster.local; a name with a dot is taken as written.
// - a Gateway server host is "<namespace>/<dnsName>": "*/" or no prefix = any namespace, "./" = the
//   Gateway's own namespace. Only VirtualServices in that namespace may bind to it.

export const CLUSTER_DOMAIN = "svc.cluster.local";

export const normalize = (h: string): string => {
  const lower = h.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
};

/** Does the pattern (exact, "*.suffix" or "*") match the concrete name? */
export function hostMatches(pattern: string, name: string): boolean {
  const p = normalize(pattern);
  const n = normalize(name);
  if (p === "*") return true;
  if (p.startsWith("*.")) return n.endsWith(p.slice(1)) && n.length > p.length - 1;
  return p === n;
}

/** Do two patterns have a name in common (either may be a wildcard)? */
export function hostsIntersect(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

/** How specific a matching pattern is: exact beats any wildcard, a longer wildcard beats a shorter. */
export function specificity(pattern: string): number {
  const p = normalize(pattern);
  if (p === "*") return 0;
  if (p.startsWith("*.")) return p.length;
  return 10_000 + p.length;
}

/** The most specific of `patterns` that matches `name`, if any. */
export function bestMatch(patterns: readonly string[], name: string): string | undefined {
  let best: string | undefined;
  for (const p of patterns) {
    if (hostMatches(p, name) && (best === undefined || specificity(p) > specificity(best))) best = p;
  }
  return best;
}

/** A VirtualService or DestinationRule host as Istio reads it: short names are namespace-relative. */
export function resolveShortName(host: string, namespace: string): string {
  const h = normalize(host);
  return h.includes(".") || h === "*" ? h : `${h}.${namespace}.${CLUSTER_DOMAIN}`;
}

export interface GatewayHost {
  /** "*" for any namespace. */
  readonly namespace: string;
  readonly dnsName: string;
}

export function parseGatewayHost(host: string, gatewayNamespace: string): GatewayHost {
  const slash = host.indexOf("/");
  if (slash < 0) return { namespace: "*", dnsName: normalize(host) };
  const ns = host.slice(0, slash);
  return { namespace: ns === "." ? gatewayNamespace : ns, dnsName: normalize(host.slice(slash + 1)) };
}

export const isKubernetesHost = (host: string): boolean => normalize(host).endsWith(`.${CLUSTER_DOMAIN}`);

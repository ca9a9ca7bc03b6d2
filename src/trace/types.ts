// A trace is data: the hops a call takes, each naming the object and rule that decided it, ending in
// arrival at a Kubernetes Service, a failure with a stable reason code, or a fork (weighted routes,
// or several endpoints) whose branches are traces of their own.

import type { ObjectRef } from "./config.js";
import type { OutlierSetting } from "./load-balancing.js";
import type { TrustDomainVerdict } from "./trust-domain.js";

export interface Caller {
  readonly cluster: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The caller pod's labels, for sourceLabels matches; unknown labels match nothing. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface Target {
  /** A host name or an IP address. */
  readonly host: string;
  readonly port: number;
  /** For HTTP: the request path (default "/"). */
  readonly path?: string;
}

/** A proxy on the way: the caller's sidecar, or a gateway's pods. */
export interface ProxyRef {
  readonly cluster: string;
  readonly role: "sidecar" | "ingress-gateway" | "egress-gateway";
  readonly namespace: string;
}

export interface TlsOrigination {
  /** What the proxy sends: plain text, Istio mutual TLS, or TLS with certificates of its own. */
  readonly mode: "DISABLE" | "ISTIO_MUTUAL" | "SIMPLE" | "MUTUAL";
  readonly sni?: string;
  /** Where the mode came from: a DestinationRule, or Istio's auto mTLS default. */
  readonly decidedBy: "destination-rule" | "auto";
  readonly subjectAltNames: readonly string[];
}

export type Hop =
  | {
      readonly kind: "dns";
      readonly cluster: string;
      readonly name: string;
      readonly address: string;
      readonly by: ObjectRef | { readonly coreDnsFile: string } | "kubernetes" | "literal";
    }
  | {
      readonly kind: "listener";
      readonly proxy: ProxyRef;
      readonly address: string;
      readonly port: number;
      readonly protocol: string;
      readonly service: string;
      readonly by?: ObjectRef;
    }
  | {
      readonly kind: "route";
      readonly proxy: ProxyRef;
      /** The name routed on: Host header for HTTP, SNI for TLS, service host for TCP. */
      readonly host: string;
      readonly by?: ObjectRef;
      /** The rule's name, or its position (http[0], tcp[1], ...). */
      readonly rule?: string;
      readonly destinations: readonly {
        readonly host: string;
        readonly port?: number;
        readonly subset?: string;
        readonly weight: number;
      }[];
    }
  | {
      readonly kind: "cluster";
      readonly proxy: ProxyRef;
      readonly host: string;
      readonly port: number;
      readonly subset?: string;
      readonly destinationRule?: ObjectRef;
      /** Which pool of rules it came from and the release's merge, in words. */
      readonly ruleFrom?: string;
      readonly service: ObjectRef | "kubernetes";
      readonly tls: TlsOrigination;
      readonly endpoints: number;
      /** Outlier detection, when the traffic policy sets it. */
      readonly outlier?: OutlierSetting;
      /** How the endpoints are ranked, when there are several. */
      readonly balancing?: string;
    }
  | {
      readonly kind: "endpoint";
      readonly proxy: ProxyRef;
      readonly address: string;
      readonly port: number;
      readonly labels: Readonly<Record<string, string>>;
      readonly locality?: string;
      /** What is at the address. */
      readonly reaches: string;
    }
  | {
      readonly kind: "gateway";
      readonly proxy: ProxyRef;
      readonly gateway: ObjectRef;
      readonly server: string;
      readonly protocol: string;
      readonly tlsMode: string;
      readonly sni?: string;
      readonly matched: string;
    }
  | {
      readonly kind: "authz";
      readonly proxy: ProxyRef;
      readonly principal?: string;
      readonly sni?: string;
      readonly verdict: "allow" | "deny";
      readonly by?: ObjectRef;
      readonly reason: string;
    }
  | {
      readonly kind: "arrive";
      readonly cluster: string;
      readonly service: string;
      readonly port: number;
      readonly subset?: string;
      /** Passed-through mutual TLS from another trust domain: why the pods accepted it. */
      readonly peerTrustDomain?: Extract<TrustDomainVerdict, { accepted: true }>;
    };

/**
 * Why a call fails, in the words a user would search for. Codes are stable: tools match on them.
 */
export const FAILURES = {
  "name-not-resolved": "no such host",
  "name-leaves-cluster": "the lookup leaves the cluster for outside DNS",
  "no-listener": "nothing listens on that address and port",
  "no-route": "no route",
  "destination-not-found": "route to an unknown service",
  "subset-not-found": "subset not found",
  "no-endpoint": "no endpoint (no healthy upstream)",
  "cluster-down": "the endpoint's cluster is down (cw trace --down)",
  "unknown-endpoint": "endpoint is not a known gateway",
  "tls-mode-mismatch": "TLS mode mismatch",
  "peer-identity-mismatch": "server identity not in subjectAltNames",
  "trust-domain-refused": "the peer's trust domain is not accepted",
  "port-not-exposed": "port not exposed on the gateway",
  "listener-rejected": "Envoy rejected the gateway's listener (duplicate filter chains)",
  "host-not-exposed": "host not exposed on the gateway",
  "denied-by-policy": "denied by policy (RBAC: access denied)",
  "answered-by-proxy": "answered by the proxy (redirect or direct response)",
  "config-conflict": "cw's objects conflict with the cluster's existing config",
  unsupported: "configuration the tracer does not interpret",
  loop: "routing loop",
} as const;
export type FailureReason = keyof typeof FAILURES;

export interface Failure {
  readonly kind: "failed";
  readonly reason: FailureReason;
  readonly cluster: string;
  readonly message: string;
}

export interface Arrival {
  readonly kind: "arrived";
  readonly cluster: string;
  readonly service: string;
  readonly port: number;
  /** The DestinationRule subset of the Service's pods the call was routed to, if any. */
  readonly subset?: string;
}

export interface Fork {
  readonly kind: "fork";
  readonly by: "weights" | "endpoints";
  readonly branches: readonly { readonly share: number; readonly label: string; readonly trace: Trace }[];
}

export interface Trace {
  readonly hops: readonly Hop[];
  readonly end: Arrival | Failure | Fork;
}

/** One way through the tree: the hops from the start, with its share of the calls. */
export interface TracePath {
  readonly share: number;
  readonly hops: readonly Hop[];
  readonly end: Arrival | Failure;
}

export function tracePaths(trace: Trace, share = 1, prefix: readonly Hop[] = []): TracePath[] {
  const hops = [...prefix, ...trace.hops];
  if (trace.end.kind !== "fork") return [{ share, hops, end: trace.end }];
  return trace.end.branches.flatMap((b) => tracePaths(b.trace, share * b.share, hops));
}

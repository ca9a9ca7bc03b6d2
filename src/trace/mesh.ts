// Facts about the clusters that are not in their Istio configuration: trust domains, where each
// ingress gateway can be reached from outside, the labels and identity of the gateway pods, and which
// Kubernetes Services exist, and the Istio release each cluster runs. `cw trace` takes them from the
// topology when given one and otherwise infers them from the configuration (infer-mesh.ts); `cw verify`
// always takes them from the topology.

import type { IstioVersion } from "./istio-version.js";

export interface GatewayFacts {
  /** Labels of the gateway's pods, which Gateway and AuthorizationPolicy selectors are matched against. */
  readonly labels: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface IngressFacts extends GatewayFacts {
  /** Addresses (IPs or DNS names) other clusters reach the gateway at. */
  readonly addresses: readonly string[];
  /** The gateway's cross-cluster port. */
  readonly port: number;
}

export interface EgressFacts extends GatewayFacts {
  /** The gateway's Kubernetes Service host(s), which sidecars route to. */
  readonly hosts: readonly string[];
  /** The Service port sidecars send cross-cluster calls to, when known (probes use it; default 443). */
  readonly port?: number;
}

export interface KubernetesService {
  readonly host: string;
  /** Ports the Service has; undefined when unknown (any port is taken to exist). */
  readonly ports?: readonly number[];
  /**
   * The protocol Istio gives each port (from its name, http-..., or appProtocol), by port number;
   * a port not listed is TCP, as Istio takes a port it cannot classify (before protocol sniffing).
   */
  readonly protocols?: Readonly<Record<number, string>>;
  /** Labels of the pods behind it, for AuthorizationPolicy selectors; default { app: <name> }. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The pods' service account, when known: their identity in passed-through mutual TLS. */
  readonly serviceAccount?: string;
}

export interface ClusterFacts {
  readonly name: string;
  readonly trustDomain: string;
  /** The Istio release the cluster runs; undefined when unknown (the newest is assumed). */
  readonly istio?: IstioVersion;
  /** Where the cluster's proxies are: "region/zone", for locality load balancing. */
  readonly locality?: string;
  readonly ingress?: IngressFacts;
  readonly egress?: EgressFacts;
  /** The Kubernetes Services known to exist; undefined when unknown (any *.svc.cluster.local is). */
  readonly services?: readonly KubernetesService[];
  /** Istio's root namespace (meshConfig.rootNamespace). Default istio-system. */
  readonly rootNamespace?: string;
}

export interface MeshFacts {
  readonly clusters: ReadonlyMap<string, ClusterFacts>;
}

/** The identity Istio gives a workload: <trust domain>/ns/<namespace>/sa/<service account>. */
export const principalOf = (trustDomain: string, namespace: string, serviceAccount: string): string =>
  `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;

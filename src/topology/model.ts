// The topology after reading: every default applied, every value carrying the origin it came from.
// Both input formats (Federation files and the original Coddiwomple's JSON files) end up here, so
// checks and the planner see one shape.

import type { ClusterGitopsInput, GitopsInput, Mode, Protocol } from "./schema.js";
import type { Origin } from "./source.js";

export interface Topology {
  readonly name: string;
  /**
   * The original's files name no federation and none was given with --name: `name` is cw's default,
   * which every other such federation shares, so it cannot tell their objects apart (prune refuses).
   */
  readonly unnamed?: true;
  readonly suffix: string;
  /** Namespace of generated routing objects. */
  readonly namespace: string;
  readonly vipPool: string;
  readonly clusters: readonly Cluster[];
  readonly services: readonly Service[];
  /** Where each defaults field came from; absent for defaults cw filled in. */
  readonly origins: { readonly suffix?: Origin; readonly vipPool?: Origin; readonly root: Origin };
  /** How clusters call each other unless a cluster or service says otherwise. */
  readonly mode: Mode;
  /** Write a Sidecar per consuming namespace (opt-in: a namespace has at most one default Sidecar). */
  readonly sidecarScope: boolean;
  /** How cw generate --gitops delivers the folders, as written (flags override it). */
  readonly gitops?: GitopsInput;
}

export interface GatewayRef {
  readonly selector: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface Ingress extends GatewayRef {
  readonly addresses: readonly string[];
  readonly port: number;
}

export interface EgressGateway extends GatewayRef {
  /** The egress gateway's Kubernetes Service name and the port sidecars send cross-cluster calls to. */
  readonly service: string;
  readonly port: number;
}

export interface Cluster {
  readonly name: string;
  /** How this cluster's workloads call other clusters (the federation default when not set). */
  readonly mode: Mode;
  readonly network: string;
  readonly region?: string;
  readonly zone?: string;
  readonly trustDomain: string;
  readonly istioVersion: string;
  readonly ingress: Ingress;
  readonly egress?: EgressGateway;
  readonly kubeconfig?: { readonly path?: string; readonly context?: string };
  /** How a GitOps engine reaches the cluster, as written. */
  readonly gitops?: ClusterGitopsInput;
  readonly origin: Origin;
  readonly origins: {
    readonly name: Origin;
    readonly istioVersion?: Origin;
    readonly ingress: Origin;
    readonly mode?: Origin;
    /** Absent when the topology leaves ingress.serviceAccount to its default. */
    readonly ingressServiceAccount?: Origin;
  };
  /** Fields that had schema errors (already reported); see invalidFields of Service. */
  readonly invalidFields?: ReadonlySet<string>;
}

export interface Port {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetPort: number;
  readonly origin: Origin;
  /** Where the name and the number are: their field names differ between the input formats. */
  readonly origins: { readonly name: Origin; readonly port: Origin };
}

export interface Backend {
  readonly cluster: string;
  readonly host: string;
  readonly origin: Origin;
  /** Where the cluster name is: a value in a Federation file, a mapping key in the original's files. */
  readonly origins: { readonly cluster: Origin; readonly clusterAt: "key" | "value" };
}

export interface Consumer {
  /** A cluster name, or "*" for every cluster. */
  readonly cluster: string;
  /** Callers allowed, when the topology narrows them; undefined means every namespace. */
  readonly namespaces?: readonly string[];
  readonly serviceAccounts?: readonly string[];
  readonly origin: Origin;
  /** Where the cluster name is (the item itself in the short form). */
  readonly origins: { readonly cluster: Origin };
}

export interface Subset {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly origin: Origin;
}

export interface SplitShare {
  readonly cluster: string;
  readonly subset?: string;
  readonly weight: number;
  readonly origin: Origin;
}

export interface Service {
  readonly name: string;
  readonly namespace: string;
  readonly aliases: readonly { readonly name: string; readonly origin: Origin }[];
  readonly vip?: { readonly address: string; readonly origin: Origin };
  readonly ports: readonly Port[];
  readonly backends: readonly Backend[];
  readonly consumers: readonly Consumer[];
  /** Overrides the calling clusters' mode for this service. */
  readonly mode?: { readonly value: Mode; readonly origin: Origin };
  /** The pods' service account, verified by callers in passthrough mode. */
  readonly serviceAccount?: string;
  /** The pods' labels, for policies on the pods. */
  readonly selector: Readonly<Record<string, string>>;
  readonly subsets: readonly Subset[];
  /** Shares over (cluster, subset) for calls from consumer clusters; empty when not split. */
  readonly split: readonly SplitShare[];
  /** Backend clusters in order of preference for consumers; empty for nearest-first. */
  readonly failover: readonly { readonly cluster: string; readonly origin: Origin }[];
  /**
   * Route the service's Kubernetes name in consumer clusters as the global name: where the service
   * runs ("running", written `true`), or also where it does not ("everywhere"). Absent: not at all.
   */
  readonly routeKubernetesName?: { readonly value: "running" | "everywhere"; readonly origin: Origin };
  readonly origin: Origin;
  readonly origins: { readonly name: Origin; readonly split?: Origin };
  /**
   * Fields that had schema errors (already reported). The rest of the service was kept so that checks
   * across services still see it; checks that conclude something is missing skip these fields, since
   * the user did write them, only wrongly.
   */
  readonly invalidFields?: ReadonlySet<string>;
}

// The Federation file format, as zod schemas. They serve two jobs: checking the shape of user input
// (types, unknown fields, names, ranges) and producing the JSON Schema that editors use. Defaults are
// documented here but applied in model.ts, where each value keeps the position it came from.

import { z } from "zod";
import { gatewayAddressProblem } from "./gateway-address.js";

export const API_VERSION = "coddiwomple.io/v1alpha1";
export const DEFAULT_SUFFIX = "global";
export const DEFAULT_NAMESPACE = "istio-system";
// Class E space that Istio itself does not use: its own ServiceEntry address allocation takes
// 240.240.0.0/16, and a VIP of ours there could equal one of its.
export const DEFAULT_VIP_POOL = "240.241.0.0/16";
export const DEFAULT_ISTIO_VERSION = "1.30";
export const DEFAULT_TRUST_DOMAIN = "cluster.local";
export const DEFAULT_INGRESS_PORT = 15443;
export const DEFAULT_GATEWAY_NAMESPACE = "istio-system";
export const DEFAULT_INGRESS_SELECTOR = { istio: "ingressgateway" } as const;
export const DEFAULT_INGRESS_SERVICE_ACCOUNT = "istio-ingressgateway-service-account";
export const DEFAULT_EGRESS_SELECTOR = { istio: "egressgateway" } as const;
export const DEFAULT_EGRESS_SERVICE_ACCOUNT = "istio-egressgateway-service-account";

// How a call crosses from one cluster to another:
//   gateway      sidecar -> remote ingress gateway, which terminates Istio mTLS and routes (seed 000)
//   passthrough  sidecar -> remote ingress gateway (AUTO_PASSTHROUGH, SNI-routed) -> the workload,
//                mTLS end to end, so the called workload sees the caller's own identity (seed 003)
//   egress       sidecar -> the caller cluster's egress gateway -> remote ingress gateway (seed 004)
export const MODES = ["gateway", "passthrough", "egress"] as const;
export type Mode = (typeof MODES)[number];
export const DEFAULT_MODE: Mode = "gateway";
export const DEFAULT_EGRESS_SERVICE = "istio-egressgateway";
export const DEFAULT_EGRESS_PORT = 443;

/** routeKubernetesName's value that also creates the name where the service does not run. */
export const ROUTE_EVERYWHERE = "everywhere";

export const PROTOCOLS = ["HTTP", "HTTP2", "GRPC", "HTTPS", "TLS", "TCP", "MONGO"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

// Kubernetes' DNS-1123 rules. The patterns double as JSON Schema patterns, and issues.ts maps a failed
// pattern back to its diagnostic code by comparing the pattern text.
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Octets 0-255 and prefixes 0-32 are checked here, so that no later stage meets an address it cannot parse.
export const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
export const IPV4_CIDR =
  /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
export const ISTIO_VERSION = /^1\.\d{1,2}(\.\d{1,3})?$/;

const label = (what: string) =>
  z
    .string()
    .max(63)
    .regex(DNS1123_LABEL)
    .describe(`${what} (a DNS-1123 label: lower-case letters, digits, '-').`);
const subdomain = (what: string) =>
  z.string().max(253).regex(DNS1123_SUBDOMAIN).describe(`${what} (a DNS-1123 subdomain).`);
const port = (what: string) => z.number().int().min(1).max(65535).describe(what);

// Kubernetes labels, as its API server checks them (apimachinery validation.IsQualifiedName and
// IsValidLabelValue): a key is a name of at most 63 characters, optionally after a DNS subdomain
// prefix of at most 253 and '/'; a value is empty or such a name. Anything else could match no pod.
export const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** The custom issue a schema raises with cw's own code; issues.ts words the message. */
export type CustomProblem = "label-prefix-too-long" | "empty-selector" | "gateway-address";
const problem = (p: CustomProblem) => ({ params: { cw: p } });

const labelKey = z
  .string()
  .regex(LABEL_KEY)
  .refine((key) => !key.includes("/") || key.indexOf("/") <= 253, problem("label-prefix-too-long"));
/**
 * A label map. A selector must name at least one label: an empty one selects every pod of its
 * namespace, which would put policies meant for one workload on all of them.
 */
const labelMap = (what: string, options: { readonly selector: boolean }) => {
  const map = z.record(labelKey, z.string().regex(LABEL_VALUE)).describe(what);
  return options.selector ? map.refine((m) => Object.keys(m).length > 0, problem("empty-selector")) : map;
};
/** An ingress gateway's address as other clusters dial it; gateway-address.ts says what it may be. */
export const gatewayAddress = z
  .string()
  .min(1)
  .superRefine((address, ctx) => {
    const why = gatewayAddressProblem(address);
    if (why !== undefined)
      ctx.addIssue({ code: "custom", message: why.join("; "), params: { cw: "gateway-address" } });
  });
const selector = labelMap("Labels of the gateway's pods, as in a Gateway's selector.", { selector: true });

export const PortSchema = z
  .strictObject({
    name: label("Port name, unique within the service"),
    protocol: z.enum(PROTOCOLS).describe("How Istio proxies this port."),
    port: port("The port callers use with the global name (the original's service_port)."),
    targetPort: port(
      "The port of the backend's Kubernetes Service (the original's backend_port). Defaults to port.",
    ).optional(),
  })
  .describe("A port of a global service.");

export const BackendSchema = z
  .strictObject({
    cluster: label("Name of the cluster that runs this backend"),
    host: subdomain(
      "The backend's Kubernetes Service host in that cluster. Defaults to <name>.<namespace>.svc.cluster.local",
    ).optional(),
  })
  .describe("Where the service runs.");

const mode = (what: string) => z.enum(MODES).describe(what);

export const SubsetSchema = z
  .strictObject({
    name: label("Subset name, e.g. v1"),
    // An empty map is CW1025 (check.ts), which says what a subset needs.
    labels: labelMap("Pod labels that select the subset, e.g. {version: v1}.", { selector: false }),
  })
  .describe("A named subset of the service's pods, the same in every backend cluster.");

export const SplitSchema = z
  .strictObject({
    cluster: label("Backend cluster that receives this share"),
    subset: label("Subset within that cluster; default: all its pods").optional(),
    weight: z.number().int().min(0).max(100).describe("Percentage of calls; the weights add up to 100."),
  })
  .describe("One share of a traffic split.");

export const ConsumerSchema = z
  .union([
    z.string(),
    z.strictObject({
      cluster: z.string().describe("Consuming cluster"),
      namespaces: z
        .array(label("Namespace of callers"))
        .min(1)
        .describe("Only callers in these namespaces may call; the objects are exported only to them.")
        .optional(),
      serviceAccounts: z
        .array(label("Service account of callers"))
        .min(1)
        .describe("Only callers with these service accounts (in those namespaces) may call.")
        .optional(),
    }),
  ])
  .describe(
    "A consuming cluster name ('*' for all), or a cluster with the namespaces and service accounts allowed to call.",
  );

export const ServiceSchema = z
  .strictObject({
    name: label("Service name; the global host is <name>.<suffix>"),
    namespace: label("Kubernetes namespace of the service's backends").optional(),
    aliases: z
      .array(
        subdomain(
          "Extra name; the global suffix is appended, e.g. reviews.default -> reviews.default.global",
        ),
      )
      .optional(),
    vip: z
      .string()
      .regex(IPV4)
      .describe("A fixed virtual IP. Normally cw allocates one from the pool.")
      .optional(),
    ports: z.array(PortSchema).min(1).describe("The ports of the service."),
    backends: z.array(BackendSchema).describe("The clusters that run the service."),
    consumers: z
      .array(ConsumerSchema)
      .describe(
        "Clusters allowed to call the service through a gateway; '*' means every cluster. Default: none, so the service stays private to its own clusters.",
      )
      .optional(),
    mode: mode("How callers reach this service, overriding each calling cluster's mode.").optional(),
    serviceAccount: label(
      "Service account of the service's pods: checked by callers in passthrough mode, where they talk to the pods directly",
    ).optional(),
    selector: labelMap(
      "Labels of the service's pods, for policies on them (passthrough mode). Default {app: <name>}.",
      { selector: true },
    ).optional(),
    subsets: z.array(SubsetSchema).describe("Named subsets (versions) of the service's pods.").optional(),
    split: z
      .array(SplitSchema)
      .min(1)
      .describe(
        "How consumers' calls are shared over (cluster, subset) pairs, e.g. 75% to v3 in b and 25% to v1 locally. Applies to callers in the consumer clusters.",
      )
      .optional(),
    failover: z
      .array(label("Backend cluster"))
      .min(1)
      .describe(
        "Backend clusters in order of preference for consumers: calls go to the first healthy one. Default: nearest by locality.",
      )
      .optional(),
    routeKubernetesName: z
      .union([z.boolean(), z.literal(ROUTE_EVERYWHERE)])
      .describe(
        "Route the service's own Kubernetes name (reviews, reviews.default, reviews.default.svc.cluster.local) as the global name is routed, so that callers need no change. true: in each consumer cluster that runs the service, calls to that name follow the split. everywhere: also create the name in consumer clusters that do not run it (a ServiceEntry, which shadows a Service of that name; warning CW1045). Default false.",
      )
      .optional(),
  })
  .describe("A global service, reachable as <name>.<suffix> from its consumers.");

const GatewaySchema = (kind: "ingress" | "egress") =>
  z.strictObject({
    selector: selector.optional(),
    namespace: label(`Namespace of the ${kind} gateway's pods. Default istio-system`).optional(),
    serviceAccount: label(`Service account of the ${kind} gateway's pods`).optional(),
  });

export const IngressSchema = GatewaySchema("ingress")
  .extend({
    addresses: z
      .array(gatewayAddress)
      .describe("External IPs or DNS names of the ingress gateway, as other clusters reach it.")
      .optional(),
    port: port("The ingress gateway port for cross-cluster mTLS traffic. Default 15443.").optional(),
  })
  .describe("The cluster's ingress gateway, where calls from other clusters arrive.");

export const EgressSchema = GatewaySchema("egress")
  .extend({
    service: label("Name of the egress gateway's Kubernetes Service. Default istio-egressgateway").optional(),
    port: port(
      "The egress gateway Service port that sidecars send cross-cluster calls to. Default 443.",
    ).optional(),
  })
  .describe("The cluster's egress gateway, used by callers in egress mode.");

export const GITOPS_ENGINES = ["argocd", "flux"] as const;
export type GitopsEngine = (typeof GITOPS_ENGINES)[number];
export const FLUX_MODES = ["kubeconfig", "in-cluster"] as const;
export type FluxMode = (typeof FLUX_MODES)[number];

export const ClusterGitopsSchema = z
  .strictObject({
    destination: z
      .string()
      .min(1)
      .describe("Argo CD: the cluster's name in Argo CD (its cluster secret). Default: the cluster's name.")
      .optional(),
    kubeConfigSecret: label(
      "Flux (kubeconfig mode): the Secret in Flux's namespace holding the cluster's kubeconfig. Default <cluster>-kubeconfig",
    ).optional(),
  })
  .describe("How a GitOps engine reaches this cluster (cw generate --gitops).");

export const GitopsSchema = z
  .strictObject({
    repo: z
      .string()
      .min(1)
      .describe("Argo CD: the repository URL the cluster folders are committed to (--repo).")
      .optional(),
    revision: z
      .string()
      .min(1)
      .describe("Argo CD: the branch, tag or commit to deliver (--revision). Default HEAD.")
      .optional(),
    pathPrefix: z
      .string()
      .describe(
        "Where the output folder is in the repository, e.g. deploy/istio (--path-prefix). Default: the output folder's place in its git repository.",
      )
      .optional(),
    argocd: z
      .strictObject({
        namespace: label("Argo CD's namespace. Default argocd").optional(),
        project: z.string().min(1).describe("The Argo CD project. Default default").optional(),
      })
      .optional(),
    flux: z
      .strictObject({
        namespace: label("Flux's namespace. Default flux-system").optional(),
        source: label(
          "The GitRepository Flux reads the repository through (it holds URL and revision). Default flux-system",
        ).optional(),
        mode: z
          .enum(FLUX_MODES)
          .describe(
            "kubeconfig: one Flux reaches every cluster through a kubeConfig Secret; in-cluster: each cluster's own Flux applies its folder. Default kubeconfig",
          )
          .optional(),
      })
      .optional(),
  })
  .describe("How cw generate --gitops argocd|flux delivers each cluster's folder.");

export const ClusterSchema = z
  .strictObject({
    name: label("Cluster name"),
    network: label("Network name. Default: the cluster name").optional(),
    region: z.string().min(1).describe("Region, for locality-aware load balancing").optional(),
    zone: z.string().min(1).describe("Zone within the region").optional(),
    trustDomain: subdomain("The cluster's Istio trust domain. Default cluster.local").optional(),
    istioVersion: z
      .string()
      .regex(ISTIO_VERSION)
      .describe('Istio release running in the cluster, e.g. "1.30". Default 1.30.')
      .optional(),
    mode: mode(
      "How this cluster's workloads call services in other clusters. Default: defaults.mode",
    ).optional(),
    ingress: IngressSchema.optional(),
    egress: EgressSchema.optional(),
    kubeconfig: z
      .strictObject({ path: z.string().optional(), context: z.string().optional() })
      .describe("How to reach the cluster's API server.")
      .optional(),
    gitops: ClusterGitopsSchema.optional(),
  })
  .describe("A Kubernetes cluster with its own Istio control plane.");

export const DefaultsSchema = z
  .strictObject({
    suffix: subdomain("Suffix of global names. Default global").optional(),
    namespace: label("Namespace of the generated objects. Default istio-system").optional(),
    vipPool: z.string().regex(IPV4_CIDR).describe("IPv4 CIDR block VIPs are allocated from.").optional(),
    mode: mode(
      "How clusters call each other unless a cluster or service says otherwise. Default gateway",
    ).optional(),
    sidecarScope: z
      .boolean()
      .describe(
        "Also write a Sidecar per consuming namespace that limits its sidecars to the global services it consumes (plus its own namespace and istio-system), to keep sidecar memory proportional.",
      )
      .optional(),
  })
  .describe("Settings that apply to the whole federation.");

export const MetadataSchema = z.strictObject({
  name: label("Name of the federation; generated objects are labelled with it"),
});

export const FederationSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal("Federation"),
    metadata: MetadataSchema,
    spec: z.strictObject({
      defaults: DefaultsSchema.optional(),
      clusters: z.array(ClusterSchema),
      services: z.array(ServiceSchema),
      gitops: GitopsSchema.optional(),
    }),
  })
  .describe("Clusters with independent Istio control planes and the services they share.");

export type FederationInput = z.infer<typeof FederationSchema>;
export type ClusterInput = z.infer<typeof ClusterSchema>;
export type ServiceInput = z.infer<typeof ServiceSchema>;
export type DefaultsInput = z.infer<typeof DefaultsSchema>;
export type GitopsInput = z.infer<typeof GitopsSchema>;
export type ClusterGitopsInput = z.infer<typeof ClusterGitopsSchema>;

/** The JSON Schema shipped in schema/federation.schema.json. */
export function federationJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://coddiwomple.io/schema/federation.schema.json",
    ...z.toJSONSchema(FederationSchema, { target: "draft-2020-12", io: "input" }),
  };
}

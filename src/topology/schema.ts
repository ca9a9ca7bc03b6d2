// The Federation file format, as zod schemas. They serve two jobs: checking the shape of user input
// (types, unknown fields, names, ranges) and producing the JSON Schema that editors use. Defaults are
// documented here but applied in model.ts, where each value keeps the position it came from.

import { z } from "zod";

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
const selector = z
  .record(z.string(), z.string())
  .describe("Labels of the gateway's pods, as in a Gateway's selector.");

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
      .array(z.string())
      .describe(
        "Clusters allowed to call the service from outside its backend clusters; '*' means every cluster. Default: none, so the service stays private.",
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
      .array(z.string().min(1))
      .describe("External IPs or DNS names of the ingress gateway, as other clusters reach it.")
      .optional(),
    port: port("The ingress gateway port for cross-cluster mTLS traffic. Default 15443.").optional(),
  })
  .describe("The cluster's ingress gateway, where calls from other clusters arrive.");

export const EgressSchema = GatewaySchema("egress").describe("The cluster's egress gateway, if any.");

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
    ingress: IngressSchema.optional(),
    egress: EgressSchema.optional(),
    kubeconfig: z
      .strictObject({ path: z.string().optional(), context: z.string().optional() })
      .describe("How to reach the cluster's API server.")
      .optional(),
  })
  .describe("A Kubernetes cluster with its own Istio control plane.");

export const DefaultsSchema = z
  .strictObject({
    suffix: subdomain("Suffix of global names. Default global").optional(),
    namespace: label("Namespace of the generated objects. Default istio-system").optional(),
    vipPool: z.string().regex(IPV4_CIDR).describe("IPv4 CIDR block VIPs are allocated from.").optional(),
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
    }),
  })
  .describe("Clusters with independent Istio control planes and the services they share.");

export type FederationInput = z.infer<typeof FederationSchema>;
export type ClusterInput = z.infer<typeof ClusterSchema>;
export type ServiceInput = z.infer<typeof ServiceSchema>;
export type DefaultsInput = z.infer<typeof DefaultsSchema>;

/** The JSON Schema shipped in schema/federation.schema.json. */
export function federationJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://coddiwomple.io/schema/federation.schema.json",
    ...z.toJSONSchema(FederationSchema, { target: "draft-2020-12", io: "input" }),
  };
}

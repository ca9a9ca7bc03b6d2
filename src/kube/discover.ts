// `cw discover` for one cluster: what a topology needs to know about it, read from the live cluster.
//   - Services, in every namespace or the ones asked for (never kube-system and the like);
//   - Kubernetes MCS ServiceExports, where the cluster serves that API: they mark exported Services;
//   - the ingress (and egress) gateway: the Service in its namespace that selects the gateway's pods,
//     and the external address from its status (load balancer IPs or host names, or external IPs);
//   - the ingress gateway's service account, from spec.serviceAccountName of its pods: the name differs
//     by installer (istioctl's istio-ingressgateway-service-account, the Helm gateway chart's release
//     name), and cw pins it in the subjectAltNames callers check, so a guess breaks every handshake;
//   - the Istio version, from the image tag of istiod's Deployment, and the trust domain, from
//     istiod's mesh config (ConfigMap istio); an absent trustDomain there means cluster.local.
// What it cannot find becomes a note for the person, never an error: a cluster without Istio still
// has Services worth listing.

import { parse as parseYaml } from "yaml";
import { byText } from "../compare.js";
import { errorMessage, type KubeClient, KubeError, type KubeObject } from "./client.js";

export interface GatewayQuery {
  readonly selector: Readonly<Record<string, string>>;
  readonly namespace: string;
}

export interface DiscoverOptions {
  /** Namespaces whose Services to read; empty: every namespace but the system ones. */
  readonly namespaces: readonly string[];
  readonly ingress: GatewayQuery & { readonly port: number };
  readonly egress: GatewayQuery;
  /** Where istiod runs (default istio-system). */
  readonly istioNamespace: string;
}

export interface DiscoveredPort {
  readonly name?: string;
  /** The Kubernetes protocol: TCP, UDP or SCTP. */
  readonly protocol: string;
  readonly port: number;
  readonly appProtocol?: string;
}

export interface DiscoveredService {
  readonly name: string;
  readonly namespace: string;
  readonly type: string;
  readonly ports: readonly DiscoveredPort[];
  /** A ServiceExport of the same name and namespace exists. */
  readonly exported: boolean;
}

export interface DiscoveredGateway {
  readonly service: string;
  readonly namespace: string;
  readonly addresses: readonly string[];
  readonly ports: readonly number[];
  /** The service account every pod of the gateway runs as; absent when there are none or several. */
  readonly serviceAccount?: string;
}

export interface DiscoveredCluster {
  readonly cluster: string;
  readonly context: string;
  readonly istio?: { readonly version: string; readonly trustDomain?: string };
  readonly ingress?: DiscoveredGateway;
  readonly egress?: DiscoveredGateway;
  readonly services: readonly DiscoveredService[];
  /** Namespaces read; undefined for every namespace. */
  readonly namespaces?: readonly string[];
  /** The cluster serves the Kubernetes MCS API (multicluster.x-k8s.io). */
  readonly serviceExportApi: boolean;
  /** Things a person should know: what was not found, and what to do. */
  readonly notes: readonly string[];
}

const MCS_GROUP = "multicluster.x-k8s.io";
const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

export async function discoverCluster(
  client: KubeClient,
  cluster: string,
  options: DiscoverOptions,
): Promise<DiscoveredCluster> {
  const notes: string[] = [];
  // Discovery first: it fails fast for an unreachable cluster, before anything else is asked.
  const groups = await client.groups();
  const selected = options.namespaces.length > 0 ? options.namespaces : undefined;
  const listIn = async (apiVersion: string, kind: string): Promise<KubeObject[]> =>
    selected
      ? (await Promise.all(selected.map((namespace) => client.list(apiVersion, kind, { namespace })))).flat()
      : client.list(apiVersion, kind);

  const mcsVersion = groups.get(MCS_GROUP);
  const exports = new Set<string>();
  if (mcsVersion !== undefined) {
    for (const e of await listIn(`${MCS_GROUP}/${mcsVersion}`, "ServiceExport")) {
      exports.add(`${e.metadata.namespace}/${e.metadata.name}`);
    }
  }
  const skip = new Set([...SYSTEM_NAMESPACES, options.istioNamespace, options.ingress.namespace]);
  const services = (await listIn("v1", "Service"))
    .filter((s) => {
      const ns = s.metadata.namespace ?? "default";
      if (ns === "default" && s.metadata.name === "kubernetes") return false;
      return selected !== undefined || !skip.has(ns);
    })
    .map((s) => toService(s, exports))
    .sort(byText(key));

  const gateway = await findGateway(client, options.ingress, "ingress", notes);
  const serviceAccount = gateway && (await gatewayServiceAccount(client, options.ingress, notes));
  const ingress = gateway && { ...gateway, ...(serviceAccount !== undefined && { serviceAccount }) };
  if (ingress && !ingress.ports.includes(options.ingress.port)) {
    notes.push(
      `the ingress gateway Service ${ingress.namespace}/${ingress.service} has no port ${options.ingress.port}, where cw sends cross-cluster mTLS; add that port to it (or set ingress.port to one it has)`,
    );
  }
  const egress = await findGateway(client, options.egress, "egress", []);
  const istio = await findIstio(client, options.istioNamespace, notes);
  return {
    cluster,
    context: client.context,
    ...(istio && { istio }),
    ...(ingress && { ingress }),
    ...(egress && { egress }),
    services,
    ...(selected && { namespaces: selected }),
    serviceExportApi: mcsVersion !== undefined,
    notes,
  };
}

const key = (s: { readonly namespace: string; readonly name: string }) => `${s.namespace}/${s.name}`;

function toService(s: KubeObject, exports: ReadonlySet<string>): DiscoveredService {
  const spec = (s.spec ?? {}) as { type?: string; ports?: Record<string, unknown>[] };
  const namespace = s.metadata.namespace ?? "default";
  return {
    name: s.metadata.name,
    namespace,
    type: spec.type ?? "ClusterIP",
    ports: (spec.ports ?? []).map((p) => ({
      ...(typeof p.name === "string" && p.name !== "" && { name: p.name }),
      protocol: typeof p.protocol === "string" ? p.protocol : "TCP",
      port: Number(p.port),
      ...(typeof p.appProtocol === "string" && { appProtocol: p.appProtocol }),
    })),
    exported: exports.has(`${namespace}/${s.metadata.name}`),
  };
}

export async function findGateway(
  client: KubeClient,
  query: GatewayQuery,
  role: "ingress" | "egress",
  notes: string[],
): Promise<DiscoveredGateway | undefined> {
  const selects = (s: KubeObject): boolean => {
    const selector = ((s.spec ?? {}) as { selector?: Record<string, string> }).selector ?? {};
    return Object.entries(query.selector).every(([k, v]) => selector[k] === v);
  };
  const candidates = (await client.list("v1", "Service", { namespace: query.namespace })).filter(selects);
  const wanted = Object.entries(query.selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const service = candidates.sort(byText((p) => p.metadata.name))[0];
  if (!service) {
    notes.push(
      `no Service in namespace ${query.namespace} selects the ${role} gateway's pods (${wanted}); set ${role}.selector and ${role}.namespace to your gateway's`,
    );
    return undefined;
  }
  const spec = (service.spec ?? {}) as {
    type?: string;
    ports?: { port?: number }[];
    externalIPs?: string[];
  };
  const status = (service.status ?? {}) as {
    loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
  };
  const addresses = [
    ...(status.loadBalancer?.ingress ?? []).flatMap((i) => i.ip ?? i.hostname ?? []),
    ...(spec.externalIPs ?? []),
  ];
  if (role === "ingress" && addresses.length === 0) {
    notes.push(
      `the ingress gateway Service ${query.namespace}/${service.metadata.name} (type ${spec.type ?? "ClusterIP"}) has no external address yet; other clusters cannot reach it until it has one (or set ingress.addresses by hand)`,
    );
  }
  return {
    service: service.metadata.name,
    namespace: query.namespace,
    addresses: [...new Set(addresses)],
    ports: (spec.ports ?? []).flatMap((p) => (typeof p.port === "number" ? [p.port] : [])),
  };
}

/**
 * The service account of the gateway's pods (spec.serviceAccountName; a pod without one runs as
 * "default"). Pods being deleted are left out: in a rollout from one account to another, the new one.
 */
export async function gatewayServiceAccount(
  client: KubeClient,
  query: GatewayQuery,
  notes: string[],
): Promise<string | undefined> {
  const wanted = Object.entries(query.selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  let pods: KubeObject[];
  try {
    pods = await client.list("v1", "Pod", { namespace: query.namespace, labelSelector: wanted });
  } catch (e) {
    if (e instanceof KubeError && e.reason === "Forbidden") {
      notes.push(
        `cannot list Pods in ${query.namespace} (${errorMessage(e)}), so the ingress gateway's service account is unknown; set ingress.serviceAccount by hand`,
      );
      return undefined;
    }
    throw e;
  }
  const accounts = [
    ...new Set(
      pods
        .filter((p) => p.metadata.deletionTimestamp === undefined)
        .map((p) => (p.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? "default"),
    ),
  ].sort();
  if (accounts.length === 1) return accounts[0];
  notes.push(
    accounts.length === 0
      ? `no pods in namespace ${query.namespace} match the ingress gateway's selector (${wanted}), so its service account is unknown; is the gateway running?`
      : `the ingress gateway's pods (${wanted}) run as several service accounts (${accounts.join(", ")}); cw pins one in the names callers check: set ingress.serviceAccount by hand`,
  );
  return undefined;
}

export async function findIstio(
  client: KubeClient,
  namespace: string,
  notes: string[],
): Promise<{ version: string; trustDomain?: string } | undefined> {
  let deployments: KubeObject[];
  try {
    deployments = await client.list("apps/v1", "Deployment", { namespace, labelSelector: "app=istiod" });
  } catch (e) {
    if (e instanceof KubeError && (e.reason === "Forbidden" || e.reason === "NotFound")) {
      notes.push(`cannot read Deployments in ${namespace} (${errorMessage(e)}); set istioVersion by hand`);
      return undefined;
    }
    throw e;
  }
  const version = deployments
    .sort(byText((p) => p.metadata.name))
    .map(istiodVersion)
    .find((v) => v !== undefined);
  if (version === undefined) {
    notes.push(
      `no istiod Deployment with a versioned image in namespace ${namespace}: is Istio installed there? (--istio-namespace names another)`,
    );
    return undefined;
  }
  const config = await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "istio" });
  const mesh = ((config?.data ?? {}) as Record<string, unknown>).mesh;
  let trustDomain: string | undefined;
  if (typeof mesh === "string") {
    try {
      const parsed = parseYaml(mesh) as { trustDomain?: unknown } | null;
      trustDomain = typeof parsed?.trustDomain === "string" ? parsed.trustDomain : "cluster.local";
    } catch {
      notes.push(`the mesh config in ConfigMap ${namespace}/istio is not YAML; set trustDomain by hand`);
    }
  } else {
    notes.push(`no mesh config (ConfigMap ${namespace}/istio); set trustDomain by hand`);
  }
  return { version, ...(trustDomain !== undefined && { trustDomain }) };
}

/** 1.30.2 from an image like docker.io/istio/pilot:1.30.2 or .../pilot:1.30.2-distroless. */
function istiodVersion(d: KubeObject): string | undefined {
  const containers =
    (d.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec
      ?.containers ?? [];
  for (const c of containers) {
    const tag = c.image?.split("@")[0]?.split(":").pop();
    const m = tag !== undefined ? /^v?(1\.\d{1,2}(?:\.\d{1,3})?)/.exec(tag) : null;
    if (m?.[1] !== undefined) return m[1];
  }
  const label = d.metadata.labels?.["operator.istio.io/version"];
  return label !== undefined && /^1\.\d{1,2}(\.\d{1,3})?$/.test(label) ? label : undefined;
}

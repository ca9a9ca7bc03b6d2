// What `cw check --live` reads from one cluster, once, before any check is decided (preflight-checks.ts
// decides them without talking to the cluster): istiod's version and trust domain and the ingress
// gateway's Service and service account (as discover reads them), the root certificates workloads
// trust, the Istio config the cluster has (as discover --existing reads it: others' for the conflict
// analysis, ours for whether the generated objects are applied), and, for clusters before Istio 1.8,
// the CoreDNS Corefile. Reading the API groups comes first: an unreachable cluster fails there, fast.

import { errorMessage, type KubeClient, KubeError } from "./client.js";
import {
  type DiscoveredGateway,
  findGateway,
  findIstio,
  type GatewayQuery,
  gatewayServiceAccount,
} from "./discover.js";
import { type ExistingSnapshot, readExisting } from "./existing-read.js";
import { ROOT_CONFIGMAP, ROOT_KEY, type RootCertificate, rootsOf } from "./root-of-trust.js";

export interface PreflightQuery {
  readonly federation: string;
  readonly istioNamespace: string;
  readonly ingress: GatewayQuery & { readonly port: number };
  /** Read kube-system/coredns: the cluster's Istio predates the DNS proxy. */
  readonly coreDns: boolean;
}

export interface LiveFacts {
  readonly istio?: { readonly version: string; readonly trustDomain?: string };
  /** Why the version or trust domain is unknown. */
  readonly istioNotes: readonly string[];
  readonly gateway?: DiscoveredGateway;
  /** Why the gateway, its address or its service account is unknown. */
  readonly gatewayNotes: readonly string[];
  /** The roots of trust, or why they are unknown. */
  readonly roots: readonly RootCertificate[] | string;
  readonly existing: ExistingSnapshot;
  readonly corefile?: string;
}

export async function readLiveFacts(client: KubeClient, query: PreflightQuery): Promise<LiveFacts> {
  await client.groups();
  const istioNotes: string[] = [];
  const gatewayNotes: string[] = [];
  const istio = await findIstio(client, query.istioNamespace, istioNotes);
  const found = await findGateway(client, query.ingress, "ingress", gatewayNotes);
  const serviceAccount = found && (await gatewayServiceAccount(client, query.ingress, gatewayNotes));
  const gateway = found && { ...found, ...(serviceAccount !== undefined && { serviceAccount }) };
  const existing = await readExisting(client, query);
  const corefile = query.coreDns ? await readCorefile(client) : undefined;
  return {
    ...(istio && { istio }),
    istioNotes,
    ...(gateway && { gateway }),
    gatewayNotes,
    roots: await readRoots(client, query.istioNamespace),
    existing,
    ...(corefile !== undefined && { corefile }),
  };
}

async function readRoots(
  client: KubeClient,
  namespace: string,
): Promise<readonly RootCertificate[] | string> {
  try {
    const map = await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: ROOT_CONFIGMAP });
    const pem = (map?.data as Record<string, unknown> | undefined)?.[ROOT_KEY];
    if (typeof pem !== "string") {
      return map
        ? `ConfigMap ${namespace}/${ROOT_CONFIGMAP} has no ${ROOT_KEY}`
        : `no ConfigMap ${namespace}/${ROOT_CONFIGMAP}: istiod writes it into every namespace once it runs`;
    }
    return rootsOf(pem);
  } catch (e) {
    if (e instanceof KubeError && e.reason === "Forbidden")
      return `cannot read ${ROOT_CONFIGMAP}: ${errorMessage(e)}`;
    throw e;
  }
}

async function readCorefile(client: KubeClient): Promise<string | undefined> {
  const map = await client.get({
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace: "kube-system",
    name: "coredns",
  });
  const corefile = (map?.data as Record<string, unknown> | undefined)?.Corefile;
  return typeof corefile === "string" ? corefile : undefined;
}

// The Istio config a live cluster already has, as the `--existing` folder holds it (the shared
// contract): every kind of the groups networking.istio.io and security.istio.io, at the first version
// that serves it (ProxyConfig and EnvoyFilter are not served at the preferred v1), plus the mesh config
// (ConfigMap istio or istio-<rev> with data.mesh, in istiod's namespace). Secrets are never asked for.
//
// Skipped: this federation's own objects (the new output replaces them), and objects istiod itself
// ignores: with meshConfig.discoverySelectors set, istiod reads config only from the namespaces they
// select (pkg/kube/namespace/filter.go discoveryNamespacesFilter.Filter, composed into every config
// informer in pilot/pkg/config/kube/crdclient/client.go addCRD, 1.22 and later), so config elsewhere
// cannot touch our traffic.
//
// Each object is cut down to what affects routing: apiVersion, kind, metadata name, namespace, labels
// and annotations (without kubectl's last-applied-configuration, a second copy of the object), and
// spec (data for the ConfigMap). Objects are sorted, so the same cluster gives the same snapshot.

import { parse as parseYaml } from "yaml";
import { compareText } from "../compare.js";
import { identity, type KubeClient, type KubeObject, kubeRefOf } from "./client.js";
import { isOurs } from "./ownership.js";

export const EXISTING_GROUPS = ["networking.istio.io", "security.istio.io"] as const;
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export interface ExistingReadOptions {
  /** This federation's name: its objects are skipped. */
  readonly federation: string;
  /** Where istiod and its mesh config live (default istio-system). */
  readonly istioNamespace: string;
}

export interface ExistingSnapshot {
  /** The objects, cut down and sorted by kind, namespace and name. */
  readonly objects: readonly KubeObject[];
  /** This federation's own objects, left out of objects (cut down the same way). */
  readonly ours: readonly KubeObject[];
  /** Namespaces whose config was left out because istiod's discoverySelectors do not select them. */
  readonly unselected: readonly string[];
}

export async function readExisting(
  client: KubeClient,
  options: ExistingReadOptions,
): Promise<ExistingSnapshot> {
  const mesh = await meshConfigMaps(client, options.istioNamespace);
  const selected = await discoveryNamespaces(client, mesh);
  const objects: KubeObject[] = [...mesh];
  const ours: KubeObject[] = [];
  const unselected = new Set<string>();
  for (const group of EXISTING_GROUPS) {
    for (const served of await client.kinds(group)) {
      for (const o of await client.list(served.apiVersion, served.kind)) {
        const namespace = o.metadata.namespace;
        if (isOurs(o, options.federation)) ours.push(existingObject(o));
        else if (selected && namespace !== undefined && !selected.has(namespace)) unselected.add(namespace);
        else objects.push(existingObject(o));
      }
    }
  }
  objects.sort((a, b) => compareText(sortKey(a), sortKey(b)));
  ours.sort((a, b) => compareText(sortKey(a), sortKey(b)));
  return { objects, ours, unselected: [...unselected].sort() };
}

/** An object as the --existing folder keeps it. */
export function existingObject(o: KubeObject): KubeObject {
  const { labels, annotations } = o.metadata;
  const kept = Object.entries(annotations ?? {}).filter(([k]) => k !== LAST_APPLIED);
  const body = o.kind === "ConfigMap" && groupless(o) ? { data: o.data ?? {} } : { spec: o.spec ?? {} };
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.namespace !== undefined && { namespace: o.metadata.namespace }),
      ...(labels !== undefined && Object.keys(labels).length > 0 && { labels }),
      ...(kept.length > 0 && { annotations: Object.fromEntries(kept) }),
    },
    ...body,
  };
}

const groupless = (o: KubeObject): boolean => !o.apiVersion.includes("/");

/** The mesh config: ConfigMap istio, or istio-<rev> for a revision, whose data.mesh is MeshConfig. */
export const isMeshConfigMap = (o: KubeObject): boolean =>
  o.kind === "ConfigMap" &&
  groupless(o) &&
  (o.metadata.name === "istio" || o.metadata.name.startsWith("istio-")) &&
  typeof (o.data as Record<string, unknown> | undefined)?.mesh === "string";

async function meshConfigMaps(client: KubeClient, namespace: string): Promise<KubeObject[]> {
  // istio-ca-root-cert and istio-sidecar-injector share the prefix; only the mesh config has data.mesh.
  const maps = await client.list("v1", "ConfigMap", { namespace });
  return maps.filter(isMeshConfigMap).map(existingObject);
}

interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** The namespaces istiod reads config from, or undefined for all (no discoverySelectors). */
async function discoveryNamespaces(
  client: KubeClient,
  mesh: readonly KubeObject[],
): Promise<ReadonlySet<string> | undefined> {
  const selectors: Selector[] = [];
  for (const m of mesh) {
    try {
      const parsed = parseYaml(String((m.data as Record<string, unknown>).mesh)) as {
        discoverySelectors?: Selector[];
      } | null;
      selectors.push(...(parsed?.discoverySelectors ?? []));
    } catch {
      // A mesh config that is not YAML selects nothing away; the snapshot keeps it for the reader.
    }
  }
  // An operator istiod cannot read makes it log an error and keep the filter it had, which at start
  // lets every namespace through (selectorsChanged in pkg/kube/namespace/filter.go).
  const known = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);
  if (
    selectors.length === 0 ||
    selectors.some((s) => (s.matchExpressions ?? []).some((e) => !known.has(e.operator)))
  )
    return undefined;
  const namespaces = await client.list("v1", "Namespace");
  return new Set(
    namespaces
      .filter((ns) => selectors.some((s) => selects(s, ns.metadata.labels ?? {})))
      .map((ns) => ns.metadata.name),
  );
}

/** A Kubernetes LabelSelector (k8s.io/apimachinery labels.Selector): every requirement must hold. */
export function selects(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  const has = (k: string) => Object.hasOwn(labels, k);
  const matchLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has(k) && labels[k] === v);
  return (
    matchLabels &&
    (selector.matchExpressions ?? []).every((e) => {
      const values = e.values ?? [];
      switch (e.operator) {
        case "In":
          return has(e.key) && values.includes(labels[e.key] as string);
        case "NotIn":
          return !has(e.key) || !values.includes(labels[e.key] as string);
        case "Exists":
          return has(e.key);
        case "DoesNotExist":
          return !has(e.key);
        default:
          return false;
      }
    })
  );
}

const sortKey = (o: KubeObject): string => identity(kubeRefOf(o));

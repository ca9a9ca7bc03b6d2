// Reads a Federation file into the Topology model. Each cluster and service is checked on its own, so
// a mistake in one does not hide the mistakes in the others: the user sees every problem in one run.
// One with a mistake is kept without its wrong values (salvage.ts), so that references to it still
// resolve and its other fields still meet the semantic checks.

import { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { Collector, IGNORE } from "../diagnostics/reporter.js";
import type { Cluster, Service, Topology } from "./model.js";
import { CLEAN, type Provenance, readPart } from "./salvage.js";
import {
  API_VERSION,
  BackendSchema,
  type ClusterInput,
  ClusterSchema,
  DEFAULT_EGRESS_PORT,
  DEFAULT_EGRESS_SELECTOR,
  DEFAULT_EGRESS_SERVICE,
  DEFAULT_EGRESS_SERVICE_ACCOUNT,
  DEFAULT_GATEWAY_NAMESPACE,
  DEFAULT_INGRESS_PORT,
  DEFAULT_INGRESS_SELECTOR,
  DEFAULT_INGRESS_SERVICE_ACCOUNT,
  DEFAULT_ISTIO_VERSION,
  DEFAULT_MODE,
  DEFAULT_NAMESPACE,
  DEFAULT_SUFFIX,
  DEFAULT_TRUST_DOMAIN,
  DEFAULT_VIP_POOL,
  DefaultsSchema,
  FederationSchema,
  type Mode,
  PortSchema,
  type ServiceInput,
  ServiceSchema,
} from "./schema.js";
import { child, type Origin, type PathSegment, parseSource, type Source, valueAt } from "./source.js";

export interface ReadResult {
  /** Undefined when the file could not be read as a Federation at all. */
  readonly topology?: Topology;
  readonly diagnostics: Diagnostic[];
}

// The document without its cluster and service items: those are checked one at a time with their
// own schema, so the shell accepts any list there.
const anyArray = z.array(z.unknown());
const ShellSchema = FederationSchema.extend({
  spec: FederationSchema.shape.spec.extend({ clusters: anyArray, services: anyArray }),
});

// What salvage (salvage.ts) keeps of a service in error: one whose ports or backends were all dropped
// still has its other fields checked.
const LenientServiceSchema = ServiceSchema.extend({
  ports: z.array(PortSchema).default([]),
  backends: z.array(BackendSchema).default([]),
});

export function readFederation(file: string, text: string): ReadResult {
  const { source, diagnostics } = parseSource(file, text);
  if (diagnostics.length > 0) return { diagnostics };
  return readFederationSource(source);
}

export function readFederationSource(source: Source): ReadResult {
  const data = source.data as Record<string, unknown> | null;
  const root: Origin = { source, path: [] };
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const args = { kind: "not-a-mapping", list: Array.isArray(data), apiVersion: API_VERSION } as const;
    return { diagnostics: [diag("CW1013", args, source.locate([]))] };
  }
  if (data.apiVersion !== API_VERSION || data.kind !== "Federation") {
    const field = data.apiVersion !== API_VERSION ? "apiVersion" : "kind";
    const found = field in data ? `has ${field}: ${JSON.stringify(data[field])}` : `has no ${field}`;
    return {
      diagnostics: [
        diag(
          "CW1013",
          { kind: "wrong-header", found, apiVersion: API_VERSION },
          source.locate(field in data ? [field] : []),
        ),
      ],
    };
  }

  const found = new Collector();
  // The shell: everything except the items of spec.clusters and spec.services. Its mistakes are
  // reported here; the pieces the topology needs are read on their own below, so that a mistake in
  // the shell hides none in the clusters and services.
  const shell = readPart(source, [], ShellSchema, ShellSchema, found);
  const spec = valueAt(data, ["spec"]);
  const items = (list: string): unknown[] => {
    const value = valueAt(spec, [list]);
    return Array.isArray(value) ? value : [];
  };

  // Defaults in error fall back to cw's own, and a name in error to none: either way the error is
  // already reported, so nothing is generated with them.
  // (Absent defaults are simply none: asking the schema would build diagnostics only to drop them.)
  const defaults =
    (valueAt(data, ["spec", "defaults"]) === undefined
      ? undefined
      : readPart(source, ["spec", "defaults"], DefaultsSchema, DefaultsSchema, IGNORE)?.value) ?? {};
  const defaultMode = defaults.mode ?? DEFAULT_MODE;

  const clusters: Cluster[] = [];
  items("clusters").forEach((_, i) => {
    const path = ["spec", "clusters", i];
    const part = readPart(source, path, ClusterSchema, ClusterSchema, found);
    if (part) clusters.push(toCluster(part.value, child(root, ...path), part, defaultMode));
  });
  const services: Service[] = [];
  items("services").forEach((_, i) => {
    const path = ["spec", "services", i];
    const part = readPart(source, path, LenientServiceSchema, ServiceSchema, found);
    if (part) services.push(toService(part.value, child(root, ...path), part));
  });

  const name = shell?.value.metadata.name ?? "";
  const gitops = shell?.value.spec.gitops;
  const defaultsOrigin = child(root, "spec", "defaults");
  const topology: Topology = {
    name,
    suffix: defaults.suffix ?? DEFAULT_SUFFIX,
    namespace: defaults.namespace ?? DEFAULT_NAMESPACE,
    vipPool: defaults.vipPool ?? DEFAULT_VIP_POOL,
    mode: defaultMode,
    sidecarScope: defaults.sidecarScope ?? false,
    ...(gitops !== undefined && { gitops }),
    clusters,
    services,
    origins: {
      root,
      ...(defaults.suffix !== undefined && { suffix: child(defaultsOrigin, "suffix") }),
      ...(defaults.vipPool !== undefined && { vipPool: child(defaultsOrigin, "vipPool") }),
    },
  };
  return { topology, diagnostics: found.diagnostics };
}

export function toCluster(
  input: ClusterInput,
  origin: Origin,
  provenance: Provenance = CLEAN,
  defaultMode: Mode = DEFAULT_MODE,
): Cluster {
  const ingress = input.ingress ?? {};
  return {
    name: input.name,
    network: input.network ?? input.name,
    ...(input.region !== undefined && { region: input.region }),
    ...(input.zone !== undefined && { zone: input.zone }),
    trustDomain: input.trustDomain ?? DEFAULT_TRUST_DOMAIN,
    istioVersion: input.istioVersion ?? DEFAULT_ISTIO_VERSION,
    ingress: {
      addresses: ingress.addresses ?? [],
      port: ingress.port ?? DEFAULT_INGRESS_PORT,
      selector: ingress.selector ?? DEFAULT_INGRESS_SELECTOR,
      namespace: ingress.namespace ?? DEFAULT_GATEWAY_NAMESPACE,
      serviceAccount: ingress.serviceAccount ?? DEFAULT_INGRESS_SERVICE_ACCOUNT,
    },
    mode: input.mode ?? defaultMode,
    ...(input.egress && {
      egress: {
        selector: input.egress.selector ?? DEFAULT_EGRESS_SELECTOR,
        namespace: input.egress.namespace ?? DEFAULT_GATEWAY_NAMESPACE,
        serviceAccount: input.egress.serviceAccount ?? DEFAULT_EGRESS_SERVICE_ACCOUNT,
        service: input.egress.service ?? DEFAULT_EGRESS_SERVICE,
        port: input.egress.port ?? DEFAULT_EGRESS_PORT,
      },
    }),
    ...(input.kubeconfig && { kubeconfig: input.kubeconfig }),
    ...(input.gitops && { gitops: input.gitops }),
    origin,
    origins: {
      name: child(origin, "name"),
      ingress: input.ingress ? child(origin, "ingress") : origin,
      ...(input.istioVersion !== undefined && { istioVersion: child(origin, "istioVersion") }),
      ...(input.mode !== undefined && { mode: child(origin, "mode") }),
      ...(ingress.serviceAccount !== undefined && {
        ingressServiceAccount: child(child(origin, "ingress"), "serviceAccount"),
      }),
    },
    ...(provenance.invalidFields.size > 0 && { invalidFields: provenance.invalidFields }),
  };
}

export function toService(input: ServiceInput, origin: Origin, provenance: Provenance = CLEAN): Service {
  const namespace = input.namespace ?? "default";
  const at = originsBelow(origin, provenance);
  return {
    name: input.name,
    namespace,
    aliases: (input.aliases ?? []).map((name, i) => ({ name, origin: at("aliases", i) })),
    ...(input.vip !== undefined && { vip: { address: input.vip, origin: at("vip") } }),
    ports: input.ports.map((p, i) => ({
      name: p.name,
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      origin: at("ports", i),
      origins: { name: at("ports", i, "name"), port: at("ports", i, "port") },
    })),
    backends: input.backends.map((b, i) => ({
      cluster: b.cluster,
      host: b.host ?? `${input.name}.${namespace}.svc.cluster.local`,
      origin: at("backends", i),
      origins: { cluster: at("backends", i, "cluster"), clusterAt: "value" },
    })),
    consumers: (input.consumers ?? []).map((c, i) =>
      typeof c === "string"
        ? { cluster: c, origin: at("consumers", i), origins: { cluster: at("consumers", i) } }
        : {
            cluster: c.cluster,
            ...(c.namespaces && { namespaces: c.namespaces }),
            ...(c.serviceAccounts && { serviceAccounts: c.serviceAccounts }),
            origin: at("consumers", i),
            origins: { cluster: at("consumers", i, "cluster") },
          },
    ),
    ...(input.mode !== undefined && { mode: { value: input.mode, origin: at("mode") } }),
    ...(input.serviceAccount !== undefined && { serviceAccount: input.serviceAccount }),
    selector: input.selector ?? { app: input.name },
    subsets: (input.subsets ?? []).map((s, i) => ({
      name: s.name,
      labels: s.labels,
      origin: at("subsets", i),
    })),
    split: (input.split ?? []).map((s, i) => ({
      cluster: s.cluster,
      ...(s.subset !== undefined && { subset: s.subset }),
      weight: s.weight,
      origin: at("split", i),
    })),
    failover: (input.failover ?? []).map((cluster, i) => ({ cluster, origin: at("failover", i) })),
    ...(input.routeKubernetesName !== undefined &&
      input.routeKubernetesName !== false && {
        routeKubernetesName: {
          value: input.routeKubernetesName === true ? "running" : "everywhere",
          origin: at("routeKubernetesName"),
        },
      }),
    origin,
    origins: { name: at("name"), ...(input.split !== undefined && { split: at("split") }) },
    ...(provenance.invalidFields.size > 0 && { invalidFields: provenance.invalidFields }),
  };
}

/**
 * Origins below a service's, as toService asks for them: the items of one list share their list's
 * origin, and the fields of one item share the item's. A service asks for a few origins per port,
 * backend and consumer; made one by one, they were most of what reading a large topology allocated.
 */
function originsBelow(origin: Origin, provenance: Provenance): (...path: PathSegment[]) => Origin {
  const fields = new Map<PathSegment, Origin>();
  const items = new Map<PathSegment, Origin[]>();
  return (...path) => {
    const placed = provenance.place(path);
    const first = placed[0];
    if (first === undefined) return origin;
    let field = fields.get(first);
    if (field === undefined) {
      field = child(origin, first);
      fields.set(first, field);
    }
    const second = placed[1];
    if (second === undefined) return field;
    let list = items.get(first);
    if (list === undefined) {
      list = [];
      items.set(first, list);
    }
    let item = typeof second === "number" ? list[second] : undefined;
    if (item === undefined) {
      item = child(field, second);
      if (typeof second === "number") list[second] = item;
    }
    return placed.length === 2 ? item : child(item, ...placed.slice(2));
  };
}

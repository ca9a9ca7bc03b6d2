// Reads a Federation file into the Topology model. Each cluster and service is checked on its own, so
// a mistake in one does not hide the mistakes in the others: the user sees every problem in one run.

import { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { issuesToDiagnostics } from "./issues.js";
import type { Cluster, Service, Topology } from "./model.js";
import {
  API_VERSION,
  type ClusterInput,
  ClusterSchema,
  DEFAULT_EGRESS_SELECTOR,
  DEFAULT_EGRESS_SERVICE_ACCOUNT,
  DEFAULT_GATEWAY_NAMESPACE,
  DEFAULT_INGRESS_PORT,
  DEFAULT_INGRESS_SELECTOR,
  DEFAULT_INGRESS_SERVICE_ACCOUNT,
  DEFAULT_ISTIO_VERSION,
  DEFAULT_NAMESPACE,
  DEFAULT_SUFFIX,
  DEFAULT_TRUST_DOMAIN,
  DEFAULT_VIP_POOL,
  FederationSchema,
  type ServiceInput,
  ServiceSchema,
} from "./schema.js";
import { child, type Origin, type Path, parseSource, type Source } from "./source.js";

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

export function readFederation(file: string, text: string): ReadResult {
  const { source, diagnostics } = parseSource(file, text);
  if (diagnostics.length > 0) return { diagnostics };
  return readFederationSource(source);
}

export function readFederationSource(source: Source): ReadResult {
  const data = source.data as Record<string, unknown> | null;
  const root: Origin = { source, path: [] };
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const hint = Array.isArray(data)
      ? "; this looks like an original Coddiwomple file: pass it with --cluster-file or --service-file"
      : "";
    return {
      diagnostics: [diag("CW1013", `the file is not a Federation document${hint}`, source.locate([]))],
    };
  }
  if (data.apiVersion !== API_VERSION || data.kind !== "Federation") {
    const path = data.apiVersion !== API_VERSION ? ["apiVersion"] : ["kind"];
    return {
      diagnostics: [
        diag(
          "CW1013",
          `expected apiVersion: ${API_VERSION} and kind: Federation; start the file with those two lines`,
          source.locate(path),
        ),
      ],
    };
  }

  const diagnostics: Diagnostic[] = [];
  const check = <T>(schema: z.ZodType<T>, path: Path): T | undefined => {
    const value = path.reduce<unknown>((v, seg) => (v as Record<string | number, unknown>)?.[seg], data);
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    diagnostics.push(...issuesToDiagnostics(result.error.issues, schema, source, path));
    return undefined;
  };

  // The shell: everything except the items of spec.clusters and spec.services.
  const shell = check(ShellSchema, []);
  const spec = (data.spec ?? {}) as Record<string, unknown>;
  const clusterItems = Array.isArray(spec.clusters) ? spec.clusters : [];
  const serviceItems = Array.isArray(spec.services) ? spec.services : [];

  const clusters: Cluster[] = [];
  clusterItems.forEach((_, i) => {
    const input = check(ClusterSchema, ["spec", "clusters", i]);
    if (input) clusters.push(toCluster(input, child(root, "spec", "clusters", i)));
  });
  const services: Service[] = [];
  serviceItems.forEach((_, i) => {
    const input = check(ServiceSchema, ["spec", "services", i]);
    if (input) services.push(toService(input, child(root, "spec", "services", i)));
  });
  if (!shell) return { diagnostics };

  const defaults = shell.spec.defaults ?? {};
  const defaultsOrigin = child(root, "spec", "defaults");
  const topology: Topology = {
    name: shell.metadata.name,
    suffix: defaults.suffix ?? DEFAULT_SUFFIX,
    namespace: defaults.namespace ?? DEFAULT_NAMESPACE,
    vipPool: defaults.vipPool ?? DEFAULT_VIP_POOL,
    clusters,
    services,
    origins: {
      root,
      ...(defaults.suffix !== undefined && { suffix: child(defaultsOrigin, "suffix") }),
      ...(defaults.vipPool !== undefined && { vipPool: child(defaultsOrigin, "vipPool") }),
    },
  };
  return { topology, diagnostics };
}

export function toCluster(input: ClusterInput, origin: Origin): Cluster {
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
    ...(input.egress && {
      egress: {
        selector: input.egress.selector ?? DEFAULT_EGRESS_SELECTOR,
        namespace: input.egress.namespace ?? DEFAULT_GATEWAY_NAMESPACE,
        serviceAccount: input.egress.serviceAccount ?? DEFAULT_EGRESS_SERVICE_ACCOUNT,
      },
    }),
    ...(input.kubeconfig && { kubeconfig: input.kubeconfig }),
    origin,
    origins: {
      name: child(origin, "name"),
      ingress: input.ingress ? child(origin, "ingress") : origin,
      ...(input.istioVersion !== undefined && { istioVersion: child(origin, "istioVersion") }),
    },
  };
}

export function toService(input: ServiceInput, origin: Origin): Service {
  const namespace = input.namespace ?? "default";
  return {
    name: input.name,
    namespace,
    aliases: (input.aliases ?? []).map((name, i) => ({ name, origin: child(origin, "aliases", i) })),
    ...(input.vip !== undefined && { vip: { address: input.vip, origin: child(origin, "vip") } }),
    ports: input.ports.map((p, i) => ({
      name: p.name,
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      origin: child(origin, "ports", i),
    })),
    backends: input.backends.map((b, i) => ({
      cluster: b.cluster,
      host: b.host ?? `${input.name}.${namespace}.svc.cluster.local`,
      origin: child(origin, "backends", i),
    })),
    consumers: (input.consumers ?? []).map((cluster, i) => ({
      cluster,
      origin: child(origin, "consumers", i),
    })),
    origin,
    origins: { name: child(origin, "name") },
  };
}

// Reads the original Coddiwomple's input files (clusters.json and services.json, Go, 2018) into the
// Topology model, keeping their meaning: every listed service is callable from every other cluster.
// Differences, on purpose: cross-cluster traffic is Istio mutual TLS on the gateway's port 15443
// (the original routed plain HTTP on the service port), and every protocol is routed, not only HTTP.

import { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { Collector, type Reporter } from "../diagnostics/reporter.js";
import type { Cluster, Service, Topology } from "./model.js";
import { toCluster, toService } from "./read.js";
import { CLEAN, type Part, type Provenance, readPart } from "./salvage.js";
import {
  DEFAULT_MODE,
  DEFAULT_NAMESPACE,
  DEFAULT_SUFFIX,
  DEFAULT_VIP_POOL,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  gatewayAddress,
  IPV4,
  PROTOCOLS,
} from "./schema.js";
import { child, type Origin, type PathSegment, parseSource, type Source } from "./source.js";

const LegacyClusterSchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL),
  address: gatewayAddress,
  kubeconfig_path: z.string().optional(),
  kubeconfig_context: z.string().optional(),
});

const LegacyPortSchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL),
  protocol: z.enum(PROTOCOLS),
  service_port: z.number().int().min(1).max(65535),
  backend_port: z.number().int().min(1).max(65535).optional(),
});

const LegacyServiceSchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL),
  dns_prefixes: z.array(z.string().max(253).regex(DNS1123_SUBDOMAIN)).optional(),
  ports: z.array(LegacyPortSchema).min(1),
  backends: z.record(z.string(), z.string().max(253).regex(DNS1123_SUBDOMAIN)),
  address: z.string().regex(IPV4).optional(),
});

// What salvage (salvage.ts) keeps of an item in error: a cluster whose address is wrong is still a
// cluster that services may name, and a service with no readable ports still has its backends checked.
const LenientClusterSchema = LegacyClusterSchema.extend({ address: gatewayAddress.optional() });
const LenientServiceSchema = LegacyServiceSchema.extend({
  ports: z.array(LegacyPortSchema).default([]),
  backends: LegacyServiceSchema.shape.backends.default({}),
});

export interface LegacyFiles {
  readonly clusters: { readonly file: string; readonly text: string };
  readonly services: { readonly file: string; readonly text: string };
  /** Federation name for labels; the original files have none. */
  readonly name?: string;
}

export interface LegacyResult {
  readonly topology?: Topology;
  readonly diagnostics: Diagnostic[];
}

export function readLegacy(files: LegacyFiles): LegacyResult {
  const clusterFile = parseSource(files.clusters.file, files.clusters.text);
  const serviceFile = parseSource(files.services.file, files.services.text);
  const found = new Collector();
  found.report(...clusterFile.diagnostics, ...serviceFile.diagnostics);
  if (found.diagnostics.length > 0) return { diagnostics: found.diagnostics };

  const clusterItems = readItems(
    clusterFile.source,
    "clusters",
    LenientClusterSchema,
    LegacyClusterSchema,
    found,
  );
  const serviceItems = readItems(
    serviceFile.source,
    "services",
    LenientServiceSchema,
    LegacyServiceSchema,
    found,
  );
  // A file that is not a list at all is likely the wrong file: checking the other one against it
  // would only bury that one diagnostic under many.
  if (!clusterItems || !serviceItems) return { diagnostics: found.diagnostics };

  const clusters = clusterItems.map(({ value, origin, invalidFields }) =>
    toCluster(
      {
        name: value.name,
        ingress: { addresses: value.address === undefined ? [] : [value.address] },
        ...((value.kubeconfig_path !== undefined || value.kubeconfig_context !== undefined) && {
          kubeconfig: {
            ...(value.kubeconfig_path !== undefined && { path: value.kubeconfig_path }),
            ...(value.kubeconfig_context !== undefined && { context: value.kubeconfig_context }),
          },
        }),
      },
      origin,
      // The original's address is the Federation's ingress.addresses.
      { ...CLEAN, invalidFields: new Set([...invalidFields].map((f) => (f === "address" ? "ingress" : f))) },
    ),
  );
  const services = serviceItems.map((part) => toLegacyService(part.value, part.origin, part));
  const root: Origin = { source: serviceFile.source, path: [] };
  return {
    topology: {
      name: files.name ?? "coddiwomple",
      ...(files.name === undefined && { unnamed: true as const }),
      suffix: DEFAULT_SUFFIX,
      namespace: DEFAULT_NAMESPACE,
      vipPool: DEFAULT_VIP_POOL,
      mode: DEFAULT_MODE,
      sidecarScope: false,
      clusters: clusters satisfies Cluster[],
      services: services satisfies Service[],
      origins: { root },
    },
    diagnostics: found.diagnostics,
  };
}

/** The items of a file that is a JSON list, or undefined (with a diagnostic) when it is not one. */
function readItems<T>(
  source: Source,
  what: "clusters" | "services",
  lenient: z.ZodType<T>,
  schema: z.ZodType<T>,
  reporter: Reporter,
): (Part<T> & { origin: Origin })[] | undefined {
  if (!Array.isArray(source.data)) {
    reporter.report(diag("CW1013", { kind: "legacy-not-a-list", what }, source.locate([])));
    return undefined;
  }
  return source.data.flatMap((_, i) => {
    const part = readPart(source, [i], lenient, schema, reporter, { unknownFields: "warning" });
    return part ? [{ ...part, origin: { source, path: [i] } }] : [];
  });
}

function toLegacyService(
  input: z.infer<typeof LenientServiceSchema>,
  origin: Origin,
  provenance: Provenance,
): Service {
  // The original's backends are a map of cluster -> host. The namespace is read from a
  // <name>.<namespace>.svc.cluster.local host, which is what the original's users wrote.
  const hosts = Object.values(input.backends);
  const namespace = hosts.map((h) => /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(h)?.[1]).find((n) => n !== undefined);
  // The original listed the service's own name among its prefixes; the other prefixes are aliases,
  // each remembered with its own index, so that a prefix listed twice is reported where it is.
  const prefixes = (input.dns_prefixes ?? []).flatMap((name, index) =>
    name === input.name ? [] : [{ name, index }],
  );
  const service = toService(
    {
      name: input.name,
      ...(namespace !== undefined && { namespace }),
      aliases: prefixes.map((p) => p.name),
      ...(input.address !== undefined && { vip: input.address }),
      ports: input.ports.map((p) => ({
        name: p.name,
        protocol: p.protocol,
        port: p.service_port,
        targetPort: p.backend_port ?? p.service_port,
      })),
      backends: Object.entries(input.backends).map(([cluster, host]) => ({ cluster, host })),
      consumers: ["*"],
    },
    origin,
    provenance,
  );
  // Point origins at the original file's own fields rather than the Federation-shaped ones.
  const at = (...path: PathSegment[]): Origin => child(origin, ...provenance.place(path));
  return {
    ...service,
    aliases: service.aliases.map((a, i) => ({
      name: a.name,
      origin: at("dns_prefixes", prefixes[i]?.index ?? 0),
    })),
    ...(service.vip && { vip: { address: service.vip.address, origin: at("address") } }),
    ports: service.ports.map((p, i) => ({
      ...p,
      origins: { name: at("ports", i, "name"), port: at("ports", i, "service_port") },
    })),
    backends: service.backends.map((b) => ({
      ...b,
      origin: at("backends", b.cluster),
      origins: { cluster: at("backends", b.cluster), clusterAt: "key" },
    })),
    consumers: [{ cluster: "*", origin, origins: { cluster: origin } }],
  };
}

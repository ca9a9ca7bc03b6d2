// Reads the original Coddiwomple's input files (clusters.json and services.json, Go, 2018) into the
// Topology model, keeping their meaning: every listed service is callable from every other cluster.
// Differences, on purpose: cross-cluster traffic is Istio mutual TLS on the gateway's port 15443
// (the original routed plain HTTP on the service port), and every protocol is routed, not only HTTP.

import { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { issuesToDiagnostics } from "./issues.js";
import type { Cluster, Service, Topology } from "./model.js";
import { toCluster, toService } from "./read.js";
import {
  DEFAULT_NAMESPACE,
  DEFAULT_SUFFIX,
  DEFAULT_VIP_POOL,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  IPV4,
  PROTOCOLS,
} from "./schema.js";
import { child, type Origin, parseSource, type Source } from "./source.js";

const LegacyClusterSchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL),
  address: z.string().min(1),
  kubeconfig_path: z.string().optional(),
  kubeconfig_context: z.string().optional(),
});

const LegacyServiceSchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL),
  dns_prefixes: z.array(z.string().max(253).regex(DNS1123_SUBDOMAIN)).optional(),
  ports: z
    .array(
      z.strictObject({
        name: z.string().max(63).regex(DNS1123_LABEL),
        protocol: z.enum(PROTOCOLS),
        service_port: z.number().int().min(1).max(65535),
        backend_port: z.number().int().min(1).max(65535).optional(),
      }),
    )
    .min(1),
  backends: z.record(z.string(), z.string().max(253).regex(DNS1123_SUBDOMAIN)),
  address: z.string().regex(IPV4).optional(),
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
  const diagnostics = [...clusterFile.diagnostics, ...serviceFile.diagnostics];
  if (diagnostics.length > 0) return { diagnostics };

  const clusters = readItems(clusterFile.source, LegacyClusterSchema, "clusters", diagnostics).map(
    ({ input, origin }) =>
      toCluster(
        {
          name: input.name,
          ingress: { addresses: [input.address] },
          ...((input.kubeconfig_path !== undefined || input.kubeconfig_context !== undefined) && {
            kubeconfig: {
              ...(input.kubeconfig_path !== undefined && { path: input.kubeconfig_path }),
              ...(input.kubeconfig_context !== undefined && { context: input.kubeconfig_context }),
            },
          }),
        },
        origin,
      ),
  );
  const services = readItems(serviceFile.source, LegacyServiceSchema, "services", diagnostics).map(
    ({ input, origin }) => toLegacyService(input, origin),
  );
  if (diagnostics.length > 0 && (clusters.length === 0 || services.length === 0)) return { diagnostics };
  const root: Origin = { source: serviceFile.source, path: [] };
  return {
    topology: {
      name: files.name ?? "coddiwomple",
      suffix: DEFAULT_SUFFIX,
      namespace: DEFAULT_NAMESPACE,
      vipPool: DEFAULT_VIP_POOL,
      clusters: clusters satisfies Cluster[],
      services: services satisfies Service[],
      origins: { root },
    },
    diagnostics,
  };
}

function readItems<T>(
  source: Source,
  schema: z.ZodType<T>,
  what: string,
  diagnostics: Diagnostic[],
): { input: T; origin: Origin }[] {
  if (!Array.isArray(source.data)) {
    diagnostics.push(
      diag(
        "CW1013",
        `an original Coddiwomple ${what} file is a JSON list of ${what}; check that you passed the right file`,
        source.locate([]),
      ),
    );
    return [];
  }
  const out: { input: T; origin: Origin }[] = [];
  source.data.forEach((item, i) => {
    const result = schema.safeParse(item);
    if (result.success) out.push({ input: result.data, origin: { source, path: [i] } });
    else diagnostics.push(...issuesToDiagnostics(result.error.issues, schema, source, [i]));
  });
  return out;
}

function toLegacyService(input: z.infer<typeof LegacyServiceSchema>, origin: Origin): Service {
  // The original's backends are a map of cluster -> host. The namespace is read from a
  // <name>.<namespace>.svc.cluster.local host, which is what the original's users wrote.
  const hosts = Object.values(input.backends);
  const namespace = hosts.map((h) => /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(h)?.[1]).find((n) => n !== undefined);
  const service = toService(
    {
      name: input.name,
      ...(namespace !== undefined && { namespace }),
      aliases: (input.dns_prefixes ?? []).filter((p) => p !== input.name),
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
  );
  // Point origins at the original file's own fields rather than the Federation-shaped ones.
  const prefixes = input.dns_prefixes ?? [];
  return {
    ...service,
    aliases: service.aliases.map((a) => ({
      name: a.name,
      origin: child(origin, "dns_prefixes", prefixes.indexOf(a.name)),
    })),
    ...(service.vip && { vip: { address: service.vip.address, origin: child(origin, "address") } }),
    backends: service.backends.map((b) => ({ ...b, origin: child(origin, "backends", b.cluster) })),
    consumers: [{ cluster: "*", origin }],
  };
}

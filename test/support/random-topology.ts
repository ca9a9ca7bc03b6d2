// Random Federation files for property tests: 2-8 clusters, up to 40 services, random exports,
// aliases, ports and protocols, several backends, shared and distinct trust domains, several Istio
// releases (DNS proxy or CoreDNS; DENY policies or none), gateways on other ports and namespaces.
// Modes (passthrough, egress; a service's own passthrough, which an egress cluster calls through its
// egress gateway), splits (through egress gateways too), failover, namespace-narrowed consumers and
// routeKubernetesName are drawn too, but only once the generator supports them: supportedFeatures() compiles a tiny probe for each and looks
// for its mark in the output, so the property tests widen by themselves as those features land.
// Each cluster may also come with the config it already has (`existing`, what --existing reads):
// Istio's east-west Gateway on its ingress (AUTO_PASSTHROUGH *.local), namespaces that deny by
// default (allow-nothing, with an ALLOW of the cluster's own for its own callers), an ALLOW policy on
// its egress gateway, and DestinationRules of its own for other hosts.

import fc from "fast-check";
import { compile } from "../../src/compile.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { ClusterOutput } from "../../src/emit/layout.js";
import { type ExistingFile, readExisting } from "../../src/existing/read.js";
import { EMPTY_LOCK } from "../../src/plan/lock.js";
import type { Topology } from "../../src/topology/model.js";
import { readFederation } from "../../src/topology/read.js";
import { type ClusterConfig, loadClusterConfig, withExisting } from "../../src/trace/config.js";

export interface Features {
  readonly passthrough: boolean;
  readonly egress: boolean;
  readonly split: boolean;
  readonly failover: boolean;
  readonly narrowedConsumers: boolean;
  /** routeKubernetesName: true and everywhere (issue 14). */
  readonly kubernetesName: boolean;
  /** A split called through an egress gateway (no CW1032). */
  readonly egressSplit: boolean;
  /** A passthrough service called from a cluster in egress mode, through its egress gateway. */
  readonly egressPassthrough: boolean;
}

export interface RandomOptions {
  readonly minClusters?: number;
  readonly maxClusters?: number;
  readonly maxServices?: number;
  readonly features?: Features;
  /** Draw config the clusters already have (--existing); off by default. */
  readonly existing?: boolean;
  /** The Istio releases clusters run, drawn with repetition; default VERSIONS. */
  readonly versions?: readonly string[];
}

const NO_FEATURES: Features = {
  passthrough: false,
  egress: false,
  split: false,
  failover: false,
  narrowedConsumers: false,
  kubernetesName: false,
  egressSplit: false,
  egressPassthrough: false,
};
const PROTOCOLS = ["HTTP", "HTTP", "HTTP2", "GRPC", "HTTPS", "TLS", "TCP", "MONGO"] as const;
const VERSIONS = ["1.30", "1.30", "1.30", "1.22", "1.12", "1.7", "1.3"] as const;
/** Also the releases where behaviour changes at a patch or below 1.6 (issue 10), for property tests. */
export const MORE_VERSIONS = [...VERSIONS, "1.17.2", "1.17", "1.16.4", "1.5"] as const;

type Doc = Record<string, unknown>;

const clusterArb = (i: number, features: Features, options: RandomOptions) =>
  fc
    .record({
      td: fc.integer({ min: 0, max: 3 }),
      istio: fc.constantFrom(...(options.versions ?? VERSIONS)),
      addresses: fc.integer({ min: 1, max: 2 }),
      hostname: fc.boolean(),
      port: fc.constantFrom(15443, 15443, 443),
      customGateway: fc.boolean(),
      region: fc.option(fc.constantFrom("us-east1", "europe-west1"), { nil: undefined }),
      existing: options.existing
        ? fc.option(
            fc.record({
              eastwest: fc.boolean(),
              denyPods: fc.boolean(),
              denyEgress: fc.boolean(),
              rule: fc.boolean(),
            }),
            { nil: undefined },
          )
        : fc.constant(undefined),
      mode:
        features.passthrough || features.egress
          ? fc.constantFrom(
              ...([
                "gateway",
                ...(features.passthrough ? ["passthrough"] : []),
                ...(features.egress ? ["egress"] : []),
              ] as const),
            )
          : fc.constant("gateway" as const),
    })
    .map((c): Doc => {
      const name = `c${i}`;
      const trustDomain = c.td === 0 ? "cluster.local" : `td${(i + c.td) % 5}.example`;
      const selector: Record<string, string> = c.customGateway
        ? { app: `${name}-gw` }
        : { istio: "ingressgateway" };
      // AuthorizationPolicies (security.istio.io) exist from Istio 1.4, DENY and the v1 API later: an
      // older cluster has none.
      const policies = Number(c.istio.split(".")[1]) >= 5;
      const draw = c.existing && {
        ...c.existing,
        denyPods: c.existing.denyPods && policies,
        denyEgress: c.existing.denyEgress && policies,
      };
      const existing =
        draw &&
        existingObjects(draw, {
          trustDomain,
          selector,
          port: c.port,
          egress: c.mode === "egress",
          minor: Number(c.istio.split(".")[1]),
        });
      const addresses = Array.from({ length: c.addresses }, (_, k) =>
        c.hostname ? `gw${k}.${name}.example` : `203.0.${113 + (i % 8)}.${10 + k}`,
      );
      return {
        name,
        trustDomain,
        istioVersion: c.istio,
        ...(c.region && { region: c.region, zone: `${c.region}-b` }),
        ...(c.mode !== "gateway" && { mode: c.mode }),
        ingress: {
          addresses,
          port: c.port,
          ...(c.customGateway && {
            namespace: `${name}-ingress`,
            selector: { app: `${name}-gw` },
            serviceAccount: `${name}-gw`,
          }),
        },
        ...(c.mode === "egress" && { egress: {} }),
        ...(existing && { [EXISTING]: existing }),
      };
    });

/**
 * An east-west Gateway (*.local) lets whoever shares the cluster's trust domain reach every pod that
 * admits its own cluster's callers, which no policy can tell apart: verify counts such probes as
 * mismatches unless the service is called in passthrough mode (verify.ts), so the random clusters
 * that share a trust domain do not get one. test/golden/eastwest-passthrough covers the rest.
 */
function withoutSharedEastWest(cluster: Doc, all: readonly Doc[]): Doc {
  const objects = cluster[EXISTING] as Doc[] | undefined;
  const td = cluster.trustDomain;
  const shared = td === "cluster.local" || all.some((c) => c !== cluster && c.trustDomain === td);
  if (!objects || !shared) return cluster;
  return { ...cluster, [EXISTING]: objects.filter((o) => o.kind !== "Gateway") };
}

/** The key under which a random cluster carries its existing objects; compileDoc takes it out. */
export const EXISTING = "x-existing";

/** The objects a cluster already has, as cw discover --existing would write them. */
function existingObjects(
  draw: { eastwest: boolean; denyPods: boolean; denyEgress: boolean; rule: boolean },
  cluster: {
    trustDomain: string;
    selector: Record<string, string>;
    port: number;
    egress: boolean;
    minor: number;
  },
): Doc[] {
  // Written at a version the cluster's release serves (v1 from 1.22, networking v1beta1 from 1.5), as
  // its API server holds them.
  const version = cluster.minor >= 22 ? "v1" : cluster.minor >= 5 ? "v1beta1" : "v1alpha3";
  const meta = (kind: string, name: string, namespace: string) => ({
    apiVersion:
      kind === "AuthorizationPolicy"
        ? `security.istio.io/${version === "v1" ? "v1" : "v1beta1"}`
        : `networking.istio.io/${version}`,
    kind,
    metadata: { name, namespace },
  });
  const out: Doc[] = [];
  if (draw.eastwest) {
    out.push({
      ...meta("Gateway", "cross-network-gateway", "istio-system"),
      spec: {
        selector: cluster.selector,
        servers: [
          {
            port: { number: cluster.port, name: "tls", protocol: "TLS" },
            tls: { mode: "AUTO_PASSTHROUGH" },
            hosts: ["*.local"],
          },
        ],
      },
    });
  }
  if (draw.denyPods) {
    for (const ns of ["default", "shop"]) {
      out.push({ ...meta("AuthorizationPolicy", "allow-nothing", ns), spec: {} });
      const own = { source: { principals: [`${cluster.trustDomain}/*`] } };
      out.push({
        ...meta("AuthorizationPolicy", "allow-own", ns),
        spec: { action: "ALLOW", rules: [{ from: [own] }] },
      });
    }
  }
  if (draw.denyEgress && cluster.egress) {
    const monitoring = { from: [{ source: { namespaces: ["monitoring"] } }] };
    out.push({
      ...meta("AuthorizationPolicy", "egress-monitoring", "istio-system"),
      spec: { selector: { matchLabels: { istio: "egressgateway" } }, action: "ALLOW", rules: [monitoring] },
    });
  }
  if (draw.rule) {
    out.push({
      ...meta("DestinationRule", "external", "default"),
      spec: { host: "api.external.example.com" },
    });
  }
  return out;
}

const serviceArb = (i: number, clusters: number, features: Features) =>
  fc
    .record({
      ns: fc.constantFrom("default", "shop"),
      aliases: fc.subarray(["ns", "alt"]),
      ports: fc.uniqueArray(
        fc.record({
          port: fc.constantFrom(80, 443, 5000, 6379, 8080, 9080, 9090),
          protocol: fc.constantFrom(...PROTOCOLS),
          shift: fc.boolean(),
        }),
        { minLength: 1, maxLength: 3, selector: (p) => p.port },
      ),
      backends: fc.uniqueArray(fc.integer({ min: 0, max: clusters - 1 }), {
        minLength: 1,
        maxLength: Math.min(3, clusters),
      }),
      consumers: fc.oneof(
        fc.constant<"none" | "empty" | "all">("none"),
        fc.constant<"none" | "empty" | "all">("empty"),
        fc.constant<"none" | "empty" | "all">("all"),
        fc.uniqueArray(fc.integer({ min: 0, max: clusters - 1 }), { minLength: 1, maxLength: clusters }),
      ),
      narrow: features.narrowedConsumers ? fc.boolean() : fc.constant(false),
      split: features.split ? fc.boolean() : fc.constant(false),
      failover: features.failover ? fc.boolean() : fc.constant(false),
      weights: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
      kubernetesName: features.kubernetesName
        ? fc.constantFrom<true | "everywhere" | undefined>(undefined, undefined, true, "everywhere")
        : fc.constant(undefined),
      // A service of its own mode: passthrough, which an egress cluster calls through its egress gateway.
      passthrough: features.egressPassthrough ? fc.boolean() : fc.constant(false),
    })
    .map((s): Doc => {
      const name = `s${i}`;
      const backends = s.backends.map((b) => `c${b}`);
      const consumers =
        s.consumers === "none"
          ? undefined
          : s.consumers === "empty"
            ? []
            : s.consumers === "all"
              ? ["*"]
              : s.consumers.map((c) => `c${c}`);
      const narrowed =
        s.narrow && consumers && consumers.length > 0 && consumers[0] !== "*"
          ? consumers.map((c) => ({ cluster: c, namespaces: ["frontend"] }))
          : consumers;
      // Weights must add up to 100 (CW1024).
      const raw = backends.map((_, k) => s.weights[k] ?? 1);
      const sum = raw.reduce((a, b) => a + b, 0);
      const weights = raw.map((w) => Math.floor((100 * w) / sum));
      weights[0] = (weights[0] ?? 0) + 100 - weights.reduce((a, b) => a + b, 0);
      const split =
        s.split && backends.length > 1
          ? backends.map((b, k) => ({ cluster: b, weight: weights[k] ?? 0 }))
          : undefined;
      return {
        name,
        namespace: s.ns,
        ...(s.aliases.length > 0 && {
          aliases: s.aliases.map((a) => (a === "ns" ? `${name}.${s.ns}` : `${name}-alt`)),
        }),
        ports: s.ports.map((p) => ({
          name: `${p.protocol.toLowerCase()}-${p.port}`,
          protocol: p.protocol,
          port: p.port,
          ...(p.shift && { targetPort: p.port + 10000 }),
        })),
        backends: backends.map((cluster) => ({ cluster })),
        ...(narrowed !== undefined && { consumers: narrowed }),
        ...(split && { split }),
        ...(s.failover && backends.length > 1 && { failover: [...backends].reverse() }),
        ...(s.kubernetesName !== undefined && { routeKubernetesName: s.kubernetesName }),
        ...(s.passthrough && { mode: "passthrough", serviceAccount: name }),
      };
    });

export function federationArbitrary(options: RandomOptions = {}): fc.Arbitrary<Doc> {
  const features = options.features ?? NO_FEATURES;
  return fc
    .record({
      clusters: fc.integer({ min: options.minClusters ?? 2, max: options.maxClusters ?? 8 }),
      services: fc.integer({ min: 0, max: options.maxServices ?? 40 }),
    })
    .chain(({ clusters, services }) =>
      fc.record({
        clusters: fc.tuple(...Array.from({ length: clusters }, (_, i) => clusterArb(i, features, options))),
        services:
          services === 0
            ? fc.constant([])
            : fc.tuple(...Array.from({ length: services }, (_, i) => serviceArb(i, clusters, features))),
      }),
    )
    .map(({ clusters, services }) => {
      // Before cw generated them, a split that an egress-mode consumer would route was refused
      // (CW1032); it still is in passthrough mode, where the egress gateway routes by Istio's SNI,
      // which names no cluster: leave those out.
      const egress = new Set(clusters.filter((c) => c.mode === "egress").map((c) => c.name as string));
      const callsViaEgress = (s: Doc) =>
        ((s.consumers as unknown[] | undefined) ?? []).some((c) => {
          const name = typeof c === "string" ? c : (c as Doc).cluster;
          return name === "*" ? egress.size > 0 : egress.has(name as string);
        });
      const refused = (s: Doc) =>
        Boolean(s.split) && callsViaEgress(s) && (!features.egressSplit || s.mode === "passthrough");
      return {
        clusters: clusters.map((c) => withoutSharedEastWest(c, clusters)),
        services: (services as Doc[]).map((s) => (refused(s) ? { ...s, split: undefined } : s)),
      };
    })
    .map(({ clusters, services }) => ({
      apiVersion: "coddiwomple.io/v1alpha1",
      kind: "Federation",
      metadata: { name: "random" },
      spec: { clusters, services },
    }));
}

export interface Compiled {
  readonly topology?: Topology;
  /** The existing config the clusters were drawn with, one file per known cluster. */
  readonly existing?: readonly ExistingFile[];
  readonly outputs: readonly ClusterOutput[];
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads a Federation document as cw generate would, with the existing config its clusters carry as
 * `cw generate --existing` would read it, compiles it, and loads the output for tracing: each
 * cluster's objects followed by what it already has, as the cluster holds them.
 */
export function compileDoc(doc: Doc, options: { readonly validate?: boolean } = {}): Compiled {
  const { federation, files } = splitExisting(doc);
  const read = readFederation("random.yaml", JSON.stringify(federation, null, 1));
  if (!read.topology) return { outputs: [], clusters: new Map(), diagnostics: read.diagnostics };
  const names = read.topology.clusters.map((c) => c.name);
  const folders = files.map((f) => f.cluster);
  const existing = readExisting({ dir: "existing", folders, files }, read.topology.name, names);
  const result = compile(read.topology, EMPTY_LOCK, {
    validate: options.validate !== false,
    existing: existing.existing,
  });
  const clusters = new Map(
    result.clusters.map((c) => {
      const ours = loadClusterConfig(c.cluster, c.files).config;
      const theirs = files
        .filter((f) => f.cluster === c.cluster)
        .map((f) => ({ path: "existing.yaml", content: f.text }));
      if (theirs.length === 0) return [c.cluster, ours];
      const existing = loadClusterConfig(c.cluster, theirs, { existing: true }).config;
      return [c.cluster, withExisting(ours, existing)];
    }),
  );
  return {
    topology: read.topology,
    outputs: result.clusters,
    clusters,
    existing: files,
    diagnostics: [...read.diagnostics, ...existing.diagnostics, ...result.diagnostics],
  };
}

/** The Federation document without the clusters' existing objects, and those objects as files. */
export function splitExisting(doc: Doc): { federation: Doc; files: ExistingFile[] } {
  const spec = (doc.spec ?? {}) as Doc;
  const files: ExistingFile[] = [];
  const clusters = ((spec.clusters ?? []) as Doc[]).map((c) => {
    const { [EXISTING]: objects, ...cluster } = c;
    if (Array.isArray(objects)) {
      const text = objects.map((o) => JSON.stringify(o)).join("\n---\n");
      files.push({ cluster: String(c.name), path: `existing/${String(c.name)}/objects.yaml`, text });
    }
    return cluster;
  });
  return { federation: { ...doc, spec: { ...spec, clusters } }, files };
}

/** Which of the features still being built the generator emits today (see the module comment). */
export function supportedFeatures(): Features {
  const base = (extra: { cluster?: Doc; service?: Doc }) =>
    compileDoc(
      {
        apiVersion: "coddiwomple.io/v1alpha1",
        kind: "Federation",
        metadata: { name: "probe" },
        spec: {
          clusters: [
            {
              name: "a",
              trustDomain: "a.example",
              ingress: { addresses: ["203.0.113.1"] },
              ...extra.cluster,
            },
            { name: "b", trustDomain: "b.example", ingress: { addresses: ["203.0.113.2"] } },
            { name: "c", trustDomain: "c.example", ingress: { addresses: ["203.0.113.3"] } },
          ],
          services: [
            {
              name: "s",
              ports: [{ name: "http", protocol: "HTTP", port: 80 }],
              backends: [{ cluster: "b" }, { cluster: "c" }],
              consumers: ["a"],
              ...extra.service,
            },
          ],
        },
      },
      { validate: false },
    );
  const text = (c: Compiled) => c.outputs.flatMap((o) => o.files.map((f) => f.content)).join("\n");
  const has = (c: Compiled, needle: RegExp) =>
    !c.diagnostics.some((d) => d.level === "error") && needle.test(text(c));
  const safe = (f: () => boolean) => {
    try {
      return f();
    } catch {
      return false;
    }
  };
  return {
    passthrough: safe(() => has(base({ cluster: { mode: "passthrough" } }), /AUTO_PASSTHROUGH/)),
    egress: safe(() => has(base({ cluster: { mode: "egress", egress: {} } }), /egressgateway/)),
    split: safe(() =>
      has(
        base({
          service: {
            split: [
              { cluster: "b", weight: 70 },
              { cluster: "c", weight: 30 },
            ],
          },
        }),
        /weight: 70/,
      ),
    ),
    failover: safe(() => has(base({ service: { failover: ["c", "b"] } }), /failover/i)),
    narrowedConsumers: safe(() =>
      has(base({ service: { consumers: [{ cluster: "a", namespaces: ["frontend"] }] } }), /exportTo/),
    ),
    kubernetesName: safe(() =>
      has(base({ service: { routeKubernetesName: "everywhere" } }), /name: s-global-kubernetes/),
    ),
    egressSplit: safe(() =>
      has(
        base({
          cluster: { mode: "egress", egress: {} },
          service: {
            split: [
              { cluster: "b", weight: 70 },
              { cluster: "c", weight: 30 },
            ],
          },
        }),
        /x-coddiwomple-share/,
      ),
    ),
    egressPassthrough: safe(() =>
      has(
        base({
          cluster: { mode: "egress", egress: {} },
          service: { mode: "passthrough", serviceAccount: "s", backends: [{ cluster: "b" }] },
        }),
        /mode: PASSTHROUGH/,
      ),
    ),
  };
}

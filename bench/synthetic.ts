// Synthetic federations for the benchmark, written as Federation YAML text so that reading it is
// measured too. Deterministic: the same size gives the same text (a seeded generator, no Math.random).
//
// Shape, chosen to look like a large real estate rather than a best case:
// - clusters c0000.. in 5 regions and 3 zones, each with its own trust domain (so the export policy is
//   enforceable and no CW1019 warning floods the run), mostly on Istio 1.30; every 25th runs 1.20
//   (v1beta1 APIs) and every 50th 1.7 (CoreDNS instead of the DNS proxy); gateways have IP addresses,
//   every 10th a DNS name and every 20th two addresses;
// - services s000000.. in 50 namespaces: an HTTP port, a quarter also a TCP port, one in 20 a GRPC port,
//   one in 10 an alias; one backend cluster, one in 10 two (failover);
// - consumers: k other clusters, k drawn from a log-normal with the median `fanout` (10 by default),
//   clamped to 1..`maxFanout` (50) and to the clusters available.

export interface SyntheticSize {
  readonly clusters: number;
  readonly services: number;
  /** Median number of consuming clusters per service. */
  readonly fanout: number;
  /** Most consuming clusters per service. */
  readonly maxFanout: number;
  readonly seed?: number;
}

/** mulberry32: small, fast, good enough to spread names; never used for anything but test data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
export const clusterName = (i: number) => `c${pad(i, 4)}`;
export const serviceName = (i: number) => `s${pad(i, 6)}`;

/** The number of consumers of each service, in service order (for the benchmark's report). */
export interface Synthetic {
  readonly text: string;
  readonly consumers: readonly number[];
}

export function synthesize(size: SyntheticSize): Synthetic {
  const next = random(size.seed ?? 20180601);
  const lines: string[] = [
    "apiVersion: coddiwomple.io/v1alpha1",
    "kind: Federation",
    "metadata:",
    "  name: bench",
    "spec:",
    "  clusters:",
  ];
  for (let i = 0; i < size.clusters; i++) {
    const name = clusterName(i);
    const version = i % 50 === 49 ? "1.7" : i % 25 === 24 ? "1.20" : "1.30";
    const addresses =
      i % 10 === 9
        ? `[eastwest.${name}.example]`
        : i % 20 === 19
          ? `[10.${(i >> 8) & 255}.${i & 255}.10, 10.${(i >> 8) & 255}.${i & 255}.11]`
          : `[10.${(i >> 8) & 255}.${i & 255}.10]`;
    lines.push(
      `    - name: ${name}`,
      `      region: region-${i % 5}`,
      `      zone: region-${i % 5}-${"abc"[i % 3]}`,
      `      trustDomain: ${name}.example`,
      `      istioVersion: "${version}"`,
      `      ingress: { addresses: ${addresses} }`,
    );
  }
  lines.push("  services:");
  const counts: number[] = [];
  const sigma = 0.8;
  for (let i = 0; i < size.services; i++) {
    const name = serviceName(i);
    const backends = [Math.floor(next() * size.clusters)];
    if (next() < 0.1 && size.clusters > 2) {
      let other = Math.floor(next() * size.clusters);
      while (other === backends[0]) other = Math.floor(next() * size.clusters);
      backends.push(other);
    }
    // Box-Muller: a standard normal, then the log-normal around the median.
    const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const wanted = Math.round(size.fanout * Math.exp(sigma * z));
    const k = Math.max(1, Math.min(wanted, size.maxFanout, size.clusters - backends.length));
    const consumers = new Set<number>();
    while (consumers.size < k) {
      const c = Math.floor(next() * size.clusters);
      if (!backends.includes(c)) consumers.add(c);
    }
    counts.push(k);
    lines.push(`    - name: ${name}`, `      namespace: ns-${i % 50}`);
    if (i % 10 === 3) lines.push(`      aliases: [${name}.ns-${i % 50}]`);
    lines.push("      ports:", "        - { name: http, protocol: HTTP, port: 8080 }");
    if (i % 4 === 1) lines.push("        - { name: tcp, protocol: TCP, port: 9000, targetPort: 9001 }");
    if (i % 20 === 7) lines.push("        - { name: grpc, protocol: GRPC, port: 9090 }");
    lines.push("      backends:", ...backends.map((b) => `        - cluster: ${clusterName(b)}`));
    lines.push(`      consumers: [${[...consumers].map(clusterName).join(", ")}]`);
  }
  lines.push("");
  return { text: lines.join("\n"), consumers: counts };
}

/**
 * The same text with one service changed: a TCP port added to the service in the middle. What
 * regeneration has to rewrite is that service's files (in its backend clusters and its consumers),
 * plus the kustomization.yaml of its backend clusters, which gain an ingress VirtualService.
 */
export function changeOneService(text: string, size: SyntheticSize): { text: string; service: string } {
  const service = serviceName(Math.floor(size.services / 2));
  const anchor = `    - name: ${service}\n`;
  const start = text.indexOf(anchor);
  const ports = text.indexOf("      ports:\n", start);
  if (start < 0 || ports < 0) throw new Error(`bench: no service ${service} in the synthetic text`);
  const at = ports + "      ports:\n".length;
  const added = "        - { name: extra, protocol: TCP, port: 7777 }\n";
  return { text: text.slice(0, at) + added + text.slice(at), service };
}

// Whether the workloads that call global names can resolve them. Global names are in no Kubernetes DNS
// zone: from Istio 1.8 the sidecar's DNS proxy answers them from cw's ServiceEntries, but only with
// ISTIO_META_DNS_CAPTURE=true in the proxy's metadata (Agent.DNSCapture in pkg/istio-agent/agent.go:
// the agent serves DNS only then). A proxy gets it from meshConfig.defaultConfig.proxyMetadata (every
// proxy), or from a ProxyConfig's environmentVariables, merged in at injection (GetProxyConfigOrDefault
// in pkg/kube/inject/webhook.go, EffectiveProxyConfig in pilot/pkg/model/proxy_config.go): one in the
// root namespace without a selector applies to every proxy, one in a namespace without a selector to
// that namespace. Per-pod annotations can set it too; those are not looked at, so a namespace
// covered only by them is reported as not captured. Before 1.8, CoreDNS answers the suffix zone (what
// cw writes under dns/), so the Corefile is checked for it instead.
//
// Which namespaces call: those cw's ServiceEntries are exported to (every namespace when one is not
// narrowed).

import { parse as parseYaml } from "yaml";
import type { KubeObject } from "./client.js";

export interface DnsVerdict {
  readonly ok: boolean;
  /** What was found, or what is missing and where. */
  readonly detail: string;
}

const CAPTURE = "ISTIO_META_DNS_CAPTURE";

/** The namespaces whose workloads call global names; "*" for every one. */
export function callingNamespaces(generated: readonly KubeObject[]): ReadonlySet<string> {
  const namespaces = new Set<string>();
  for (const se of generated.filter((o) => o.kind === "ServiceEntry")) {
    const to = (se.spec as { exportTo?: unknown } | undefined)?.exportTo;
    if (!Array.isArray(to) || to.includes("*")) return new Set(["*"]);
    for (const n of to)
      if (typeof n === "string") namespaces.add(n === "." ? (se.metadata.namespace ?? "") : n);
  }
  return namespaces;
}

const on = (value: unknown) => value === "true" || value === true;

export function dnsProxyVerdict(
  existing: readonly KubeObject[],
  callers: ReadonlySet<string>,
  rootNamespace: string,
): DnsVerdict {
  if (callers.size === 0) return { ok: true, detail: "no workload here calls a global name" };
  for (const m of existing.filter((o) => o.kind === "ConfigMap")) {
    const mesh = safeYaml((m.data as Record<string, unknown> | undefined)?.mesh) as {
      defaultConfig?: { proxyMetadata?: Record<string, unknown> };
    } | null;
    if (on(mesh?.defaultConfig?.proxyMetadata?.[CAPTURE]))
      return {
        ok: true,
        detail: `on for every proxy (meshConfig in ConfigMap ${m.metadata.namespace}/${m.metadata.name})`,
      };
  }
  const covered = new Set<string>();
  for (const p of existing.filter((o) => o.kind === "ProxyConfig")) {
    const spec = (p.spec ?? {}) as { selector?: unknown; environmentVariables?: Record<string, unknown> };
    if (spec.selector !== undefined || !on(spec.environmentVariables?.[CAPTURE])) continue;
    const namespace = p.metadata.namespace ?? "";
    if (namespace === rootNamespace)
      return { ok: true, detail: `on for every proxy (ProxyConfig ${namespace}/${p.metadata.name})` };
    covered.add(namespace);
  }
  if (callers.has("*")) {
    return {
      ok: false,
      detail: `global names are called from every namespace, and ${CAPTURE} is not on mesh-wide${covered.size > 0 ? ` (only in ${[...covered].sort().join(", ")})` : ""}: merge dns/istio-dns-proxy.yaml into the mesh config (or a ProxyConfig in ${rootNamespace}), then restart the workloads`,
    };
  }
  const missing = [...callers].filter((n) => !covered.has(n)).sort();
  if (missing.length === 0)
    return { ok: true, detail: `on in ${[...callers].sort().join(", ")} (ProxyConfig)` };
  return {
    ok: false,
    detail: `${CAPTURE} is not on in ${missing.join(", ")}, which call${missing.length === 1 ? "s" : ""} global names: merge dns/istio-dns-proxy.yaml into the mesh config, or add a ProxyConfig with environmentVariables ${CAPTURE}: "true" there, then restart the workloads`,
  };
}

/** Before Istio 1.8: does CoreDNS serve the suffix zone? */
export function coreDnsVerdict(corefile: string | undefined, suffix: string): DnsVerdict {
  if (corefile === undefined)
    return {
      ok: false,
      detail: "no ConfigMap kube-system/coredns to check: merge dns/ into the cluster's DNS",
    };
  const zone = new RegExp(`(^|\\s)${suffix.replaceAll(".", "\\.")}\\.?(:53)?\\s*\\{`, "m");
  return zone.test(corefile)
    ? { ok: true, detail: `CoreDNS serves the ${suffix} zone` }
    : { ok: false, detail: `CoreDNS has no ${suffix} zone: merge the block in dns/ into its Corefile` };
}

function safeYaml(text: unknown): unknown {
  if (typeof text !== "string") return null;
  try {
    return parseYaml(text);
  } catch {
    return null;
  }
}

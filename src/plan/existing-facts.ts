// What the config a cluster already has (--existing) changes in what cw generates there:
//   - the root namespace (meshConfig.rootNamespace), which Sidecars import and DestinationRules
//     fall back to;
//   - AUTO_PASSTHROUGH servers already on the ingress gateway's port (Istio's east-west gateway
//     exposes *.local on 15443): a passthrough service whose host one of them covers gets no server
//     of cw's, since a second one would duplicate its filter chains (see ingress-gateway.ts);
//   - ALLOW AuthorizationPolicies that apply to the ingress gateway, the egress gateway or the
//     called pods: Istio then refuses whatever no ALLOW policy matches, cw's DENY policies alone
//     let nothing in, and cw adds ALLOW policies for exactly the consumers (allow-policy.ts).
// A fact is taken only where it certainly holds: a Gateway or policy whose selector has labels cw
// does not know the pods to carry may or may not apply, and the conflict analysis warns instead.

import { DEFAULT_ROOT_NAMESPACE, type ExistingCluster, type ExistingObject } from "../existing/model.js";
import type { GatewayRef } from "../topology/model.js";

export interface ExistingFacts {
  /** False when the cluster has no folder under --existing: nothing is known, nothing assumed. */
  readonly known: boolean;
  readonly rootNamespace: string;
  /** AUTO_PASSTHROUGH servers on the ingress port of Gateways that surely select the ingress pods. */
  readonly autoPassthrough: readonly { readonly host: string; readonly gateway: ExistingObject }[];
  /** The ALLOW policy that makes the ingress gateway deny by default, if one does. */
  readonly ingressDenies?: ExistingObject;
  /** The same for the egress gateway. */
  readonly egressDenies?: ExistingObject;
  /** The ALLOW policy that makes pods with these labels in this namespace deny by default. */
  podsDeny(namespace: string, labels: Readonly<Record<string, string>>): ExistingObject | undefined;
}

export const UNKNOWN: ExistingFacts = {
  known: false,
  rootNamespace: DEFAULT_ROOT_NAMESPACE,
  autoPassthrough: [],
  podsDeny: () => undefined,
};

/** How sure it is that a selector picks pods known to carry `labels` (and maybe others). */
export type Selection = "certain" | "possible" | "none";

export function selection(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): Selection {
  let result: Selection = "certain";
  for (const [k, v] of Object.entries(selector)) {
    if (labels[k] === undefined) result = "possible";
    else if (labels[k] !== v) return "none";
  }
  return result;
}

/** Istio's host.Name.SubsetOf for a server host: "*", "*.suffix" or an exact name; "ns/" ignored. */
export function hostCovers(pattern: string, host: string): boolean {
  const p = pattern.slice(pattern.indexOf("/") + 1).toLowerCase();
  const h = host.toLowerCase();
  if (p === "*") return true;
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) : p === h;
}

export function existingFacts(
  cluster: ExistingCluster | undefined,
  ingress: GatewayRef & { readonly port: number },
  egress: GatewayRef | undefined,
): ExistingFacts {
  if (!cluster) return UNKNOWN;
  const rootNamespace = cluster.mesh?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const allows = cluster.objects.filter(isAllowPolicy);
  const denies = (namespace: string, labels: Readonly<Record<string, string>>) =>
    allows.find(
      (p) =>
        (p.namespace === rootNamespace || p.namespace === namespace) &&
        selection(selectorOf(p), labels) === "certain",
    );
  const egressDenies = egress && denies(egress.namespace, egress.selector);
  const ingressDenies = denies(ingress.namespace, ingress.selector);
  return {
    known: true,
    rootNamespace,
    autoPassthrough: cluster.objects.flatMap((gateway) =>
      gateway.kind === "Gateway" && selection(gatewaySelector(gateway), ingress.selector) === "certain"
        ? serversOf(gateway)
            .filter((s) => s.port === ingress.port && s.tlsMode === "AUTO_PASSTHROUGH")
            .flatMap((s) => s.hosts.map((host) => ({ host, gateway })))
        : [],
    ),
    ...(ingressDenies && { ingressDenies }),
    ...(egressDenies && { egressDenies }),
    podsDeny: denies,
  };
}

/** An ALLOW policy that applies by selector (not through targetRefs, which name gateways by kind). */
function isAllowPolicy(o: ExistingObject): boolean {
  if (o.kind !== "AuthorizationPolicy") return false;
  const action = o.spec.action;
  return (
    (action === undefined || action === "ALLOW") &&
    o.spec.targetRef === undefined &&
    o.spec.targetRefs === undefined
  );
}

const labelsIn = (x: unknown): Record<string, string> =>
  typeof x === "object" && x !== null && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

const selectorOf = (policy: ExistingObject): Record<string, string> =>
  labelsIn((policy.spec.selector as { matchLabels?: unknown } | undefined)?.matchLabels);

export const gatewaySelector = (gateway: ExistingObject): Record<string, string> =>
  labelsIn(gateway.spec.selector);

export interface ServerFacts {
  readonly port: number;
  readonly protocol: string;
  readonly hosts: readonly string[];
  readonly tlsMode?: string;
  readonly bind?: string;
}

/** A Gateway's servers, each with the fields that decide how Istio merges them. */
export function serversOf(gateway: { readonly spec: Readonly<Record<string, unknown>> }): ServerFacts[] {
  const servers = Array.isArray(gateway.spec.servers) ? gateway.spec.servers : [];
  return servers.flatMap((raw) => {
    const s = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const port = (s.port ?? {}) as Record<string, unknown>;
    const number = typeof port.number === "number" ? port.number : Number(port.number);
    if (!Number.isInteger(number)) return [];
    const tls = (s.tls ?? undefined) as Record<string, unknown> | undefined;
    const mode = tls && typeof tls.mode === "string" ? tls.mode : tls ? "SIMPLE" : undefined;
    return [
      {
        port: number,
        protocol: typeof port.protocol === "string" ? port.protocol.toUpperCase() : "",
        hosts: Array.isArray(s.hosts) ? s.hosts.filter((h): h is string => typeof h === "string") : [],
        ...(mode && { tlsMode: mode }),
        ...(typeof s.bind === "string" && s.bind !== "" && { bind: s.bind }),
      },
    ];
  });
}

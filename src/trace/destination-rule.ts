// Which DestinationRule applies to a destination, and the TLS it makes the proxy originate
// (https://istio.io/latest/docs/reference/config/networking/destination-rule/):
// - Lookup: the proxy's namespace first, then the service's namespace, then the root namespace
//   (https://istio.io/latest/docs/ops/best-practices/traffic-management/#cross-namespace-configuration),
//   among rules exported to the proxy's namespace; within one namespace the most specific host wins.
// - Several rules for one host in one namespace merge (see merged() below).
// - Port-level settings replace the destination-level policy wholesale: a port-level entry without
//   `tls` means no TLS setting, not the top-level one. A subset's policy then overrides field by field,
//   and its own port-level entry wholesale (istio MergeSubsetTrafficPolicy / mergeTrafficPolicy).
// - Without a TLS setting, auto mTLS sends Istio mutual TLS only to endpoints labelled
//   security.istio.io/tlsMode=istio, which pods with sidecars are and ServiceEntry endpoints usually
//   are not (https://istio.io/latest/docs/concepts/security/#auto-mutual-tls).
// - ISTIO_MUTUAL without `sni` sends outbound_.<port>_.<subset>_.<host> (sni.ts); SIMPLE and MUTUAL
//   without `sni` send the service host. The server's identity must be in subjectAltNames: the
//   rule's own, else the ServiceEntry's; none means the mesh CA's signature is enough.

import type { IstioObject } from "./config.js";
import { type Json, num, obj, objs, str, strs } from "./fields.js";
import { HostIndex } from "./host-index.js";
import { hostMatches, resolveShortName, specificity } from "./host-match.js";
import { type ClusterIndex, exportToOf, objectsOf, perCluster, visibleTo } from "./registry.js";
import { outboundSni } from "./sni.js";
import type { TlsOrigination } from "./types.js";

const hostOf = (dr: IstioObject): string => resolveShortName(str(dr.spec.host) ?? "", dr.metadata.namespace);

interface NamespaceRules {
  /** By host, for finding the rules that match a name. */
  readonly hosts: HostIndex<IstioObject>;
  /** By host exactly as written (short names resolved), for merging rules of one host. */
  readonly sameHost: ReadonlyMap<string, readonly IstioObject[]>;
}

/** A cluster's DestinationRules per namespace, in the cluster's order. */
const rulesByNamespace = perCluster((index: ClusterIndex): ReadonlyMap<string, NamespaceRules> => {
  const lists = new Map<string, IstioObject[]>();
  for (const dr of objectsOf(index, "DestinationRule")) {
    const list = lists.get(dr.metadata.namespace);
    if (list) list.push(dr);
    else lists.set(dr.metadata.namespace, [dr]);
  }
  const out = new Map<string, NamespaceRules>();
  for (const [ns, list] of lists) {
    const sameHost = new Map<string, IstioObject[]>();
    for (const dr of list) {
      const same = sameHost.get(hostOf(dr));
      if (same) same.push(dr);
      else sameHost.set(hostOf(dr), [dr]);
    }
    out.set(ns, { hosts: new HostIndex(list, (dr) => [hostOf(dr)]), sameHost });
  }
  return out;
});

export function findDestinationRule(
  index: ClusterIndex,
  host: string,
  proxyNamespace: string,
  serviceNamespace: string,
  rootNamespace: string,
): IstioObject | undefined {
  const visible = (dr: IstioObject) => visibleTo(exportToOf(dr), dr.metadata.namespace, proxyNamespace);
  const byNamespace = rulesByNamespace(index);
  for (const ns of [...new Set([proxyNamespace, serviceNamespace, rootNamespace])]) {
    const rules = byNamespace.get(ns);
    if (!rules) continue;
    let best: IstioObject | undefined;
    let bestScore = -1;
    for (const dr of rules.hosts.candidates(host)) {
      if (!visible(dr)) continue;
      const h = hostOf(dr);
      if (!hostMatches(h, host)) continue;
      if (specificity(h) > bestScore) {
        best = dr;
        bestScore = specificity(h);
      }
    }
    if (best) return merged((rules.sameHost.get(hostOf(best)) ?? []).filter(visible), best);
  }
  return undefined;
}

/**
 * Rules for the same host in one namespace are merged: subsets are added up (the first definition of
 * a name wins) and the first rule's traffic policy applies
 * (https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services, which
 * covers DestinationRules too). The merged rule keeps the first rule's name. `all` holds the rules
 * of `best`'s namespace and host that the proxy sees, in order.
 */
function merged(all: readonly IstioObject[], best: IstioObject): IstioObject {
  if (all.length < 2) return best;
  const first = all[0] ?? best;
  const subsets: Json[] = [];
  for (const d of all)
    for (const sub of objs(d.spec.subsets)) if (!subsets.some((x) => x.name === sub.name)) subsets.push(sub);
  const trafficPolicy = all.find((d) => d.spec.trafficPolicy !== undefined)?.spec.trafficPolicy;
  return {
    ...first,
    spec: { ...first.spec, subsets, ...(trafficPolicy !== undefined && { trafficPolicy }) },
  };
}

export const subsetOf = (dr: IstioObject | undefined, name: string): Json | undefined =>
  objs(dr?.spec.subsets).find((s) => str(s.name) === name);

/** GetPortLevelTrafficPolicy: a port-level entry for the port replaces the policy's four fields. */
function forPort(policy: Json, port: number): { policy: Json; portLevel: boolean } {
  const pl = objs(policy.portLevelSettings).find((p) => num(obj(p.port).number) === port);
  return pl ? { policy: pl, portLevel: true } : { policy, portLevel: false };
}

const POLICY_FIELDS = ["connectionPool", "outlierDetection", "loadBalancer", "tls"] as const;

/**
 * The traffic policy for one port and subset, as istio pilot/pkg/networking/util/util.go
 * MergeSubsetTrafficPolicy builds it: the rule's policy (or its port-level entry), then the subset's
 * (or its port-level entry), field by field; a subset's port-level entry replaces every field.
 */
export function trafficPolicyFor(
  dr: IstioObject | undefined,
  port: number,
  subset: string | undefined,
): Json {
  if (!dr) return {};
  const base = forPort(obj(dr.spec.trafficPolicy), port).policy;
  const s = subset !== undefined ? subsetOf(dr, subset) : undefined;
  if (s?.trafficPolicy === undefined) return base;
  const sp = forPort(obj(s.trafficPolicy), port);
  const merged: Record<string, unknown> = { ...base };
  for (const field of POLICY_FIELDS) {
    if (sp.policy[field] !== undefined || sp.portLevel) merged[field] = sp.policy[field];
  }
  return merged;
}

/** The `tls` block that applies, or undefined for none. */
export function tlsSetting(
  dr: IstioObject | undefined,
  port: number,
  subset: string | undefined,
): Json | undefined {
  const tls = trafficPolicyFor(dr, port, subset).tls;
  return tls === undefined ? undefined : obj(tls);
}

/** What the proxy originates towards one endpoint. */
export function origination(
  tls: Json | undefined,
  endpointInMesh: boolean,
  key: { host: string; port: number; subset?: string },
  serviceSans: readonly string[],
): TlsOrigination {
  const defaultSni = (mode: string) =>
    mode === "ISTIO_MUTUAL"
      ? outboundSni({ port: key.port, subset: key.subset ?? "", host: key.host })
      : key.host;
  if (tls === undefined || str(tls.mode) === undefined) {
    const mode = endpointInMesh ? "ISTIO_MUTUAL" : "DISABLE";
    return {
      mode,
      ...(mode === "ISTIO_MUTUAL" && { sni: defaultSni(mode) }),
      decidedBy: "auto",
      subjectAltNames: serviceSans,
    };
  }
  const raw = (str(tls.mode) ?? "DISABLE").toUpperCase();
  const mode = raw === "ISTIO_MUTUAL" || raw === "SIMPLE" || raw === "MUTUAL" ? raw : "DISABLE";
  const sans = strs(tls.subjectAltNames);
  return {
    mode,
    ...(mode !== "DISABLE" && { sni: str(tls.sni) ?? defaultSni(mode) }),
    decidedBy: "destination-rule",
    subjectAltNames: sans.length > 0 ? sans : serviceSans,
  };
}

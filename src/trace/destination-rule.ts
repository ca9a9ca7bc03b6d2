// Which DestinationRule applies to a destination, and the TLS it makes the proxy originate
// (https://istio.io/latest/docs/reference/config/networking/destination-rule/):
// - Lookup and merge of several rules: destination-rule-index.ts, by release.
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
import { lookupDestinationRule } from "./destination-rule-index.js";
import { type Json, num, obj, objs, str, strs } from "./fields.js";
import type { ClusterIndex } from "./registry.js";
import { outboundSni } from "./sni.js";
import type { TlsOrigination } from "./types.js";

/**
 * The rule a proxy in `proxyNamespace` uses for `host` (declared in `serviceNamespace`), with the
 * rules of its pool merged in as the cluster's release merges them (destination-rule-index.ts).
 */
export function findDestinationRule(
  index: ClusterIndex,
  host: string,
  proxyNamespace: string,
  serviceNamespace: string,
  labels: Readonly<Record<string, string>> = {},
): IstioObject | undefined {
  return lookupDestinationRule(index, host, proxyNamespace, serviceNamespace, labels)?.chosen.rule;
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

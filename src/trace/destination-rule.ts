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
import { hostMatches, resolveShortName, specificity } from "./host-match.js";
import { type ClusterIndex, exportToOf, objectsOf, visibleTo } from "./registry.js";
import { outboundSni } from "./sni.js";
import type { TlsOrigination } from "./types.js";

export function findDestinationRule(
  index: ClusterIndex,
  host: string,
  proxyNamespace: string,
  serviceNamespace: string,
  rootNamespace: string,
): IstioObject | undefined {
  const visible = objectsOf(index, "DestinationRule").filter((dr) =>
    visibleTo(exportToOf(dr), dr.metadata.namespace, proxyNamespace),
  );
  for (const ns of [...new Set([proxyNamespace, serviceNamespace, rootNamespace])]) {
    let best: IstioObject | undefined;
    let bestScore = -1;
    for (const dr of visible.filter((d) => d.metadata.namespace === ns)) {
      const h = resolveShortName(str(dr.spec.host) ?? "", dr.metadata.namespace);
      if (!hostMatches(h, host)) continue;
      if (specificity(h) > bestScore) {
        best = dr;
        bestScore = specificity(h);
      }
    }
    if (best)
      return merged(
        visible.filter((d) => d.metadata.namespace === ns),
        best,
      );
  }
  return undefined;
}

/**
 * Rules for the same host in one namespace are merged: subsets are added up (the first definition of
 * a name wins) and the first rule's traffic policy applies
 * (https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services, which
 * covers DestinationRules too). The merged rule keeps the first rule's name.
 */
function merged(sameNamespace: readonly IstioObject[], best: IstioObject): IstioObject {
  const host = resolveShortName(str(best.spec.host) ?? "", best.metadata.namespace);
  const all = sameNamespace.filter(
    (d) => resolveShortName(str(d.spec.host) ?? "", d.metadata.namespace) === host,
  );
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

function forPort(policy: Json, port: number): { policy: Json; portLevel: boolean } {
  const pl = objs(policy.portLevelSettings).find((p) => num(obj(p.port).number) === port);
  return pl ? { policy: pl, portLevel: true } : { policy, portLevel: false };
}

/** The `tls` block that applies, or undefined for none. */
export function tlsSetting(
  dr: IstioObject | undefined,
  port: number,
  subset: string | undefined,
): Json | undefined {
  if (!dr) return undefined;
  let tls: unknown = forPort(obj(dr.spec.trafficPolicy), port).policy.tls;
  const s = subset !== undefined ? subsetOf(dr, subset) : undefined;
  if (s?.trafficPolicy !== undefined) {
    const sp = forPort(obj(s.trafficPolicy), port);
    if (sp.policy.tls !== undefined || sp.portLevel) tls = sp.policy.tls;
  }
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

// How a proxy spreads calls over a service's endpoints, and where they go when clusters are down
// (cw trace --down), following istio and Envoy:
// - Priorities (pilot/pkg/xds/endpoints/endpoint_builder.go, and ApplyLocalityLoadBalancer in
//   pilot/pkg/networking/core/loadbalancer/loadbalancer.go): only when the traffic policy sets
//   outlierDetection ("failover should only be enabled when there is an outlier detection") and
//   locality load balancing is on (the DestinationRule's localityLbSetting, else the mesh's, which is
//   on by default: pkg/config/mesh/mesh.go DefaultMeshConfig). failoverPriority ranks an endpoint by
//   the first label that differs from the calling proxy's (applyFailoverPriorityPerLocality: priority
//   = number of labels - index of that label, 0 when all match); "label=value" compares with the value
//   instead of the proxy's label. Without failoverPriority (or with `failover` as well), the locality
//   ranks it: 0 same region/zone/subzone, 1 same region/zone, 2 same region, 3 other (util.LbPriority).
//   Priorities are then renumbered 0..N.
// - Outlier detection (pilot/pkg/networking/core/cluster_traffic_policy.go applyOutlierDetection):
//   consecutive5xxErrors unset leaves Envoy's default, 5 consecutive 5xx with enforcement 100%;
//   maxEjectionPercent unset leaves Envoy's 10%, and Envoy ejects a host only while fewer than that
//   share are ejected; the panic threshold is set to minHealthPercent (default 0: no panic mode).
// - Envoy's priority load: each priority takes min(100%, 1.4 x its healthy share) of what the ones
//   before it left (overprovisioning factor 1.4); within a priority, healthy endpoints share evenly.
// - A cluster that is down answers nothing: with outlier detection its endpoints are ejected after
//   their first failures; without it they keep their share, and those calls fail.

import { type Json, num, obj, strs } from "./fields.js";
import { atLeast, type IstioVersion, releaseText } from "./istio-version.js";
import type { Endpoint } from "./registry.js";

export interface OutlierSetting {
  /** Consecutive 5xx answers that eject a host: the rule's, else Envoy's default of 5. */
  readonly consecutive5xx: { readonly value: number; readonly why: string };
  readonly maxEjectionPercent: number;
}

export function outlierOf(policy: Json, version: IstioVersion): OutlierSetting | undefined {
  if (policy.outlierDetection === undefined) return undefined;
  const od = obj(policy.outlierDetection);
  const fiveXx = num(od.consecutive5xxErrors);
  // Up to 1.6 the deprecated consecutiveErrors counted gateway errors and set the 5xx enforcement to 0
  // (v1alpha3/cluster.go applyOutlierDetection at 1.4.10 and 1.6); from 1.7 it is ignored.
  const legacy = num(od.consecutiveErrors);
  const consecutive5xx =
    fiveXx !== undefined
      ? { value: fiveXx, why: "consecutive5xxErrors" }
      : legacy !== undefined && legacy > 0 && !atLeast(version, 7)
        ? { value: 0, why: `consecutiveErrors, which ${releaseText(version)} reads as gateway errors only` }
        : {
            value: 5,
            why: "consecutive5xxErrors is not set, so Envoy's default of 5 applies (istio applyOutlierDetection)",
          };
  return { consecutive5xx, maxEjectionPercent: num(od.maxEjectionPercent) ?? 10 };
}

export interface BalancingProxy {
  readonly labels: Readonly<Record<string, string>>;
  /** "region/zone[/subzone]", or undefined when not known. */
  readonly locality?: string;
  readonly version: IstioVersion;
  /** Locality load balancing in the mesh config (default on). */
  readonly meshLocalityLb: boolean;
}

export interface Balanced {
  readonly endpoint: Endpoint;
  readonly share: number;
  readonly priority: number;
  /** The endpoint is down and not ejected: its share of calls fails. */
  readonly failsBecauseDown: boolean;
}

export interface Balance {
  readonly endpoints: readonly Balanced[];
  /** How priorities were decided, for the hop text. */
  readonly rule: string;
}

export function balance(
  endpoints: readonly Endpoint[],
  policy: Json,
  proxy: BalancingProxy,
  isDown: (e: Endpoint) => boolean,
): Balance {
  const outlier = outlierOf(policy, proxy.version);
  const only = endpoints.length === 1 ? endpoints[0] : undefined;
  if (only && !isDown(only)) {
    // One endpoint that is up takes every call, whatever the priorities (most calls).
    return {
      endpoints: [{ endpoint: only, share: 1, priority: 0, failsBecauseDown: false }],
      rule: "one endpoint",
    };
  }
  const ranked = priorities(endpoints, policy, proxy, outlier !== undefined);
  const down = endpoints.map(isDown);
  const ejected = outlier ? ejectable(down, outlier.maxEjectionPercent) : down.map(() => false);
  const levels = [...new Set(ranked.priority)].sort((a, b) => a - b);
  let left = 1;
  const load = new Map<number, number>();
  for (const level of levels) {
    const members = ranked.priority.map((p, i) => (p === level ? i : -1)).filter((i) => i >= 0);
    const healthy = members.filter((i) => !ejected[i]).length / members.length;
    const share = Math.min(left, Math.min(1, 1.4 * healthy));
    load.set(level, share);
    left -= share;
  }
  // Envoy normalizes when the priorities together cannot take every call.
  const total = [...load.values()].reduce((a, b) => a + b, 0);
  const out = endpoints.map((endpoint, i): Balanced => {
    const level = ranked.priority[i] ?? 0;
    const members = ranked.priority.filter((p, j) => p === level && !ejected[j]).length;
    const share = ejected[i] || total === 0 ? 0 : (load.get(level) ?? 0) / total / members;
    return { endpoint, share, priority: level, failsBecauseDown: !ejected[i] && (down[i] ?? false) };
  });
  const rule = outlier
    ? ranked.rule
    : "no outlierDetection: Istio sets no priorities and nothing ejects an endpoint that fails";
  return { endpoints: out, rule };
}

/** Which down endpoints Envoy ejects: one at a time, while the ejected share is under the limit. */
function ejectable(down: readonly boolean[], maxPercent: number): boolean[] {
  let ejectedCount = 0;
  return down.map((d) => {
    if (!d || (100 * ejectedCount) / down.length >= maxPercent) return false;
    ejectedCount++;
    return true;
  });
}

function priorities(
  endpoints: readonly Endpoint[],
  policy: Json,
  proxy: BalancingProxy,
  failover: boolean,
): { priority: number[]; rule: string } {
  const flat = { priority: endpoints.map(() => 0), rule: "one priority" };
  const lb = obj(obj(policy.loadBalancer).localityLbSetting);
  const enabled =
    policy.loadBalancer !== undefined && obj(policy.loadBalancer).localityLbSetting !== undefined
      ? lb.enabled !== false
      : proxy.meshLocalityLb;
  if (!enabled) return { ...flat, rule: "locality load balancing is off: one priority" };
  if (!failover) return flat;
  const byLabels = strs(lb.failoverPriority);
  let raw = endpoints.map(() => 0);
  let rule = "";
  if (byLabels.length > 0) {
    raw = labelPriorities(endpoints, byLabels, proxy);
    rule = `failoverPriority ${byLabels.join(", ")}${labelValueRule(proxy.version, byLabels)}`;
    if (Object.keys(proxy.labels).length === 0) rule += " (the proxy has no labels: not applied)";
  }
  if (byLabels.length === 0 || lb.failover !== undefined) {
    raw = raw.map((p, i) => p * 5 + localityPriority(proxy.locality, endpoints[i]?.locality));
    rule = rule ? `${rule}, then locality` : "locality (same zone first, then region, then the rest)";
  }
  const levels = [...new Set(raw)].sort((a, b) => a - b);
  return { priority: raw.map((p) => levels.indexOf(p)), rule };
}

/** applyFailoverPriorityPerLocality. */
function labelPriorities(
  endpoints: readonly Endpoint[],
  entries: readonly string[],
  proxy: BalancingProxy,
): number[] {
  if (Object.keys(proxy.labels).length === 0) return endpoints.map(() => 0);
  const withValues = labelValuesSupported(proxy.version);
  const parsed = entries.map((e) => {
    const [name = "", value] = withValues ? e.split("=") : [e];
    return { name, value };
  });
  return endpoints.map((e) => {
    for (const [j, { name, value }] of parsed.entries()) {
      const want = value ?? proxy.labels[name];
      if (want !== e.labels[name]) return parsed.length - j;
    }
    return 0;
  });
}

/** "label=value" entries arrived in Istio 1.18 (istio/istio#43535); before, the text is a label name. */
const labelValuesSupported = (v: IstioVersion): boolean => atLeast(v, 18);

function labelValueRule(v: IstioVersion, entries: readonly string[]): string {
  if (!entries.some((e) => e.includes("=")) || labelValuesSupported(v)) return "";
  return ` (${releaseText(v)} reads "label=value" as a label name, which no endpoint has)`;
}

/** util.LbPriority over "region/zone/subzone". */
function localityPriority(proxy: string | undefined, endpoint: string | undefined): number {
  const [pr = "", pz = "", ps = ""] = (proxy ?? "").split("/");
  const [er = "", ez = "", es = ""] = (endpoint ?? "").split("/");
  if (pr !== er) return 3;
  if (pz !== ez) return 2;
  return ps === es ? 0 : 1;
}

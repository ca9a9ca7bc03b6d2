// Which DestinationRule a proxy uses for a service, as istiod decides it, by release:
// - The index (pilot/pkg/model/push_context.go setDestinationRules): rules in creation order (existing
//   config before cw's; from 1.22 rules with a workloadSelector first). A rule joins its namespace's
//   local pool when its exportTo is empty or has "*", "." or the namespace; it joins the namespace's
//   exported pool unless it is private only (exportTo exactly "." or its own namespace; in 1.20.0 and
//   1.20.1 any exportTo naming its own namespace, a bug fixed in 1.20.2); private rules of the root
//   namespace have a pool of their own. A rule with a workloadSelector is private.
// - Several rules for one host in a pool merge (pilot/pkg/model/destination_rule.go
//   mergeDestinationRule): the first keeps its traffic policy and name, later ones add subsets of new
//   names. Before 1.24 a merged host keeps the first rule's exportTo; from 1.24
//   (ENABLE_ENHANCED_DESTINATIONRULE_MERGE, on unless istiod's environment turns it off) a rule whose
//   exportTo differs is kept apart, merged into an earlier one only when its exportTo is a superset.
// - Lookup (push_context.go destinationRule): a proxy outside the root namespace takes the most
//   specific host of its own namespace's local pool; a proxy in the root namespace the root's private
//   pool; then the service's namespace's exported pool, then the root's, where rules not exported to
//   the proxy's namespace are passed over (before 1.24: per host, by the exportTo the host kept).
// - Of the rules found, a rule of the proxy's namespace whose selector matches the proxy wins; else the
//   last one without a selector (sidecar.go SidecarScope.DestinationRule).
// - 1.5 and 1.6 read only the first exportTo entry ("." private, anything else public) and merge every
//   rule of a host in a pool into one (combineSingleDestinationRule).

import type { IstioObject } from "./config.js";
import { type Json, labelsOf, obj, objs, selects, str, strs } from "./fields.js";
import { hostMatches, resolveShortName, specificity } from "./host-match.js";
import { atLeast, type IstioVersion } from "./istio-version.js";
import { type ClusterIndex, objectsOf, perCluster } from "./registry.js";

/** One entry of a pool: a rule, with the later rules merged into it. */
export interface Consolidated {
  readonly rule: IstioObject;
  /** Every rule merged into it, first one first. */
  readonly from: readonly IstioObject[];
  readonly exportTo: ReadonlySet<string>;
  readonly selector?: Readonly<Record<string, string>>;
}

type Pool = Map<string, Consolidated[]>;

/** A pool with its wildcard hosts kept apart, so that a lookup does not scan every exact host. */
interface Indexed {
  readonly hosts: Pool;
  readonly wildcards: readonly string[];
}

const indexed = (pool: Pool): Indexed => ({
  hosts: pool,
  wildcards: [...pool.keys()].filter((h) => h.startsWith("*")),
});

interface Pools {
  readonly local: ReadonlyMap<string, Indexed>;
  readonly exported: ReadonlyMap<string, Indexed>;
  readonly rootLocal: Indexed;
  /** Before 1.24: the exportTo each host of an exported pool kept, by namespace and host. */
  readonly hostExportTo: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
}

const hostOf = (dr: IstioObject): string => resolveShortName(str(dr.spec.host) ?? "", dr.metadata.namespace);
const selectorOf = (dr: IstioObject) =>
  dr.spec.workloadSelector !== undefined ? labelsOf(obj(dr.spec.workloadSelector).matchLabels) : undefined;

const enhancedMerge = (index: ClusterIndex): boolean =>
  atLeast(index.version, 24) && index.config.mesh.enhancedDestinationRuleMerge?.value !== false;

const pools = perCluster((index: ClusterIndex): Pools => {
  const v = index.version;
  const rules = creationOrder(objectsOf(index, "DestinationRule"), v);
  const local = new Map<string, Pool>();
  const exported = new Map<string, Pool>();
  const rootLocal: Pool = new Map();
  const hostExportTo = new Map<string, Map<string, ReadonlySet<string>>>();
  const merge = mergeInto(enhancedMerge(index), v);
  for (const dr of rules) {
    const ns = dr.metadata.namespace;
    const exportTo = exportToOf(dr, v);
    if (exportTo.size === 0 || exportTo.has("*") || exportTo.has(".") || exportTo.has(ns)) {
      merge(poolOf(local, ns), dr, exportTo);
    }
    if (!privateOnly(exportTo, ns, v)) {
      merge(poolOf(exported, ns), dr, exportTo);
      const kept = hostExportTo.get(ns) ?? new Map<string, ReadonlySet<string>>();
      const was = kept.get(hostOf(dr));
      if (was === undefined || (was.size === 0 && exportTo.size > 0)) kept.set(hostOf(dr), exportTo);
      hostExportTo.set(ns, kept);
    } else if (ns === index.rootNamespace) merge(rootLocal, dr, exportTo);
  }
  const byNs = (pools: Map<string, Pool>) => new Map([...pools].map(([ns, pool]) => [ns, indexed(pool)]));
  return { local: byNs(local), exported: byNs(exported), rootLocal: indexed(rootLocal), hostExportTo };
});

/** Existing rules are older than cw's; from 1.22 rules with a selector come first. */
function creationOrder(rules: readonly IstioObject[], v: IstioVersion): IstioObject[] {
  const aged = [...rules.filter((r) => r.existing), ...rules.filter((r) => !r.existing)];
  if (!atLeast(v, 22)) return aged;
  return [...aged.filter((r) => selectorOf(r)), ...aged.filter((r) => !selectorOf(r))];
}

function exportToOf(dr: IstioObject, v: IstioVersion): ReadonlySet<string> {
  if (selectorOf(dr) && atLeast(v, 20)) return new Set(["."]);
  const list = strs(dr.spec.exportTo);
  // 1.5 and 1.6 honour the first entry only: "." private, anything else public.
  if (!atLeast(v, 7)) return list.length === 0 ? new Set() : new Set([list[0] === "." ? "." : "*"]);
  return new Set(list);
}

function privateOnly(exportTo: ReadonlySet<string>, ns: string, v: IstioVersion): boolean {
  if (v.minor === 20 && v.patch < 2) return (exportTo.size === 1 && exportTo.has(".")) || exportTo.has(ns);
  return exportTo.size === 1 && (exportTo.has(".") || exportTo.has(ns));
}

const poolOf = (pools: Map<string, Pool>, ns: string): Pool => {
  let pool = pools.get(ns);
  if (!pool) {
    pool = new Map();
    pools.set(ns, pool);
  }
  return pool;
};

/** mergeDestinationRule, for the release. */
function mergeInto(enhanced: boolean, v: IstioVersion) {
  return (pool: Pool, dr: IstioObject, exportTo: ReadonlySet<string>): void => {
    const host = hostOf(dr);
    const list = pool.get(host);
    const own: Consolidated = {
      rule: dr,
      from: [dr],
      exportTo,
      ...(selectorOf(dr) && { selector: selectorOf(dr) }),
    };
    if (!list) {
      pool.set(host, [own]);
      return;
    }
    if (!atLeast(v, 7)) {
      list[0] = absorb(list[0] ?? own, dr);
      return;
    }
    let separately = true;
    for (const [i, m] of list.entries()) {
      if (enhanced) {
        if (sameSet(exportTo, m.exportTo)) separately = false;
        else if (m.exportTo.size > 0 && superset(exportTo, m.exportTo)) separately = true;
        else {
          separately = true;
          continue;
        }
      }
      const mine = selectorOf(dr);
      const both = mine !== undefined && m.selector !== undefined;
      const same = sameLabels(mine, m.selector);
      if (both && !same) {
        if (enhanced) separately = true;
        continue;
      }
      if (
        (mine === undefined && m.selector === undefined) ||
        (enhanced ? both && same : mine !== undefined && same)
      ) {
        separately = false;
      }
      list[i] = absorb(m, dr);
    }
    if (separately) list.push(own);
  };
}

/** The rule `m` with `dr` merged in: new subsets appended, its traffic policy only if `m` has none. */
function absorb(m: Consolidated, dr: IstioObject): Consolidated {
  const subsets: Json[] = [...objs(m.rule.spec.subsets)];
  for (const sub of objs(dr.spec.subsets)) if (!subsets.some((x) => x.name === sub.name)) subsets.push(sub);
  const trafficPolicy = m.rule.spec.trafficPolicy ?? dr.spec.trafficPolicy;
  const spec = { ...m.rule.spec, subsets, ...(trafficPolicy !== undefined && { trafficPolicy }) };
  return { ...m, rule: { ...m.rule, spec }, from: [...m.from, dr] };
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));
const superset = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...b].every((x) => a.has(x));
function sameLabels(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
) {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, val]) => b?.[k] === val);
}

/** MostSpecificHostMatch over a pool: the exact host, else the longest wildcard. */
function mostSpecific(
  pool: Indexed | undefined,
  host: string,
): { host: string; list: Consolidated[] } | undefined {
  if (!pool) return undefined;
  const exact = pool.hosts.get(host);
  if (exact) return { host, list: exact };
  let best: string | undefined;
  for (const h of pool.wildcards) {
    if (hostMatches(h, host) && (best === undefined || specificity(h) > specificity(best))) best = h;
  }
  const list = best !== undefined ? pool.hosts.get(best) : undefined;
  return best !== undefined && list ? { host: best, list } : undefined;
}

const exportedTo = (e: ReadonlySet<string>, ns: string) => e.size === 0 || e.has("*") || e.has(ns);

export interface Found {
  readonly chosen: Consolidated;
  /** Every entry of the list istiod returned, the chosen one included. */
  readonly candidates: readonly Consolidated[];
  /** Which pool it came from, for the hop text. */
  readonly pool: "proxy namespace" | "root namespace (private)" | "service namespace" | "root namespace";
}

/** The rule a proxy in `proxyNs` with `labels` uses for a service `host` declared in `serviceNs`. */
export function lookupDestinationRule(
  index: ClusterIndex,
  host: string,
  proxyNs: string,
  serviceNs: string,
  labels: Readonly<Record<string, string>>,
): Found | undefined {
  const p = pools(index);
  const root = index.rootNamespace;
  const enhanced = atLeast(index.version, 24);
  const tries: [Found["pool"], () => Consolidated[] | undefined][] = [
    proxyNs !== root
      ? ["proxy namespace", () => mostSpecific(p.local.get(proxyNs), host)?.list]
      : ["root namespace (private)", () => mostSpecific(p.rootLocal, host)?.list],
    ["service namespace", () => exportedFrom(p, serviceNs, host, proxyNs, enhanced)],
    ["root namespace", () => exportedFrom(p, root, host, proxyNs, enhanced)],
  ];
  for (const [pool, list] of tries) {
    const found = list();
    if (!found || found.length === 0) continue;
    const chosen = choose(found, proxyNs, labels);
    if (chosen) return { chosen, candidates: found, pool };
  }
  return undefined;
}

function exportedFrom(p: Pools, ns: string, host: string, proxyNs: string, enhanced: boolean) {
  const m = mostSpecific(p.exported.get(ns), host);
  if (!m) return undefined;
  if (enhanced) return m.list.filter((c) => exportedTo(c.exportTo, proxyNs));
  const kept = p.hostExportTo.get(ns)?.get(m.host) ?? new Set<string>();
  return exportedTo(kept, proxyNs) ? m.list : undefined;
}

function choose(list: readonly Consolidated[], proxyNs: string, labels: Readonly<Record<string, string>>) {
  let catchAll: Consolidated | undefined;
  for (const c of list) {
    if (c.selector) {
      if (c.rule.metadata.namespace === proxyNs && selects(c.selector, labels)) return c;
      continue;
    }
    catchAll = c;
  }
  return catchAll;
}

export interface PoolConflict {
  readonly namespace: string;
  readonly host: string;
  /** merged: one rule absorbed the other's subsets only; apart: proxies use only the last one. */
  readonly how: "merged" | "apart";
  readonly rules: readonly IstioObject[];
}

/**
 * Rules of the cluster's existing config and of cw's output for the same host in one pool: Istio
 * merges them (the first one's traffic policy wins) or keeps them apart (1.24 and later, when their
 * exportTo differ), and either way one of them does not apply as written.
 */
export function destinationRuleConflicts(index: ClusterIndex): PoolConflict[] {
  const p = pools(index);
  const out: PoolConflict[] = [];
  const seen = new Set<string>();
  const scan = (ns: string, pool: Pool) => {
    for (const [host, list] of pool) {
      const rules = list.flatMap((c) => c.from);
      const mixed = rules.some((r) => r.existing) && rules.some((r) => !r.existing);
      const key = `${ns}/${host}`;
      if (!mixed || seen.has(key)) continue;
      seen.add(key);
      out.push({
        namespace: ns,
        host,
        how: list.length > 1 ? "apart" : "merged",
        rules: [...new Set(rules)],
      });
    }
  };
  for (const [ns, pool] of p.local) scan(ns, pool.hosts);
  for (const [ns, pool] of p.exported) scan(ns, pool.hosts);
  return out;
}

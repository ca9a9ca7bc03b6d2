// VirtualService selection and route matching, shared by sidecars (the "mesh" gateway) and gateways
// (https://istio.io/latest/docs/reference/config/networking/virtual-service/):
// - `gateways` absent means ["mesh"]; a gateway is named "<namespace>/<name>", or "<name>" in the
//   VirtualService's own namespace.
// - For one host, the most specific VirtualService host wins. Sidecars take one VirtualService per
//   host (IST0109: others conflict); gateways merge the routes of every bound VirtualService for the
//   host, in order (https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services).
// - Routes are tried in order and the first whose match list has a matching element (or no match
//   list) wins. A request carries only the headers proxies on the way set (HTTPRoute and
//   HTTPRouteDestination `headers.request`), no query parameters, and the caller's labels only if
//   given; conditions on anything else do not match.
// - A route's weights are percentages; a single destination without a weight gets everything, and
//   several without weights share evenly.

import type { IstioObject } from "./config.js";
import { type Json, labelsOf, num, obj, objs, selects, str, strs } from "./fields.js";
import { HostIndex } from "./host-index.js";
import { hostMatches, resolveShortName, specificity } from "./host-match.js";
import { type ClusterIndex, exportToOf, objectsOf, perCluster, visibleTo } from "./registry.js";

export interface RouteContext {
  /** "mesh", or the "<namespace>/<name>" of the Gateway the traffic arrived on. */
  readonly gateway: string;
  readonly port: number;
  readonly path: string;
  /** The calling workload, for sourceNamespace and sourceLabels (sidecars only). */
  readonly source?: { readonly namespace: string; readonly labels?: Readonly<Record<string, string>> };
  /** The Host header, for authority matches. */
  readonly authority?: string;
  /** Request headers (lower-case names): only those a proxy on the way has set. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** HTTPRoute / HTTPRouteDestination `headers.request`: set, add and remove, in that order. */
export interface HeaderOps {
  readonly set?: Readonly<Record<string, string>>;
  readonly add?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

export interface Destination {
  readonly host: string;
  readonly port?: number;
  readonly subset?: string;
  readonly weight: number;
  readonly headers?: HeaderOps;
}

const headerOps = (x: unknown): HeaderOps | undefined => {
  const r = obj(obj(x).request);
  if (r.set === undefined && r.add === undefined && r.remove === undefined) return undefined;
  return { set: labelsOf(r.set), add: labelsOf(r.add), remove: strs(r.remove) };
};

export function applyHeaders(
  headers: Readonly<Record<string, string>>,
  ops: HeaderOps | undefined,
): Readonly<Record<string, string>> {
  if (!ops) return headers;
  const out: Record<string, string> = { ...headers };
  for (const [k, v] of Object.entries(ops.set ?? {})) out[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(ops.add ?? {}))
    out[k.toLowerCase()] = out[k.toLowerCase()] ? `${out[k.toLowerCase()]},${v}` : v;
  for (const k of ops.remove ?? []) delete out[k.toLowerCase()];
  return out;
}

export type RouteAction =
  | {
      readonly kind: "route";
      readonly rule: string;
      readonly destinations: readonly Destination[];
      readonly authority?: string;
      readonly headers?: HeaderOps;
    }
  | { readonly kind: "answer"; readonly rule: string; readonly what: string }
  | { readonly kind: "unsupported"; readonly rule: string; readonly what: string };

const gatewayRefs = (vs: IstioObject, field: unknown = vs.spec.gateways): string[] => {
  const names = strs(field);
  return (names.length > 0 ? names : ["mesh"]).map((g) =>
    g === "mesh" || g.includes("/") ? g : `${vs.metadata.namespace}/${g}`,
  );
};

export const boundTo = (vs: IstioObject, gateway: string): boolean => gatewayRefs(vs).includes(gateway);

export const hostsOf = (vs: IstioObject): string[] =>
  strs(vs.spec.hosts).map((h) => resolveShortName(h, vs.metadata.namespace));

/** The VirtualServices bound to each gateway (and "mesh") of a cluster, in order, by host. */
const boundByGateway = perCluster((index: ClusterIndex): ReadonlyMap<string, HostIndex<IstioObject>> => {
  const lists = new Map<string, IstioObject[]>();
  for (const vs of objectsOf(index, "VirtualService")) {
    for (const g of new Set(gatewayRefs(vs))) {
      const list = lists.get(g);
      if (list) list.push(vs);
      else lists.set(g, [vs]);
    }
  }
  return new Map([...lists].map(([g, list]) => [g, new HostIndex(list, hostsOf)]));
});

const NONE_BOUND = new HostIndex<IstioObject>([], hostsOf);

/**
 * The VirtualServices bound to `gateway`, by host: its lookups return candidates in the cluster's
 * order, to be narrowed with visibleFrom and then matched as the full list would be.
 */
export const boundVirtualServices = (index: ClusterIndex, gateway: string): HostIndex<IstioObject> =>
  boundByGateway(index).get(gateway) ?? NONE_BOUND;

/** Those of `list` that proxies in `namespace` see (exportTo). */
export const visibleFrom = (list: readonly IstioObject[], namespace: string): IstioObject[] =>
  list.filter((vs) => visibleTo(exportToOf(vs), vs.metadata.namespace, namespace));

/** The VirtualServices whose most specific host matching `name` is the best one there is. */
export function selectByHost(candidates: readonly IstioObject[], name: string): IstioObject[] {
  let best = -1;
  let chosen: IstioObject[] = [];
  for (const vs of candidates) {
    const s = Math.max(
      -1,
      ...hostsOf(vs)
        .filter((h) => hostMatches(h, name))
        .map(specificity),
    );
    if (s < 0) continue;
    if (s > best) {
      best = s;
      chosen = [vs];
    } else if (s === best) chosen.push(vs);
  }
  return chosen;
}

function stringMatch(m: unknown, value: string | undefined): boolean {
  const sm = obj(m);
  if (value === undefined) return false;
  const exact = str(sm.exact);
  const prefix = str(sm.prefix);
  const regex = str(sm.regex);
  if (exact !== undefined) return value === exact;
  if (prefix !== undefined) return value.startsWith(prefix);
  if (regex !== undefined) {
    try {
      return new RegExp(`^(?:${regex})$`).test(value);
    } catch {
      return false;
    }
  }
  return true;
}

function commonMatch(m: Json, ctx: RouteContext): boolean {
  const port = num(m.port);
  if (port !== undefined && port !== ctx.port) return false;
  if (m.gateways !== undefined && !strs(m.gateways).includes(ctx.gateway)) return false;
  const sourceNamespace = str(m.sourceNamespace);
  if (sourceNamespace !== undefined && sourceNamespace !== ctx.source?.namespace) return false;
  if (m.sourceLabels !== undefined) {
    const labels = ctx.source?.labels;
    if (!labels || !selects(labelsOf(m.sourceLabels), labels)) return false;
  }
  if (m.destinationSubnets !== undefined) return false;
  return true;
}

function httpMatch(m: Json, ctx: RouteContext): boolean {
  if (!commonMatch(m, ctx)) return false;
  if (m.uri !== undefined && !stringMatch(m.uri, ctx.path)) return false;
  if (m.method !== undefined && !stringMatch(m.method, "GET")) return false;
  if (m.scheme !== undefined && !stringMatch(m.scheme, "http")) return false;
  if (m.authority !== undefined && !stringMatch(m.authority, ctx.authority)) return false;
  const headers = ctx.headers ?? {};
  for (const [name, sm] of Object.entries(obj(m.headers))) {
    if (!stringMatch(sm, headers[name.toLowerCase()])) return false;
  }
  for (const [name, sm] of Object.entries(obj(m.withoutHeaders))) {
    const v = headers[name.toLowerCase()];
    if (v !== undefined && stringMatch(sm, v)) return false;
  }
  if (m.queryParams !== undefined) return false;
  return true;
}

function destinationsOf(route: unknown, vsNamespace: string): Destination[] {
  const items = objs(route);
  const anyWeight = items.some((r) => num(r.weight) !== undefined);
  return items.map((r) => {
    const d = obj(r.destination);
    const port = num(obj(d.port).number);
    const subset = str(d.subset);
    const headers = headerOps(r.headers);
    return {
      host: resolveShortName(str(d.host) ?? "", vsNamespace),
      ...(port !== undefined && { port }),
      ...(subset !== undefined && { subset }),
      ...(headers && { headers }),
      weight: anyWeight ? (num(r.weight) ?? 0) : 100 / items.length,
    };
  });
}

const ruleName = (r: Json, section: string, i: number) => {
  const name = str(r.name);
  return name ? `${section}[${i}] "${name}"` : `${section}[${i}]`;
};

/** The first HTTP route of the VirtualServices (merged in order) that matches. */
export function matchHttp(
  list: readonly IstioObject[],
  ctx: RouteContext,
): { vs: IstioObject; action: RouteAction } | undefined {
  for (const vs of list) {
    const routes = objs(vs.spec.http);
    for (const [i, r] of routes.entries()) {
      const matches = objs(r.match);
      if (r.match !== undefined && matches.length > 0 && !matches.some((m) => httpMatch(m, ctx))) continue;
      const rule = ruleName(r, "http", i);
      if (r.delegate !== undefined)
        return { vs, action: { kind: "unsupported", rule, what: "a delegate VirtualService" } };
      if (r.redirect !== undefined) return { vs, action: { kind: "answer", rule, what: "a redirect" } };
      if (r.directResponse !== undefined)
        return { vs, action: { kind: "answer", rule, what: "a direct response" } };
      const authority = str(obj(r.rewrite).authority);
      const headers = headerOps(r.headers);
      return {
        vs,
        action: {
          kind: "route",
          rule,
          destinations: destinationsOf(r.route, vs.metadata.namespace),
          ...(authority !== undefined && { authority }),
          ...(headers && { headers }),
        },
      };
    }
  }
  return undefined;
}

export function matchTcp(
  list: readonly IstioObject[],
  ctx: RouteContext,
): { vs: IstioObject; action: RouteAction } | undefined {
  for (const vs of list) {
    for (const [i, r] of objs(vs.spec.tcp).entries()) {
      const matches = objs(r.match);
      if (r.match !== undefined && matches.length > 0 && !matches.some((m) => commonMatch(m, ctx))) continue;
      return {
        vs,
        action: {
          kind: "route",
          rule: ruleName(r, "tcp", i),
          destinations: destinationsOf(r.route, vs.metadata.namespace),
        },
      };
    }
  }
  return undefined;
}

export function matchTls(
  list: readonly IstioObject[],
  ctx: RouteContext,
  sni: string | undefined,
): { vs: IstioObject; action: RouteAction } | undefined {
  for (const vs of list) {
    for (const [i, r] of objs(vs.spec.tls).entries()) {
      const ok = objs(r.match).some(
        (m) => commonMatch(m, ctx) && sni !== undefined && strs(m.sniHosts).some((h) => hostMatches(h, sni)),
      );
      if (!ok) continue;
      return {
        vs,
        action: {
          kind: "route",
          rule: ruleName(r, "tls", i),
          destinations: destinationsOf(r.route, vs.metadata.namespace),
        },
      };
    }
  }
  return undefined;
}

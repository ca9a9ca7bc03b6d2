// AuthorizationPolicy evaluation at one workload (a gateway's pods or a Service's pods), following
// https://istio.io/latest/docs/concepts/security/#authorization-policies and
// https://istio.io/latest/docs/reference/config/security/authorization-policy/:
// - A policy applies to a workload when it is in the workload's namespace, or in the root namespace
//   (mesh-wide), and its selector (if any) matches the workload's labels. targetRef(s) policies attach
//   to waypoints and Gateway API gateways, which this tracer does not model: they are skipped.
// - Order: CUSTOM (not evaluable here, reported), then DENY (any matching rule denies), then ALLOW (if
//   any ALLOW policy applies, a request no ALLOW rule matches is denied). AUDIT does not decide.
// - A policy without rules matches nothing; a rule {} matches everything. Within a rule, from, to and
//   when must all match; within from/to, any one element whose fields all match is enough.
// - Values match exactly, by prefix ("abc*"), by suffix ("*abc"), or by presence ("*").
// - principals need mutual TLS: without a peer certificate there is no principal, so `principals`
//   never matches and `notPrincipals` always does (Envoy's not_id over authenticated ids).
// - Principals are "<trust domain>/ns/<ns>/sa/<sa>". A five-segment principal whose trust domain is
//   cluster.local (or the local one) stands for the local trust domain; others are used as written
//   (istio pkg/config/security/trustdomain.go ReplaceTrustDomainAliases; see also
//   https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/).
// - On TCP (no HTTP), HTTP-only fields (hosts, methods, paths, requestPrincipals, request.* keys)
//   make an ALLOW rule match nothing and are dropped from a DENY rule, which then denies more
//   (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/, "HTTP-only fields").

import { type IstioObject, type ObjectRef, refOf } from "./config.js";
import { arr, isObj, type Json, labelsOf, obj, objs, selects, str, strs } from "./fields.js";
import { HostIndex } from "./host-index.js";
import { LabelCache } from "./label-cache.js";
import type { Hop, ProxyRef } from "./types.js";

export interface AuthzWorkload {
  readonly cluster: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly trustDomain: string;
  readonly rootNamespace: string;
}

export interface AuthzRequest {
  /** The peer's principal, when mutual TLS was terminated here. */
  readonly principal?: string;
  readonly sni?: string;
  readonly port: number;
  /** Present when the connection carries HTTP that this proxy parses. */
  readonly http?: { readonly host: string; readonly path: string; readonly method: string };
}

export interface AuthzVerdict {
  readonly verdict: "allow" | "deny";
  readonly by?: ObjectRef;
  readonly reason: string;
}

/** The hop a verdict adds to a trace, at the proxy that judged the call. */
export function authzHop(
  proxy: ProxyRef,
  verdict: AuthzVerdict,
  principal: string | undefined,
  sni?: string,
): Hop {
  return {
    kind: "authz",
    proxy,
    ...(principal !== undefined && { principal }),
    ...(sni !== undefined && { sni }),
    verdict: verdict.verdict,
    ...(verdict.by && { by: verdict.by }),
    reason: verdict.reason,
  };
}

export function applicablePolicies(policies: readonly IstioObject[], w: AuthzWorkload): IstioObject[] {
  return policies.filter((p) => {
    if (p.metadata.namespace !== w.namespace && p.metadata.namespace !== w.rootNamespace) return false;
    if (p.spec.targetRef !== undefined || p.spec.targetRefs !== undefined) return false;
    const selector = p.spec.selector;
    if (selector === undefined) return true;
    return selects(labelsOf(obj(selector).matchLabels), w.labels);
  });
}

/**
 * The SNIs a policy can match at all, when every rule of it names them in a `connection.sni`
 * condition with exact values (any other SNI makes that condition, and so the rule, false); undefined
 * when some rule can match whatever the SNI.
 */
function sniGate(p: IstioObject): readonly string[] | undefined {
  const gate: string[] = [];
  for (const rule of objs(p.spec.rules)) {
    const condition = objs(rule.when).find(
      (c) =>
        str(c.key) === "connection.sni" &&
        c.values !== undefined &&
        strs(c.values).every((v) => !v.startsWith("*") && !v.endsWith("*")),
    );
    if (!condition) return undefined;
    gate.push(...strs(condition.values));
  }
  return gate;
}

/** The policies that apply to one workload, by action, each indexed by the SNIs it can match. */
interface WorkloadPolicies {
  readonly custom: readonly IstioObject[];
  readonly deny: HostIndex<IstioObject>;
  readonly allow: HostIndex<IstioObject>;
}

/**
 * applicablePolicies, computed once per list of policies and workload. A cluster's list is the same
 * array on every call (its index's), so a gateway or service evaluated a million times is sorted out
 * once; the memo lives as long as that list.
 */
const perPolicies = new WeakMap<readonly IstioObject[], LabelCache<WorkloadPolicies>>();

function workloadPolicies(policies: readonly IstioObject[], w: AuthzWorkload): WorkloadPolicies {
  let cache = perPolicies.get(policies);
  if (!cache) {
    cache = new LabelCache();
    perPolicies.set(policies, cache);
  }
  return cache.get(w.labels, `${w.namespace}\n${w.rootNamespace}`, () => sortOut(policies, w));
}

function sortOut(policies: readonly IstioObject[], w: AuthzWorkload): WorkloadPolicies {
  const applicable = applicablePolicies(policies, w);
  const action = (p: IstioObject) => (str(p.spec.action) ?? "ALLOW").toUpperCase();
  // An SNI that no gate lists finds only the ungated policies, filed under the wildcard "*".
  const bySni = (list: readonly IstioObject[]) => new HostIndex(list, (p) => sniGate(p) ?? ["*"]);
  return {
    custom: applicable.filter((p) => action(p) === "CUSTOM"),
    deny: bySni(applicable.filter((p) => action(p) === "DENY")),
    allow: bySni(applicable.filter((p) => action(p) === "ALLOW")),
  };
}

export function evaluateAuthz(
  policies: readonly IstioObject[],
  w: AuthzWorkload,
  req: AuthzRequest,
): AuthzVerdict {
  const { custom, deny, allow } = workloadPolicies(policies, w);
  // Policies whose SNI gate excludes req.sni cannot match; the rest are tried in order.
  const contenders = (index: HostIndex<IstioObject>) =>
    req.sni !== undefined ? index.candidates(req.sni) : index.candidates();
  for (const p of contenders(deny)) {
    const rule = matchingRule(p, req, w, "DENY");
    if (rule !== undefined)
      return { verdict: "deny", by: refOf(w.cluster, p), reason: `DENY rule ${rule} matches` };
  }
  const allows = allow.all;
  const note = custom.length > 0 ? ` (CUSTOM policy ${custom[0]?.metadata.name} not evaluated)` : "";
  if (allows.length === 0) {
    const denies = deny.all;
    return {
      verdict: "allow",
      ...(denies[0] && { by: refOf(w.cluster, denies[0]) }),
      reason:
        denies.length > 0
          ? `no rule of ${denies.length === 1 ? "DENY policy" : `${denies.length} DENY policies`} matches${note}`
          : `no policy applies${note}`,
    };
  }
  for (const p of contenders(allow)) {
    const rule = matchingRule(p, req, w, "ALLOW");
    if (rule !== undefined)
      return { verdict: "allow", by: refOf(w.cluster, p), reason: `ALLOW rule ${rule} matches${note}` };
  }
  return {
    verdict: "deny",
    ...(allows[0] && { by: refOf(w.cluster, allows[0]) }),
    reason: "ALLOW policies apply and none of their rules matches",
  };
}

function matchingRule(
  p: IstioObject,
  req: AuthzRequest,
  w: AuthzWorkload,
  action: "ALLOW" | "DENY",
): number | undefined {
  const rules = objs(p.spec.rules);
  const i = rules.findIndex((r) => ruleMatches(r, req, w, action));
  return i < 0 ? undefined : i;
}

// "http-only": an HTTP-only field on a TCP connection (see the module comment).
type FieldResult = boolean | "http-only";

// The matching below runs for every policy a request meets (millions of gateway probes in a large
// `cw verify`), so it walks the fields in loops rather than collecting their results in arrays: the
// same answers, with nothing allocated. Within a rule (or a source, or an operation) every field must
// match: false wins, then "http-only"; within from/to one element is enough: true wins, then "http-only".

function ruleMatches(rule: Json, req: AuthzRequest, w: AuthzWorkload, action: "ALLOW" | "DENY"): boolean {
  let httpOnly = false;
  const take = (r: FieldResult): boolean => {
    if (r === "http-only") httpOnly = true;
    return r !== false;
  };
  if (rule.from !== undefined && !take(anyElement(rule.from, (f) => sourceMatches(obj(f.source), req, w))))
    return false;
  if (rule.to !== undefined && !take(anyElement(rule.to, (t) => operationMatches(obj(t.operation), req))))
    return false;
  for (const c of arr(rule.when)) if (isObj(c) && !take(conditionMatches(c, req, w))) return false;
  return httpOnly ? action === "DENY" : true;
}

/** The best result of the list's objects: true, else "http-only", else false (an empty list: false). */
function anyElement(list: unknown, result: (element: Json) => FieldResult): FieldResult {
  let best: FieldResult = false;
  for (const x of arr(list)) {
    if (!isObj(x)) continue;
    const r = result(x);
    if (r === true) return true;
    if (r === "http-only") best = r;
  }
  return best;
}

/** Two field results that must both hold: false, else "http-only", else true. */
const both = (a: FieldResult, b: FieldResult): FieldResult =>
  a === false || b === false ? false : a === "http-only" || b === "http-only" ? "http-only" : true;

/** Istio's string match: exact, "prefix*", "*suffix", or "*" for any non-empty value. */
export function valueMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

/** A policy principal, with cluster.local standing for the local trust domain (see the module comment). */
export function principalMatches(pattern: string, principal: string | undefined, localTd: string): boolean {
  if (!pattern.startsWith("cluster.local/")) return valueMatches(pattern, principal);
  const parts = pattern.split("/");
  if (parts.length === 5 && parts[0] === "cluster.local") {
    return valueMatches([localTd, ...parts.slice(1)].join("/"), principal);
  }
  return valueMatches(pattern, principal);
}

const namespaceOf = (principal: string | undefined): string | undefined =>
  principal?.split("/ns/")[1]?.split("/")[0];

function listMatch(
  values: unknown,
  notValues: unknown,
  actual: string | undefined,
  match: (p: string, v: string | undefined, localTd: string) => boolean = valueMatches,
  localTd = "",
): boolean {
  // A negated list matches when the value is absent or matches none of the patterns.
  return (
    (values === undefined || anyMatches(values, actual, match, localTd)) &&
    (notValues === undefined || !anyMatches(notValues, actual, match, localTd))
  );
}

/** Whether a pattern of the list (its strings) matches the value. */
function anyMatches(
  patterns: unknown,
  actual: string | undefined,
  match: (p: string, v: string | undefined, localTd: string) => boolean,
  localTd: string,
): boolean {
  for (const p of arr(patterns)) if (typeof p === "string" && match(p, actual, localTd)) return true;
  return false;
}

function sourceMatches(source: Json, req: AuthzRequest, w: AuthzWorkload): FieldResult {
  let result: FieldResult = listMatch(
    source.principals,
    source.notPrincipals,
    req.principal,
    principalMatches,
    w.trustDomain,
  );
  if (source.namespaces !== undefined || source.notNamespaces !== undefined)
    result = both(result, listMatch(source.namespaces, source.notNamespaces, namespaceOf(req.principal)));
  // Source IPs are not part of a trace: an IP condition is taken not to match.
  if (source.ipBlocks !== undefined || source.remoteIpBlocks !== undefined) result = false;
  if (source.requestPrincipals !== undefined || source.notRequestPrincipals !== undefined)
    result = both(
      result,
      req.http ? listMatch(source.requestPrincipals, source.notRequestPrincipals, undefined) : "http-only",
    );
  return result;
}

function operationMatches(op: Json, req: AuthzRequest): FieldResult {
  let result: FieldResult = listMatch(op.ports, op.notPorts, String(req.port));
  const http = (
    values: unknown,
    notValues: unknown,
    actual: (h: NonNullable<AuthzRequest["http"]>) => string,
  ) => {
    if (values === undefined && notValues === undefined) return;
    result = both(result, req.http ? listMatch(values, notValues, actual(req.http)) : "http-only");
  };
  http(op.hosts, op.notHosts, (h) => h.host);
  http(op.methods, op.notMethods, (h) => h.method);
  http(op.paths, op.notPaths, (h) => h.path);
  return result;
}

function conditionMatches(c: Json, req: AuthzRequest, w: AuthzWorkload): FieldResult {
  const key = str(c.key) ?? "";
  let actual: string | undefined;
  switch (key) {
    case "connection.sni":
      actual = req.sni;
      break;
    case "source.principal":
      return listMatch(c.values, c.notValues, req.principal, principalMatches, w.trustDomain);
    case "source.namespace":
      actual = namespaceOf(req.principal);
      break;
    case "destination.port":
      actual = String(req.port);
      break;
    default:
      if (key.startsWith("request.")) {
        if (!req.http) return "http-only";
        return false;
      }
      // source.ip, destination.ip, remote.ip, experimental keys: not part of a trace.
      return false;
  }
  return listMatch(c.values, c.notValues, actual);
}

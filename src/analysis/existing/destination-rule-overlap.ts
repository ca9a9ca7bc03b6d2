// A DestinationRule the cluster already has that a sidecar would use for a host of cw's instead of,
// or merged with, cw's own rule for it (CW4011). Istio gives a sidecar in namespace C the rules of
// one place per host (destinationRule in pilot/pkg/model/push_context.go, 1.30.3):
//   1. C's own rules that C may see (the root namespace's private ones when C is the root namespace);
//   2. else the rules exported from the namespace of the service that owns the host (a
//      ServiceEntry's namespace for a global host) to C;
//   3. else the rules exported from the root namespace to C.
// In each place the most specific host wins (an exact host over *.global over *, MostSpecificHostMatch),
// and rules for that same host are merged (mergeDestinationRule in pilot/pkg/model/destination_rule.go).
// This follows each namespace that may use one of cw's rules through those steps with and without
// the existing rules: where the answer holds an existing rule, cw's mTLS, SNI or subsets may not apply.

import { diag } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { type ExistingObject, rootNamespaceOf } from "../../existing/model.js";
import type { Resource } from "../../generate/resource.js";
import { hostCovers } from "../../plan/existing-facts.js";
import { type ConflictAnalyzer, nameOf } from "./analyzer.js";

interface Rule {
  readonly host: string;
  readonly namespace: string;
  /** Empty: visible everywhere (Istio's default). */
  readonly exportTo: readonly string[];
  readonly ours?: Resource;
  readonly theirs?: ExistingObject;
}

/** A namespace no rule names: the whole rest of the cluster. */
const ELSEWHERE = "";

export const destinationRuleOverlap: ConflictAnalyzer = {
  name: "two DestinationRules for one host",
  analyze: ({ ours, existing }) => {
    const root = rootNamespaceOf(existing);
    const theirs = existing.objects.filter((o) => o.kind === "DestinationRule").map(existingRule);
    if (theirs.length === 0) return [];
    const mine = ours.filter((o) => o.kind === "DestinationRule").map(ourRule);
    const owners = serviceNamespaces(ours);
    const out: Diagnostic[] = [];
    for (const rule of mine) {
      const service = owners.get(rule.host) ?? kubernetesNamespace(rule.host) ?? rule.namespace;
      const reported = new Set<ExistingObject>();
      for (const caller of callers(rule, [...mine, ...theirs], root, service)) {
        if (!lookup(rule.host, caller, service, root, mine).includes(rule)) continue;
        const found = lookup(rule.host, caller, service, root, [...mine, ...theirs]);
        for (const other of found) {
          if (!other.theirs || reported.has(other.theirs)) continue;
          reported.add(other.theirs);
          out.push(conflict(rule, other.theirs, caller, found.includes(rule)));
        }
      }
    }
    return out;
  },
};

function conflict(rule: Rule, theirs: ExistingObject, caller: string, merged: boolean): Diagnostic {
  const ourName = rule.ours ? nameOf(rule.ours) : "";
  const where = caller === ELSEWHERE ? "in every namespace that names neither" : `in namespace ${caller}`;
  return diag(
    "CW4011",
    {
      theirs: nameOf(theirs),
      theirHost: String(theirs.spec.host),
      ours: ourName,
      ourHost: rule.host,
      where,
      merged,
    },
    theirs.location,
  );
}

const strings = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((v): v is string => typeof v === "string") : [];

function ourRule(o: Resource): Rule {
  return {
    host: String(o.spec.host),
    namespace: o.metadata.namespace,
    exportTo: strings(o.spec.exportTo),
    ours: o,
  };
}

function existingRule(o: ExistingObject): Rule {
  const host = typeof o.spec.host === "string" ? o.spec.host : "";
  // A short name is a Service of the rule's namespace (ResolveShortnameToFQDN); a rule with a
  // workload selector is never exported (setDestinationRules).
  const fqdn =
    host.includes(".") || host.startsWith("*") || host === ""
      ? host
      : `${host}.${o.namespace}.svc.cluster.local`;
  const exportTo = o.spec.workloadSelector === undefined ? strings(o.spec.exportTo) : ["."];
  return { host: fqdn, namespace: o.namespace, exportTo, theirs: o };
}

/** The namespace of the ServiceEntry of cw's that owns each global host. */
function serviceNamespaces(ours: readonly Resource[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const se of ours.filter((o) => o.kind === "ServiceEntry"))
    for (const h of strings(se.spec.hosts)) owners.set(h, se.metadata.namespace);
  return owners;
}

const kubernetesNamespace = (host: string): string | undefined => /^[^.]+\.([^.]+)\.svc\./.exec(host)?.[1];

const visibleTo = (r: Rule, ns: string): boolean =>
  r.exportTo.length === 0 ||
  r.exportTo.includes("*") ||
  r.exportTo.includes(ns) ||
  (r.exportTo.includes(".") && r.namespace === ns);

const privateOnly = (r: Rule): boolean =>
  r.exportTo.length === 1 && (r.exportTo[0] === "." || r.exportTo[0] === r.namespace);

/** The namespaces whose sidecars may use `rule`: its exportTo, or every namespace any rule names. */
function callers(rule: Rule, rules: readonly Rule[], root: string, service: string): string[] {
  const named = rule.exportTo.filter((n) => n !== "*").map((n) => (n === "." ? rule.namespace : n));
  if (rule.exportTo.length > 0 && !rule.exportTo.includes("*")) return named;
  const all = new Set([root, service, ELSEWHERE]);
  for (const r of rules) {
    all.add(r.namespace);
    for (const n of r.exportTo) if (n !== "*" && n !== ".") all.add(n);
  }
  return [...all].sort();
}

/** The rules a sidecar in `caller` uses for `host`, as Istio picks them. */
function lookup(host: string, caller: string, service: string, root: string, rules: readonly Rule[]): Rule[] {
  const own =
    caller !== root
      ? rules.filter((r) => r.namespace === caller && visibleTo(r, caller))
      : rules.filter((r) => r.namespace === root && privateOnly(r));
  const exported = (ns: string) =>
    rules.filter((r) => r.namespace === ns && !privateOnly(r) && visibleTo(r, caller));
  for (const place of [own, exported(service), exported(root)]) {
    const found = mostSpecific(host, place);
    if (found.length > 0) return found;
  }
  return [];
}

function mostSpecific(host: string, rules: readonly Rule[]): Rule[] {
  const exact = rules.filter((r) => r.host === host);
  if (exact.length > 0) return exact;
  const wild = rules.filter((r) => r.host.startsWith("*") && hostCovers(r.host, host));
  const best = Math.max(...wild.map((r) => r.host.length));
  return wild.filter((r) => r.host.length === best);
}

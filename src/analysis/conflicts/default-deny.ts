// Existing AuthorizationPolicies that refuse cw's calls (CW4015, and CW4016 as a warning). cw enforces
// exports with DENY policies and otherwise relies on Istio's default: a workload that no ALLOW policy
// applies to lets every request in. A cluster that denies by default breaks that:
// - an "allow-nothing" policy (ALLOW, no rules: spec {}) or a deny-all one (DENY with an empty rule)
//   that applies to the ingress gateway, or to the pods a cross-cluster call reaches, refuses every
//   such call (CW4015, an error);
// - any other ALLOW policy that applies there lets in only what its rules match, and cw's callers
//   (another trust domain's gateway or workloads) are not likely among them (CW4016, a warning).
// Which policies apply to a workload (ListAuthorizationPolicies in pilot/pkg/model/authorization.go,
// ShouldAttachPolicy in pilot/pkg/model/policyattachment.go): those in the root namespace and in the
// workload's namespace whose selector matches its labels (no selector: all of them); a policy with a
// targetRef does not apply to a sidecar or a classic gateway.
//
// The workloads come from what cw generates: each of its AuthorizationPolicies names one (the ingress
// gateway, or a passthrough service's pods) by namespace and labels; the namespaces its gateway routes
// reach are known too, but not their pods' labels, so there only namespace-wide policies count.
// A workload that one of cw's own ALLOW policies covers (cw generate --existing adapts to a cluster
// that denies by default) is left out.

import { diag } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { isKubernetesHost, resolveShortName } from "../../trace/host-match.js";
import {
  type ConfigObject,
  type ConflictAnalyzer,
  type ConflictContext,
  describeObject,
  field,
  list,
  ofKind,
  selectsAll,
  showLabels,
  stringMap,
} from "./conflict.js";

interface Workload {
  readonly namespace: string;
  /** Known labels of its pods; undefined when only the namespace is known. */
  readonly labels?: Readonly<Record<string, string>>;
  /** What it is, for the message. */
  readonly what: string;
}

type Verdict = "denies-all" | "allow-list";

function verdict(policy: ConfigObject): Verdict | undefined {
  const action = field(policy.spec, "action") ?? "ALLOW";
  const rules = list(field(policy.spec, "rules"));
  if (action === "ALLOW") return rules.length === 0 ? "denies-all" : "allow-list";
  if (action === "DENY") {
    const empty = (r: unknown) =>
      r !== null && typeof r === "object" && Object.keys(r as object).length === 0;
    return rules.some(empty) ? "denies-all" : undefined;
  }
  return undefined; // AUDIT logs; CUSTOM asks an external authorizer cw knows nothing about
}

function applies(policy: ConfigObject, workload: Workload, rootNamespace: string): boolean {
  if (field(policy.spec, "targetRef") !== undefined || list(field(policy.spec, "targetRefs")).length > 0)
    return false;
  const namespace = policy.metadata.namespace;
  if (namespace !== rootNamespace && namespace !== workload.namespace) return false;
  const selector = stringMap(field(policy.spec, "selector", "matchLabels"));
  if (Object.keys(selector).length === 0) return true;
  return workload.labels !== undefined && selectsAll(selector, workload.labels);
}

function workloads({ generated }: ConflictContext): Workload[] {
  const found: Workload[] = [];
  for (const p of ofKind(generated, "security.istio.io", "AuthorizationPolicy")) {
    const labels = stringMap(field(p.spec, "selector", "matchLabels"));
    const namespace = p.metadata.namespace ?? "";
    const role = p.metadata.name.endsWith("-ingress") ? "the ingress gateway" : "the pods";
    // One workload once, however many of cw's policies guard it (one per exported service).
    const same = (w: Workload) =>
      w.namespace === namespace && showLabels(w.labels ?? {}) === showLabels(labels);
    if (!found.some(same))
      found.push({ namespace, labels, what: `${role} ${showLabels(labels)} in ${namespace}` });
  }
  // Namespaces the gateway's routes deliver to (Kubernetes Services only).
  const reached = new Set<string>();
  for (const vs of ofKind(generated, "networking.istio.io", "VirtualService")) {
    if (list(field(vs.spec, "gateways")).length === 0) continue;
    for (const section of ["http", "tls", "tcp"]) {
      for (const route of list(field(vs.spec, section))) {
        for (const r of list(field(route, "route"))) {
          const host = field(r, "destination", "host");
          if (typeof host !== "string") continue;
          const resolved = resolveShortName(host, vs.metadata.namespace ?? "");
          if (isKubernetesHost(resolved)) reached.add(resolved.split(".")[1] ?? "");
        }
      }
    }
  }
  for (const namespace of [...reached].sort()) {
    if (!found.some((w) => w.namespace === namespace && w.labels === undefined))
      found.push({ namespace, what: `the pods cross-cluster calls reach in ${namespace}` });
  }
  return found;
}

export const defaultDeny: ConflictAnalyzer = {
  meta: { name: "default-deny", codes: ["CW4015", "CW4016"] },
  analyze(context) {
    const found: Diagnostic[] = [];
    const policies = ofKind(context.existing, "security.istio.io", "AuthorizationPolicy");
    // Output generated with --existing carries ALLOW policies for its callers where the cluster
    // denies by default: there the existing policy is already answered.
    const ownAllows = ofKind(context.generated, "security.istio.io", "AuthorizationPolicy").filter(
      (p) => (field(p.spec, "action") ?? "ALLOW") === "ALLOW",
    );
    for (const workload of workloads(context)) {
      if (ownAllows.some((p) => applies(p, workload, context.rootNamespace))) continue;
      for (const policy of policies) {
        const v = verdict(policy);
        if (v === undefined || !applies(policy, workload, context.rootNamespace)) continue;
        const where = `cluster ${context.cluster}: ${describeObject(policy)}`;
        found.push(
          v === "denies-all"
            ? diag("CW4015", { policy: where, workload: workload.what })
            : diag("CW4016", { policy: where, workload: workload.what }),
        );
      }
    }
    return found;
  },
};

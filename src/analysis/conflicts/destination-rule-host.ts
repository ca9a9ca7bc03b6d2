// An existing DestinationRule that takes the place of one of cw's (CW4004). cw's rules originate Istio
// mutual TLS with the SNI the remote gateway routes by; a caller that gets another rule for the host
// sends without them, and the remote gateway refuses the call. Which rule a caller gets
// (PushContext.destinationRule in pilot/pkg/model/push_context.go): the most specific match among the
// rules in the caller's own namespace, then the rules exported from the service's namespace (cw's
// ServiceEntry, and so its rule, is in defaults.namespace), then the root namespace's. So:
// - a rule for exactly the same host, in any namespace cw's rule is exported to, wins there (in the
//   caller's namespace) or is merged with cw's (in cw's namespace, where the older rule's traffic
//   policy wins: mergeDestinationRule in pilot/pkg/model/destination_rule.go);
// - a wildcard rule covering the host wins for callers in its own namespace, unless that is cw's
//   namespace or the root namespace, where cw's exact rule is the more specific match.

import { diag } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { hostMatches, normalize, resolveShortName } from "../../trace/host-match.js";
import { type ConfigObject, type ConflictAnalyzer, describeObject, field, list, ofKind } from "./conflict.js";

const hostOf = (rule: ConfigObject): string | undefined => {
  const host = field(rule.spec, "host");
  return typeof host === "string" ? resolveShortName(host, rule.metadata.namespace ?? "") : undefined;
};

/** The namespaces a rule is visible to; "*" for all (exportTo absent, or "*"). */
function exportedTo(rule: ConfigObject): ReadonlySet<string> {
  const to = list(field(rule.spec, "exportTo")).filter((x): x is string => typeof x === "string");
  if (to.length === 0 || to.includes("*")) return new Set(["*"]);
  return new Set(to.map((n) => (n === "." ? (rule.metadata.namespace ?? "") : n)));
}

export const destinationRuleHost: ConflictAnalyzer = {
  meta: { name: "destination-rule-host", codes: ["CW4004"] },
  analyze({ cluster, generated, existing, rootNamespace }) {
    const found: Diagnostic[] = [];
    const theirs = ofKind(existing, "networking.istio.io", "DestinationRule");
    for (const ours of ofKind(generated, "networking.istio.io", "DestinationRule")) {
      const host = hostOf(ours);
      if (host === undefined) continue;
      const ourNamespace = ours.metadata.namespace ?? "";
      const callers = exportedTo(ours);
      for (const other of theirs) {
        const otherHost = hostOf(other);
        const namespace = other.metadata.namespace ?? "";
        if (otherHost === undefined || !hostMatches(otherHost, host)) continue;
        const exact = normalize(otherHost) === host;
        const seen = callers.has("*") || callers.has(namespace) || namespace === ourNamespace;
        if (!seen || (!exact && (namespace === ourNamespace || namespace === rootNamespace))) continue;
        const effect =
          namespace === ourNamespace
            ? `is merged with cw's ${describeObject(ours)} in the same namespace, and the older rule's traffic policy wins`
            : `is what callers in namespace ${namespace} get instead of cw's ${describeObject(ours)}`;
        found.push(
          diag(
            "CW4004",
            `cluster ${cluster}: ${describeObject(other)} (host ${otherHost}) ${effect}, so their calls to ${host} leave without the mutual TLS and SNI the remote gateway needs and are refused; remove it, narrow its host or exportTo, or move its settings into the topology`,
          ),
        );
      }
    }
    return found;
  },
};

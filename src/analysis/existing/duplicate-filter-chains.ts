// Two servers on one listener that build the same filter-chain match: Envoy rejects the whole
// listener, so every call through the port fails (CW4010). mergeGateways (pilot/pkg/model/gateway.go)
// guards against it only for TLS servers whose hosts are the same strings (CheckDuplicates), so these
// pass it:
//   - two AUTO_PASSTHROUGH servers whose hosts cover one service, such as *.local (Istio's east-west
//     Gateway, samples/multicluster/expose-services.yaml) and payments.billing.svc.cluster.local:
//     each builds a chain for outbound_.<port>_.<subset>_.<host> with Istio's mTLS ALPNs
//     (builtAutoPassthroughFilterChains in pilot/pkg/networking/core/gateway.go, 1.30.3);
//   - two terminating TLS servers whose hosts name the same SNI in different namespaces
//     (istio-system/x.global and */x.global): GetSNIHostsForServer drops the namespace.
// Where cw cannot tell whether the existing Gateway selects the same pods, a warning (CW4014).

import { hostCovers } from "../../plan/existing-facts.js";
import type { ConflictAnalyzer } from "./analyzer.js";
import {
  isPassthrough,
  isTlsServer,
  pairDiagnostic,
  type ServerPair,
  serverPairs,
  sniNames,
} from "./gateway-pairs.js";

export const duplicateFilterChains: ConflictAnalyzer = {
  name: "duplicate filter chains",
  analyze: ({ ours, existing }) =>
    serverPairs(ours, existing.objects).flatMap((pair) => {
      const shared = sharedChain(pair);
      if (shared === undefined) return [];
      return [
        pairDiagnostic(pair, { conflict: "duplicate-chain", chain: shared, port: pair.ourServer.port }),
      ];
    }),
};

/** The SNI both servers build a chain for, if they do and Istio's duplicate check lets them. */
function sharedChain({ ourServer: a, theirServer: b }: ServerPair): string | undefined {
  // Same host strings: mergeGateways drops one server instead (gateway-server-shadow.ts).
  if (a.hosts.some((h) => b.hosts.includes(h))) return undefined;
  if (a.tlsMode === "AUTO_PASSTHROUGH" && b.tlsMode === "AUTO_PASSTHROUGH") {
    const host = sniNames(a).find((h) => sniNames(b).some((p) => hostCovers(p, h) || hostCovers(h, p)));
    return host && `the services of ${host} (SNI outbound_.<port>_.<subset>_.${host})`;
  }
  const terminates = (s: typeof a) => (isTlsServer(s) || s.protocol === "HTTPS") && !isPassthrough(s);
  if (terminates(a) && terminates(b)) return sniNames(a).find((h) => sniNames(b).includes(h));
  return undefined;
}

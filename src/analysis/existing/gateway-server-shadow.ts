// A server that Istio drops because another one on the same listener takes its place (CW4012), as
// mergeGateways (pilot/pkg/model/gateway.go, 1.30.3) decides:
//   - two servers with TLS settings claiming the same host string on one port: CheckDuplicates skips
//     the later one (by creation time, which cw cannot know), with all its hosts;
//   - a plain-text server (no TLS, or HTTP) and a TLS server on one port: a TLS server coming after
//     a plain-text one cannot merge with it (canMergeProtocols) and is skipped.
// Two AUTO_PASSTHROUGH servers for the same host string build the same chains, so dropping either
// changes nothing: not reported. Where cw cannot tell whether the existing Gateway selects the same
// pods, a warning (CW4014).

import type { ConflictAnalyzer } from "./analyzer.js";
import { isTlsServer, pairDiagnostic, type ServerPair, serverPairs } from "./gateway-pairs.js";

export const gatewayServerShadow: ConflictAnalyzer = {
  name: "Gateway server shadowed",
  analyze: ({ ours, existing }) =>
    serverPairs(ours, existing.objects).flatMap((pair) => {
      const why = shadowing(pair);
      if (why === undefined) return [];
      return [pairDiagnostic(pair, { conflict: "shadowed", why })];
    }),
};

function shadowing({ ourServer: a, theirServer: b }: ServerPair): string | undefined {
  const tls = (s: typeof a) => s.tlsMode !== undefined;
  if (isTlsServer(a) !== isTlsServer(b)) return "share the port, one in plain text and one with TLS";
  if (!tls(a) || !tls(b)) return undefined;
  const same = a.hosts.find((h) => b.hosts.includes(h));
  if (same === undefined || (a.tlsMode === "AUTO_PASSTHROUGH" && b.tlsMode === "AUTO_PASSTHROUGH"))
    return undefined;
  return `both claim host ${same}`;
}

// An existing AUTO_PASSTHROUGH server next to one of ours (CW4001). Istio's multi-network guide installs
// a Gateway with an AUTO_PASSTHROUGH server for *.local on port 15443 (samples/multicluster/
// expose-services.yaml). When cw's passthrough Gateway adds a server for one host on the same port of
// the same gateway pods, the hosts are not duplicates (mergeGateways in pilot/pkg/model/gateway.go skips
// a server only for an identical host, CheckDuplicates), so both servers stay, and
// builtAutoPassthroughFilterChains (pilot/pkg/networking/core/gateway.go) builds, for each, one filter
// chain per service port matching SNI outbound_.<port>_._.<host>: the same match twice. Envoy rejects a
// listener with duplicate filter chain matches, so every call through that gateway port fails.

import { diag } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { hostsIntersect, parseGatewayHost } from "../../trace/host-match.js";
import {
  type ConfigObject,
  type ConflictAnalyzer,
  describeObject,
  field,
  list,
  ofKind,
  selectsAll,
  showLabels,
  stringMap,
} from "./conflict.js";

interface PassthroughServer {
  readonly gateway: ConfigObject;
  readonly selector: Record<string, string>;
  readonly port: number;
  readonly hosts: readonly string[];
}

function passthroughServers(objects: readonly ConfigObject[]): PassthroughServer[] {
  return ofKind(objects, "networking.istio.io", "Gateway").flatMap((gateway) => {
    const selector = stringMap(field(gateway.spec, "selector"));
    return list(field(gateway.spec, "servers"))
      .filter(
        (s) =>
          field(s, "tls", "mode") === "AUTO_PASSTHROUGH" && typeof field(s, "port", "number") === "number",
      )
      .map((s) => ({
        gateway,
        selector,
        port: field(s, "port", "number") as number,
        hosts: list(field(s, "hosts")).flatMap((h) =>
          typeof h === "string" ? [parseGatewayHost(h, gateway.metadata.namespace ?? "").dnsName] : [],
        ),
      }));
  });
}

export const passthroughServer: ConflictAnalyzer = {
  meta: { name: "passthrough-server", codes: ["CW4001"] },
  analyze({ cluster, generated, existing }) {
    const found: Diagnostic[] = [];
    const theirs = passthroughServers(existing);
    for (const ours of passthroughServers(generated)) {
      for (const other of theirs) {
        // Their selector picks the gateway pods ours names when every label of it is among ours.
        if (other.port !== ours.port || !selectsAll(other.selector, ours.selector)) continue;
        const pair = ours.hosts
          .flatMap((h) => other.hosts.filter((o) => hostsIntersect(h, o)).map((o) => [h, o] as const))
          .at(0);
        if (!pair) continue;
        found.push(
          diag(
            "CW4001",
            `cluster ${cluster}: ${describeObject(other.gateway)} already has an AUTO_PASSTHROUGH server for ${pair[1]} on port ${ours.port} of the gateway pods ${showLabels(ours.selector)}, and cw's ${describeObject(ours.gateway)} adds one for ${pair[0]}: both build the same filter chain match, and Envoy rejects the gateway's whole listener, so every call through port ${ours.port} fails; let cw reuse the existing server (cw generate --existing with the folder cw discover --existing writes) or remove one of the two`,
          ),
        );
      }
    }
    return found;
  },
};

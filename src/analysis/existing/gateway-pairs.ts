// Pairs of Gateway servers that Istio would merge on one listener: one of cw's Gateways and one the
// cluster already has, both selecting the same gateway pods (or maybe: see Selection), with a server
// on the same port and bind address. How mergeGateways (pilot/pkg/model/gateway.go, 1.30.3) treats
// each pair is the business of the analyzers that use this.

import { type DuplicateChain, diag, type ShadowedServer } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ExistingObject } from "../../existing/model.js";
import type { Resource } from "../../generate/resource.js";
import {
  gatewaySelector,
  type Selection,
  type ServerFacts,
  selection,
  serversOf,
} from "../../plan/existing-facts.js";
import { nameOf } from "./analyzer.js";

export interface ServerPair {
  readonly ours: Resource;
  readonly ourServer: ServerFacts;
  readonly theirs: ExistingObject;
  readonly theirServer: ServerFacts;
  /** Whether their Gateway surely selects the pods ours does, or only may. */
  readonly selection: Exclude<Selection, "none">;
}

export function serverPairs(ours: readonly Resource[], existing: readonly ExistingObject[]): ServerPair[] {
  const pairs: ServerPair[] = [];
  const theirGateways = existing.filter((o) => o.kind === "Gateway");
  for (const gateway of ours.filter((o) => o.kind === "Gateway")) {
    const ourSelector = gatewaySelector({ spec: gateway.spec } as ExistingObject);
    for (const theirs of theirGateways) {
      const picked = selection(gatewaySelector(theirs), ourSelector);
      if (picked === "none") continue;
      for (const ourServer of serversOf(gateway)) {
        for (const theirServer of serversOf(theirs)) {
          if (ourServer.port !== theirServer.port || (ourServer.bind ?? "") !== (theirServer.bind ?? ""))
            continue;
          pairs.push({ ours: gateway, ourServer, theirs, theirServer, selection: picked });
        }
      }
    }
  }
  return pairs;
}

const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY"]);

/** Istio's gateway.IsTLSServer: TLS settings on a port that is not plain HTTP. */
export const isTlsServer = (s: ServerFacts): boolean =>
  s.tlsMode !== undefined && !HTTP_PROTOCOLS.has(s.protocol);

export const isPassthrough = (s: ServerFacts): boolean =>
  s.tlsMode === "PASSTHROUGH" || s.tlsMode === "AUTO_PASSTHROUGH";

/** A server's SNI names: its hosts without their namespace part (GetSNIHostsForServer). */
export const sniNames = (s: ServerFacts): string[] => s.hosts.map((h) => h.slice(h.indexOf("/") + 1));

/** "server tls-5432 (port 15443, hosts ...)" for messages. */
export const describeServer = (s: ServerFacts): string =>
  `server on port ${s.port} (${s.protocol}${s.tlsMode ? ` ${s.tlsMode}` : ""}, hosts ${s.hosts.join(", ")})`;

/**
 * The diagnostic for a pair that conflicts as `conflict` says: an error (CW4010, CW4012) when their
 * Gateway surely selects the same pods, else the warning CW4014, since it depends on labels cw cannot see.
 */
export function pairDiagnostic(pair: ServerPair, conflict: DuplicateChain | ShadowedServer): Diagnostic {
  const servers = `cw's ${nameOf(pair.ours)} ${describeServer(pair.ourServer)} and the existing ${nameOf(pair.theirs)} ${describeServer(pair.theirServer)}`;
  if (pair.selection !== "certain") return diag("CW4014", { servers, ...conflict }, pair.theirs.location);
  return conflict.conflict === "duplicate-chain"
    ? diag("CW4010", { servers, ...conflict }, pair.theirs.location)
    : diag("CW4012", { servers, ...conflict }, pair.theirs.location);
}

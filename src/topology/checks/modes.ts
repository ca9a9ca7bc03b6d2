// What each consumer's mode of calling needs (each consumer calls in its own mode, unless the service
// fixes one): an egress gateway to leave through, a trust domain its exact identities keep, an Istio
// that enforces the scoping it asks for, and in passthrough mode one Kubernetes host for every backend.

import { diag } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Cluster, Service } from "../model.js";
import { DEFAULT_TRUST_DOMAIN } from "../schema.js";
import { at } from "../source.js";
import type { TopologyCheck } from "./check.js";

export const modes: TopologyCheck = {
  name: "modes",
  codes: ["CW1028", "CW1029", "CW1031", "CW1032", "CW1034", "CW1047"],
  run({ services, clusters, report }) {
    for (const { service: s, backendClusters, consumers } of services) {
      for (const name of consumers) {
        const caller = clusters.get(name);
        if (!caller || (backendClusters.has(name) && s.split.length === 0)) continue;
        report(...callerMode(s, name, caller));
      }
      const passthrough = s.mode?.value === "passthrough" || anyPassthrough(consumers, clusters);
      const hosts = passthrough ? new Set(s.backends.map((b) => b.host)) : undefined;
      if (hosts && hosts.size > 1) {
        const where = at(s.mode?.origin ?? s.origins.name);
        report(diag("CW1029", { service: s.name, hosts: [...hosts].sort() }, where));
      }
    }
  },
};

function anyPassthrough(consumers: ReadonlySet<string>, clusters: ReadonlyMap<string, Cluster>): boolean {
  for (const n of consumers) if (clusters.get(n)?.mode === "passthrough") return true;
  return false;
}

const scopedEntry = (s: Service, cluster: string) =>
  s.consumers.find((c) => c.cluster === cluster && (c.namespaces || c.serviceAccounts));

/** What cluster `name` calling `s` in its mode needs. */
function callerMode(s: Service, name: string, caller: Cluster): Diagnostic[] {
  const out: Diagnostic[] = [];
  const mode = s.mode?.value ?? caller.mode;
  const modeAt = s.mode?.origin ?? caller.origins.mode ?? caller.origins.name;
  // Passthrough from a cluster in egress mode leaves through its egress gateway too (routes.ts).
  const viaEgress = mode === "egress" || (mode === "passthrough" && caller.mode === "egress");
  if (viaEgress && !caller.egress) {
    out.push(diag("CW1028", { cluster: name, service: s.name, mode }, at(modeAt)));
  }
  if (mode === "passthrough" && caller.mode === "egress") out.push(...egressPassthrough(s, name, caller));
  // Both rules below need the consumer's scope only for these callers: most have neither, and the
  // lookup is a walk of the service's consumers for each of them.
  if (caller.trustDomain !== DEFAULT_TRUST_DOMAIN && mode !== "egress") return out;
  const scoped = scopedEntry(s, name);
  if (caller.trustDomain === DEFAULT_TRUST_DOMAIN && (mode === "egress" || scoped)) {
    const where = at(scoped?.origins.cluster ?? modeAt);
    out.push(diag("CW1034", { cluster: name, service: s.name, egress: mode === "egress" }, where));
  }
  if (mode === "egress" && scoped && Number(caller.istioVersion.split(".")[1] ?? "0") < 5) {
    const args = { cluster: name, service: s.name, version: caller.istioVersion };
    out.push(diag("CW1031", args, at(scoped.origins.cluster)));
  }
  return out;
}

/**
 * Passthrough through an egress gateway: the sidecar's mTLS goes on to the pods, so it must name
 * their identity (Istio otherwise expects the egress gateway's); and the egress gateway routes by
 * Istio's SNI, outbound_.<port>_.<subset>_.<host>, which names no cluster, so a split's remote shares
 * must all go to one cluster.
 */
function egressPassthrough(s: Service, name: string, caller: Cluster): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (s.serviceAccount === undefined) {
    out.push(diag("CW1047", { cluster: name, service: s.name }, at(s.mode?.origin ?? s.origins.name)));
  }
  const remote = [...new Set(s.split.filter((sh) => sh.cluster !== name).map((sh) => sh.cluster))].sort();
  if (remote.length > 1) {
    const where = at(s.origins.split ?? s.mode?.origin ?? caller.origins.mode ?? s.origin, "key");
    out.push(diag("CW1032", { service: s.name, cluster: name, remote }, where));
  }
  return out;
}

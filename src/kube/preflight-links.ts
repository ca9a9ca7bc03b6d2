// The preflight's lines per link: a cluster that calls another (a consumer of a service with a backend
// there) must share its root of trust, or the callee's gateway refuses the caller's certificate and
// the caller refuses the gateway's. Each pair is checked once, in both directions at once.

import { compareText } from "../compare.js";
import type { Topology } from "../topology/model.js";
import type { CheckLine } from "./preflight-checks.js";
import { describeRoots, type RootCertificate, shareRoot } from "./root-of-trust.js";

export interface Link {
  readonly from: string;
  readonly to: string;
}

export const LINK_TITLE = "same root of trust";

/** Every (caller, callee) pair of the topology, sorted; a consumer "*" is every other cluster. */
export function links(topology: Pick<Topology, "clusters" | "services">): Link[] {
  const names = topology.clusters.map((c) => c.name);
  const found = new Map<string, Link>();
  for (const s of topology.services) {
    const callers = s.consumers.flatMap((c) => (c.cluster === "*" ? names : [c.cluster]));
    for (const from of callers) {
      for (const b of s.backends) {
        if (from !== b.cluster && names.includes(from))
          found.set(`${from}\0${b.cluster}`, { from, to: b.cluster });
      }
    }
  }
  return [...found.values()].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to));
}

/** Roots per reachable cluster (or why unknown); an unreachable cluster is absent. */
export function linkCheck(
  link: Link,
  roots: ReadonlyMap<string, readonly RootCertificate[] | string>,
): CheckLine | undefined {
  const a = roots.get(link.from);
  const b = roots.get(link.to);
  if (a === undefined || b === undefined) return undefined; // a cluster was not reached: said there
  const title = `${link.from} → ${link.to}: ${LINK_TITLE}`;
  if (typeof a === "string" || typeof b === "string") {
    return {
      title,
      verdict: "fail",
      code: "CW4109",
      detail: [typeof a === "string" ? `${link.from}: ${a}` : `${link.to}: ${b}`],
    };
  }
  return shareRoot(a, b)
    ? {
        title,
        verdict: "pass",
        detail: [describeRoots(a.filter((r) => b.some((x) => x.fingerprint === r.fingerprint)))],
      }
    : {
        title,
        verdict: "fail",
        code: "CW4109",
        detail: [
          `${link.from} trusts ${describeRoots(a)}`,
          `${link.to} trusts ${describeRoots(b)}`,
          "the gateways refuse each other's certificates: give both clusters' Istio CAs certificates from one root (Istio's plug-in CA certificates, secret cacerts), then restart istiod and the workloads",
        ],
      };
}

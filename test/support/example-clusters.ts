// The bundled example's two clusters as a stand-in API server should hold them when they are ready
// for cw: Istio 1.30 with the cluster's trust domain, the gateway with its address, port and service
// account, DNS capture on, the shared root of trust, and cw's generated objects applied.

import { readFileSync } from "node:fs";
import { compile } from "../../src/compile.js";
import { annotateResource } from "../../src/emit/spec-hash.js";
import { EMPTY_LOCK } from "../../src/plan/lock.js";
import { readFederation } from "../../src/topology/read.js";
import { SHARED_ROOT } from "./certificates.js";
import type { StoredObject } from "./kube-stand-in.js";
import { istioCluster } from "./live-fixtures.js";

/** What cw generates for a cluster of the example, as cw apply sends it. */
export function generated(topology: string, cluster: string): StoredObject[] {
  const read = readFederation(topology, readFileSync(topology, "utf8"));
  if (!read.topology) throw new Error("example does not read");
  const out = compile(read.topology, EMPTY_LOCK).clusters.find((c) => c.cluster === cluster);
  return (out?.objects ?? []).map(
    (g) => structuredClone(annotateResource(g.resource)) as unknown as StoredObject,
  );
}

/** A cluster of the example as it should be: Istio 1.30, its trust domain, the shared root, cw's config applied. */
export function ready(topology: string, cluster: "a" | "b"): StoredObject[] {
  return [
    ...istioCluster({
      version: "1.30.2",
      trustDomain: `${cluster}.bookinfo.example`,
      address: cluster === "a" ? { ip: "203.0.113.10" } : { hostname: "eastwest.b.bookinfo.example" },
      services: cluster === "a" ? ["productpage", "details", "ratings"] : ["details", "reviews"],
      gatewayAccount: "istio-ingressgateway-service-account",
      dnsCapture: true,
      rootCert: SHARED_ROOT,
    }),
    ...generated(topology, cluster),
  ];
}

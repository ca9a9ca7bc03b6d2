// What one cluster's plan is made from, as a digest that costs a tenth of its key (cluster-key.ts):
// a run whose digest for a cluster is the one last run recorded beside that cluster's key takes the
// key as recorded, without walking the plan. At 500 x 50,000 a one-service change keyed every
// cluster by walking its plan and every service's (3.3-3.8 s on each thread); this digest reads each
// service's topology entry once and each cluster's lists of services.
//
// Why it covers what the key covers. A cluster's plan (plan.ts planClusters) is planCluster(cluster,
// local, routes, existing): its topology entry, the plans of the services it runs (`local`), the
// routes it calls (each owned by its service's plan), and its existing config. A service's plan,
// routes included (service-plan.ts planService, routes.ts routesOf), is made from its topology entry,
// its VIP, the clusters, and the topology's federation-wide settings; the claims of hosts across
// services only add diagnostics, and a run with errors writes nothing. So the digest hashes:
//   - `federation`: the salt and the federation-wide settings, as the key has them;
//   - the cluster's existing config, as the key has it;
//   - every cluster's topology entry (a cluster change is rare: it re-keys them all);
//   - the names of the services the cluster runs and calls, in the plan's order, each with the digest
//     of its topology entry and VIP: a service that starts or stops running here or being called from
//     here changes the lists, and a changed service changes its digest.
// Positions (origin, origins) are left out, as the key leaves them out.
// test/cluster-key.test.ts holds planCluster's, planService's and routesOf's parameters to these.

import { createHash } from "node:crypto";
import { byText } from "../compare.js";
import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";
import type { Topology } from "../topology/model.js";

const digest = (text: string): string => createHash("sha256").update(text).digest("base64");

/**
 * A topology entry as JSON without its positions. Only plain objects, arrays and sets are expected:
 * any other object (a Map) would be written as {} and its content missed, so it stops the run.
 */
function entryJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (key === "origin" || key === "origins") return undefined;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    if (v instanceof Set) return [...v];
    if (Object.getPrototypeOf(v) !== Object.prototype) {
      throw new Error(`internal: a topology entry holds a ${v.constructor.name} at "${key}"`);
    }
    return v;
  });
}

/** The digest of any of the plan's clusters; services' digests are remembered between calls. */
export function planInputsDigester(
  plan: Plan,
  existing: (cluster: string) => unknown,
  federation: string,
): (cluster: ClusterPlan) => string {
  const clusters = [...(plan.topology as Topology).clusters].sort(byText((c) => c.name));
  const everyCluster = digest(clusters.map(entryJson).join("\n"));
  const services = new Map<ServicePlan, string>();
  const serviceDigest = (s: ServicePlan): string => {
    let d = services.get(s);
    if (d === undefined) {
      d = `${s.service.name} ${digest(`${entryJson(s.service)}\n${s.vip}`)}`;
      services.set(s, d);
    }
    return d;
  };
  return (cluster) =>
    digest(
      [
        federation,
        JSON.stringify(existing(cluster.cluster.name) ?? null),
        everyCluster,
        cluster.cluster.name,
        "local",
        ...cluster.local.map(serviceDigest),
        "routes",
        ...cluster.routes.map((r) => serviceDigest(r.service)),
      ].join("\n"),
    );
}

// What one cluster's objects depend on, as a key: if the key is the one the output folder's manifest
// recorded, the cluster's object files (and their kustomization.yaml) would come out the same, and
// need not be generated, checked or rendered again. The DNS and mesh settings are not covered: they
// are cheap and made every time (mesh settings read every cluster's trust domain).
//
// The key is a digest of what the cluster's plan is made from, not of the plan. Generators read the
// plan's cluster (ClusterPlan), and the plan is made from the topology, the lock and the existing
// config: a cluster's plan (plan.ts planClusters) is planCluster(cluster, local, routes, existing),
// from its topology entry, the plans of the services it runs (`local`), the routes it calls (each
// owned by its service's plan) and its existing config; a service's plan, routes included
// (service-plan.ts planService, routes.ts routesOf), is made from its topology entry, its VIP, the
// clusters and the topology's federation-wide settings (the claims of hosts across services only add
// diagnostics, and a run with errors writes nothing). So the key hashes:
//   - the salt (cw's own code, the layout, the options: run-key.ts clusterSalt) and the topology's
//     federation-wide settings;
//   - the cluster's existing config;
//   - every cluster's topology entry (a cluster change is rare: it changes every key);
//   - the names of the services the cluster runs and calls, in the plan's order, each with the digest
//     of its topology entry and VIP: a service that starts or stops running here or being called from
//     here changes the lists, and a changed service changes its digest.
// Each entry is written whole (every field, so that a field added to the topology is covered without
// a change here) but for its positions (origin, origins): a line added above a service must not
// change every cluster's key. test/cluster-key.test.ts holds planCluster's, planService's and
// routesOf's parameters to the ones named here.
//
// This replaced a walk of each cluster's plan and of every service's (2026-12-07): at 500 x 50,000 a
// one-service change keyed every cluster in 3.3-3.8 s on each thread; each service's entry is now
// written once (0.86 s in a CPU profile of that change under heavy load, --jobs 1), and no plan walked.

import { createHash } from "node:crypto";
import { byText } from "../compare.js";
import type { ExistingConfig } from "../existing/model.js";
import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";
import type { Topology } from "../topology/model.js";

// The topology's own fields that are not federation-wide settings: they reach a cluster's output only
// through its plan (clusters, services), or not at all (positions; gitops, read by the GitOps files,
// which are made every run).
const TOPOLOGY_PARTS = new Set(["clusters", "services", "origins", "gitops"]);

const digest = (text: string): string => createHash("sha256").update(text).digest("base64");

/**
 * The key of any of the plan's clusters, one at a time: each thread that makes clusters (compile.ts)
 * keys those it takes. The digests of services are remembered between calls.
 */
export function clusterKeyer(
  plan: Plan,
  existing: ExistingConfig,
  salt: string,
): (cluster: ClusterPlan) => string {
  const federation = JSON.stringify([
    salt,
    Object.entries(plan.topology as unknown as Record<string, unknown>)
      .filter(([k]) => !TOPOLOGY_PARTS.has(k))
      .sort(byText(([k]) => k)),
  ]);
  const clusters = [...(plan.topology as Topology).clusters].sort(byText((c) => c.name));
  const everyCluster = digest(clusters.map((c) => entryText(c)).join("\n"));
  const services = new Map<ServicePlan, string>();
  const serviceDigest = (s: ServicePlan): string => {
    let d = services.get(s);
    if (d === undefined) {
      d = `${s.service.name} ${digest(`${entryText(s.service)}\n${s.vip}`)}`;
      services.set(s, d);
    }
    return d;
  };
  return (cluster) =>
    digest(
      [
        federation,
        JSON.stringify(existing.clusters.get(cluster.cluster.name) ?? null),
        everyCluster,
        cluster.cluster.name,
        "local",
        ...cluster.local.map(serviceDigest),
        "routes",
        ...cluster.routes.map((r) => serviceDigest(r.service)),
      ].join("\n"),
    );
}

// A string JSON would escape; the others are written as they are, in quotes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes the control characters
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A topology entry as JSON, without its positions (the same text as JSON.stringify with a replacer,
 * in a third of the time). Only plain objects, arrays and sets are expected: any other object (a Map)
 * would not be written whole, so it stops the run.
 */
export function entryText(value: unknown, depth = 0): string {
  if (typeof value === "string") return ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (value === null || typeof value !== "object") return String(value);
  if (depth > 16) throw new Error("internal: a topology entry nests deeper than its model");
  let text = "";
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) text += `${text === "" ? "" : ","}${entryText(item, depth + 1)}`;
    return `[${text}]`;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    throw new Error(`internal: a topology entry holds a ${value.constructor.name}`);
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (key === "origin" || key === "origins") continue;
    text += `${text === "" ? "" : ","}${entryText(key, depth)}:${entryText(record[key], depth + 1)}`;
  }
  return `{${text}}`;
}

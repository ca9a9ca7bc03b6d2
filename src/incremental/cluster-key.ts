// What one cluster's objects depend on, as a key: if the key is the one the output folder's manifest
// recorded, the cluster's object files (and their kustomization.yaml) would come out the same, and
// need not be generated, checked or rendered again. The DNS and mesh settings are not covered: they
// are cheap and made every time (mesh settings read every cluster's trust domain).
//
// Generators read the plan's cluster (ClusterPlan) and, through it, the services it runs or calls
// and the clusters those services name, plus the topology's federation-wide settings. The key hashes
// exactly that, walked generically (every field, so that a field added to the plan is covered without
// a change here), with three rules:
// - `origin` and `origins` are left out: positions in the topology never reach the output (a line
//   added above a service must not change every cluster's key);
// - a topology Cluster or a ServicePlan met inside another value is written as a reference, and its
//   own digest (computed once per run) goes into the key beside; that cuts the plan's cycles (a route
//   names its service, whose routes name it) and keeps the work proportional to the plan, not to
//   clusters x services;
// - functions (ExistingFacts.podsDeny) are skipped: what they read, the cluster's existing config, is
//   hashed whole.
// Anything else the output depends on (cw's own code, the layout, options) comes in as `salt`.

import { createHash } from "node:crypto";
import type { ExistingConfig } from "../existing/model.js";
import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";
import type { Cluster, Topology } from "../topology/model.js";

const SKIPPED = new Set(["origin", "origins"]);
// The topology's own fields that are not federation-wide settings: they reach a cluster's output only
// through its ClusterPlan.
const TOPOLOGY_PARTS = new Set(["clusters", "services", "origins", "gitops"]);

/** Each cluster's key, by name. */
export function clusterKeys(plan: Plan, existing: ExistingConfig, salt: string): Map<string, string> {
  const walker = new PlanWalker(plan);
  const federation = sha256(
    JSON.stringify([
      salt,
      Object.entries(plan.topology as unknown as Record<string, unknown>)
        .filter(([k]) => !TOPOLOGY_PARTS.has(k))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ]),
  );
  const keys = new Map<string, string>();
  for (const cluster of plan.clusters) {
    keys.set(
      cluster.cluster.name,
      walker.clusterKey(cluster, federation, existing.clusters.get(cluster.cluster.name)),
    );
  }
  return keys;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** References met while writing a value: the clusters and services whose digests go with it. */
interface Refs {
  readonly clusters: Set<Cluster>;
  readonly services: Set<ServicePlan>;
}

/** What a shared value is written as, elsewhere than in its own digest, and what it brings along. */
type Ref =
  | { readonly kind: "cluster"; readonly cluster: Cluster; readonly token: string }
  | { readonly kind: "service"; readonly service: ServicePlan; readonly token: string };

class PlanWalker {
  private readonly refs = new Map<object, Ref>();
  private readonly clusterDigests = new Map<Cluster, string>();
  private readonly serviceDigests = new Map<ServicePlan, { digest: string; clusters: Set<Cluster> }>();

  constructor(plan: Plan) {
    for (const c of (plan.topology as Topology).clusters) {
      this.refs.set(c, { kind: "cluster", cluster: c, token: `@c${JSON.stringify(c.name)}` });
    }
    for (const s of plan.services) {
      const name = JSON.stringify(s.service.name);
      this.refs.set(s, { kind: "service", service: s, token: `@s${name}` });
      // A route is part of its service's digest: elsewhere (a cluster's routes) it is named.
      for (const r of s.routes) {
        this.refs.set(r, { kind: "service", service: s, token: `@r${name}${JSON.stringify(r.caller.name)}` });
      }
    }
  }

  clusterKey(cluster: ClusterPlan, federation: string, existing: unknown): string {
    const refs: Refs = { clusters: new Set([cluster.cluster]), services: new Set() };
    const out: string[] = [federation, JSON.stringify(existing ?? null)];
    this.write(cluster, out, refs, undefined, 0);
    // The services' own references: the clusters they call from and run in.
    for (const s of refs.services) for (const c of this.service(s).clusters) refs.clusters.add(c);
    const services = [...refs.services].map((s) => `${s.service.name}=${this.service(s).digest}`).sort();
    const clusters = [...refs.clusters].map((c) => `${c.name}=${this.cluster(c)}`).sort();
    out.push("services", ...services, "clusters", ...clusters);
    return sha256(out.join("\n"));
  }

  private service(s: ServicePlan): { digest: string; clusters: Set<Cluster> } {
    let known = this.serviceDigests.get(s);
    if (!known) {
      const refs: Refs = { clusters: new Set(), services: new Set() };
      const out: string[] = [];
      this.write(s, out, refs, s, 0);
      known = { digest: sha256(out.join("\n")), clusters: refs.clusters };
      this.serviceDigests.set(s, known);
    }
    return known;
  }

  private cluster(c: Cluster): string {
    let digest = this.clusterDigests.get(c);
    if (digest === undefined) {
      const out: string[] = [];
      this.write(c, out, { clusters: new Set(), services: new Set() }, c, 0);
      digest = sha256(out.join("\n"));
      this.clusterDigests.set(c, digest);
    }
    return digest;
  }

  /**
   * `value` as tokens into `out`, one per line once joined: JSON scalars, JSON-quoted keys and
   * structure marks, none of which holds a line break. `self` is the value whose digest this is:
   * written out in full, where it would otherwise be a reference.
   */
  private write(value: unknown, out: string[], refs: Refs, self: unknown, depth: number): void {
    if (value === null || typeof value !== "object") {
      out.push(typeof value === "function" ? "f" : value === undefined ? "u" : JSON.stringify(value));
      return;
    }
    if (value === self && depth > 0) {
      out.push("@self");
      return;
    }
    // The plan is a few levels deep; only a cycle the references do not cut goes on.
    if (depth > 64) throw new Error("internal: the plan has a cycle that cluster keys do not cut");
    const ref = value === self ? undefined : this.refs.get(value);
    if (ref && !(ref.kind === "service" && ref.service === self)) {
      if (ref.kind === "cluster") refs.clusters.add(ref.cluster);
      else refs.services.add(ref.service);
      out.push(ref.token);
      return;
    }
    if (value instanceof Map || value instanceof Set || Array.isArray(value)) {
      out.push(value instanceof Map ? "M[" : value instanceof Set ? "S[" : "[");
      for (const item of value) this.write(item, out, refs, self, depth + 1);
      out.push("]");
      return;
    }
    out.push("{");
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (SKIPPED.has(key)) continue;
      out.push(JSON.stringify(key));
      this.write(record[key], out, refs, self, depth + 1);
    }
    out.push("}");
  }
}

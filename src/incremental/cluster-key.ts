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
//   added above a service must not change every cluster's key); so are ClusterPlan's indexes
//   (routeTo, runs), which only index lists the key covers;
// - a topology Cluster or a ServicePlan met inside another value is written as a reference, and its
//   own digest (computed once per run) goes into the key beside; that cuts the plan's cycles (a route
//   names its service, whose routes name it) and keeps the work proportional to the plan, not to
//   clusters x services;
// - functions (ExistingFacts.podsDeny) are skipped: what they read, the cluster's existing config, is
//   hashed whole.
// Anything else the output depends on (cw's own code, the layout, options) comes in as `salt`.
//
// The walk is the hot part of a one-service change at scale (every cluster keyed, every service
// digested), so it avoids work per field: an object's key names are fed as one fingerprint of its key
// list (shapes.ts), only objects whose key list some cluster, service or route has are looked up as
// references, and digests are fed as four words, not as text.

import { byText } from "../compare.js";
import type { ExistingConfig } from "../existing/model.js";
import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";
import type { Cluster, Topology } from "../topology/model.js";
import { Hash, Mark } from "./key-hash.js";
import { planInputsDigester } from "./plan-inputs.js";
import { Shapes } from "./shapes.js";

// ClusterPlan's indexes of its own `routes` and `local` (plan/plan.ts), hashed already as those lists;
// and the positions in the topology.
const LEFT_OUT = new Set(["routeTo", "runs", "origin", "origins"]);

// The topology's own fields that are not federation-wide settings: they reach a cluster's output only
// through its ClusterPlan.
const TOPOLOGY_PARTS = new Set(["clusters", "services", "origins", "gitops"]);

/**
 * The key of any of the plan's clusters, one at a time: each thread that makes clusters (compile.ts)
 * keys those it takes. The digests of services and clusters are remembered between calls.
 *
 * A key is two digests, "<inputs>.<plan>": what the cluster's plan is made from (plan-inputs.ts),
 * then the walk of the plan itself. When `recorded` (last run's keys, by cluster) holds a key with
 * this run's first digest, the plan is made from the same inputs and that key is the cluster's, so
 * the plan is not walked: a one-service change walks only the clusters the service reaches.
 */
export function clusterKeyer(
  plan: Plan,
  existing: ExistingConfig,
  salt: string,
  recorded?: ReadonlyMap<string, string>,
): (cluster: ClusterPlan) => string {
  // Built on the first walk: a run whose every cluster has last run's inputs walks none.
  let walker: PlanWalker | undefined;
  const federation = JSON.stringify([
    salt,
    Object.entries(plan.topology as unknown as Record<string, unknown>)
      .filter(([k]) => !TOPOLOGY_PARTS.has(k))
      .sort(byText(([k]) => k)),
  ]);
  const existingOf = (name: string) => existing.clusters.get(name);
  const inputsOf = planInputsDigester(plan, existingOf, federation);
  return (cluster) => {
    const name = cluster.cluster.name;
    const inputs = inputsOf(cluster);
    const last = recorded?.get(name);
    if (last?.startsWith(`${inputs}.`)) return last;
    walker ??= new PlanWalker(plan);
    return `${inputs}.${walker.clusterKey(cluster, federation, existingOf(name))}`;
  };
}

/** What a shared value is written as, elsewhere than in its own digest: its place, its name. */
interface Ref {
  readonly kind: "cluster" | "service";
  /** In the key's order of clusters (by name) or of the plan's services (by name). */
  readonly index: number;
  readonly name: string;
  /** A route's calling cluster: a route is written in full only in its service's digest. */
  readonly caller?: string;
}

/** Clusters or services in the key's order, each with its digest (four words) once computed. */
class Digests<T> {
  readonly words: Int32Array;
  readonly done: Uint8Array;
  /** Per item, the last `Refs` stamp that listed it: each is listed once per value without a Set. */
  readonly seen: Int32Array;
  constructor(readonly items: readonly T[]) {
    this.words = new Int32Array(4 * items.length);
    this.done = new Uint8Array(items.length);
    this.seen = new Int32Array(items.length);
  }
}

/** References met while writing one value: the clusters and services whose digests go with it. */
class Refs {
  readonly clusters: number[] = [];
  readonly services: number[] = [];
  constructor(private readonly stamp: number) {}

  add(ref: Ref, clusters: Digests<Cluster>, services: Digests<ServicePlan>): void {
    const [seen, list] =
      ref.kind === "cluster" ? [clusters.seen, this.clusters] : [services.seen, this.services];
    if (seen[ref.index] === this.stamp) return;
    seen[ref.index] = this.stamp;
    list.push(ref.index);
  }
}

/** What one digest's walk carries: where it goes, what it met, and the value it is of. */
interface Walk {
  readonly hash: Hash;
  readonly refs: Refs;
  /** The value whose digest this is: written out in full where met, not as a reference. */
  readonly self: unknown;
  /** Its routes, when it is a service: written out in full too (a short list). */
  readonly ownRoutes: readonly object[];
}

// Which references a key list (a Shape) can be, as bits of Shape.refs.
const CLUSTER = 1;
const SERVICE = 2;
const ROUTE = 4;

class PlanWalker {
  // By kind, each looked up only for objects of a key list that kind has: most lookups are of
  // clusters, and their map is small enough to stay in the processor's cache.
  private readonly clusterRefs = new Map<object, Ref>();
  private readonly serviceRefs = new Map<object, Ref>();
  private readonly routeRefs = new Map<object, Ref>();
  private readonly clusters: Digests<Cluster>;
  private readonly services: Digests<ServicePlan>;
  private readonly shapes = new Shapes(LEFT_OUT);
  private stamp = 0;

  constructor(plan: Plan) {
    const clusters = [...(plan.topology as Topology).clusters].sort(byText((c) => c.name));
    this.clusters = new Digests(clusters);
    this.services = new Digests(plan.services);
    for (const [index, c] of clusters.entries())
      this.addRef(c, CLUSTER, { kind: "cluster", index, name: c.name });
    plan.services.forEach((s, index) => {
      const name = s.service.name;
      this.addRef(s, SERVICE, { kind: "service", index, name });
      for (const r of s.routes)
        this.addRef(r, ROUTE, { kind: "service", index, name, caller: r.caller.name });
    });
  }

  clusterKey(cluster: ClusterPlan, federation: string, existing: unknown): string {
    const walk: Walk = { hash: new Hash(), refs: new Refs(++this.stamp), self: undefined, ownRoutes: [] };
    walk.refs.add(this.clusterRefs.get(cluster.cluster) as Ref, this.clusters, this.services);
    const { hash, refs } = walk;
    hash.string(federation);
    hash.string(JSON.stringify(existing ?? null));
    this.write(walk, cluster, 0);
    // The digests of what was written as a reference, in name order: each service's carries the
    // clusters it names.
    hash.mark(Mark.Close);
    for (const i of Int32Array.from(refs.services).sort()) hash.digestWords(this.service(i));
    hash.mark(Mark.Close);
    for (const i of Int32Array.from(refs.clusters).sort()) hash.digestWords(this.cluster(i));
    return hash.digest();
  }

  private addRef(value: object, kind: number, ref: Ref): void {
    const refs = kind === CLUSTER ? this.clusterRefs : kind === SERVICE ? this.serviceRefs : this.routeRefs;
    refs.set(value, ref);
    this.shapes.of(value as Record<string, unknown>).refs |= kind;
  }

  /** A service's digest, with those of the clusters it names (it has no other references). */
  private service(i: number): Int32Array {
    const { words, done, items } = this.services;
    if (!done[i]) {
      const s = items[i] as ServicePlan;
      const walk: Walk = { hash: new Hash(), refs: new Refs(++this.stamp), self: s, ownRoutes: s.routes };
      this.write(walk, s, 0);
      for (const c of Int32Array.from(walk.refs.clusters).sort()) walk.hash.digestWords(this.cluster(c));
      words.set(walk.hash.finish(), 4 * i);
      done[i] = 1;
    }
    return words.subarray(4 * i, 4 * i + 4);
  }

  private cluster(i: number): Int32Array {
    const { words, done, items } = this.clusters;
    if (!done[i]) {
      const c = items[i] as Cluster;
      const walk: Walk = { hash: new Hash(), refs: new Refs(++this.stamp), self: c, ownRoutes: [] };
      this.write(walk, c, 0);
      words.set(walk.hash.finish(), 4 * i);
      done[i] = 1;
    }
    return words.subarray(4 * i, 4 * i + 4);
  }

  /** Feeds `value` to the walk's hash. */
  private write(walk: Walk, value: unknown, depth: number): void {
    const { hash } = walk;
    if (value === null || typeof value !== "object") {
      hash.scalar(value);
    } else if (value === walk.self && depth > 0) {
      hash.mark(Mark.Self);
    } else if (depth > 64) {
      // The plan is a few levels deep; only a cycle the references do not cut goes on.
      throw new Error("internal: the plan has a cycle that cluster keys do not cut");
    } else if (Array.isArray(value) || value instanceof Map || value instanceof Set) {
      hash.mark(Array.isArray(value) ? Mark.Array : value instanceof Map ? Mark.Map : Mark.Set);
      for (const item of value) this.write(walk, item, depth + 1);
      hash.mark(Mark.Close);
    } else {
      const record = value as Record<string, unknown>;
      const shape = this.shapes.of(record);
      const ref = shape.refs === 0 || value === walk.self ? undefined : this.refOf(walk, value, shape.refs);
      if (ref) this.reference(walk, ref);
      else {
        // An object: its key list's fingerprint, then its values in that list's order.
        hash.shape(shape.fingerprint);
        for (const key of shape.keys) this.write(walk, record[key], depth + 1);
        hash.mark(Mark.Close);
      }
    }
  }

  /** The reference `value` is written as, if it is one (a route of the walk's own service is not). */
  private refOf(walk: Walk, value: object, kinds: number): Ref | undefined {
    const ref =
      ((kinds & CLUSTER) !== 0 ? this.clusterRefs.get(value) : undefined) ??
      ((kinds & SERVICE) !== 0 ? this.serviceRefs.get(value) : undefined);
    if (ref !== undefined || (kinds & ROUTE) === 0 || walk.ownRoutes.includes(value)) return ref;
    return this.routeRefs.get(value);
  }

  /** A cluster, service or route written as a reference: its kind and name. */
  private reference(walk: Walk, ref: Ref): void {
    const { hash } = walk;
    walk.refs.add(ref, this.clusters, this.services);
    if (ref.kind === "cluster") hash.mark(Mark.ClusterRef);
    else if (ref.caller === undefined) hash.mark(Mark.ServiceRef);
    else {
      hash.mark(Mark.RouteRef);
      hash.string(ref.caller);
    }
    hash.string(ref.name);
  }
}

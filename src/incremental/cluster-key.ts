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

import { byText } from "../compare.js";
import type { ExistingConfig } from "../existing/model.js";
import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";
import type { Cluster, Topology } from "../topology/model.js";

// ClusterPlan's indexes of its own `routes` and `local` (plan/plan.ts), hashed already as those lists.
const DERIVED = new Set(["routeTo", "runs"]);

// The topology's own fields that are not federation-wide settings: they reach a cluster's output only
// through its ClusterPlan.
const TOPOLOGY_PARTS = new Set(["clusters", "services", "origins", "gitops"]);

/**
 * The key of any of the plan's clusters, one at a time: each thread that makes clusters (compile.ts)
 * keys those it takes. The digests of services and clusters are remembered between calls.
 */
export function clusterKeyer(
  plan: Plan,
  existing: ExistingConfig,
  salt: string,
): (cluster: ClusterPlan) => string {
  const walker = new PlanWalker(plan);
  const federation = JSON.stringify([
    salt,
    Object.entries(plan.topology as unknown as Record<string, unknown>)
      .filter(([k]) => !TOPOLOGY_PARTS.has(k))
      .sort(byText(([k]) => k)),
  ]);
  return (cluster) => walker.clusterKey(cluster, federation, existing.clusters.get(cluster.cluster.name));
}

/** References met while writing a value: the clusters and services whose digests go with it. */
interface Refs {
  readonly clusters: Set<Cluster>;
  readonly services: Set<ServicePlan>;
}

/** What a shared value is written as, elsewhere than in its own digest, and what it brings along. */
type Ref =
  | { readonly kind: "cluster"; readonly cluster: Cluster; readonly name: string }
  | { readonly kind: "service"; readonly service: ServicePlan; readonly name: string };

// Marks between the values fed to the hash, outside the range of UTF-16 code units, so that no two
// different values feed it the same sequence.
enum Mark {
  String = 0x10000,
  End,
  Number,
  True,
  False,
  Null,
  Undefined,
  Function,
  Object,
  Array,
  Map,
  Set,
  Key,
  Close,
  Self,
  ClusterRef,
  ServiceRef,
  RouteRef,
  Other,
}

class PlanWalker {
  private readonly refs = new Map<object, Ref>();
  private readonly clusterDigests = new Map<Cluster, string>();
  private readonly serviceDigests = new Map<ServicePlan, string>();
  /** Routes are written where they belong, in their service's digest; elsewhere named. */
  private readonly routeCallers = new Map<object, string>();

  constructor(plan: Plan) {
    for (const c of (plan.topology as Topology).clusters) {
      this.refs.set(c, { kind: "cluster", cluster: c, name: c.name });
    }
    for (const s of plan.services) {
      this.refs.set(s, { kind: "service", service: s, name: s.service.name });
      for (const r of s.routes) {
        this.refs.set(r, { kind: "service", service: s, name: s.service.name });
        this.routeCallers.set(r, r.caller.name);
      }
    }
  }

  clusterKey(cluster: ClusterPlan, federation: string, existing: unknown): string {
    const refs: Refs = { clusters: new Set([cluster.cluster]), services: new Set() };
    const hash = new Hash();
    hash.string(federation);
    hash.string(JSON.stringify(existing ?? null));
    this.write(hash, cluster, refs, undefined, 0);
    // The digests of what was written as a reference: each service's carries the clusters it names.
    hash.mark(Mark.Close);
    for (const s of [...refs.services].sort(byText((s) => s.service.name))) {
      hash.string(s.service.name);
      hash.string(this.service(s));
    }
    hash.mark(Mark.Close);
    for (const c of [...refs.clusters].sort(byText((c) => c.name))) {
      hash.string(c.name);
      hash.string(this.cluster(c));
    }
    return hash.digest();
  }

  /** A service's digest, with those of the clusters it names (it has no other references). */
  private service(s: ServicePlan): string {
    let digest = this.serviceDigests.get(s);
    if (digest === undefined) {
      const refs: Refs = { clusters: new Set(), services: new Set() };
      const hash = new Hash();
      this.write(hash, s, refs, s, 0);
      for (const c of [...refs.clusters].sort(byText((c) => c.name))) hash.string(this.cluster(c));
      digest = hash.digest();
      this.serviceDigests.set(s, digest);
    }
    return digest;
  }

  private cluster(c: Cluster): string {
    let digest = this.clusterDigests.get(c);
    if (digest === undefined) {
      const hash = new Hash();
      this.write(hash, c, { clusters: new Set(), services: new Set() }, c, 0);
      digest = hash.digest();
      this.clusterDigests.set(c, digest);
    }
    return digest;
  }

  /** Feeds `value` to the hash. `self` is the value whose digest this is: written out in full. */
  private write(hash: Hash, value: unknown, refs: Refs, self: unknown, depth: number): void {
    if (value === null || typeof value !== "object") {
      scalar(hash, value);
    } else if (value === self && depth > 0) {
      hash.mark(Mark.Self);
    } else if (depth > 64) {
      // The plan is a few levels deep; only a cycle the references do not cut goes on.
      throw new Error("internal: the plan has a cycle that cluster keys do not cut");
    } else if (value === self || !this.reference(hash, value, refs, self)) {
      this.structure(hash, value, refs, self, depth);
    }
  }

  private structure(hash: Hash, value: object, refs: Refs, self: unknown, depth: number): void {
    if (value instanceof Map || value instanceof Set || Array.isArray(value)) {
      hash.mark(value instanceof Map ? Mark.Map : value instanceof Set ? Mark.Set : Mark.Array);
      for (const item of value) this.write(hash, item, refs, self, depth + 1);
    } else {
      hash.mark(Mark.Object);
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key === "origin" || key === "origins" || DERIVED.has(key)) continue;
        hash.mark(Mark.Key);
        hash.string(key);
        this.write(hash, record[key], refs, self, depth + 1);
      }
    }
    hash.mark(Mark.Close);
  }

  /** A cluster, service or route written as a reference; false when `value` is none (or `self`'s). */
  private reference(hash: Hash, value: object, refs: Refs, self: unknown): boolean {
    const ref = this.refs.get(value);
    if (!ref || (ref.kind === "service" && ref.service === self)) return false;
    if (ref.kind === "cluster") {
      refs.clusters.add(ref.cluster);
      hash.mark(Mark.ClusterRef);
    } else {
      refs.services.add(ref.service);
      const caller = this.routeCallers.get(value);
      hash.mark(caller === undefined ? Mark.ServiceRef : Mark.RouteRef);
      if (caller !== undefined) hash.string(caller);
    }
    hash.string(ref.name);
    return true;
  }
}

/**
 * A 128-bit hash of a sequence of UTF-16 code units and marks, in JavaScript: the plan is walked value
 * by value, and feeding each to a native hash (or building a text for one) costs ten times as much.
 * Four 32-bit lanes with different multipliers, each finished with MurmurHash3's fmix32 and mixed
 * with the others; not meant to resist a crafted collision (whoever can write the topology decides
 * the output anyway), only to make an accidental one as unlikely as a 128-bit value can.
 */
class Hash {
  // Int32Array slots, not fields: a field holding a 32-bit number that is not a small integer is a
  // boxed number, allocated at every store.
  private readonly state = Int32Array.of(0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0);

  mark(code: Mark): void {
    this.units("", code);
  }

  string(s: string): void {
    this.units(s, Mark.String);
  }

  /** `first`, then the code units of `s` (none for a mark), then End. */
  private units(s: string, first: number): void {
    const st = this.state;
    let a = st[0] as number;
    let b = st[1] as number;
    let c = st[2] as number;
    let d = st[3] as number;
    const n = first === Mark.String ? s.length : 0;
    for (let i = -1; i <= n; i++) {
      const x = i < 0 ? first : i === n ? Mark.End : s.charCodeAt(i);
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul((b << 5) | (b >>> 27), 0x5bd1e995) ^ x;
      c = Math.imul(c + x, 0xcc9e2d51);
      c = (c << 15) | (c >>> 17);
      d = (Math.imul(d ^ Math.imul(x, 0x1b873593), 0x27d4eb2f) + (d >>> 16)) | 0;
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
    st[4] = ((st[4] as number) + n + 2) | 0;
  }

  digest(): string {
    const st = this.state;
    let [a, b, c, d] = [st[0] as number, st[1] as number, st[2] as number, st[3] as number];
    a = fmix(a ^ (st[4] as number));
    b = fmix(b + a);
    c = fmix(c ^ b);
    d = fmix(d + c);
    a = fmix(a + d);
    b = fmix(b ^ a);
    return [a, b, c, d].map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
  }
}

/** A value that is not an object (or is null). */
function scalar(hash: Hash, value: unknown): void {
  if (typeof value === "string") {
    hash.string(value);
  } else if (typeof value === "number") {
    hash.mark(Mark.Number);
    hash.string(String(value));
  } else if (typeof value === "boolean") {
    hash.mark(value ? Mark.True : Mark.False);
  } else if (value === undefined || value === null) {
    hash.mark(value === null ? Mark.Null : Mark.Undefined);
  } else if (typeof value === "function") {
    hash.mark(Mark.Function);
  } else {
    hash.mark(Mark.Other);
    hash.string(String(value));
  }
}

function fmix(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}

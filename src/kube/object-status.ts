// Whether a cluster runs what cw generates for it, object by object, from the cluster itself: this
// federation's objects found by their labels (ownership.ts), each judged by its hash annotation
// (emit/spec-hash.ts) without a request per object.
//   in-sync    live, ours, and its spec still hashes to the hash of today's output
//   missing    not in the cluster
//   not-ours   an object of that kind and name exists but is not this federation's
//   edited     ours, but its spec no longer hashes to its own annotation: changed in the cluster
//   outdated   ours and unedited, but of another generation (its hash is not today's)
//   extra      ours and no longer generated: prune it
// Used by `cw check --live` (one line per cluster) and `cw status` (the counts).

import { HASH_ANNOTATION, liveSpecHash } from "../emit/spec-hash.js";
import { identity, type KubeObject, type KubeRef, kubeRefOf } from "./client.js";

export type ObjectState = "in-sync" | "missing" | "not-ours" | "edited" | "outdated" | "extra";

export interface ObjectStatus {
  readonly ref: KubeRef;
  readonly state: ObjectState;
}

export const STATES: readonly ObjectState[] = [
  "in-sync",
  "missing",
  "not-ours",
  "edited",
  "outdated",
  "extra",
];

export function objectStatuses(
  desired: readonly KubeObject[],
  ours: readonly KubeObject[],
  others: readonly KubeObject[],
): ObjectStatus[] {
  const live = new Map(ours.map((o) => [identity(kubeRefOf(o)), o]));
  const taken = new Set(others.map((o) => identity(kubeRefOf(o))));
  const wanted = new Set<string>();
  const statuses: ObjectStatus[] = [];
  for (const d of desired) {
    const ref = kubeRefOf(d);
    const key = identity(ref);
    wanted.add(key);
    const l = live.get(key);
    statuses.push({ ref, state: l ? stateOf(d, l) : taken.has(key) ? "not-ours" : "missing" });
  }
  for (const [key, o] of live) if (!wanted.has(key)) statuses.push({ ref: kubeRefOf(o), state: "extra" });
  return statuses;
}

function stateOf(desired: KubeObject, live: KubeObject): ObjectState {
  const recorded = live.metadata.annotations?.[HASH_ANNOTATION];
  const now = liveSpecHash(live);
  if (recorded !== undefined && recorded !== now) return "edited";
  const wanted = desired.metadata.annotations?.[HASH_ANNOTATION] ?? liveSpecHash(desired);
  if (now === wanted) return "in-sync";
  // Without an annotation (applied by an older cw), a different spec cannot be told apart.
  return recorded === undefined ? "edited" : "outdated";
}

export function countStates(statuses: readonly ObjectStatus[]): Record<ObjectState, number> {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ObjectState, number>;
  for (const s of statuses) counts[s.state]++;
  return counts;
}

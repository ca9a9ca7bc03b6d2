// `cw apply` for one cluster: server-side apply of every generated object under field manager
// coddiwomple, then, with prune, deletion of this federation's objects that are no longer generated.
//
// Safety rules: an existing object that is not ours (ownership.ts) is never applied over; prune runs
// only when every apply in the cluster succeeded (a half-applied cluster is left for the next run to
// finish, not cleaned up on a partial picture); each deletion carries the uid and resourceVersion the
// object had when it was listed, so an object changed or replaced since is not deleted. A lost
// connection stops the cluster at once; any other refusal is recorded and the next object is tried.

import {
  describeRef,
  errorMessage,
  isConnectionFailure,
  KubeError,
  type KubeRef,
  kubeRefOf,
} from "./client.js";
import { comparableYaml } from "./comparable.js";
import type { ClusterTarget } from "./diff.js";
import { isOurs, whyNotOurs } from "./ownership.js";
import { prunable } from "./prune.js";

export interface ApplyOptions {
  /** Send every request with dryRun=All: the server checks them all and stores nothing. */
  readonly dryRun: boolean;
  /** Delete this federation's objects that are no longer generated. */
  readonly prune: boolean;
}

export type ObjectAction = "created" | "configured" | "unchanged" | "deleted" | "failed" | "not-ours";

export interface ObjectResult {
  readonly ref: KubeRef;
  readonly action: ObjectAction;
  readonly message?: string;
}

export interface ClusterApply {
  readonly results: readonly ObjectResult[];
  /** Why the cluster stopped before the end (a lost connection), if it did. */
  readonly stopped?: string;
  /** Why prune did not run although asked for. */
  readonly pruneSkipped?: string;
}

const STOPPED = "the cluster stopped answering, so the rest was not tried";

export const failedObjects = (r: ClusterApply): ObjectResult[] =>
  r.results.filter((o) => o.action === "failed" || o.action === "not-ours");

export async function applyCluster(
  target: ClusterTarget,
  federation: string,
  options: ApplyOptions,
): Promise<ClusterApply> {
  const { client } = target;
  const results: ObjectResult[] = [];
  const write = { dryRun: options.dryRun };
  for (const object of target.desired) {
    const ref = kubeRefOf(object);
    try {
      const live = await client.get(ref);
      if (live && !isOurs(live, federation)) {
        results.push({
          ref,
          action: "not-ours",
          message: `${describeRef(ref)} exists and was not created by cw for federation "${federation}" (${whyNotOurs(live)}); cw leaves it alone: rename or remove it, or label it as ours`,
        });
        continue;
      }
      const applied = await client.apply(object, write);
      const action: ObjectAction = !live
        ? "created"
        : comparableYaml(live) === comparableYaml(applied)
          ? "unchanged"
          : "configured";
      results.push({ ref, action });
    } catch (e) {
      results.push({ ref, action: "failed", message: errorMessage(e) });
      if (isConnectionFailure(e)) return { results, stopped: STOPPED };
    }
  }
  if (!options.prune) return { results };
  if (failedObjects({ results }).length > 0) {
    return { results, pruneSkipped: "some objects were not applied, so nothing is pruned in this cluster" };
  }
  let stale: Awaited<ReturnType<typeof prunable>>;
  try {
    stale = await prunable(client, federation, target.desired);
  } catch (e) {
    return { results, stopped: `listing objects to prune failed: ${errorMessage(e)}` };
  }
  for (const live of stale) {
    const ref = kubeRefOf(live);
    try {
      await client.delete(ref, {
        ...write,
        preconditions: {
          ...(live.metadata.uid !== undefined && { uid: live.metadata.uid }),
          ...(live.metadata.resourceVersion !== undefined && {
            resourceVersion: live.metadata.resourceVersion,
          }),
        },
      });
      results.push({ ref, action: "deleted" });
    } catch (e) {
      if (e instanceof KubeError && e.reason === "NotFound") {
        results.push({ ref, action: "deleted", message: "already gone" });
        continue;
      }
      const message =
        e instanceof KubeError && e.reason === "Conflict"
          ? `it changed since it was listed, so it was not deleted: ${e.message}`
          : errorMessage(e);
      results.push({ ref, action: "failed", message });
      if (isConnectionFailure(e)) return { results, stopped: STOPPED };
    }
  }
  return { results };
}

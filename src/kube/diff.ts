// `cw diff` for one cluster: what apply would do, object by object. Each generated object is sent as a
// server-side dry-run apply and the answer compared with the live object, so the diff shows what the
// server would really store (its defaults and merges included), as kubectl diff does. Objects that
// exist but are not ours are reported and never sent; objects prune would delete are listed too.

import {
  describeRef,
  errorMessage,
  isConnectionFailure,
  type KubeClient,
  type KubeObject,
  type KubeRef,
  kubeRefOf,
} from "./client.js";
import { comparableYaml } from "./comparable.js";
import { unifiedDiff } from "./line-diff.js";
import { isOurs, whyNotOurs } from "./ownership.js";
import { prunable } from "./prune.js";

export type ObjectDiff =
  | { readonly action: "create" | "update"; readonly ref: KubeRef; readonly diff: string }
  | { readonly action: "unchanged"; readonly ref: KubeRef }
  | { readonly action: "prune"; readonly ref: KubeRef; readonly diff: string }
  /** Exists in the cluster but was not created by cw for this federation: left alone. */
  | { readonly action: "not-ours"; readonly ref: KubeRef; readonly reason: string }
  | { readonly action: "error"; readonly ref: KubeRef; readonly message: string };

export interface ClusterTarget {
  readonly cluster: string;
  readonly client: KubeClient;
  /** The objects cw generates for this cluster. */
  readonly desired: readonly KubeObject[];
}

export async function diffCluster(target: ClusterTarget, federation: string): Promise<ObjectDiff[]> {
  const { client } = target;
  const diffs: ObjectDiff[] = [];
  for (const object of target.desired) {
    const ref = kubeRefOf(object);
    const label = `${target.cluster}: ${describeRef(ref)}`;
    try {
      const live = await client.get(ref);
      if (live && !isOurs(live, federation)) {
        diffs.push({ action: "not-ours", ref, reason: whyNotOurs(live) });
        continue;
      }
      const after = comparableYaml(await client.apply(object, { dryRun: true }));
      const before = live ? comparableYaml(live) : "";
      if (before === after) diffs.push({ action: "unchanged", ref });
      else {
        const diff = unifiedDiff(before, after, {
          before: live ? `${label} (live)` : "/dev/null",
          after: `${label} (generated)`,
        });
        diffs.push({ action: live ? "update" : "create", ref, diff });
      }
    } catch (e) {
      if (isConnectionFailure(e)) throw e;
      diffs.push({ action: "error", ref, message: errorMessage(e) });
    }
  }
  for (const live of await prunable(client, federation, target.desired)) {
    const ref = kubeRefOf(live);
    const diff = unifiedDiff(comparableYaml(live), "", {
      before: `${target.cluster}: ${describeRef(ref)} (live)`,
      after: "/dev/null",
    });
    diffs.push({ action: "prune", ref, diff });
  }
  return diffs;
}

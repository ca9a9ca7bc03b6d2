// Finding what prune would delete in one cluster: objects of a prunable kind that carry this
// federation's labels (asked of the server with a label selector, then checked again on each object,
// see ownership.ts) and that cw no longer generates for the cluster.

import { byText } from "../compare.js";
import { groupOf, identity, type KubeClient, KubeError, type KubeObject, kubeRefOf } from "./client.js";
import { isOurs, ownedSelector } from "./ownership.js";
import { type GroupKind, PRUNABLE_KINDS } from "./prunable-kinds.js";

/**
 * Why prune must not run for this federation at all, checked before any cluster is asked: its name
 * was not chosen by the user, so other federations may carry it too, and their objects would look
 * like this one's stale ones.
 */
export function pruneRefusal(topology: {
  readonly name: string;
  readonly unnamed?: true;
}): string | undefined {
  return topology.unnamed
    ? `the original Coddiwomple's files name no federation, so cw calls it "${topology.name}", as it calls every other unnamed one, and --prune would delete their objects too; give this federation a name of its own with --name`
    : undefined;
}

export async function prunable(
  client: KubeClient,
  federation: string,
  desired: readonly KubeObject[],
): Promise<KubeObject[]> {
  const served = await client.groups();
  const kinds = new Map<string, GroupKind>();
  for (const k of [
    ...PRUNABLE_KINDS,
    ...desired.map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind })),
  ]) {
    kinds.set(`${k.group}/${k.kind}`, k);
  }
  const keep = new Set(desired.map((o) => identity(kubeRefOf(o))));
  const found: KubeObject[] = [];
  for (const { group, kind } of [...kinds.values()].sort(byText((k) => k.kind))) {
    const version = served.get(group);
    if (version === undefined) continue; // the cluster does not serve the group, so it has none of them
    const apiVersion = group === "" ? version : `${group}/${version}`;
    let objects: KubeObject[];
    try {
      objects = await client.list(apiVersion, kind, { labelSelector: ownedSelector(federation) });
    } catch (e) {
      if (e instanceof KubeError && e.reason === "NotFound") continue; // kind not served at that version
      throw e;
    }
    for (const o of objects) {
      if (isOurs(o, federation) && !keep.has(identity(kubeRefOf(o)))) found.push(o);
    }
  }
  return found.sort(byText((o) => identity(kubeRefOf(o))));
}

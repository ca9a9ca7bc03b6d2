// What `cw generate` says when it has written the output folder (or found nothing to write): per
// cluster, the files added, changed and removed, the objects no longer generated (to prune), and
// where the GitOps objects and the VIPs went. Text for people, data for --format json|yaml.

import { join } from "node:path";
import { isSettingFile, type Layout } from "../emit/layout.js";
import type { ClusterChanges } from "../emit/write.js";
import { GITOPS_FOLDER } from "../gitops/layout.js";

export interface Written {
  readonly out: string;
  readonly layout: Layout;
  readonly wrote: boolean;
  readonly changes: readonly ClusterChanges[];
  readonly lockPath: string;
  /** The layout of the last run's files, when it was another. */
  readonly previousLayout?: Layout;
}

export function writtenData(federation: string, w: Written): unknown {
  return {
    federation,
    out: w.out,
    layout: w.layout,
    wrote: w.wrote,
    clusters: w.changes.map(({ cluster, files, added, changed, removed, pruned, reused }) => ({
      cluster,
      files,
      added,
      changed,
      removed,
      pruned,
      reused,
    })),
    lock: w.lockPath,
  };
}

/** `suffix` is the topology's; without it (nothing was read) the hints on applying are left out. */
export function describeWritten(federation: string, suffix: string | undefined, w: Written): string {
  const dir = w.out;
  const lines: string[] = [];
  const delivery = w.changes.find((c) => c.cluster === GITOPS_FOLDER);
  const changes = w.changes.filter((c) => c !== delivery);
  const live = changes.filter((c) => c.files > 0);
  const total = live.reduce((n, c) => n + c.files, 0);
  // Clusters whose objects were made again, when others were kept as they were.
  const kept = live.filter((c) => c.reused).length;
  const made = kept > 0 && w.wrote ? `, ${live.length - kept} of them made again` : "";
  lines.push(
    w.wrote
      ? `cw: wrote ${dir}/ for federation "${federation}": ${live.length} clusters${made}, ${total} files`
      : `cw: ${dir}/ is up to date for federation "${federation}" (${live.length} clusters, ${total} files); nothing written`,
  );
  if (w.previousLayout !== undefined) {
    lines.push(
      `  The files were laid out by ${w.previousLayout} and now are by ${w.layout} (--layout): the objects are the same, in other files.`,
    );
  }
  for (const c of changes) lines.push(...clusterLines(dir, c));
  // dns/ and mesh/ hold settings the user merged by hand, not objects kustomize applied.
  if (changes.some((c) => c.pruned.length > 0)) {
    lines.push(
      `Objects no longer generated are still in the clusters: prune them with cw apply --prune, your`,
      `  GitOps tool, or kubectl delete -n <namespace> <kind> <name> --context <cluster> for each.`,
    );
  }
  if (changes.some((c) => c.removed.some(isSettingFile))) {
    lines.push(
      `Removed dns/ or mesh/ settings: undo them where you merged them into the cluster's DNS or Istio.`,
    );
  }
  lines.push(...deliveryLines(dir, delivery));
  lines.push(`  VIPs recorded in ${w.lockPath}`);
  if (live.length > 0 && suffix !== undefined) {
    const first = live[0]?.cluster ?? "";
    lines.push(
      `Apply each cluster's folder to that cluster, e.g. kubectl apply -k ${join(dir, first)} --context ${first}.`,
      `Each folder's dns/ holds the DNS setting its workloads need to resolve .${suffix} names; see the comments there.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function clusterLines(dir: string, c: ClusterChanges): string[] {
  const parts = [
    c.added.length > 0 && `${c.added.length} added`,
    c.changed.length > 0 && `${c.changed.length} changed`,
    c.removed.length > 0 && `${c.removed.length} removed`,
  ].filter(Boolean);
  const lines = [
    `  ${join(dir, c.cluster)}/: ${c.files} files${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`,
  ];
  for (const r of c.removed) lines.push(`    removed ${r}`);
  // In the object layout a removed file names its object already.
  const files = new Set(c.removed);
  for (const id of c.pruned) if (!files.has(`${id}.yaml`)) lines.push(`    no longer generated: ${id}`);
  return lines;
}

function deliveryLines(dir: string, delivery: ClusterChanges | undefined): string[] {
  if (delivery && delivery.files === 0) {
    return [
      `  ${join(dir, GITOPS_FOLDER)}/: removed (no --gitops this time); the engine's objects stay where you installed them until you delete them there`,
    ];
  }
  if (delivery) {
    return [
      `  ${join(dir, GITOPS_FOLDER)}/: ${delivery.files} files, the GitOps objects that deliver each cluster's folder; commit the whole ${dir}/ and install them with kubectl apply -k ${join(dir, GITOPS_FOLDER)} where the engine runs (see each file's header)`,
    ];
  }
  return [];
}

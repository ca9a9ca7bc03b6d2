// Running one job per cluster. Clusters are independent: each runs concurrently, and one that fails
// (unreachable, refused, or broken halfway) is reported as failed without stopping the others.

import { errorMessage } from "./client.js";

export type ClusterOutcome<T> =
  | { readonly cluster: string; readonly ok: true; readonly value: T }
  | { readonly cluster: string; readonly ok: false; readonly error: string };

export async function forEachCluster<C extends { readonly cluster: string }, T>(
  targets: readonly C[],
  job: (target: C) => Promise<T>,
): Promise<ClusterOutcome<T>[]> {
  return Promise.all(
    targets.map(async (target): Promise<ClusterOutcome<T>> => {
      try {
        return { cluster: target.cluster, ok: true, value: await job(target) };
      } catch (e) {
        return { cluster: target.cluster, ok: false, error: errorMessage(e) };
      }
    }),
  );
}

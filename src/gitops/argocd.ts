// The Argo CD ApplicationSet that delivers every cluster folder: a list generator with one element per
// cluster (its folder, and its destination: its name in Argo CD, spec.clusters[].gitops.destination,
// by default the cluster's own name), so the set holds one Application per folder cw wrote.
//
// Sync options chosen for config like cw's, which other tools and people also touch:
// - automated sync with selfHeal, so a hand edit in the cluster is undone, and prune, which deletes
//   only objects this Application itself created (Argo CD tracks them): an object cw did not deliver
//   is never pruned;
// - FailOnSharedResource: a sync fails rather than take over an object another Application manages;
// - ServerSideApply, as cw apply does, so fields other managers own are left to them;
// - PruneLast: a service that leaves the topology loses its objects after the new ones are in place;
// - the ApplicationSet keeps the live objects when it, or a cluster's element, is deleted
//   (preserveResourcesOnDeletion): removing the delivery must not tear the mesh down.

import { boundedName, deliveryLabels } from "./names.js";
import { clusterPath, type GitopsSettings } from "./settings.js";

export interface GitopsCluster {
  readonly name: string;
  /** Argo CD's name of the cluster. */
  readonly destination: string;
  /** Flux: the Secret with the cluster's kubeconfig. */
  readonly kubeConfigSecret: string;
}

export function applicationSet(
  federation: string,
  clusters: readonly GitopsCluster[],
  settings: GitopsSettings,
): Record<string, unknown> {
  const owned = deliveryLabels(federation);
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: {
      name: boundedName("coddiwomple", federation),
      namespace: settings.argocd.namespace,
      labels: owned,
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [
        {
          list: {
            elements: clusters.map((c) => ({
              cluster: c.name,
              name: boundedName(federation, c.name),
              destination: c.destination,
              path: clusterPath(settings, c.name),
            })),
          },
        },
      ],
      syncPolicy: { preserveResourcesOnDeletion: true },
      template: {
        metadata: {
          name: "{{.name}}",
          labels: { ...owned, "coddiwomple.io/cluster": "{{.cluster}}" },
        },
        spec: {
          project: settings.argocd.project,
          source: { repoURL: settings.repo, targetRevision: settings.revision, path: "{{.path}}" },
          // No namespace: every object cw writes names its own.
          destination: { name: "{{.destination}}" },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ["ServerSideApply=true", "FailOnSharedResource=true", "PruneLast=true"],
            retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
          },
        },
      },
    },
  };
}

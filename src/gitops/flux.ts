// Flux Kustomizations that deliver the cluster folders, one per cluster, in either of the two ways
// Flux users run it (spec.gitops.flux.mode, or --flux-mode):
// - kubeconfig: one Flux, in a management cluster, applies every folder to its cluster through the
//   kubeconfig in a Secret (spec.kubeConfig.secretRef; the cluster's gitops.kubeConfigSecret, by
//   default <cluster>-kubeconfig). No cluster needs credentials to another, only Flux does.
// - in-cluster: each cluster's own Flux applies its own folder; each Kustomization goes to that
//   cluster, and nothing holds credentials to another cluster.
// prune deletes only what this Kustomization applied (Flux keeps an inventory of it), never an
// object it did not create; the source is the GitRepository Flux already reads (the one flux bootstrap
// creates, by default), which carries the repository URL and revision.

import type { GitopsCluster } from "./argocd.js";
import { boundedName, deliveryLabels } from "./names.js";
import { clusterPath, type GitopsSettings } from "./settings.js";

export function fluxKustomization(
  federation: string,
  cluster: GitopsCluster,
  settings: GitopsSettings,
): Record<string, unknown> {
  const remote = settings.flux.mode === "kubeconfig";
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: {
      name: remote ? boundedName(federation, cluster.name) : boundedName("coddiwomple", federation),
      namespace: settings.flux.namespace,
      labels: deliveryLabels(federation, cluster.name),
    },
    spec: {
      interval: "10m",
      retryInterval: "1m",
      timeout: "5m",
      path: `./${clusterPath(settings, cluster.name)}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: settings.flux.source },
      ...(remote && { kubeConfig: { secretRef: { name: cluster.kubeConfigSecret } } }),
    },
  };
}

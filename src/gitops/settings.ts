// What `cw generate --gitops argocd|flux` needs to know, from the flags first and the topology's
// spec.gitops second, with the defaults the engines' own installs use (Argo CD in argocd, project
// default; Flux in flux-system, reading the GitRepository flux-system that `flux bootstrap` creates).
// A mistake is a sentence for the person (the CLI turns it into a usage error), found before anything
// is compiled or written.

import type { Topology } from "../topology/model.js";
import type { FluxMode, GitopsEngine } from "../topology/schema.js";

export interface GitopsFlags {
  readonly engine: GitopsEngine;
  readonly repo?: string;
  readonly revision?: string;
  readonly pathPrefix?: string;
  readonly fluxMode?: FluxMode;
}

export interface GitopsSettings {
  readonly engine: GitopsEngine;
  /** Argo CD's repoURL; Flux reads the repository through its GitRepository instead. */
  readonly repo?: string;
  readonly revision: string;
  /** Where the output folder is in the repository, without leading or trailing "/"; "" at its root. */
  readonly pathPrefix: string;
  readonly argocd: { readonly namespace: string; readonly project: string };
  readonly flux: { readonly namespace: string; readonly source: string; readonly mode: FluxMode };
}

/**
 * The settings, or what is wrong. `outputPrefix` is the output folder's place in its git repository,
 * when it is in one (the CLI finds it), for a path prefix neither flag nor topology gives.
 */
export function gitopsSettings(
  topology: Pick<Topology, "gitops">,
  flags: GitopsFlags,
  outputPrefix: string | undefined,
): GitopsSettings | string {
  const t = topology.gitops ?? {};
  const repo = flags.repo ?? t.repo;
  if (flags.engine === "flux" && (flags.repo !== undefined || flags.revision !== undefined)) {
    return "--repo and --revision are Argo CD's: Flux reads the repository and revision from its GitRepository (spec.gitops.flux.source, default flux-system)";
  }
  if (flags.engine === "argocd" && repo === undefined) {
    return "--gitops argocd needs the repository the folders are committed to: give --repo <url> (or spec.gitops.repo)";
  }
  const prefix = flags.pathPrefix ?? t.pathPrefix ?? outputPrefix;
  if (prefix === undefined) {
    return "cannot tell where the output folder is in the repository (it is in no git repository here): give --path-prefix <path>";
  }
  const pathPrefix = prefix.replace(/^\.?\/+/, "").replace(/\/+$/, "");
  if (pathPrefix.split("/").includes("..")) {
    return `--path-prefix ${prefix} must be a path inside the repository, such as deploy/istio`;
  }
  return {
    engine: flags.engine,
    ...(flags.engine === "argocd" && repo !== undefined && { repo }),
    revision: flags.revision ?? t.revision ?? "HEAD",
    pathPrefix,
    argocd: { namespace: t.argocd?.namespace ?? "argocd", project: t.argocd?.project ?? "default" },
    flux: {
      namespace: t.flux?.namespace ?? "flux-system",
      source: t.flux?.source ?? "flux-system",
      mode: flags.fluxMode ?? t.flux?.mode ?? "kubeconfig",
    },
  };
}

/** A cluster's folder in the repository. */
export const clusterPath = (settings: GitopsSettings, cluster: string): string =>
  settings.pathPrefix === "" ? cluster : `${settings.pathPrefix}/${cluster}`;

// The flags of `cw generate --gitops` (and only with it): which engine, and the repository, revision
// and path prefix its objects name. Light, like options.ts: `cw --help` loads it.

import { type Command, Option } from "commander";
import type { GitopsFlags } from "../gitops/settings.js";
import type { FluxMode, GitopsEngine } from "../topology/schema.js";
import { UsageError } from "./usage-error.js";

export function gitopsOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--gitops <engine>",
        "also write the objects that deliver each folder, to <out>/_gitops/",
      ).choices(["argocd", "flux"]),
    )
    .option("--repo <url>", "with --gitops argocd: the repository the folders are committed to")
    .option("--revision <rev>", "with --gitops argocd: the branch, tag or commit to deliver (default HEAD)")
    .option(
      "--path-prefix <path>",
      "with --gitops: where the output folder is in the repository (default: found from git)",
    )
    .addOption(
      new Option(
        "--flux-mode <mode>",
        "with --gitops flux: how Flux reaches the clusters (default kubeconfig)",
      ).choices(["kubeconfig", "in-cluster"]),
    );
}

/** --gitops and the flags that go with it; those flags without it are a mistake. */
export function gitopsFlags(raw: Record<string, unknown>): { gitops?: GitopsFlags } {
  const flags = {
    repo: "--repo",
    revision: "--revision",
    pathPrefix: "--path-prefix",
    fluxMode: "--flux-mode",
  };
  const given = Object.entries(flags).filter(([k]) => raw[k] !== undefined);
  if (raw.gitops === undefined) {
    if (given.length > 0) throw new UsageError(`${given[0]?.[1]} goes with --gitops`);
    return {};
  }
  const text = (key: string) => (typeof raw[key] === "string" ? { [key]: raw[key] as string } : {});
  return {
    gitops: {
      engine: raw.gitops as GitopsEngine,
      ...text("repo"),
      ...text("revision"),
      ...text("pathPrefix"),
      ...(raw.fluxMode !== undefined && { fluxMode: raw.fluxMode as FluxMode }),
    },
  };
}

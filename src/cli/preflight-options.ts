// The options `cw check` takes for --live (and only with it): which clusters, through which
// kubeconfig, how long to wait, where istiod runs.

import type { Command } from "commander";
import { type LiveOptions, liveOptions, liveOptionValues } from "./options.js";
import { UsageError } from "./usage-error.js";

export function addLiveCheckOptions(command: Command): Command {
  return liveOptions(
    command.option("--live", "also check each live cluster and link: the preflight table (exit 1 on any ✘)"),
  ).option("--istio-namespace <namespace>", "with --live: namespace of istiod", "istio-system");
}

export function liveCheckValues(
  raw: Record<string, unknown>,
): LiveOptions & { readonly istioNamespace: string } {
  return { ...liveOptionValues(raw), istioNamespace: raw.istioNamespace as string };
}

/** --cluster, --kubeconfig and --timeout mean something only with --live. */
export function refuseLiveOptionsWithout(raw: Record<string, unknown>): void {
  const given = ["cluster", "kubeconfig"].filter((k) => raw[k] !== undefined);
  if (raw.live !== true && given.length > 0) {
    throw new UsageError(`--${given[0]} goes with --live`);
  }
}

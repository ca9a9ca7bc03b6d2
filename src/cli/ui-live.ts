// What `cw ui` shows of the live clusters, when the page asks (/api/live): the preflight table and the
// status table, as cw check --live and cw status compute them, for the topology as it is on disk now.
// Reading clusters is the CLI's business: the UI server gets this function and never a client.

import { analyzeConflicts } from "../analysis/conflicts/registry.js";
import { loadDesired } from "./live-targets.js";
import { type PreflightReport, preflight } from "./preflight.js";
import { type FleetStatus, fleetStatus } from "./status.js";

export type LiveView =
  | { readonly preflight: PreflightReport; readonly status: FleetStatus }
  /** Why nothing could be checked: the topology has errors, or no kubeconfig. */
  | { readonly error: string };

export interface UiLiveOptions {
  readonly topology: string;
  readonly lock?: string;
  readonly kubeconfig?: string;
  readonly timeout: number;
}

export function uiLive(options: UiLiveOptions): () => Promise<LiveView> {
  return async () => {
    // The page shows the topology's diagnostics already; here they only decide whether to go on.
    const silent = { out: () => {}, err: () => {} };
    const desired = loadDesired(
      { topology: options.topology, ...(options.lock !== undefined && { lock: options.lock }) },
      "text",
      silent,
    );
    if (!desired) return { error: "the topology has errors, so there is nothing to check; see Diagnostics" };
    const live = {
      clusters: [],
      timeout: options.timeout,
      ...(options.kubeconfig !== undefined && { kubeconfig: options.kubeconfig }),
      istioNamespace: "istio-system",
    };
    try {
      const [report, status] = await Promise.all([
        preflight(desired, live, analyzeConflicts),
        fleetStatus(desired, live),
      ]);
      return { preflight: report, status };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
}

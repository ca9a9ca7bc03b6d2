// The rows of the verify matrix: who a check of `cw verify` calls as. A call's caller is a cluster's
// workload with a namespace and service account: verify calls as default/default, as the first
// namespace and service account a narrowed consumer names, and as cw-verify-other for the callers
// outside it. A gateway probe's caller skips its own sidecar and connects straight to a backend
// cluster's ingress gateway: as a non-consumer cluster's identity, an outsider's, or none.

import { CALLER_NAMESPACE, CALLER_SA, type Expectation, OTHER_CALLER } from "../index.js";

export interface MatrixRow {
  /** "a/default/default" for callers, "probe/<prober>" for gateway probes. */
  readonly key: string;
  /** The cluster the row calls from; for probers that are no cluster, empty. */
  readonly cluster: string;
  readonly label: string;
  readonly probe: boolean;
  /** Order within a cluster: its callers, a narrowed identity, the callers outside one. */
  readonly rank: number;
}

/** The row of whoever probes the gateways: a cluster's name, "an outsider", ... (probersOf). */
export function proberRow(prober: string): MatrixRow {
  const cluster = NO_CLUSTER_PROBERS.has(prober) ? "" : prober;
  return {
    key: `probe/${prober}`,
    cluster,
    label: `straight to a gateway, as ${cluster ? `cluster ${cluster}'s identity` : prober}`,
    probe: true,
    rank: cluster ? 0 : 1,
  };
}

const NO_CLUSTER_PROBERS = new Set(["an outsider", "a caller without a mesh identity"]);

export function rowOf(e: Expectation): MatrixRow {
  if (e.kind === "gateway probe") return proberRow(e.prober);
  const { cluster, namespace, serviceAccount } = e.caller;
  const key = `${cluster}/${namespace}/${serviceAccount}`;
  if (namespace === CALLER_NAMESPACE && serviceAccount === CALLER_SA) {
    return { key, cluster, label: key, probe: false, rank: 0 };
  }
  const otherNs = namespace === OTHER_CALLER;
  const otherSa = serviceAccount === OTHER_CALLER;
  if (otherNs || otherSa) {
    const what =
      otherNs && otherSa ? "namespace and service account" : otherNs ? "namespace" : "service account";
    return { key, cluster, label: `${cluster}, another ${what}`, probe: false, rank: 2 };
  }
  return { key, cluster, label: key, probe: false, rank: 1 };
}

// Two Sidecars without a workloadSelector in one namespace (CW4013): Istio uses one of them for the
// namespace's workloads and ignores the other, so either cw's scoping (sidecar.ts) or the user's is
// lost.

import { diag } from "../../diagnostics/catalog.js";
import { type ConflictAnalyzer, nameOf } from "./analyzer.js";

export const sidecarOverlap: ConflictAnalyzer = {
  name: "two Sidecars in one namespace",
  analyze: ({ ours, existing }) =>
    ours
      .filter((o) => o.kind === "Sidecar")
      .flatMap((sidecar) =>
        existing.objects
          .filter(
            (o) =>
              o.kind === "Sidecar" &&
              o.namespace === sidecar.metadata.namespace &&
              o.spec.workloadSelector === undefined,
          )
          .map((theirs) =>
            diag(
              "CW4013",
              `cw's ${nameOf(sidecar)} and the existing ${nameOf(theirs)} are both the Sidecar of every workload in namespace ${theirs.namespace}, and Istio uses only one of them; add cw's egress hosts to yours and turn defaults.sidecarScope off, or remove yours`,
              theirs.location,
            ),
          ),
      ),
};

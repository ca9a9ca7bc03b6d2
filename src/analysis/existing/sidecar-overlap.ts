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
              { ours: nameOf(sidecar), theirs: nameOf(theirs), namespace: theirs.namespace },
              theirs.location,
            ),
          ),
      ),
};

// One conflict analyzer: cw's objects for a cluster against what the cluster already has.

import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ExistingCluster, ExistingObject } from "../../existing/model.js";
import type { Resource } from "../../generate/resource.js";

export interface ConflictContext {
  readonly cluster: string;
  readonly ours: readonly Resource[];
  readonly existing: ExistingCluster;
}

export interface ConflictAnalyzer {
  readonly name: string;
  analyze(ctx: ConflictContext): Diagnostic[];
}

/** "Gateway istio-system/eastwest" for a message. */
export const nameOf = (o: Resource | ExistingObject): string =>
  "metadata" in o
    ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`
    : `${o.kind} ${o.namespace}/${o.name}`;

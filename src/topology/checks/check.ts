// What a semantic check over the topology is, and what it is given: the topology, its clusters by
// name, and for each service the facts several checks share (its backend clusters, the clusters that
// consume it, its subsets). Each check reports what it finds through ctx.report.

import type { Code } from "../../diagnostics/catalog.js";
import type { Reporter } from "../../diagnostics/reporter.js";
import type { Cluster, Service, Topology } from "../model.js";

export interface CheckContext {
  readonly topology: Topology;
  /** Each cluster by name; a name defined twice is its first definition. */
  readonly clusters: ReadonlyMap<string, Cluster>;
  /** The defined cluster names, in the order of the file. */
  readonly clusterNames: readonly string[];
  /** One per service, in the order of the file (a service defined twice is there twice). */
  readonly services: readonly ServiceFacts[];
  readonly report: Reporter["report"];
}

export interface ServiceFacts {
  readonly service: Service;
  /** The clusters that run a backend (defined or not), each once, in the order written. */
  readonly backendClusters: ReadonlySet<string>;
  /** The defined clusters whose callers use the service ("*" resolved), in the order written. */
  readonly consumers: ReadonlySet<string>;
  /** The subset names the service defines. */
  readonly subsets: ReadonlySet<string>;
}

export interface TopologyCheck {
  readonly name: string;
  /** The codes it may report, for the registry's test and readers. */
  readonly codes: readonly Code[];
  run(ctx: CheckContext): void;
}

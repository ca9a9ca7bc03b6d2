// A golden case's topology: its federation.yaml, or the original's two files (clusters.json and
// services.json) when it has no federation.yaml.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readLegacy } from "../../src/topology/legacy.js";
import { readFederation } from "../../src/topology/read.js";

export function topologyOf(dir: string) {
  const text = (n: string) => readFileSync(join(dir, n), "utf8");
  return existsSync(join(dir, "federation.yaml"))
    ? readFederation("federation.yaml", text("federation.yaml")).topology
    : readLegacy({
        clusters: { file: "clusters.json", text: text("clusters.json") },
        services: { file: "services.json", text: text("services.json") },
      }).topology;
}

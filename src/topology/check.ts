// Semantic checks over a topology whose pieces each passed the schema: names unique in their list,
// references that resolve, and exports that cw can actually wire. Checks that need derived names
// (host collisions, VIPs) live in the planner, which computes those names.

import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { suggestion } from "./issues.js";
import type { Cluster, Service, Topology } from "./model.js";
import { at } from "./source.js";

export function checkTopology(topology: Topology): Diagnostic[] {
  const out: Diagnostic[] = [];
  const clusters = new Map<string, Cluster>();
  for (const c of topology.clusters) {
    const first = clusters.get(c.name);
    if (first) {
      out.push(
        diag(
          "CW1009",
          `cluster "${c.name}" is defined twice (first at line ${at(first.origins.name).line}); rename or remove one`,
          at(c.origins.name),
        ),
      );
    } else clusters.set(c.name, c);
    const [major, minor] = c.istioVersion.split(".").map(Number);
    if (major === 1 && minor !== undefined && minor < 1) {
      out.push(
        diag(
          "CW1017",
          `Istio ${c.istioVersion} has no multicluster support cw can use; upgrade the cluster to Istio 1.1 or later`,
          at(c.origins.istioVersion ?? c.origin),
        ),
      );
    }
  }
  const clusterNames = [...clusters.keys()];

  const services = new Map<string, Service>();
  const needsIngress = new Map<Cluster, string[]>();
  for (const s of topology.services) {
    const first = services.get(s.name);
    if (first) {
      out.push(
        diag(
          "CW1009",
          `service "${s.name}" is defined twice (first at line ${at(first.origins.name).line}); rename or remove one`,
          at(s.origins.name),
        ),
      );
    } else services.set(s.name, s);
    out.push(...checkService(s, clusters, clusterNames, needsIngress));
  }
  // One diagnostic per cluster, however many services it exports.
  for (const [cluster, names] of needsIngress) {
    // An ingress in error is already reported: the address the user wrote may be right behind it.
    if (cluster.invalidFields?.has("ingress")) continue;
    const where =
      cluster.origins.ingress === cluster.origin
        ? at(cluster.origins.name)
        : at(cluster.origins.ingress, "key");
    out.push(
      diag(
        "CW1011",
        `cluster "${cluster.name}" runs ${names.map((n) => `"${n}"`).join(", ")} for other clusters but has no ingress address; set ingress.addresses to its ingress gateway's external IP or DNS name`,
        where,
      ),
    );
  }
  return out;
}

function checkService(
  s: Service,
  clusters: ReadonlyMap<string, Cluster>,
  clusterNames: string[],
  needsIngress: Map<Cluster, string[]>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const portNames = new Map<string, number>();
  const portNumbers = new Map<number, number>();
  s.ports.forEach((p, i) => {
    if (portNames.has(p.name)) {
      out.push(
        diag(
          "CW1009",
          `service "${s.name}" has two ports named "${p.name}"; give each port its own name`,
          at(p.origins.name),
        ),
      );
    } else portNames.set(p.name, i);
    if (portNumbers.has(p.port)) {
      out.push(
        diag(
          "CW1009",
          `service "${s.name}" lists port ${p.port} twice; give each port its own number`,
          at(p.origins.port),
        ),
      );
    } else portNumbers.set(p.port, i);
  });

  if (s.backends.length === 0 && !s.invalidFields?.has("backends")) {
    out.push(
      diag(
        "CW1018",
        `service "${s.name}" has no backends, so nothing is generated for it; add a backend or remove the service`,
        at(s.origins.name),
      ),
    );
  }
  const backendClusters = new Set<string>();
  for (const b of s.backends) {
    const where = at(b.origins.cluster, b.origins.clusterAt);
    if (backendClusters.has(b.cluster)) {
      out.push(
        diag(
          "CW1009",
          `service "${s.name}" lists cluster "${b.cluster}" as a backend twice; keep one`,
          where,
        ),
      );
      continue;
    }
    backendClusters.add(b.cluster);
    if (!clusters.has(b.cluster)) {
      out.push(
        diag(
          "CW1008",
          `service "${s.name}" has a backend in cluster "${b.cluster}", which is not defined${suggestion(b.cluster, clusterNames)}; add the cluster to the topology's clusters, or correct the name`,
          where,
        ),
      );
    }
  }

  const consumers = new Set<string>();
  const listed = new Set<string>();
  for (const c of s.consumers) {
    if (c.cluster === "*") {
      for (const name of clusterNames) consumers.add(name);
      continue;
    }
    if (listed.has(c.cluster)) {
      out.push(
        diag("CW1009", `service "${s.name}" lists consumer "${c.cluster}" twice; keep one`, at(c.origin)),
      );
      continue;
    }
    listed.add(c.cluster);
    if (!clusters.has(c.cluster)) {
      out.push(
        diag(
          "CW1012",
          `consumer "${c.cluster}" of service "${s.name}" is not a cluster${suggestion(c.cluster, clusterNames)}; list cluster names, or "*" for every cluster`,
          at(c.origin),
        ),
      );
      continue;
    }
    consumers.add(c.cluster);
    if (backendClusters.has(c.cluster)) {
      out.push(
        diag(
          "CW1020",
          `cluster "${c.cluster}" runs "${s.name}" itself, so callers there use the local backend; remove it from consumers`,
          at(c.origin),
        ),
      );
    }
  }

  // Remote consumers reach backends through each backend cluster's ingress gateway.
  if ([...consumers].some((c) => !backendClusters.has(c))) {
    for (const b of s.backends) {
      const cluster = clusters.get(b.cluster);
      if (cluster && cluster.ingress.addresses.length === 0)
        needsIngress.set(cluster, [...(needsIngress.get(cluster) ?? []), s.name]);
    }
  }
  return out;
}

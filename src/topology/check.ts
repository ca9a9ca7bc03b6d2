// Semantic checks over a topology whose pieces each passed the schema: names unique in their list,
// references that resolve, and exports that cw can actually wire. Checks that need derived names
// (host collisions, VIPs) live in the planner, which computes those names.

import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { suggestion } from "./issues.js";
import { checkKubernetesName } from "./kubernetes-name.js";
import type { Cluster, Service, Topology } from "./model.js";
import { DEFAULT_TRUST_DOMAIN } from "./schema.js";
import { at, child } from "./source.js";

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
  out.push(...checkSuffix(topology));

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

  // An alias is another name of the service; the same name twice would give two objects of one name.
  const names = new Set([s.name]);
  for (const a of s.aliases) {
    if (names.has(a.name)) {
      out.push(
        diag(
          "CW1009",
          a.name === s.name
            ? `alias "${a.name}" of service "${s.name}" is the service's own name; remove the alias`
            : `service "${s.name}" lists alias "${a.name}" twice; keep one`,
          at(a.origin),
        ),
      );
    }
    names.add(a.name);
  }

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
        diag(
          "CW1009",
          `service "${s.name}" lists consumer "${c.cluster}" twice; keep one`,
          at(c.origins.cluster),
        ),
      );
      continue;
    }
    listed.add(c.cluster);
    if (!clusters.has(c.cluster)) {
      out.push(
        diag(
          "CW1012",
          `consumer "${c.cluster}" of service "${s.name}" is not a cluster${suggestion(c.cluster, clusterNames)}; list cluster names, or "*" for every cluster`,
          at(c.origins.cluster),
        ),
      );
      continue;
    }
    consumers.add(c.cluster);
    // A backend cluster that consumes the service sends calls away only through a split.
    if (backendClusters.has(c.cluster) && s.split.length === 0) {
      out.push(
        diag(
          "CW1020",
          `cluster "${c.cluster}" runs "${s.name}" itself, so callers there use the local backend; remove it from consumers`,
          at(c.origin),
        ),
      );
    }
  }

  out.push(...checkRouting(s, clusters, backendClusters, consumers));
  out.push(...checkKubernetesName(s, clusters, backendClusters, consumers));

  // Remote consumers reach backends through each backend cluster's ingress gateway: a consumer that
  // runs no backend reaches every backend cluster, one that does reaches the clusters its split sends
  // calls to (a failover order only ranks the clusters a consumer reaches anyway).
  const reached = new Set<string>();
  for (const c of consumers) {
    if (!backendClusters.has(c)) for (const b of backendClusters) reached.add(b);
    else for (const share of s.split) if (share.cluster !== c) reached.add(share.cluster);
  }
  for (const name of [...reached].sort()) {
    const cluster = clusters.get(name);
    if (cluster && backendClusters.has(name) && cluster.ingress.addresses.length === 0)
      needsIngress.set(cluster, [...(needsIngress.get(cluster) ?? []), s.name]);
  }
  return out;
}

// The cluster's own DNS domain (cluster.local, Kubernetes' default) holds every Service name,
// <service>.<namespace>.svc.cluster.local: a suffix inside it would make global names and aliases
// (reviews.default + svc.cluster.local) the names of real Services, and cw's ServiceEntries would take
// their calls over in every cluster that imports them.
function checkSuffix(topology: Topology): Diagnostic[] {
  const suffix = topology.suffix.toLowerCase().replace(/\.$/, "");
  if (suffix !== CLUSTER_DOMAIN && !suffix.endsWith(`.${CLUSTER_DOMAIN}`)) return [];
  return [
    diag(
      "CW1040",
      `suffix "${topology.suffix}" is inside the cluster domain ${CLUSTER_DOMAIN}, where Kubernetes names its Services, so global names would take over real Service names; choose a suffix outside it, such as global`,
      at(topology.origins.suffix ?? topology.origins.root),
    ),
  ];
}

const CLUSTER_DOMAIN = "cluster.local";

/**
 * Passthrough through an egress gateway: the sidecar's mTLS goes on to the pods, so it must name
 * their identity (Istio otherwise expects the egress gateway's); and the egress gateway routes by
 * Istio's SNI, outbound_.<port>_.<subset>_.<host>, which names no cluster, so a split's remote shares
 * must all go to one cluster.
 */
function egressPassthrough(s: Service, name: string, caller: Cluster, applies: boolean): Diagnostic[] {
  if (!applies) return [];
  const out: Diagnostic[] = [];
  if (s.serviceAccount === undefined) {
    out.push(diag("CW1047", { cluster: name, service: s.name }, at(s.mode?.origin ?? s.origins.name)));
  }
  const remote = [...new Set(s.split.filter((sh) => sh.cluster !== name).map((sh) => sh.cluster))].sort();
  if (remote.length > 1) {
    out.push(
      diag(
        "CW1032",
        `the split of "${s.name}" sends "${name}"'s calls to ${remote.map((c) => `"${c}"`).join(" and ")}, but in passthrough mode through its egress gateway the only name the egress gateway can route by is Istio's SNI, outbound_.<port>_.<subset>_.<host>, which names no cluster; send the remote shares to one cluster, or call it in egress (terminated) mode from "${name}"`,
        at(s.origins.split ?? s.mode?.origin ?? caller.origins.mode ?? s.origin, "key"),
      ),
    );
  }
  return out;
}

const scopedEntry = (s: Service, cluster: string) =>
  s.consumers.find((c) => c.cluster === cluster && (c.namespaces || c.serviceAccounts));

// Subsets, splits, failover and modes: each names clusters and subsets that must exist, and each mode
// needs something of the clusters involved.
function checkRouting(
  s: Service,
  clusters: ReadonlyMap<string, Cluster>,
  backendClusters: ReadonlySet<string>,
  consumers: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const subsets = new Set<string>();
  for (const subset of s.subsets) {
    if (subsets.has(subset.name)) {
      out.push(
        diag(
          "CW1009",
          `service "${s.name}" defines subset "${subset.name}" twice; keep one`,
          at(child(subset.origin, "name")),
        ),
      );
    }
    subsets.add(subset.name);
    if (Object.keys(subset.labels).length === 0 && !s.invalidFields?.has("subsets")) {
      out.push(
        diag(
          "CW1025",
          `subset "${subset.name}" of service "${s.name}" has no labels, so it would select every pod; give it the labels of its pods, such as {version: ${subset.name}}`,
          at(child(subset.origin, "labels")),
        ),
      );
    }
  }
  const notBackend = (cluster: string, what: string) =>
    `${what} names cluster "${cluster}", which runs no backend of "${s.name}"${suggestion(cluster, [...backendClusters])}; name one of its backend clusters (${[...backendClusters].join(", ") || "none"})`;

  if (s.split.length > 0) {
    const total = s.split.reduce((n, share) => n + share.weight, 0);
    if (total !== 100 && !s.invalidFields?.has("split")) {
      out.push(
        diag(
          "CW1024",
          `the split of service "${s.name}" adds up to ${total}, not 100; change the weights so they add up to 100`,
          at(s.origins.split ?? s.origin, "key"),
        ),
      );
    }
    const seen = new Set<string>();
    for (const share of s.split) {
      const key = `${share.cluster}/${share.subset ?? ""}`;
      if (seen.has(key)) {
        out.push(
          diag(
            "CW1009",
            `the split of service "${s.name}" lists ${share.subset ? `subset "${share.subset}" of ` : ""}cluster "${share.cluster}" twice; merge the two shares`,
            at(share.origin),
          ),
        );
      }
      seen.add(key);
      if (!backendClusters.has(share.cluster))
        out.push(
          diag("CW1026", notBackend(share.cluster, "a split share"), at(child(share.origin, "cluster"))),
        );
      if (share.subset !== undefined && !subsets.has(share.subset) && !s.invalidFields?.has("subsets")) {
        out.push(
          diag(
            "CW1027",
            `the split of service "${s.name}" names subset "${share.subset}", which the service does not define${suggestion(share.subset, [...subsets])}; add it under subsets or correct the name`,
            at(child(share.origin, "subset")),
          ),
        );
      }
    }
    if (consumers.size === 0) {
      out.push(
        diag(
          "CW1018",
          `service "${s.name}" has a split but no consumers, so no caller uses it; list the clusters whose callers the split applies to under consumers`,
          at(s.origins.split ?? s.origin, "key"),
        ),
      );
    }
  }
  for (const c of s.consumers) {
    if (c.serviceAccounts && !c.namespaces) {
      out.push(
        diag(
          "CW1033",
          `consumer "${c.cluster}" of service "${s.name}" lists service accounts but no namespaces; add the namespaces they live in (an identity is namespace and service account)`,
          at(child(c.origin, "serviceAccounts"), "key"),
        ),
      );
    }
  }
  const failover = new Set<string>();
  for (const f of s.failover) {
    if (failover.has(f.cluster))
      out.push(
        diag(
          "CW1009",
          `the failover list of service "${s.name}" names cluster "${f.cluster}" twice; keep one`,
          at(f.origin),
        ),
      );
    failover.add(f.cluster);
    if (!backendClusters.has(f.cluster))
      out.push(diag("CW1026", notBackend(f.cluster, "the failover list"), at(f.origin)));
  }

  // Each consumer calls in its own mode, unless the service fixes one.
  for (const name of consumers) {
    const caller = clusters.get(name);
    if (!caller || (backendClusters.has(name) && s.split.length === 0)) continue;
    const mode = s.mode?.value ?? caller.mode;
    // Passthrough from a cluster in egress mode leaves through its egress gateway too (routes.ts).
    const viaEgress = mode === "egress" || (mode === "passthrough" && caller.mode === "egress");
    if (viaEgress && !caller.egress) {
      out.push(
        diag(
          "CW1028",
          `cluster "${name}" calls "${s.name}" through its egress gateway (${mode} mode, from a cluster in egress mode) but has no egress gateway; describe it under the cluster's egress field, or use another mode`,
          at(s.mode?.origin ?? caller.origins.mode ?? caller.origins.name),
        ),
      );
    }
    out.push(...egressPassthrough(s, name, caller, mode === "passthrough" && caller.mode === "egress"));
    if (caller.trustDomain === DEFAULT_TRUST_DOMAIN && (mode === "egress" || scopedEntry(s, name))) {
      out.push(
        diag(
          "CW1034",
          `cluster "${name}" keeps Istio's default trust domain cluster.local, which Istio rewrites in exact identities, so "${s.name}" admits all of "${name}"'s callers rather than the ${mode === "egress" ? "egress gateway" : "namespaces and service accounts listed"}; give "${name}" a trust domain of its own`,
          at(
            scopedEntry(s, name)?.origins.cluster ??
              s.mode?.origin ??
              caller.origins.mode ??
              caller.origins.name,
          ),
        ),
      );
    }
    const scoped = scopedEntry(s, name);
    const minor = Number(caller.istioVersion.split(".")[1] ?? "0");
    if (mode === "egress" && scoped && minor < 5) {
      out.push(
        diag(
          "CW1031",
          `cluster "${name}" calls "${s.name}" through its egress gateway, where the caller's namespace and service account are checked, but it runs Istio ${caller.istioVersion}, which has no DENY AuthorizationPolicy (1.5 and later), and the remote gateway sees only the egress gateway's identity; only the cluster is enforced`,
          at(scoped.origins.cluster),
        ),
      );
    }
  }
  const passthrough =
    s.mode?.value === "passthrough" || [...consumers].some((n) => clusters.get(n)?.mode === "passthrough");
  const hosts = new Set(s.backends.map((b) => b.host));
  if (passthrough && hosts.size > 1) {
    out.push(
      diag(
        "CW1029",
        `service "${s.name}" is called in passthrough mode, where the caller names the backend's Kubernetes host in its SNI, but its backends use different hosts (${[...hosts].sort().join(", ")}); give every backend the same host, or use gateway mode`,
        at(s.mode?.origin ?? s.origins.name),
      ),
    );
  }
  return out;
}

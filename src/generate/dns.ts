// What a cluster needs so that workloads can resolve global names: applications look a name up
// before they connect, and global names are in no Kubernetes DNS zone. These are settings the user
// applies to the mesh or the cluster's DNS, not routing objects, so they are written under dns/ and
// kept out of kustomization.yaml.
//   Istio 1.8 and later: the sidecar's DNS proxy answers from ServiceEntry addresses (our VIPs).
//   Older Istio: CoreDNS answers the suffix zone from a hosts table of the VIPs.
// Every cluster of the federation also gets a CoreDNS server block for the suffix zone (one that
// calls no global name too: its workloads may still look one up), so that a global name
// nothing answers (a namespace outside a ServiceEntry's exportTo, a pod without DNS capture, a
// misspelt name) is answered inside the cluster and never forwarded: CoreDNS's default Corefile
// sends every other zone to the node's resolvers, and .global is a public top-level domain, so the
// lookup would reach public DNS and the connection that follows would leave the cluster in plain
// text. Before 1.8 that block is the hosts table itself (the hosts plugin answers SERVFAIL for a
// name it lacks and forwards nothing, plugin/hosts/hosts.go); from 1.8 the DNS proxy answers the
// real names before CoreDNS sees them, and the block answers NXDOMAIN for the rest (the template
// plugin, which CoreDNS runs before hosts and forward, plugin.cfg).

import { byText } from "../compare.js";
import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";

export interface TextFile {
  readonly path: string;
  readonly content: string;
}

export function dnsFiles(plan: Plan, cluster: ClusterPlan): TextFile[] {
  const callsAny = cluster.local.length > 0 || cluster.routes.length > 0;
  if (!callsAny) return [guardBlock(plan, cluster, false)];
  switch (cluster.istio.dns) {
    case "istio-dns-proxy":
      return [guardBlock(plan, cluster, true), dnsProxySetting(cluster)];
    case "coredns":
      return [hostsBlock(plan, cluster)];
  }
}

/** The services whose names the cluster's workloads may look up: those it runs or calls, by name. */
const namedServices = (cluster: ClusterPlan): ServicePlan[] =>
  [...new Set([...cluster.local, ...cluster.routes.map((r) => r.service)])].sort(
    byText((s) => s.service.name),
  );

function dnsProxySetting(cluster: ClusterPlan): TextFile {
  return {
    path: "dns/istio-dns-proxy.yaml",
    content: [
      `# Cluster ${cluster.cluster.name} runs Istio ${cluster.cluster.istioVersion}: turn on the sidecar DNS proxy, which answers`,
      "# global names with the VIPs in cw's ServiceEntries. MERGE this into the IstioOperator the cluster",
      "# was installed with; installing it alone would reset the mesh to the default profile. Equivalents:",
      "#   istioctl install <your usual flags> --set meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE=true",
      '#   Helm (istiod chart): meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE: "true"',
      "# Restart workloads afterwards so their sidecars pick the setting up. Apply coredns-*.server too.",
      "apiVersion: install.istio.io/v1alpha1",
      "kind: IstioOperator",
      "metadata:",
      "  name: coddiwomple-dns",
      "  namespace: istio-system",
      "spec:",
      "  meshConfig:",
      "    defaultConfig:",
      "      proxyMetadata:",
      '        ISTIO_META_DNS_CAPTURE: "true"',
      "",
    ].join("\n"),
  };
}

const INSTALL = [
  `# Add this server block to the Corefile in ConfigMap kube-system/coredns`,
  "# (kubectl -n kube-system edit configmap coredns); CoreDNS reloads it by itself.",
];

/** Before Istio 1.8: CoreDNS answers the suffix zone from a hosts table of the VIPs. */
function hostsBlock(plan: Plan, cluster: ClusterPlan): TextFile {
  const suffix = plan.topology.suffix;
  const services = namedServices(cluster);
  const width = Math.max(...services.map((s) => s.vip.length));
  return {
    path: `dns/coredns-${suffix}.server`,
    content: [
      `# Cluster ${cluster.cluster.name} runs Istio ${cluster.cluster.istioVersion}, which has no DNS proxy: let CoreDNS answer`,
      `# the ${suffix} zone, and nothing in it go on to public DNS (a name not listed gets SERVFAIL).`,
      ...INSTALL,
      `${suffix}:53 {`,
      "    errors",
      "    cache 30",
      "    hosts {",
      ...services.map((s) => `        ${s.vip.padEnd(width)} ${s.hosts.join(" ")}`),
      "    }",
      "}",
      "",
    ].join("\n"),
  };
}

/** The block that answers NXDOMAIN for every suffix name the DNS proxy does not (or that nothing calls). */
function guardBlock(plan: Plan, cluster: ClusterPlan, callsAny: boolean): TextFile {
  const suffix = plan.topology.suffix;
  const name = cluster.cluster.name;
  return {
    path: `dns/coredns-${suffix}.server`,
    content: [
      callsAny
        ? `# Cluster ${name} runs Istio ${cluster.cluster.istioVersion}: the sidecars' DNS proxy answers the ${suffix} names a workload\n# may call (dns/istio-dns-proxy.yaml). This block keeps every other ${suffix} lookup inside the`
        : `# Cluster ${name} calls no ${suffix} name. This block keeps any lookup of one inside the`,
      "# cluster: without it CoreDNS forwards the zone to public DNS, and the connection that follows",
      "# would leave the cluster in plain text.",
      ...INSTALL,
      `${suffix}:53 {`,
      "    errors",
      "    cache 30",
      "    template ANY ANY {",
      "        rcode NXDOMAIN",
      `        authority "${suffix}. 60 IN SOA ns.${suffix}. hostmaster.${suffix}. (1 60 60 60 60)"`,
      "    }",
      "}",
      "",
    ].join("\n"),
  };
}

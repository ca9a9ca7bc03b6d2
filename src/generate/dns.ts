// What a cluster needs so that workloads can resolve global names: applications look a name up
// before they connect, and global names are in no Kubernetes DNS zone. These are settings the user
// applies to the mesh or the cluster's DNS, not routing objects, so they are written under dns/ and
// kept out of kustomization.yaml.
//   Istio 1.8 and later: the sidecar's DNS proxy answers from ServiceEntry addresses (our VIPs).
//   Older Istio: CoreDNS answers the suffix zone from a hosts table of the VIPs.

import type { ClusterPlan, Plan } from "../plan/plan.js";

export interface TextFile {
  readonly path: string;
  readonly content: string;
}

export function dnsFiles(plan: Plan, cluster: ClusterPlan): TextFile[] {
  const services = [...new Set([...cluster.local, ...cluster.routes.map((r) => r.service)])].sort((a, b) =>
    a.service.name < b.service.name ? -1 : a.service.name > b.service.name ? 1 : 0,
  );
  if (services.length === 0) return [];
  const name = cluster.cluster.name;
  switch (cluster.istio.dns) {
    case "istio-dns-proxy":
      return [
        {
          path: "dns/istio-dns-proxy.yaml",
          content: [
            `# Cluster ${name} runs Istio ${cluster.cluster.istioVersion}: turn on the sidecar DNS proxy, which answers`,
            "# global names with the VIPs in cw's ServiceEntries. MERGE this into the IstioOperator the cluster",
            "# was installed with; installing it alone would reset the mesh to the default profile. Equivalents:",
            "#   istioctl install <your usual flags> --set meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE=true",
            '#   Helm (istiod chart): meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE: "true"',
            "# Restart workloads afterwards so their sidecars pick the setting up.",
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
        },
      ];
    case "coredns": {
      const suffix = plan.topology.suffix;
      const width = Math.max(...services.map((s) => s.vip.length));
      return [
        {
          path: `dns/coredns-${suffix}.server`,
          content: [
            `# Cluster ${name} runs Istio ${cluster.cluster.istioVersion}, which has no DNS proxy: let CoreDNS answer`,
            `# the ${suffix} zone. Add this server block to the Corefile in ConfigMap kube-system/coredns`,
            "# (kubectl -n kube-system edit configmap coredns); CoreDNS reloads it by itself.",
            `${suffix}:53 {`,
            "    errors",
            "    cache 30",
            "    hosts {",
            ...services.map((s) => `        ${s.vip.padEnd(width)} ${s.hosts.join(" ")}`),
            "    }",
            "}",
            "",
          ].join("\n"),
        },
      ];
    }
  }
}

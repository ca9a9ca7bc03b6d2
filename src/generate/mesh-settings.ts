// The mesh settings a cluster needs for cross-cluster mTLS between trust domains, written out for the
// user to merge into the cluster's Istio installation (not applied by kustomize): its own trust
// domain, which cw's policies name, and the federation's other trust domains. A shared root of
// trust is what makes the certificates verify; trust domains are what policies tell callers apart by.
// Only written when the federation uses more than one trust domain.

import type { ClusterPlan, Plan } from "../plan/plan.js";
import type { TextFile } from "./dns.js";

export function meshSettingsFiles(plan: Plan, cluster: ClusterPlan): TextFile[] {
  const domains = new Set(plan.topology.clusters.map((c) => c.trustDomain));
  if (domains.size < 2) return [];
  const td = cluster.cluster.trustDomain;
  // Listed from the clusters, not from the services, so that a change to one service leaves this
  // file alone.
  const others = [...domains].filter((d) => d !== td).sort();
  const lines = [
    `# Cluster ${cluster.cluster.name}: the trust domain cw's policies expect. MERGE this into the IstioOperator`,
    "# the cluster was installed with (or set meshConfig.trustDomain in the istiod Helm values); installing",
    "# it alone would reset the mesh to the default profile. Changing a running mesh's trust domain",
    "# re-issues every workload certificate: plan it like a CA rotation.",
    "#",
    "# Every cluster's CA must chain to one shared root (Istio's plug-in CA certificates), or the",
    "# gateways refuse each other's certificates whatever the trust domains are.",
    "#",
    `# The federation's other trust domains: ${others.join(", ")}. cw's policies name them explicitly.`,
    "# Do not list them in meshConfig.trustDomainAliases: Istio would then treat them as this cluster's",
    "# own trust domain in every policy, and a policy naming this cluster's callers would admit theirs.",
  ];
  // Passthrough callers present their own certificates to this cluster's pods, whose sidecars accept
  // only their own trust domain unless told otherwise (istio/istio#43536): istiod's
  // PILOT_SKIP_VALIDATE_TRUST_DOMAIN lifts that check, and cw's pod policy (workload-authorization-
  // policy.ts) then admits exactly the consumers. Listed here only for clusters that need it.
  const foreign = [
    ...new Set(
      cluster.exports
        .flatMap((e) => e.passthrough?.routes.map((r) => r.caller.trustDomain) ?? [])
        .filter((d) => d !== td),
    ),
  ].sort();
  if (foreign.length > 0) {
    lines.push(
      "#",
      `# Callers from ${foreign.join(", ")} reach this cluster's pods directly (passthrough mode), and sidecars`,
      "# refuse certificates of another trust domain by default. The setting below lifts that check; cw's",
      "# AuthorizationPolicy on those pods then admits exactly the consumers. Alternatively (Istio 1.16.4",
      "# and later) list those trust domains with the shared root in meshConfig.caCertificates[].trustDomains.",
    );
  }
  lines.push(
    "apiVersion: install.istio.io/v1alpha1",
    "kind: IstioOperator",
    "metadata:",
    "  name: coddiwomple-trust-domain",
    "  namespace: istio-system",
    "spec:",
    "  meshConfig:",
    `    trustDomain: ${td}`,
    ...(foreign.length > 0
      ? ["  values:", "    pilot:", "      env:", '        PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true"']
      : []),
    "",
  );
  return [{ path: "mesh/trust-domain.yaml", content: lines.join("\n") }];
}

// The mesh settings a cluster needs for cross-cluster mTLS between trust domains, written out for the
// user to merge into the cluster's Istio installation (not applied by kustomize): its own trust
// domain, which cw's policies name, and the federation's other trust domains. A shared root of
// trust is what makes the certificates verify; trust domains are what policies tell callers apart by.
// Only written when the federation uses more than one trust domain.

import { foreignPassthroughDomains } from "../plan/exports.js";
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
  // only their own trust domain and its aliases (TrustDomainsForValidation in
  // pilot/pkg/networking/plugin/authn/util.go, istio/istio#43536). From 1.16.4 and 1.17.2 that list
  // also takes meshConfig.caCertificates[].trustDomains, where cw names exactly the consumers'
  // domains; before, only istiod's PILOT_SKIP_VALIDATE_TRUST_DOMAIN, which turns the check off for
  // every pod (the planner warns, CW1042). cw's pod policy (workload-authorization-policy.ts) then
  // admits exactly the consumers.
  const foreign = foreignPassthroughDomains(cluster.exports, td);
  const listed = foreign.length > 0 && cluster.istio.caCertificateTrustDomains;
  const skip = foreign.length > 0 && !listed;
  if (listed) {
    lines.push(
      "#",
      `# Callers from ${foreign.join(", ")} reach this cluster's pods directly (passthrough mode), and sidecars`,
      "# refuse certificates of another trust domain unless the mesh lists it: caCertificates below lists",
      "# exactly those domains (no pem needed: the certificates already chain to the shared root). If your",
      "# meshConfig has caCertificates already, add this entry to that list: a merge replaces lists.",
    );
  }
  if (skip) {
    lines.push(
      "#",
      `# Callers from ${foreign.join(", ")} reach this cluster's pods directly (passthrough mode), and sidecars`,
      `# refuse certificates of another trust domain. Istio ${cluster.cluster.istioVersion} cannot list trusted domains`,
      "# (meshConfig.caCertificates[].trustDomains needs 1.16.4 or 1.17.2 and later), so the setting below",
      "# turns the check off. WHAT THAT OPENS: every pod of this cluster then accepts mTLS from any",
      "# workload whose certificate chains to the shared root, whatever its trust domain; only",
      "# AuthorizationPolicies keep callers out. cw's policy on the called pods admits exactly the",
      "# consumers, but pods without such a policy are open to every cluster that can reach them, and an",
      "# AUTO_PASSTHROUGH server for *.local on this cluster's gateway lets any of them reach any pod.",
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
    ...(listed
      ? ["    caCertificates:", "      - trustDomains:", ...foreign.map((d) => `          - ${d}`)]
      : []),
    ...(skip
      ? ["  values:", "    pilot:", "      env:", '        PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true"']
      : []),
    "",
  );
  return [{ path: "mesh/trust-domain.yaml", content: lines.join("\n") }];
}

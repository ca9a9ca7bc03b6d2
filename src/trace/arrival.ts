// The last hop: the call reaches a Kubernetes Service's pods, whose sidecar applies the
// AuthorizationPolicies of that workload (authz.ts) before the application sees it. The pods' labels
// are the mesh facts' (default app: <service name>), since a folder of Istio objects has no pods.
// Mutual TLS that a gateway passed through ends at the pod's sidecar, which first checks the peer's
// trust domain (trust-domain.ts).

import { authzHop, evaluateAuthz } from "./authz.js";
import { failed } from "./context.js";
import type { DestinationRequest } from "./destination.js";
import { principalOf } from "./mesh.js";
import { type ClusterIndex, type MeshService, objectsOf } from "./registry.js";
import { peerTrustDomain } from "./trust-domain.js";
import type { Hop, Trace } from "./types.js";

export function authorize(
  index: ClusterIndex,
  svc: MeshService,
  port: number,
  principal: string | undefined,
  req: DestinationRequest,
  subsetLabels: Readonly<Record<string, string>> = {},
): Trace {
  const cluster = index.config.name;
  const proxy = { cluster, role: "sidecar" as const, namespace: svc.namespace };
  const mismatch = req.passthrough && identityMismatch(index, svc, req.passthrough.tls.subjectAltNames);
  if (mismatch) return failed([], { reason: "peer-identity-mismatch", cluster, message: mismatch });
  const peer = req.passthrough && principal !== undefined ? peerTrustDomain(index, principal) : undefined;
  if (peer && !peer.accepted) {
    return failed([], {
      reason: "trust-domain-refused",
      cluster,
      message: `the sidecar of ${svc.host} refuses the TLS handshake: ${peer.why}`,
    });
  }
  const verdict = evaluateAuthz(
    objectsOf(index, "AuthorizationPolicy"),
    {
      cluster,
      namespace: svc.namespace,
      // The service's own labels object when no subset adds any: the policies are sorted out per object.
      labels:
        Object.keys(subsetLabels).length === 0 && svc.labels
          ? svc.labels
          : { ...(svc.labels ?? {}), ...subsetLabels },
      trustDomain: index.trustDomain,
      rootNamespace: index.rootNamespace,
    },
    { principal, port, http: req.http && { ...req.http, method: "GET" } },
  );
  const hops: Hop[] = [];
  // Say nothing when no policy is involved at all: most workloads have none.
  if (verdict.by || verdict.verdict === "deny") {
    hops.push(authzHop(proxy, verdict, principal));
  }
  if (verdict.verdict === "deny") {
    return failed(hops, {
      reason: "denied-by-policy",
      cluster,
      message: `the sidecar of ${svc.host} refuses the call (RBAC: access denied): ${verdict.reason}`,
    });
  }
  const subset = req.subset !== undefined ? { subset: req.subset } : {};
  const trust = peer?.accepted && peer.by !== "own" ? { peerTrustDomain: peer } : {};
  hops.push({ kind: "arrive", cluster, service: svc.host, port, ...subset, ...trust });
  return { hops, end: { kind: "arrived", cluster, service: svc.host, port, ...subset } };
}

/**
 * Passed-through mutual TLS ends at the pods, so they are the server the caller checks against its
 * subjectAltNames (Envoy's match_subject_alt_names): a list without the pods' identity fails the
 * handshake. Unknown pods' identity (no service account in the facts) cannot be checked.
 */
function identityMismatch(
  index: ClusterIndex,
  svc: MeshService,
  subjectAltNames: readonly string[],
): string | undefined {
  if (subjectAltNames.length === 0 || svc.serviceAccount === undefined) return undefined;
  const identity = `spiffe://${principalOf(index.trustDomain, svc.namespace, svc.serviceAccount)}`;
  if (subjectAltNames.includes(identity)) return undefined;
  return `the pods of ${svc.host} present ${identity}, which is not among the caller's subjectAltNames ${subjectAltNames.join(", ")}: the TLS handshake fails (certificate verify failed)`;
}

// Which trust domains a sidecar accepts in a peer's certificate when it terminates mutual TLS, from
// Istio 1.7 on (pilot/pkg/networking/plugin/authn/util.go TrustDomainsForValidation, applied as SAN
// prefix matchers spiffe://<td>/ in pilot/pkg/security/model/authentication.go): the mesh's own trust
// domain, its trustDomainAliases, and (1.16.4 and later 1.16 patches, 1.17.2 and later) every
// meshConfig.caCertificates[].trustDomains. istiod's PILOT_SKIP_VALIDATE_TRUST_DOMAIN turns the check
// off for every proxy it configures. A peer of another trust domain is refused in the handshake even
// when its certificate chains to the shared root. (1.5 and 1.6 checked in the istio_authn filter,
// whose code is not in istio/istio; the tracer applies the 1.7 rule to them too.)

import { atLeast, type IstioVersion, releaseText } from "./istio-version.js";
import { settingText } from "./mesh-settings.js";
import type { ClusterIndex } from "./registry.js";

/** caCertificates trust domains take part in validation from these releases. */
export const caTrustDomainsValidated = (v: IstioVersion): boolean =>
  atLeast(v, 18) || (v.minor === 17 && v.patch >= 2) || (v.minor === 16 && v.patch >= 4);

/** Why the pods of this cluster refuse `principal`'s certificate; undefined when they accept it. */
export function refusedTrustDomain(index: ClusterIndex, principal: string): string | undefined {
  const mesh = index.config.mesh;
  if (mesh.skipValidateTrustDomain?.value) return undefined;
  const td = principal.split("/")[0] ?? "";
  const accepted = new Set([index.trustDomain, ...(mesh.trustDomainAliases?.value ?? [])]);
  const ca = mesh.caTrustDomains;
  if (ca && caTrustDomainsValidated(index.version)) for (const d of ca.value) accepted.add(d);
  if (accepted.has(td)) return undefined;
  const caNote =
    ca && ca.value.includes(td) && !caTrustDomainsValidated(index.version)
      ? `; ${settingText(ca)} lists it in caCertificates, which ${releaseText(index.version)} does not use for validation (1.16.4, 1.17.2 and later do)`
      : "";
  return `its certificate is from trust domain ${td}, and this cluster accepts only ${[...accepted].join(", ")} (no PILOT_SKIP_VALIDATE_TRUST_DOMAIN)${caNote}`;
}

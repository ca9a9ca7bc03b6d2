// Which trust domains a sidecar accepts in a peer's certificate when it terminates mutual TLS, from
// Istio 1.7 on (pilot/pkg/networking/plugin/authn/util.go TrustDomainsForValidation, applied as SAN
// prefix matchers spiffe://<td>/ in pilot/pkg/security/model/authentication.go): the mesh's own trust
// domain, its trustDomainAliases, and (1.16.4 and later 1.16 patches, 1.17.2 and later) every
// meshConfig.caCertificates[].trustDomains. istiod's PILOT_SKIP_VALIDATE_TRUST_DOMAIN turns the check
// off for every proxy it configures. A peer of another trust domain is refused in the handshake even
// when its certificate chains to the shared root. (1.5 and 1.6 checked in the istio_authn filter,
// whose code is not in istio/istio; the tracer applies the 1.7 rule to them too.)

import { atLeast, type IstioVersion, releaseText } from "./istio-version.js";
import { type SettingSource, settingText } from "./mesh-settings.js";
import type { ClusterIndex } from "./registry.js";

/** caCertificates trust domains take part in validation from these releases. */
export const caTrustDomainsValidated = (v: IstioVersion): boolean =>
  atLeast(v, 18) || (v.minor === 17 && v.patch >= 2) || (v.minor === 16 && v.patch >= 4);

export type TrustDomainVerdict =
  | {
      readonly accepted: true;
      readonly domain: string;
      readonly by: "own" | "alias" | "ca-certificates" | "skip-validation";
      /** The mesh setting that accepts it, when not the cluster's own domain. */
      readonly setting?: SettingSource;
    }
  | { readonly accepted: false; readonly domain: string; readonly why: string };

export function peerTrustDomain(index: ClusterIndex, principal: string): TrustDomainVerdict {
  const mesh = index.config.mesh;
  const domain = principal.split("/")[0] ?? "";
  if (domain === index.trustDomain) return { accepted: true, domain, by: "own" };
  const aliases = mesh.trustDomainAliases;
  if (aliases?.value.includes(domain)) return { accepted: true, domain, by: "alias", setting: aliases.from };
  const ca = mesh.caTrustDomains;
  const caApplies = ca !== undefined && caTrustDomainsValidated(index.version);
  if (ca && caApplies && ca.value.includes(domain)) {
    return { accepted: true, domain, by: "ca-certificates", setting: ca.from };
  }
  const skip = mesh.skipValidateTrustDomain;
  if (skip?.value) return { accepted: true, domain, by: "skip-validation", setting: skip.from };
  const accepted = [index.trustDomain, ...(aliases?.value ?? []), ...(caApplies ? (ca?.value ?? []) : [])];
  const caNote =
    ca?.value.includes(domain) && !caApplies
      ? `; ${settingText(ca)} lists it in caCertificates, which ${releaseText(index.version)} does not use for validation (1.16.4, 1.17.2 and later do)`
      : "";
  return {
    accepted: false,
    domain,
    why: `its certificate is from trust domain ${domain}, and this cluster accepts only ${[...new Set(accepted)].join(", ")} (no PILOT_SKIP_VALIDATE_TRUST_DOMAIN)${caNote}`,
  };
}

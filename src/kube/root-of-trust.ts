// A cluster's root of trust, as its workloads see it: the certificates in root-cert.pem of ConfigMap
// istio-ca-root-cert, which istiod writes into every namespace (pilot/pkg/serviceregistry/kube/
// controller/namespacecontroller.go, CACertNamespaceConfigMap). Two clusters' gateways accept each
// other's certificates only when their bundles share a root; with Istio's plug-in CA certificates
// every cluster's bundle holds the same one.

import { X509Certificate } from "node:crypto";

export const ROOT_CONFIGMAP = "istio-ca-root-cert";
export const ROOT_KEY = "root-cert.pem";

export interface RootCertificate {
  /** SHA-256 fingerprint, colon-separated hex, as openssl prints it. */
  readonly fingerprint: string;
  readonly subject: string;
}

/** The self-signed certificates of a PEM bundle (all of them when none is self-signed). */
export function rootsOf(pem: string): RootCertificate[] | string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return `${ROOT_KEY} holds no PEM certificate`;
  let certificates: X509Certificate[];
  try {
    certificates = blocks.map((b) => new X509Certificate(b));
  } catch (e) {
    return `${ROOT_KEY} holds a certificate that cannot be read (${(e as Error).message})`;
  }
  const selfSigned = certificates.filter((c) => c.subject === c.issuer && c.checkIssued(c));
  return (selfSigned.length > 0 ? selfSigned : certificates).map((c) => ({
    fingerprint: c.fingerprint256,
    subject: c.subject.replaceAll("\n", ", "),
  }));
}

/** Do two bundles share a root? */
export const shareRoot = (a: readonly RootCertificate[], b: readonly RootCertificate[]): boolean =>
  a.some((x) => b.some((y) => x.fingerprint === y.fingerprint));

export const describeRoots = (roots: readonly RootCertificate[]): string =>
  roots.map((r) => `${r.subject} (SHA-256 ${r.fingerprint.slice(0, 23)}...)`).join("; ");

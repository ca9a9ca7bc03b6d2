// Every name cw derives: global hosts, the SNI names callers send to a remote ingress gateway, and
// Kubernetes object names. Names are built so that two different services can never produce the same
// object name: a service name is a DNS label (no dots), and every object name is
// <service>-<suffix>[-<role>], with roles that cannot be confused with a service name's tail.

import type { Protocol } from "../topology/schema.js";

export const globalHost = (prefix: string, suffix: string): string => `${prefix}.${suffix}`;

/** The SNI a caller sends for a port that crosses the gateway as TCP (see plan.ts). */
export const portSni = (port: number, primaryHost: string): string => `p${port}.${primaryHost}`;

const HTTP_FAMILY: ReadonlySet<Protocol> = new Set(["HTTP", "HTTP2", "GRPC"]);
export const isHttpFamily = (p: Protocol): boolean => HTTP_FAMILY.has(p);
/** Protocols a sidecar routes by the TLS SNI the application itself sends. */
export const isTlsFamily = (p: Protocol): boolean => p === "HTTPS" || p === "TLS";

export const suffixSlug = (suffix: string): string => suffix.replaceAll(".", "-");

export const objectName = (service: string, suffix: string, ...role: (string | number)[]): string =>
  [service, suffixSlug(suffix), ...role].join("-");

/** A file name for an object: <kind>-<name>.yaml, lower case, stable. */
export const fileName = (kind: string, name: string): string => `${kind.toLowerCase()}-${name}.yaml`;

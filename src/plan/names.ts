// Every name cw derives: global hosts, the SNI names callers send to a remote ingress gateway, and
// Kubernetes object names. Names are built so that two different services can never produce the same
// object name: a service name is a DNS label (no dots), and every object name is
// <service>-<suffix>[-<role>], with roles that cannot be confused with a service name's tail.

import type { Protocol } from "../topology/schema.js";

export const globalHost = (prefix: string, suffix: string): string => `${prefix}.${suffix}`;

/**
 * The SNI a caller sends for a port that crosses a terminating gateway as TCP (see plan.ts); with a
 * subset, the subset is part of it, since after termination the SNI is all the gateway has to go by.
 */
export const portSni = (port: number, primaryHost: string, subset?: string): string =>
  subset === undefined ? `p${port}.${primaryHost}` : `p${port}.${subset}.${primaryHost}`;

/**
 * The SNI of a passthrough call: Istio's own name of the upstream cluster, which an AUTO_PASSTHROUGH
 * gateway server routes by: outbound_.<port>_.<subset>_.<host>, the subset empty for the whole service.
 * https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 */
export const passthroughSni = (targetPort: number, backendHost: string, subset = ""): string =>
  `outbound_.${targetPort}_.${subset}_.${backendHost}`;

/** The header that carries a split's subset to a terminating gateway on the HTTP port. */
export const SUBSET_HEADER = "x-coddiwomple-subset";

/**
 * The caller-side DestinationRule subset for a share of a split: the backend cluster, and the subset
 * there. "--" keeps it a DNS label while separating the two.
 */
export const shareSubsetName = (cluster: string, subset?: string): string =>
  subset === undefined ? cluster : `${cluster}--${subset}`;

const HTTP_FAMILY: ReadonlySet<Protocol> = new Set(["HTTP", "HTTP2", "GRPC"]);
export const isHttpFamily = (p: Protocol): boolean => HTTP_FAMILY.has(p);
/** Protocols a sidecar routes by the TLS SNI the application itself sends. */
export const isTlsFamily = (p: Protocol): boolean => p === "HTTPS" || p === "TLS";

export const suffixSlug = (suffix: string): string => suffix.replaceAll(".", "-");

export const objectName = (service: string, suffix: string, ...role: (string | number)[]): string =>
  [service, suffixSlug(suffix), ...role].join("-");

/** A file name for an object: <kind>-<name>.yaml, lower case, stable. */
export const fileName = (kind: string, name: string): string => `${kind.toLowerCase()}-${name}.yaml`;

/** The Gateway on a cluster's egress gateway for one service's calls out (egress mode). */
export const egressGatewayName = (service: string, suffix: string): string =>
  objectName(service, suffix, "egress");

// The Istio configuration each cluster already has, which cw did not write (`--existing <dir>`): its
// east-west Gateway, mesh-wide policies, Sidecars, DestinationRules for the same hosts, and the mesh
// config. cw adapts what it generates to it and reports what would conflict with it. The folder's
// format is shared by every command (generate, check, verify, trace, discover): see read.ts.

import type { Location } from "../diagnostics/diagnostic.js";

/** An object of networking.istio.io or security.istio.io, as the cluster has it. */
export interface ExistingObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** "default" when the object names none, as kubectl would apply it without a context namespace. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Its spec; a field of the wrong type reads as absent, as the API server would have refused it. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Where it is: its file, at the line of its metadata.name (else its first line). */
  readonly location: Location;
}

/** The parts of Istio's MeshConfig that change what cw must generate. */
export interface MeshConfig {
  /** meshConfig.rootNamespace; Istio's default is istio-system. */
  readonly rootNamespace: string;
  readonly trustDomain?: string;
  /** Every caCertificates[].trustDomains entry. */
  readonly caTrustDomains: readonly string[];
  /** The ConfigMap it was read from. */
  readonly location: Location;
}

export interface ExistingCluster {
  readonly name: string;
  readonly objects: readonly ExistingObject[];
  /** Absent when the folder has no istio (or istio-<revision>) ConfigMap: Istio's defaults apply. */
  readonly mesh?: MeshConfig;
}

/**
 * What is known per cluster. A cluster without an entry is unknown: cw assumes nothing is there, as
 * without --existing. An entry without objects means the cluster is known to have none.
 */
export interface ExistingConfig {
  readonly clusters: ReadonlyMap<string, ExistingCluster>;
}

export const NO_EXISTING: ExistingConfig = { clusters: new Map() };

/** Istio's default meshConfig.rootNamespace. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";

export const rootNamespaceOf = (cluster: ExistingCluster | undefined): string =>
  cluster?.mesh?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;

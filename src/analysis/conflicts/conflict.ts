// Conflicts between what cw generates for a cluster and the Istio config the cluster already has (the
// `--existing` folder, or what `cw check --live` reads from the cluster the same way). The analysis is
// one function, (generated, existingByCluster) => Diagnostic[], so that every caller (cw check --live,
// cw generate --existing) asks the same questions; each question is an analyzer of its own
// (registry.ts), which sees one cluster at a time and names both objects in what it reports.
//
// Existing objects are what the cluster has besides this federation's own (the folder's readers and
// discover --existing leave those out). Objects are plain Kubernetes data; nothing here reads files
// or talks to a cluster.

import type { Code } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";

/** A Kubernetes object as the analysis reads it; generated resources and live objects both fit. */
export interface ConfigObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
  readonly data?: unknown;
}

/** Generated objects and existing ones, each by cluster name. A cluster absent from existing is unknown. */
export type ConflictAnalysis = (
  generated: ReadonlyMap<string, readonly ConfigObject[]>,
  existingByCluster: ReadonlyMap<string, readonly ConfigObject[]>,
) => Diagnostic[];

export interface ConflictContext {
  readonly cluster: string;
  readonly generated: readonly ConfigObject[];
  readonly existing: readonly ConfigObject[];
  /** meshConfig.rootNamespace: policies and rules there apply to every namespace. */
  readonly rootNamespace: string;
}

export interface ConflictAnalyzer {
  readonly meta: { readonly name: string; readonly codes: readonly Code[] };
  analyze(context: ConflictContext): Diagnostic[];
}

/** How a message names an object: Gateway istio-system/cross-network-gateway. */
export const describeObject = (o: ConfigObject): string =>
  `${o.kind} ${o.metadata.namespace !== undefined ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

export const groupOf = (o: ConfigObject): string =>
  o.apiVersion.includes("/") ? (o.apiVersion.split("/")[0] ?? "") : "";

export const ofKind = (objects: readonly ConfigObject[], group: string, kind: string): ConfigObject[] =>
  objects.filter((o) => o.kind === kind && groupOf(o) === group);

/** A field of an object's spec, read without trusting its shape (existing objects are anyone's). */
export function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== "object" || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const stringMap = (value: unknown): Record<string, string> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === "string",
        ),
      )
    : {};

/** Every label of `selector` is on `labels` with the same value: pods with `labels` are selected. */
export const selectsAll = (
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

export const showLabels = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",") || "every pod";

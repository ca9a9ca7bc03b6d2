// Rendering objects to YAML bytes. Output must be byte-identical for the same input: keys are
// sorted (apiVersion, kind, metadata first; name and namespace first in metadata), lists keep the
// order generators gave them (route order matters to Istio), and the writer's options are pinned.
// Strings are written so that kubectl's YAML 1.1 reader sees strings too ("on", "yes", "true").

import { stringify } from "yaml";
import type { Resource } from "../generate/resource.js";

// Kubernetes readers expect these first; everything else is alphabetical.
const TOP_KEYS = ["apiVersion", "kind", "metadata"];
const METADATA_KEYS = ["name", "namespace", "labels", "annotations"];

const byRank = (first: readonly string[]) => (a: string, b: string) => {
  const ra = first.includes(a) ? first.indexOf(a) : first.length;
  const rb = first.includes(b) ? first.indexOf(b) : first.length;
  return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
};

/** A deep copy with keys in canonical order and undefined values dropped. */
export function canonical(value: unknown, first: readonly string[] = TOP_KEYS): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, []));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    keys.sort(byRank(first));
    return Object.fromEntries(
      keys.map((k) => [k, canonical(record[k], first === TOP_KEYS && k === "metadata" ? METADATA_KEYS : [])]),
    );
  }
  return value;
}

const OPTIONS = {
  version: "1.1",
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
  defaultStringType: "PLAIN",
  defaultKeyType: "PLAIN",
  doubleQuotedAsJSON: true,
  singleQuote: false,
} as const;

export function renderYaml(value: unknown): string {
  return stringify(canonical(value), OPTIONS);
}

export function renderResource(resource: Resource, header: string): string {
  return `${header}${renderYaml(resource)}`;
}

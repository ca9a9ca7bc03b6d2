// Names and labels of the objects that deliver cw's folders. Flux puts a Kustomization's name in a
// label value (kustomize.toolkit.fluxcd.io/name) and Argo CD an Application's in its tracking label,
// both at most 63 characters, so a longer name is cut and given a hash of the whole, keeping it
// unique and the same on every run.

import { createHash } from "node:crypto";
import { LABEL_CLUSTER, LABEL_FEDERATION, MANAGED_BY } from "../generate/resource.js";

const MAX = 63;

export function boundedName(...parts: string[]): string {
  const name = parts.join("-");
  if (name.length <= MAX) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  return `${name.slice(0, MAX - 7).replace(/-+$/, "")}-${hash}`;
}

/** The labels of every delivery object: cw's, this federation's, and the cluster it delivers to. */
export const deliveryLabels = (federation: string, cluster?: string): Record<string, string> => ({
  "app.kubernetes.io/managed-by": MANAGED_BY,
  [LABEL_FEDERATION]: federation,
  ...(cluster !== undefined && { [LABEL_CLUSTER]: cluster }),
});

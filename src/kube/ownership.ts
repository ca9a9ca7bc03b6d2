// Which live objects are cw's to change. The rule, everywhere: an object is ours only when it carries
// app.kubernetes.io/managed-by: coddiwomple and coddiwomple.io/federation: <this federation>. Apply
// never writes over an existing object that is not ours, and prune deletes only objects that are ours
// and no longer generated. The server's label selector narrows the lists, but every decision is made
// again here, on the labels of the object in hand, so a selector the server ignored cannot widen it.

import { LABEL_FEDERATION, MANAGED_BY } from "../generate/resource.js";
import type { KubeObject } from "./client.js";

const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

/** The label selector of every object cw created for `federation`. */
export const ownedSelector = (federation: string): string =>
  `${MANAGED_BY_LABEL}=${MANAGED_BY},${LABEL_FEDERATION}=${federation}`;

export function isOurs(object: KubeObject, federation: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY && labels[LABEL_FEDERATION] === federation;
}

/** Why an existing object is not ours, for the message that says cw left it alone. */
export function whyNotOurs(object: KubeObject): string {
  const labels = object.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY) {
    const by = labels[MANAGED_BY_LABEL];
    return by === undefined ? "it has no managed-by label" : `it is managed by "${by}"`;
  }
  const other = labels[LABEL_FEDERATION];
  return other === undefined ? "it names no federation" : `it belongs to federation "${other}"`;
}

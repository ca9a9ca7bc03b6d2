// Names cw makes up when the user gave none: a cluster's from its kubeconfig context, a federation's
// from its file. Both are valid DNS labels, as the topology requires.

import { basename, extname } from "node:path";

/** A cluster name from a context name such as gke_project_zone_prod: gke-project-zone-prod. */
export function clusterName(context: string): string {
  const name = context
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 63)
    .replace(/-$/, "");
  return name === "" ? "cluster" : name;
}

/** A federation name from its file: shop.yaml -> shop. */
export function federationName(file: string): string {
  const stem = clusterName(basename(file, extname(file)));
  return stem === "cluster" ? "federation" : stem;
}

// The `--existing` folder's layout (the shared contract): <dir>/<cluster>/<namespace>/<kind>-<name>.yaml,
// one object per file, keys in cw's canonical order, so the same cluster gives the same bytes.

import { byText } from "../compare.js";
import type { KubeObject } from "../kube/client.js";
import { fileName } from "../plan/names.js";
import { renderYaml } from "./render.js";

export interface ExistingFile {
  /** Relative to the --existing folder, with "/" separators: <cluster>/<namespace>/<file>. */
  readonly path: string;
  readonly content: string;
}

/** The folder of cluster-scoped objects; a namespace is a DNS label, so it cannot be one. */
const CLUSTER_SCOPED = "_cluster";

export function existingFiles(cluster: string, objects: readonly KubeObject[]): ExistingFile[] {
  const header = `# Read from cluster "${cluster}" by cw discover --existing. cw rewrites this file each time; once you edit it, cw keeps it.\n`;
  return objects
    .map((o) => ({
      path: `${cluster}/${o.metadata.namespace ?? CLUSTER_SCOPED}/${fileName(o.kind, o.metadata.name)}`,
      content: `${header}${renderYaml(o)}`,
    }))
    .sort(byText((x) => x.path));
}

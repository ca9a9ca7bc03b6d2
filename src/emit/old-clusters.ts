// Last run's output folder seen by cluster: which files and objects each cluster had, from the
// manifest. Built once, when first asked, from the manifest's list of files, which at a million
// objects is the only place that says which files a cluster had.

import { type Layout, objectIdsOf } from "./layout.js";
import type { ManifestCluster } from "./manifest.js";

export class OldClusters {
  private byCluster?: Map<string, string[]>;

  constructor(
    private readonly oldFiles: ReadonlyMap<string, string>,
    private readonly layout: Layout,
    private readonly entries: ReadonlyMap<string, ManifestCluster>,
  ) {}

  /** The cluster's files last time, relative to its folder. */
  files(cluster: string): readonly string[] {
    if (!this.byCluster) {
      this.byCluster = new Map();
      for (const path of this.oldFiles.keys()) {
        const slash = path.indexOf("/");
        const name = path.slice(0, slash);
        const list = this.byCluster.get(name);
        if (list) list.push(path.slice(slash + 1));
        else this.byCluster.set(name, [path.slice(slash + 1)]);
      }
    }
    return this.byCluster.get(cluster) ?? [];
  }

  /** The manifest's entry for the cluster. */
  entry(cluster: string): ManifestCluster | undefined {
    return this.entries.get(cluster);
  }

  /** The objects the cluster's files held last time, by id. */
  objectIds(cluster: string): string[] {
    const listed = this.entries.get(cluster)?.objects;
    return objectIdsOf(this.layout, this.files(cluster), listed ? listed.split("\n") : []);
  }
}

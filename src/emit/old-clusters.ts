// Last run's output folder seen by cluster: which files and objects each cluster had. The files come
// from the manifest's list of files (built once, when first asked), which at a million objects is the
// only place that says which files a cluster had. The objects: in the object layout the file names
// say them; in the others, the old files themselves (object-ids.ts), as the writer reads them before
// replacing or removing them (older manifests listed each cluster's objects, and those are taken).

import { holdsObjects, type Layout, objectIdsOf } from "./layout.js";
import type { ManifestCluster } from "./manifest.js";
import { objectIdsInFile } from "./object-ids.js";

export class OldClusters {
  private byCluster?: Map<string, string[]>;
  /** The objects of the old files read (read), by cluster. */
  private readonly idsRead = new Map<string, string[]>();

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

  /**
   * Last run's file at `path` (under the output folder), as read from disk before it is replaced or
   * removed; `asWritten`: its bytes are the ones cw wrote. Its objects count among the cluster's old
   * ones.
   */
  read(path: string, bytes: Uint8Array, asWritten: boolean): void {
    const slash = path.indexOf("/");
    const cluster = path.slice(0, slash);
    const file = path.slice(slash + 1);
    if (this.layout === "object" || this.entries.get(cluster)?.objects !== undefined) return;
    if (!holdsObjects(file)) return;
    const ids = objectIdsInFile(bytes, asWritten);
    const list = this.idsRead.get(cluster);
    if (list) list.push(...ids);
    else this.idsRead.set(cluster, ids);
  }

  /**
   * The objects the cluster's files held last time, by id, as far as a later run can have changed
   * them: in the multi-document layouts, those of the files read (every file about to be replaced or
   * removed is; the others hold what they held).
   */
  objectIds(cluster: string): string[] {
    const listed = this.entries.get(cluster)?.objects;
    if (listed !== undefined || this.layout === "object") {
      return objectIdsOf(this.layout, this.files(cluster), listed ? listed.split("\n") : []);
    }
    return this.idsRead.get(cluster) ?? [];
  }
}

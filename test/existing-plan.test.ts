// The --existing folder's rules, decided without a disk (src/emit/existing-plan.ts): a table of what is
// on disk and in the manifest, and what the plan must do with it.

import { describe, expect, it } from "vitest";
import type { ClusterOnDisk, ClusterSnapshot } from "../src/emit/existing-plan.js";
import { planExisting } from "../src/emit/existing-plan.js";

const hash = (content: string) => `h(${content})`;
const file = (path: string, content: string) => ({ path, content });
const snap = (cluster: string, ...files: { path: string; content: string }[]): ClusterSnapshot => ({
  cluster,
  files,
});
const onDisk = (cluster: string, ...files: { path: string; hash?: string }[]): ClusterOnDisk => ({
  cluster,
  folder: "folder",
  files,
});

interface Case {
  readonly name: string;
  readonly snapshots: ClusterSnapshot[];
  readonly disk: ClusterOnDisk[];
  readonly manifest: [string, string[]][];
  readonly force?: boolean;
  readonly writes?: string[];
  readonly deletes?: string[];
  readonly refused?: [code: string, path: string][];
  readonly kept?: number;
  readonly folders?: string[];
}

const cases: Case[] = [
  {
    name: "a new folder: every file written, the cluster folder made",
    snapshots: [snap("a", file("a/istio-system/gateway-x.yaml", "x"))],
    disk: [],
    manifest: [],
    writes: ["a/istio-system/gateway-x.yaml"],
    folders: ["a"],
  },
  {
    name: "a cluster with no objects still gets its folder: known to have none",
    snapshots: [snap("empty")],
    disk: [],
    manifest: [],
    writes: [],
    folders: ["empty"],
  },
  {
    name: "cw's own file with new content is rewritten; unchanged content is not",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x2"), file("a/ns/gateway-y.yaml", "y"))],
    disk: [
      onDisk(
        "a",
        { path: "a/ns/gateway-x.yaml", hash: "h(x1)" },
        { path: "a/ns/gateway-y.yaml", hash: "h(y)" },
      ),
    ],
    manifest: [
      ["a/ns/gateway-x.yaml", ["h(x1)"]],
      ["a/ns/gateway-y.yaml", ["h(y)"]],
    ],
    writes: ["a/ns/gateway-x.yaml"],
  },
  {
    name: "a file cw did not write is never overwritten without --force",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x"))],
    disk: [onDisk("a", { path: "a/ns/gateway-x.yaml", hash: "h(mine)" })],
    manifest: [],
    refused: [["CW3002", "a/ns/gateway-x.yaml"]],
  },
  {
    name: "with --force it is",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x"))],
    disk: [onDisk("a", { path: "a/ns/gateway-x.yaml", hash: "h(mine)" })],
    manifest: [],
    force: true,
    writes: ["a/ns/gateway-x.yaml"],
  },
  {
    name: "a file of the user's that already holds the new bytes is taken over, nothing written",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x"))],
    disk: [onDisk("a", { path: "a/ns/gateway-x.yaml", hash: "h(x)" })],
    manifest: [],
    writes: [],
  },
  {
    name: "cw's file edited since is refused (CW3003)",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x2"))],
    disk: [onDisk("a", { path: "a/ns/gateway-x.yaml", hash: "h(edited)" })],
    manifest: [["a/ns/gateway-x.yaml", ["h(x1)"]]],
    refused: [["CW3003", "a/ns/gateway-x.yaml"]],
  },
  {
    name: "a symbolic link where a file goes is refused, and with --force the link itself is replaced",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x"))],
    disk: [onDisk("a", { path: "a/ns/gateway-x.yaml" })],
    manifest: [["a/ns/gateway-x.yaml", ["h(x)"]]],
    refused: [["CW3002", "a/ns/gateway-x.yaml"]],
  },
  {
    name: "a cluster folder that is a symbolic link is refused even with --force",
    snapshots: [snap("a", file("a/ns/gateway-x.yaml", "x"))],
    disk: [{ cluster: "a", folder: "symlink", files: [] }],
    manifest: [],
    force: true,
    refused: [["CW3002", "a"]],
  },
  {
    name: "cw's files of objects gone from the cluster are deleted; edited ones kept; the user's left alone",
    snapshots: [snap("a")],
    disk: [
      onDisk(
        "a",
        { path: "a/ns/gateway-gone.yaml", hash: "h(g)" },
        { path: "a/ns/gateway-edited.yaml", hash: "h(e2)" },
        { path: "a/ns/notes.yaml", hash: "h(n)" },
      ),
    ],
    manifest: [
      ["a/ns/gateway-gone.yaml", ["h(g)"]],
      ["a/ns/gateway-edited.yaml", ["h(e1)"]],
    ],
    writes: [],
    deletes: ["a/ns/gateway-gone.yaml"],
    kept: 1,
  },
  {
    name: "one refusal in any cluster: the plan says so, and the caller writes nothing",
    snapshots: [snap("a", file("a/ns/x.yaml", "x")), snap("b", file("b/ns/y.yaml", "y"))],
    disk: [onDisk("b", { path: "b/ns/y.yaml", hash: "h(theirs)" })],
    manifest: [],
    writes: ["a/ns/x.yaml"],
    refused: [["CW3002", "b/ns/y.yaml"]],
  },
];

describe("planExisting", () => {
  for (const c of cases) {
    it(c.name, () => {
      const plan = planExisting("existing", c.snapshots, c.disk, new Map(c.manifest), hash, c.force === true);
      expect(plan.refusals.map((d) => [d.code, /existing\/(\S+?)[: ]/.exec(d.message)?.[1]])).toEqual(
        c.refused ?? [],
      );
      if (c.writes) expect(plan.writes.map((w) => w.path)).toEqual(c.writes);
      expect(plan.deletes).toEqual(c.deletes ?? []);
      expect(plan.kept).toHaveLength(c.kept ?? 0);
      if (c.folders) expect(plan.folders).toEqual(c.folders);
    });
  }

  it("the next manifest holds what was written and drops what was deleted or left to the user", () => {
    const plan = planExisting(
      "existing",
      [snap("a", file("a/ns/x.yaml", "x"))],
      [onDisk("a", { path: "a/ns/old.yaml", hash: "h(o)" }, { path: "a/ns/edited.yaml", hash: "h(2)" })],
      new Map([
        ["a/ns/old.yaml", ["h(o)"]],
        ["a/ns/edited.yaml", ["h(1)"]],
        ["b/ns/y.yaml", ["h(y)"]],
      ]),
      hash,
      false,
    );
    expect([...plan.manifest].sort()).toEqual([
      ["a/ns/x.yaml", ["h(x)"]],
      // Cluster b was not read: its entries stay.
      ["b/ns/y.yaml", ["h(y)"]],
    ]);
  });
});

// The three output layouts (--layout object|service|cluster) hold the same objects, as the same bytes,
// in one order; each kustomization.yaml lists exactly the files that hold objects, and kustomize
// builds the same objects from every layout; a change to one service changes only that service's
// documents, in every layout.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { compile } from "../src/compile.js";
import { CLUSTER_FILE, type ClusterOutput, LAYOUTS, type Layout, SHARED_FILE } from "../src/emit/layout.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { readFederation } from "../src/topology/read.js";

const GOLDEN = join(import.meta.dirname, "golden");
const CASES = ["split-bookinfo", "patterns", "sidecar-scope", "mode-egress", "old-istio", "trust-domains"];

function outputs(text: string, layout: Layout): readonly ClusterOutput[] {
  const read = readFederation("federation.yaml", text);
  if (!read.topology) throw new Error("unreadable test input");
  const result = compile(read.topology, EMPTY_LOCK, { layout });
  expect(result.diagnostics.filter((d) => d.level === "error")).toEqual([]);
  return result.clusters;
}

const HEADER = /^(#.*\n)+/;

/** Each cluster's object documents, in file order, each as its text. */
function documents(clusters: readonly ClusterOutput[]): Map<string, string[]> {
  return new Map(
    clusters.map((c) => [
      c.cluster,
      c.files
        .filter((f) => f.objects !== undefined)
        .flatMap((f) => f.content.replace(HEADER, "").split(/^---\n/m)),
    ]),
  );
}

const idOf = (doc: string) => {
  const o = parse(doc) as { kind: string; metadata: { name: string } };
  return `${o.kind.toLowerCase()}-${o.metadata.name}`;
};

describe("layouts", () => {
  it.each(CASES)("%s: every layout holds the same documents in the same order", (name) => {
    const text = readFileSync(join(GOLDEN, name, "federation.yaml"), "utf8");
    const byObject = documents(outputs(text, "object"));
    for (const layout of ["service", "cluster"] as const) {
      const docs = documents(outputs(text, layout));
      if (layout === "service") {
        // Grouped by service: the same documents, each group in the object layout's order.
        for (const [cluster, list] of byObject)
          expect([...(docs.get(cluster) ?? [])].sort()).toEqual([...list].sort());
      } else expect(docs).toEqual(byObject);
    }
  });

  it.each(CASES)("%s: kustomization.yaml lists exactly the files that hold objects", (name) => {
    const text = readFileSync(join(GOLDEN, name, "federation.yaml"), "utf8");
    for (const layout of LAYOUTS) {
      for (const c of outputs(text, layout)) {
        const kustomization = c.files.find((f) => f.path === "kustomization.yaml")?.content ?? "";
        const listed = (parse(kustomization) as { resources: string[] }).resources;
        expect(listed).toEqual(c.files.filter((f) => f.objects !== undefined).map((f) => f.path));
        // Each listed file's objects are what it says it holds, by id.
        for (const f of c.files.filter((f) => f.objects !== undefined)) {
          const docs = f.content.replace(HEADER, "").split(/^---\n/m);
          expect(docs.map(idOf)).toEqual(f.objects);
        }
      }
    }
  });

  it("names files by layout: one per object, per service (shared objects apart), or one", () => {
    const text = readFileSync(join(GOLDEN, "sidecar-scope", "federation.yaml"), "utf8");
    const paths = (layout: Layout) =>
      outputs(text, layout).flatMap((c) =>
        c.files.filter((f) => f.objects).map((f) => `${c.cluster}/${f.path}`),
      );
    expect(paths("cluster").every((p) => p.endsWith(`/${CLUSTER_FILE}`))).toBe(true);
    const byService = paths("service");
    expect(byService.some((p) => p.endsWith(`/${SHARED_FILE}`))).toBe(true);
    expect(byService.every((p) => /\/(service-[a-z0-9-]+|shared)\.yaml$/.test(p))).toBe(true);
    expect(paths("object").length).toBeGreaterThan(byService.length);
  });

  it("a change to one service changes only its documents, in every layout", () => {
    const text = readFileSync(join(GOLDEN, "split-bookinfo", "federation.yaml"), "utf8");
    const doc = parseDocument(text);
    const data = doc.toJS() as { spec: { services: { name: string; ports: unknown[] }[] } };
    data.spec.services
      .find((s) => s.name === "reviews")
      ?.ports.push({ name: "grpc", protocol: "GRPC", port: 9090 });
    doc.setIn(["spec", "services"], doc.createNode(data.spec.services));
    const after = doc.toString();
    for (const layout of LAYOUTS) {
      const [a, b] = [documents(outputs(text, layout)), documents(outputs(after, layout))];
      const changedDocs: string[] = [];
      for (const [cluster, list] of b) {
        const old = new Set(a.get(cluster));
        for (const d of list) if (!old.has(d)) changedDocs.push(d);
      }
      expect(changedDocs.length, layout).toBeGreaterThan(0);
      for (const d of changedDocs) expect(d, layout).toContain("coddiwomple.io/service: reviews\n");
    }
  });
});

// kustomize, as `kubectl kustomize` runs it: where kubectl is installed (CI has it), each layout's
// folder builds to the same objects.
const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

describe.skipIf(!kubectl)("kustomize", () => {
  it("builds the same objects from every layout's folder", () => {
    const text = readFileSync(join(GOLDEN, "patterns", "federation.yaml"), "utf8");
    const built = LAYOUTS.map((layout) => {
      const root = mkdtempSync(join(tmpdir(), `cw-layout-${layout}-`));
      return outputs(text, layout).map((c) => {
        for (const f of c.files) {
          mkdirSync(dirname(join(root, c.cluster, f.path)), { recursive: true });
          writeFileSync(join(root, c.cluster, f.path), f.content);
        }
        const run = spawnSync("kubectl", ["kustomize", join(root, c.cluster)], { encoding: "utf8" });
        expect(run.stderr).toBe("");
        return run.stdout;
      });
    });
    expect(built[0]?.length).toBeGreaterThan(0);
    expect(built[1]).toEqual(built[0]);
    expect(built[2]).toEqual(built[0]);
  });
});

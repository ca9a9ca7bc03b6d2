// Checks that the GitOps objects cw wrote deliver exactly the folders it wrote: every path in
// <out>/_gitops (an ApplicationSet element's path, a Flux Kustomization's spec.path), read from the
// repository root, is a cluster folder whose kustomization.yaml cw's manifest lists, and every
// cluster folder is delivered once. Used by test/gitops.test.ts and scripts/gitops-sample.ts (CI).

import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { parseAllDocuments } from "yaml";
import { MANIFEST } from "../../src/emit/write.js";
import { GITOPS_FOLDER } from "../../src/gitops/layout.js";

export function deliveredPaths(repoRoot: string, out: string): { paths: string[]; missing: string[] } {
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files: Record<string, string> };
  const prefix = relative(resolve(repoRoot), resolve(out)).split(sep).join("/");
  const written = new Set(
    Object.keys(manifest.files)
      .filter((p) => p.endsWith("/kustomization.yaml") && !p.startsWith(`${GITOPS_FOLDER}/`))
      .map((p) => (prefix === "" ? "" : `${prefix}/`) + p.slice(0, -"/kustomization.yaml".length)),
  );
  const paths: string[] = [];
  const gitops = join(out, GITOPS_FOLDER);
  for (const entry of readdirSync(gitops, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === "kustomization.yaml") continue;
    for (const doc of parseAllDocuments(readFileSync(join(entry.parentPath, entry.name), "utf8"))) {
      const o = doc.toJS() as { kind: string; spec: Record<string, unknown> };
      if (o.kind === "ApplicationSet") {
        const generators = o.spec.generators as { list: { elements: { path: string }[] } }[];
        paths.push(...generators.flatMap((g) => g.list.elements.map((e) => e.path)));
      } else if (o.kind === "Kustomization") paths.push(String(o.spec.path).replace(/^\.\//, ""));
    }
  }
  const missing = [
    ...paths.filter((p) => !written.has(p)).map((p) => `${p} is not a folder cw wrote`),
    ...[...written].filter((w) => !paths.includes(w)).map((w) => `${w} is delivered by nothing`),
    ...paths.filter((p, i) => paths.indexOf(p) !== i).map((p) => `${p} is delivered twice`),
  ];
  return { paths, missing };
}

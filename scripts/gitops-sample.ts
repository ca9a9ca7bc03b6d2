// Writes the bundled example and a synthetic 100-cluster federation with `cw generate --gitops`, for
// Argo CD and for Flux in both modes, into <dir>/<case>-<engine>/, and checks that every delivery
// object points at a folder cw wrote (each Application's path, each Kustomization's path). CI then runs
// the CRD validator over every <dir>/*/_gitops with the GitOps engines' CRDs.
// Usage: npx tsx scripts/gitops-sample.ts <dir>. Exit 1 when a path names no folder cw wrote.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { synthesize } from "../bench/synthetic.js";
import { runAsync } from "../src/cli/main.js";
import { deliveredPaths } from "../test/support/delivered-paths.js";

const [dir] = process.argv.slice(2);
if (!dir) {
  process.stderr.write("usage: npx tsx scripts/gitops-sample.ts <dir>\n");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const synthetic = join(dir, "fleet-100.yaml");
writeFileSync(synthetic, synthesize({ clusters: 100, services: 400, fanout: 10, maxFanout: 50 }).text);

const cases = [
  ["example", "examples/split-bookinfo/federation.yaml"],
  ["fleet-100", synthetic],
] as const;
const engines = [
  [
    "argocd",
    ["--gitops", "argocd", "--repo", "https://git.example.com/platform/mesh.git", "--revision", "main"],
  ],
  ["flux", ["--gitops", "flux", "--flux-mode", "kubeconfig"]],
  ["flux-in-cluster", ["--gitops", "flux", "--flux-mode", "in-cluster"]],
] as const;

let problems = 0;
for (const [name, topology] of cases) {
  for (const [engine, flags] of engines) {
    const out = join(dir, `${name}-${engine}`);
    let err = "";
    const code = await runAsync(
      [
        "generate",
        topology,
        "-o",
        out,
        "--lock",
        join(dir, `${name}.lock.yaml`),
        "--path-prefix",
        `${name}-${engine}`,
        ...flags,
      ],
      { out: () => {}, err: (t) => (err += t) },
    );
    if (code !== 0) {
      process.stderr.write(`${name} ${engine}: cw generate exited ${code}\n${err}`);
      problems++;
      continue;
    }
    const { paths, missing } = deliveredPaths(dir, out);
    for (const m of missing) process.stderr.write(`${name} ${engine}: ${m}\n`);
    problems += missing.length;
    process.stdout.write(`${name} ${engine}: ${paths.length} delivery paths, each a folder cw wrote\n`);
  }
}
process.exitCode = problems > 0 ? 1 : 0;

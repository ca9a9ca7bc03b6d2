// Writes a sample of the property tests' random topologies, compiled, into <dir>/<n>/<cluster>/, so
// that CI can run the Istio CRD validator over what cw generates for inputs nobody wrote by hand; the
// config the random clusters already had (--existing) goes to <dir>/<n>-existing/<cluster>/.
// Usage: npx tsx scripts/property-sample.ts <dir> [count]. Deterministic: the same seed every run.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";
import {
  compileDoc,
  federationArbitrary,
  MORE_VERSIONS,
  supportedFeatures,
} from "../test/support/random-topology.js";

const [dir, countArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write("usage: npx tsx scripts/property-sample.ts <dir> [count]\n");
  process.exit(2);
}
const count = Number(countArg ?? "40");
const features = supportedFeatures();
const docs = fc.sample(
  federationArbitrary({ maxServices: 12, features, existing: true, versions: MORE_VERSIONS }),
  {
    numRuns: count,
    seed: 20260301,
  },
);
let files = 0;
docs.forEach((doc, n) => {
  const compiled = compileDoc(doc);
  const errors = compiled.diagnostics.filter((d) => d.level === "error");
  if (errors.length > 0) {
    process.stderr.write(`sample ${n}: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}\n`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(join(dir, `topology-${n}.json`), `${JSON.stringify(doc, null, 1)}\n`, { flag: "w" });
  // What the clusters already had (--existing): Istio objects too, so the validator reads them as well.
  for (const f of compiled.existing ?? []) {
    const path = join(dir, `${n}-existing`, f.cluster, "objects.yaml");
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${f.text}\n`);
  }
  for (const c of compiled.outputs) {
    for (const f of c.files) {
      // The validator reads every *.yaml; the DNS snippets are not Kubernetes objects of Istio's groups.
      if (f.path.startsWith("dns/") || f.path === "kustomization.yaml") continue;
      const path = join(dir, String(n), c.cluster, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
      files++;
    }
  }
});
process.stdout.write(
  `wrote ${files} files for ${docs.length} random topologies into ${dir} (features ${JSON.stringify(features)})\n`,
);

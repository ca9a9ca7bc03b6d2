// Regenerating in proportion to the change (cli/generate-folder.ts, incremental/cluster-key.ts): over
// random edits of random topologies, `cw generate` into the folder of the last run gives, byte for
// byte, the folder a full regeneration of the same input gives (its manifest included); a run with
// the same input writes nothing and says the last run's warnings again; a run that keeps a cluster's
// files keeps them only while they are as cw wrote them.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { cw, cwWith } from "./support/cw.js";
import { EXISTING } from "./support/random-topology.js";
import { placeTopology, tree, workFolderTopology } from "./support/work-folder.js";

type Doc = Record<string, unknown>;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-incremental-"));
});

/** Writes the topology (and its clusters' existing config under existing/) into the work folder. */
const place = (doc: Doc): void => placeTopology(dir, doc);

const generate = (layout: string) =>
  cw(
    "generate",
    join(dir, "federation.yaml"),
    "-o",
    join(dir, "out"),
    "--existing",
    join(dir, "existing"),
    "--layout",
    layout,
    "--format",
    "json",
  );

type Edit = (doc: Doc, other: Doc) => Doc;
const spec = (d: Doc) => d.spec as { clusters: Doc[]; services: Doc[]; defaults?: Doc };
const withSpec = (d: Doc, change: Partial<{ clusters: Doc[]; services: Doc[]; defaults: Doc }>): Doc => ({
  ...d,
  spec: { ...spec(d), ...change },
});
const at = <T>(list: readonly T[], n: number): number => n % Math.max(1, list.length);

/** The topology with the n-th service (or cluster) changed by `change`. */
const service =
  (change: (s: Doc, n: number, d: Doc) => Doc) =>
  (n: number): Edit =>
  (d) =>
    withSpec(d, {
      services: spec(d).services.map((s, i) => (i === at(spec(d).services, n) ? change(s, n, d) : s)),
    });
const cluster =
  (change: (c: Doc, n: number) => Doc) =>
  (n: number): Edit =>
  (d) =>
    withSpec(d, {
      clusters: spec(d).clusters.map((c, i) => (i === at(spec(d).clusters, n) ? change(c, n) : c)),
    });
const clusterName = (d: Doc, n: number) => String(spec(d).clusters[at(spec(d).clusters, n)]?.name);

// Edits of one field, and edits that take a part from a second random topology of the same shape:
// clusters and services are named by their place (c0, c1, ...; s0, s1, ...), so a part taken from it
// is a plausible new version of the one it replaces.
const edits: fc.Arbitrary<Edit> = fc.oneof(
  fc.nat().map(
    service((s, n) => ({
      ...s,
      ports: [{ ...(s.ports as Doc[])[0], port: 1000 + (n % 50) }, ...(s.ports as Doc[]).slice(1)],
    })),
  ),
  fc.nat().map(service((s, n) => ({ ...s, aliases: [`alias-${n % 7}`] }))),
  fc
    .nat()
    .map(service((s) => ({ ...s, namespace: s.namespace === "shop" ? "default" : "shop", aliases: [] }))),
  fc.nat().map(service((s, n, d) => ({ ...s, consumers: [clusterName(d, n)] }))),
  fc.nat().map(service((s) => ({ ...s, consumers: ((s.consumers as unknown[]) ?? []).slice(1) }))),
  fc.nat().map(service((s, n, d) => ({ ...s, backends: [{ cluster: clusterName(d, n) }] }))),
  fc.nat().map(cluster((c, n) => ({ ...c, trustDomain: `td${n % 4}.example` }))),
  fc.nat().map(cluster((c, n) => ({ ...c, istioVersion: ["1.30", "1.22", "1.12", "1.7"][n % 4] }))),
  fc
    .nat()
    .map(
      cluster((c, n) => ({ ...c, ingress: { ...(c.ingress as Doc), addresses: [`198.51.100.${n % 250}`] } })),
    ),
  fc.nat().map(cluster((c) => ({ ...c, ingress: { ...(c.ingress as Doc), port: 15444 } }))),
  fc.nat().map(
    (n): Edit =>
      (d, o) => {
        const services = [...spec(d).services];
        const from = spec(o).services;
        if (from.length > 0) services[at(services, n)] = from[at(from, n)] as Doc;
        return withSpec(d, { services });
      },
  ),
  fc.nat().map(
    (n): Edit =>
      (d) =>
        withSpec(d, { services: spec(d).services.filter((_, i) => i !== at(spec(d).services, n)) }),
  ),
  fc.nat().map(
    (n): Edit =>
      (d, o) => {
        const clusters = [...spec(d).clusters];
        const from = spec(o).clusters;
        const i = at(clusters, n);
        if (from[i]) clusters[i] = from[i] as Doc;
        return withSpec(d, { clusters });
      },
  ),
  // The config a cluster already has: another's, or none known.
  fc.nat().map(
    (n): Edit =>
      (d, o) => {
        const clusters = [...spec(d).clusters];
        const i = at(clusters, n);
        const { [EXISTING]: _, ...rest } = clusters[i] as Doc;
        const theirs = spec(o).clusters[i]?.[EXISTING];
        clusters[i] = theirs === undefined ? rest : { ...rest, [EXISTING]: theirs };
        return withSpec(d, { clusters });
      },
  ),
  fc.constantFrom<Edit>(
    (d) => withSpec(d, { defaults: { sidecarScope: true } }),
    (d) => withSpec(d, { defaults: { suffix: "mesh.example" } }),
    (d) => withSpec(d, { defaults: { namespace: "mesh" } }),
    (d) => ({ ...d, metadata: { name: "renamed" } }),
    (d) => withSpec(d, { services: [...spec(d).services].reverse() }),
    (d) => d,
  ),
);

describe("incremental regeneration", () => {
  it("gives the bytes of a full regeneration, over random edits of random topologies", async () => {
    let kept = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        workFolderTopology(),
        workFolderTopology(),
        fc.array(edits, { minLength: 1, maxLength: 2 }),
        fc.constantFrom("object", "service", "cluster"),
        async (before, other, change, layout) => {
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir);
          place(before);
          const first = await generate(layout);
          if (first.code !== 0) return;
          const after = change.reduce((d, e) => e(d, other), before);
          place(after);
          const lock = readFileSync(join(dir, "federation.lock.yaml"), "utf8");
          const previous = tree(join(dir, "out"));
          const incremental = await generate(layout);
          const kept1 = tree(join(dir, "out"));
          if (incremental.code !== 0) {
            // Input with errors writes nothing.
            expect(kept1).toEqual(previous);
            return;
          }
          const json = JSON.parse(incremental.out) as { clusters: { reused: boolean }[] };
          kept += json.clusters.filter((c) => c.reused).length;
          // The same input and lock file, into an empty folder.
          cpSync(join(dir, "out"), join(dir, "incremental"), { recursive: true });
          rmSync(join(dir, "out"), { recursive: true });
          writeFileSync(join(dir, "federation.lock.yaml"), lock);
          const full = await generate(layout);
          expect(full.code).toBe(0);
          expect(tree(join(dir, "incremental"))).toEqual(tree(join(dir, "out")));
          compared++;
        },
      ),
      { numRuns: 40, seed: 20261207 },
    );
    // The runs compared output, and some of them kept clusters: the property is not empty.
    expect(compared).toBeGreaterThan(20);
    expect(kept).toBeGreaterThan(10);
  }, 240_000);
});

const EXAMPLE = "examples/split-bookinfo/federation.yaml";
// The original's files name no gateway service accounts: every run warns (CW1041).
const LEGACY = [
  "--cluster-file",
  "test/golden/legacy-cli/clusters.json",
  "--service-file",
  "test/golden/legacy-cli/services.json",
];

/** `cw ...` recording the stages it went through. */
async function staged(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string; stages: string[] }> {
  const stages: string[] = [];
  const progress = { stage: (s: string) => void stages.push(s), advance: () => {}, done: () => {} };
  const r = await cwWith({ progress }, argv);
  return { ...r, stages };
}

const stamp = (path: string) => {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
};

describe("a run with the input of the last one", () => {
  it("reads nothing but the files' bytes, writes nothing, and says the last run's warnings again", async () => {
    const args = [
      "generate",
      ...LEGACY,
      "--name",
      "legacy",
      "-o",
      join(dir, "out"),
      "--lock",
      join(dir, "lock.yaml"),
    ];
    const first = await staged(...args);
    expect(first.code).toBe(0);
    expect(first.stages).toContain("parse");
    const before = tree(join(dir, "out"));
    const stamps = [...before.keys()].map((p) => stamp(join(dir, "out", p)));
    const again = await staged(...args);
    expect(again.code).toBe(0);
    expect(again.stages).toEqual([]);
    expect(again.out).toContain("is up to date");
    expect(again.err).toBe(first.err);
    expect(again.err.match(/warning CW1041/g)).toHaveLength(3);
    expect([...before.keys()].map((p) => stamp(join(dir, "out", p)))).toEqual(stamps);
  });

  it("is up to date after the run that wrote the lock file", async () => {
    // The first run has no lock file and writes one; the key it records is the one the next run has.
    const args = ["generate", EXAMPLE, "-o", join(dir, "out"), "--lock", join(dir, "lock.yaml")];
    await cw(...args);
    expect((await staged(...args)).stages).toEqual([]);
  });

  it("reads the topology again when an option changes, or a file of the output is not as cw wrote it", async () => {
    const args = ["generate", EXAMPLE, "-o", join(dir, "out"), "--lock", join(dir, "lock.yaml")];
    await cw(...args);
    expect((await staged(...args, "--no-validate")).stages).toContain("parse");
    await cw(...args);
    writeFileSync(join(dir, "out/a/dns/coredns-global.server"), "# mine\n");
    const edited = await staged(...args);
    expect(edited.stages).toContain("parse");
    expect(edited.code).toBe(1);
    expect(edited.err).toContain("CW3003");
  });
});

const THREE = `apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata: { name: three }
spec:
  clusters:
    - { name: a, trustDomain: a.example, ingress: { addresses: [203.0.113.1], serviceAccount: gw } }
    - { name: b, trustDomain: b.example, ingress: { addresses: [203.0.113.2], serviceAccount: gw } }
    - { name: c, trustDomain: c.example, ingress: { addresses: [203.0.113.3], serviceAccount: gw } }
  services:
    - name: shop
      ports: [{ name: http, protocol: HTTP, port: 8080 }]
      backends: [{ cluster: a }]
      consumers: [b]
    - name: mail
      ports: [{ name: http, protocol: HTTP, port: 8080 }]
      backends: [{ cluster: c }]
      consumers: [b]
`;

describe("a cluster whose key is unchanged", () => {
  const topology = () => join(dir, "federation.yaml");
  const args = () => ["generate", topology(), "-o", join(dir, "out"), "--format", "json"];
  const reusedOf = (out: string) =>
    (JSON.parse(out) as { clusters: { cluster: string; reused: boolean }[] }).clusters
      .filter((c) => c.reused)
      .map((c) => c.cluster);

  beforeEach(() => {
    writeFileSync(topology(), THREE);
  });

  it("keeps its files, and the clusters the change reaches are made again", async () => {
    expect((await cw(...args())).code).toBe(0);
    const c = stamp(join(dir, "out/c/objects.yaml"));
    // shop runs in a and is called from b: c has none of it.
    writeFileSync(
      topology(),
      THREE.replace(
        "port: 8080 }]\n      backends: [{ cluster: a }]",
        "port: 8081 }]\n      backends: [{ cluster: a }]",
      ),
    );
    const r = await cw(...args());
    expect(r.code).toBe(0);
    expect(reusedOf(r.out)).toEqual(["c"]);
    expect(stamp(join(dir, "out/c/objects.yaml"))).toBe(c);
    expect(readFileSync(join(dir, "out/a/objects.yaml"), "utf8")).toContain("number: 8081");
  });

  it("is made again when one of its files was edited, so that the edit is refused (CW3003)", async () => {
    expect((await cw(...args(), "--layout", "cluster")).code).toBe(0);
    const objects = join(dir, "out/a/objects.yaml");
    writeFileSync(objects, `${readFileSync(objects, "utf8")}# mine\n`);
    writeFileSync(
      topology(),
      readFileSync(topology(), "utf8").replace("name: details\n", "name: details\n      aliases: [info]\n"),
    );
    const r = await cw(...args(), "--layout", "cluster");
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${objects} was edited`);
  });

  it("is made again when one of its files was deleted, which is put back", async () => {
    expect((await cw(...args())).code).toBe(0);
    const objects = join(dir, "out/b/objects.yaml");
    const bytes = readFileSync(objects, "utf8");
    rmSync(objects);
    const r = await cw(...args());
    expect(r.code).toBe(0);
    expect(readFileSync(objects, "utf8")).toBe(bytes);
  });

  it("is checked again when the config it already has changed (--existing)", async () => {
    for (const c of ["a", "b", "c"]) mkdirSync(join(dir, "existing", c), { recursive: true });
    const withExisting = [...args(), "--existing", join(dir, "existing")];
    expect((await cw(...withExisting)).code).toBe(0);
    // A DestinationRule of the cluster's own for a host cw writes one for: two rules for one host.
    writeFileSync(
      join(dir, "existing/b/dr.yaml"),
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: mine\n  namespace: istio-system\nspec:\n  host: shop.global\n",
    );
    const r = await cw(...withExisting);
    expect(r.code).toBe(1);
    expect(r.err).toContain("CW4011");
  });
});

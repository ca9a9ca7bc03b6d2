// Helper threads of cw generate (src/cli/cluster-helpers.ts): a run with a helper (--jobs 2) writes,
// byte for byte, the folder a run on one thread writes, first runs and incremental ones alike; and a
// helper that fails is given up, its clusters made by the main thread, the output still the same.

import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningHelpers, startHelpers } from "../src/cli/cluster-helpers.js";
import { readExistingFolder } from "../src/cli/existing-folder.js";
import { withExisting } from "../src/cli/generate.js";
import { parseInputs, readInputs } from "../src/cli/load.js";
import { compile, type HelperResult } from "../src/compile.js";
import type { Topology } from "../src/topology/model.js";
import { cw } from "./support/cw.js";
import { placeTopology, tree, workFolderTopology } from "./support/work-folder.js";

type Doc = Record<string, unknown>;

const root = mkdtempSync(join(tmpdir(), "cw-helpers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const generate = (dir: string, jobs: string, layout: string) =>
  cw(
    "generate",
    join(dir, "federation.yaml"),
    "-o",
    join(dir, "out"),
    "--existing",
    join(dir, "existing"),
    "--layout",
    layout,
    "--jobs",
    jobs,
  );

describe("cw generate with a helper thread (--jobs 2)", () => {
  it("writes the folder one thread writes, byte for byte, first and incremental runs, over random topologies", async () => {
    let compared = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        workFolderTopology(),
        workFolderTopology(),
        fc.constantFrom("object", "service", "cluster"),
        async (before, after, layout) => {
          run++;
          // Both runs in one folder (its path is in what they print and in the manifest's run key),
          // which is moved aside between them.
          const work = join(root, `work-${run}`);
          const aside = { "1": join(root, `one-${run}`), "2": join(root, `two-${run}`) };
          const ran = async (jobs: "1" | "2", doc: Doc) => {
            if (existsSync(aside[jobs])) renameSync(aside[jobs], work);
            placeTopology(work, doc);
            const r = await generate(work, jobs, layout);
            renameSync(work, aside[jobs]);
            return { code: r.code, out: r.out, err: r.err };
          };
          for (const doc of [before, after]) {
            const one = await ran("1", doc);
            expect(await ran("2", doc)).toEqual(one);
            expect(tree(aside["2"])).toEqual(tree(aside["1"]));
            if (one.code === 0) compared++;
          }
        },
      ),
      { numRuns: 4, seed: 20261206 },
    );
    expect(compared).toBeGreaterThan(3);
  }, 240_000);
});

/** A helper that takes every cluster: the main thread only waits, so every result is the helper's. */
function doingAll(helpers: RunningHelpers): RunningHelpers {
  return { ...helpers, take: () => undefined };
}

describe("a helper thread", () => {
  // A helper thread takes a second or two to start from the sources (tsx compiles cw again in it):
  // a few goldens, with config the clusters already have, egress, failover and old Istio among them.
  const goldens = [
    "default-deny",
    "eastwest-passthrough",
    "failover",
    "old-istio",
    "seed-004-private-egress",
  ];

  it.each(goldens)("makes golden %s's clusters as the main thread does", (golden) => {
    const options = {
      topology: join("test/golden", golden, "federation.yaml"),
      lock: join(root, `${golden}.lock`),
    };
    const input = readInputs(options);
    const dir = join("test/golden", golden, "existing");
    const folder = existsSync(dir) ? readExistingFolder(dir) : undefined;
    const loaded = withExisting(parseInputs(options, input), folder);
    if (!loaded.topology) throw new Error(`${golden} does not read`);
    const compileWith = (more: { helpers?: RunningHelpers }) =>
      compile(loaded.topology as Topology, loaded.lock, {
        layout: "service",
        ...(loaded.existing && { existing: loaded.existing }),
        ...more,
      });
    const alone = compileWith({});
    const helpers = startHelpers(
      { options, input, ...(folder && { folder }), validate: true, layout: "service", recorded: new Map() },
      1,
    );
    try {
      const helped = compileWith({ helpers: doingAll(helpers) });
      expect(helped.diagnostics).toEqual(alone.diagnostics);
      expect(helped.clusters.length).toBeGreaterThan(0);
      expect(helped.clusters).toEqual(alone.clusters.map((c) => ({ ...c, objects: [] })));
    } finally {
      helpers.close();
    }
  });
});

describe("a helper thread and last run's files", () => {
  it("keys the clusters it takes and makes none whose key last run recorded; the main thread keeps them or makes them", () => {
    const options = { topology: "examples/split-bookinfo/federation.yaml", lock: join(root, "keys.lock") };
    const input = readInputs(options);
    const loaded = parseInputs(options, input);
    const topology = loaded.topology as Topology;
    const alone = compile(topology, loaded.lock, { layout: "cluster", salt: "s", keepObjects: false });
    const recorded = new Map(alone.clusters.map((c): [string, string] => [c.cluster, c.key as string]));
    expect([...recorded.keys()]).toEqual(["a", "b"]);
    const helpers = startHelpers(
      { options, input, validate: true, layout: "cluster", salt: "s", recorded },
      1,
    );
    const sent: HelperResult[] = [];
    try {
      // Everything the helper sends, whether compile() collects it or waits for it.
      const watched: RunningHelpers = {
        ...doingAll(helpers),
        collect: (into) => {
          const got = new Map<number, HelperResult>();
          helpers.collect(got);
          for (const [i, r] of got) {
            sent.push(r);
            into.set(i, r);
          }
        },
        wait: (index) => {
          const r = helpers.wait(index);
          if (r) sent.push(r);
          return r;
        },
      };
      // Last run's files hold for a only (b's were edited by hand, say): b is made again here.
      const reuse = (cluster: string, key: string) => cluster === "a" && key === recorded.get("a");
      const result = compile(topology, loaded.lock, {
        layout: "cluster",
        salt: "s",
        helpers: watched,
        reuse,
      });
      expect(sent.map((r) => [r.name, r.key, r.made !== undefined])).toEqual([
        ["a", recorded.get("a"), false],
        ["b", recorded.get("b"), false],
      ]);
      expect(result.clusters.map((c) => [c.cluster, c.reused === true])).toEqual([
        ["a", true],
        ["b", false],
      ]);
      expect(result.clusters[1]?.files).toEqual(alone.clusters[1]?.files);
    } finally {
      helpers.close();
    }
  });
});

describe("a helper that fails", () => {
  const EXAMPLE = "examples/split-bookinfo/federation.yaml";
  const options = { topology: EXAMPLE, lock: join(root, "example.lock") };
  const input = readInputs(options);
  const loaded = parseInputs(options, input);
  const topology = loaded.topology;
  if (!topology) throw new Error("the example does not read");
  const alone = compile(topology, loaded.lock, { layout: "cluster" });

  const withHelper = (job: Parameters<typeof startHelpers>[0]) => {
    const helpers = startHelpers(job, 1);
    try {
      const result = compile(topology, loaded.lock, { layout: "cluster", helpers: doingAll(helpers) });
      return { ...result, failure: helpers.failure() };
    } finally {
      helpers.close();
    }
  };

  it("is given up when its input does not read, and the main thread makes every cluster", () => {
    const broken = { ...input, files: [{ file: EXAMPLE, text: "spec: [" }] };
    const result = withHelper({
      options,
      input: broken,
      validate: true,
      layout: "cluster",
      recorded: new Map(),
    });
    expect(result.clusters.map((c) => c.files)).toEqual(alone.clusters.map((c) => c.files));
    expect(result.diagnostics).toEqual(alone.diagnostics);
    expect(result.failure).toMatch(/the input does not read/);
  });

  it("is given up when it runs out of memory, and neither the run nor the process stops", async () => {
    // A heap limit no helper can start in: it dies of "out of memory", which Node reports as an
    // "error" event of its Worker; unheard, that event would end the process.
    const helpers = startHelpers(
      { options, input, validate: true, layout: "cluster", recorded: new Map() },
      1,
      2,
    );
    try {
      // The main thread takes every cluster the helper does not: here, all of them.
      const result = compile(topology, loaded.lock, { layout: "cluster", helpers });
      expect(result.clusters.map((c) => c.files)).toEqual(alone.clusters.map((c) => c.files));
      for (let waited = 0; helpers.failure() === undefined && waited < 60_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(helpers.failure()).toMatch(/the helper stopped: .*memory/);
    } finally {
      helpers.close();
    }
  });

  it("is given up when its plan has other clusters than the main thread's", () => {
    // The same federation with its clusters renamed: a helper that did not check would send their
    // files as the main thread's clusters'.
    const text = readFileSync(EXAMPLE, "utf8")
      .replaceAll(/\b(name|cluster): (a|b)$/gm, "$1: x$2")
      .replaceAll(/consumers: \[(a|b)\]/g, "consumers: [x$1]");
    expect(text).not.toEqual(readFileSync(EXAMPLE, "utf8"));
    const other = { ...input, files: [{ file: EXAMPLE, text }] };
    const result = withHelper({
      options,
      input: other,
      validate: true,
      layout: "cluster",
      recorded: new Map(),
    });
    expect(result.clusters.map((c) => c.files)).toEqual(alone.clusters.map((c) => c.files));
    expect(result.failure).toMatch(/the helper's plan differs at a\b/);
  });
});

// Helper threads of cw verify (src/cli/verify-helpers.ts): the text report with a helper (--jobs 2)
// is, byte for byte, the one a single thread writes, on goldens, on a broken folder (mismatches, kept
// in order) and on random topologies; and a helper that fails, or reads another topology, is given
// up, its shares verified by the main thread, the report still the same.

import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { formatSummary, shareCount, verifySummary } from "../src/analysis/verify.js";
import { parseInputs, readInputs } from "../src/cli/load.js";
import { readWithExisting } from "../src/cli/output-folder.js";
import { type RunningVerifyHelpers, startVerifyHelpers, type VerifyJob } from "../src/cli/verify-helpers.js";
import { cw } from "./support/cw.js";
import { federationArbitrary, supportedFeatures } from "./support/random-topology.js";
import { placeTopology } from "./support/work-folder.js";

const root = mkdtempSync(join(tmpdir(), "cw-verify-helpers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A helper that takes every share: the main thread only waits, so every summary is the helper's. */
const doingAll = (helpers: RunningVerifyHelpers): RunningVerifyHelpers => ({
  ...helpers,
  take: () => undefined,
});

/** The text report of a folder, on one thread and with a helper that does every share. */
function reports(topologyFile: string, out: string, existing?: string, job?: Partial<VerifyJob>) {
  const options = { topology: topologyFile, lock: join(root, "unused.lock") };
  const input = readInputs(options);
  const topology = parseInputs(options, input).topology;
  if (!topology) throw new Error(`${topologyFile} does not read`);
  const clusters = readWithExisting(out, existing, topology.name).clusters;
  const verifyInput = { topology, clusters, withExisting: existing !== undefined };
  const alone = verifySummary(verifyInput);
  const helpers = startVerifyHelpers(
    { options, input, out, ...(existing !== undefined && { existing }), ...job },
    1,
  );
  try {
    const helped = verifySummary(verifyInput, doingAll(helpers));
    const text = (s: typeof alone) => formatSummary(s, { verbose: true });
    return { alone: text(alone), helped: text(helped), failure: helpers.failure(), summary: alone };
  } finally {
    helpers.close();
  }
}

describe("a helper thread of cw verify", () => {
  // A helper takes a second or two to start from the sources (tsx compiles cw again in it).
  const goldens = ["default-deny", "eastwest-passthrough", "failover", "seed-004-private-egress"];

  it.each(goldens)("writes golden %s's report as the main thread does", (golden) => {
    const dir = join("test/golden", golden);
    const existing = join(dir, "existing");
    const r = reports(
      join(dir, "federation.yaml"),
      join(dir, "expected"),
      existsSync(existing) ? existing : undefined,
    );
    expect(r.failure).toBeUndefined();
    expect(r.summary.total).toBeGreaterThan(0);
    expect(r.helped).toBe(r.alone);
  });

  it("keeps the checks that do not hold, in the order one thread finds them, on a broken folder", () => {
    const out = join(root, "broken");
    cpSync("test/golden/two-backends/expected", out, { recursive: true });
    // One backend cluster's config is gone: its calls, probes and failovers do not hold.
    rmSync(join(out, "west"), { recursive: true, force: true });
    const r = reports("test/golden/two-backends/federation.yaml", out);
    expect(r.failure).toBeUndefined();
    expect(r.summary.notHeld.length).toBeGreaterThan(1);
    expect(r.helped).toBe(r.alone);
  });
});

describe("a helper of cw verify that fails", () => {
  const golden = "test/golden/failover";

  it("is given up when its input does not read, and the main thread verifies every share", () => {
    const broken = { files: [{ file: "broken.yaml", text: "spec: [" }], lockPath: "x.lock", unreadable: [] };
    const r = reports(join(golden, "federation.yaml"), join(golden, "expected"), undefined, {
      input: broken,
    });
    expect(r.failure).toMatch(/the input does not read/);
    expect(r.helped).toBe(r.alone);
  });

  it("is given up when it reads another topology, and nothing it sent is used", () => {
    const other = readInputs({ topology: "test/golden/protocols/federation.yaml" });
    const r = reports(join(golden, "federation.yaml"), join(golden, "expected"), undefined, {
      input: other,
    });
    expect(r.failure).toMatch(/the helper's topology differs at share 0/);
    expect(r.helped).toBe(r.alone);
  });
});

describe("cw verify --jobs 2", () => {
  it("prints what --jobs 1 prints, on random topologies", async () => {
    const features = supportedFeatures();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        federationArbitrary({ features, minClusters: 2, maxClusters: 6, maxServices: 20 }),
        async (doc) => {
          const work = join(root, `random-${run++}`);
          placeTopology(work, doc);
          const topology = join(work, "federation.yaml");
          const out = join(work, "out");
          const generated = await cw("generate", topology, "-o", out);
          if (generated.code !== 0) return;
          const one = await cw("verify", topology, "-o", out, "--jobs", "1");
          const two = await cw("verify", topology, "-o", out, "--jobs", "2");
          expect({ code: two.code, out: two.out, err: two.err }).toEqual({
            code: one.code,
            out: one.out,
            err: one.err,
          });
        },
      ),
      { numRuns: 4, seed: 20261207 },
    );
  }, 240_000);

  it("spreads a federation's services over shares, and the egress probes and conflicts after them", () => {
    const options = { topology: "test/golden/failover/federation.yaml", lock: join(root, "s.lock") };
    const topology = parseInputs(options, readInputs(options)).topology;
    if (!topology) throw new Error("the golden does not read");
    expect(shareCount(topology)).toBe(topology.services.length + 1);
  });
});

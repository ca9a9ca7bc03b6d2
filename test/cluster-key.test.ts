// The cluster keys (incremental/cluster-key.ts) on their own: what a key covers and what it leaves
// out, case by case. The incremental property test (incremental.test.ts) proves the whole (kept =
// regenerated, byte for byte); these name the rules a key keeps: key names a user writes are covered,
// positions are not, and what plans are made from is what the key reads.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type ExistingCluster, NO_EXISTING } from "../src/existing/model.js";
import { clusterKeyer, entryText } from "../src/incremental/cluster-key.js";
import { planCluster } from "../src/plan/cluster-plan.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { planFederation, type Route, type ServicePlan } from "../src/plan/plan.js";
import { routesOf } from "../src/plan/routes.js";
import { planService, type ServiceInputs } from "../src/plan/service-plan.js";
import type { Cluster, Service, Topology } from "../src/topology/model.js";
import { readFederation } from "../src/topology/read.js";

const EXAMPLE = readFileSync(
  join(import.meta.dirname, "..", "examples", "split-bookinfo", "federation.yaml"),
  "utf8",
);

/** Each cluster's key, by name. */
function keys(text: string, salt = "salt"): Map<string, string> {
  const read = readFederation("federation.yaml", text);
  if (!read.topology) throw new Error(`unreadable test input: ${JSON.stringify(read.diagnostics)}`);
  const plan = planFederation(read.topology, EMPTY_LOCK, NO_EXISTING).plan;
  if (!plan) throw new Error("test input does not plan");
  const keyOf = clusterKeyer(plan, NO_EXISTING, salt);
  return new Map(plan.clusters.map((c) => [c.cluster.name, keyOf(c)]));
}

/** The example with `reviews` given subsets, split between them by `weights`. */
const withSubsets = (label: string, weights = [50, 50]): string =>
  EXAMPLE.replace(
    "      consumers: [a]\n",
    [
      "      consumers: [a]",
      "      subsets:",
      `        - { name: v1, labels: { ${label}: v1 } }`,
      `        - { name: v2, labels: { ${label}: v2 } }`,
      "      split:",
      `        - { cluster: b, subset: v1, weight: ${weights[0]} }`,
      `        - { cluster: b, subset: v2, weight: ${weights[1]} }`,
      "",
    ].join("\n"),
  );

describe("cluster keys", () => {
  it("are the same for the same input, and differ between clusters and salts", () => {
    const first = keys(EXAMPLE);
    expect(keys(EXAMPLE)).toEqual(first);
    expect(first.get("a")).not.toBe(first.get("b"));
    expect(keys(EXAMPLE, "other salt").get("a")).not.toBe(first.get("a"));
  });

  it("leave positions out: lines added above every service change no key", () => {
    const moved = EXAMPLE.replace("  services:\n", "  services:\n\n    # a comment\n\n");
    expect(moved).not.toBe(EXAMPLE);
    expect(keys(moved)).toEqual(keys(EXAMPLE));
  });

  it("cover key names a user writes (a label's key), not only the values", () => {
    const version = keys(withSubsets("version"));
    const track = keys(withSubsets("track"));
    // b runs reviews and its subsets; a calls it.
    expect(track.get("b")).not.toBe(version.get("b"));
    expect(track.get("a")).not.toBe(version.get("a"));
  });

  it("cover what a cluster only reaches through a service it calls (a split's weights)", () => {
    const even = keys(withSubsets("version", [50, 50]));
    const uneven = keys(withSubsets("version", [20, 80]));
    expect(uneven.get("a")).not.toBe(even.get("a"));
  });

  it("change only where the change reaches: a port of a service private to a keeps b's key", () => {
    const more = EXAMPLE.replace(
      "        - { name: http, protocol: HTTP, port: 9080 }\n      backends:\n        - cluster: a\n      # No",
      "        - { name: http, protocol: HTTP, port: 9080 }\n        - { name: tcp, protocol: TCP, port: 7000 }\n      backends:\n        - cluster: a\n      # No",
    );
    expect(more).not.toBe(EXAMPLE);
    const before = keys(EXAMPLE);
    const after = keys(more);
    expect(after.get("a")).not.toBe(before.get("a"));
    expect(after.get("b")).toBe(before.get("b"));
  });

  it("rest on what plans are made from (cluster-key.ts): change these and that file's reasoning", () => {
    // A cluster's plan: its entry, the plans of the services it runs, its routes, its existing config.
    expectTypeOf(planCluster).parameters.toEqualTypeOf<
      [Cluster, readonly ServicePlan[], readonly Route[], ExistingCluster | undefined]
    >();
    // A service's plan and its routes: its entry, the clusters, the federation, the VIPs.
    expectTypeOf(planService).parameters.toEqualTypeOf<[Service, ServiceInputs]>();
    expectTypeOf<keyof ServiceInputs>().toEqualTypeOf<
      "topology" | "clusters" | "vips" | "claims" | "byTrustDomain"
    >();
    expectTypeOf(routesOf<ServicePlan>).parameters.toEqualTypeOf<
      [Topology, Service, ReadonlyMap<string, Cluster>, ServicePlan]
    >();
  });

  it("write a topology entry as JSON without its positions, whatever its strings hold", () => {
    const withoutPositions = (key: string, v: unknown) =>
      key === "origin" || key === "origins" ? undefined : v instanceof Set ? [...v] : v;
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (value, text) => {
        const entry = { value, text, set: new Set([text]), origin: { line: 1 }, origins: { name: 2 } };
        expect(entryText(entry)).toBe(JSON.stringify(entry, withoutPositions));
      }),
    );
    expect(() => entryText({ labels: new Map([["a", "b"]]) })).toThrow(/holds a Map/);
  });
});

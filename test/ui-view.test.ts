// The UI's view of a topology (src/ui/view-model.ts): who calls whom, by which mode and with which
// share of the calls, on golden cases that use each way of sharing; and the federation picture's DOT,
// whose names are always quoted.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { federationDot } from "../src/ui/graph.js";
import { buildView } from "../src/ui/view-model.js";

const viewOf = (dir: string) => {
  const file = `test/golden/${dir}/federation.yaml`;
  return buildView({ file, text: readFileSync(file, "utf8"), generation: 0 }).view;
};
const calls = (dir: string) =>
  viewOf(dir).calls.map((c) => `${c.service}: ${c.from} -> ${c.to} ${c.mode} ${c.share}`.trim());

describe("the UI's view of who calls whom", () => {
  it.each([
    ["split-75-15-10", ["reviews: cluster-1 -> cluster-2 gateway 75%"]],
    ["mode-egress", ["orders: locked -> shop egress"]],
    [
      "failover",
      [
        "catalog: legacy -> x gateway first",
        "catalog: legacy -> y gateway failover 1",
        "catalog: legacy -> z gateway failover 2",
        "catalog: shop -> x gateway first",
        "catalog: shop -> y gateway failover 1",
        "catalog: shop -> z gateway failover 2",
      ],
    ],
    [
      "two-backends",
      ["catalog: shop -> east gateway by locality", "catalog: shop -> west gateway by locality"],
    ],
    ["unexported", []],
  ])("%s", (dir, expected) => {
    expect(calls(dir)).toEqual(expected);
  });

  it("quotes every name in the picture's DOT", () => {
    const view = {
      ...viewOf("split-75-15-10"),
      clusters: [
        { ...viewOf("split-75-15-10").clusters[0], name: 'x"] ; evil -> "y', trustDomain: "a\\nb" },
      ] as never,
    };
    const dot = federationDot(view);
    expect(dot).toContain('subgraph "cluster_0"');
    expect(dot).toContain('"x\\"] ; evil -> \\"y/ingress"');
    expect(dot).toContain("a\\\\nb");
  });
});

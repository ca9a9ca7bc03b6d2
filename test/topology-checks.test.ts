// The registry of topology checks (src/topology/checks/): each check says which codes it reports,
// and says it truly (a reader of the registry, or `cw explain`, can trust the list); and uniqueBy, the
// one question every duplicate-name check (CW1009) asks.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { TOPOLOGY_CHECKS } from "../src/topology/checks/registry.js";
import { uniqueBy } from "../src/topology/checks/unique.js";
import { readFederation } from "../src/topology/read.js";

const CHECKS = join(import.meta.dirname, "..", "src", "topology", "checks");

describe("the topology checks", () => {
  it("have distinct names, each the name of its file, listed alphabetically", () => {
    const names = TOPOLOGY_CHECKS.map((c) => c.name);
    expect(names).toEqual([...new Set(names)].sort());
    for (const name of names) expect(() => readFileSync(join(CHECKS, `${name}.ts`))).not.toThrow();
  });

  it("each lists exactly the codes its file reports", () => {
    for (const check of TOPOLOGY_CHECKS) {
      const text = readFileSync(join(CHECKS, `${check.name}.ts`), "utf8");
      const reported = new Set([...text.matchAll(/diag\(\s*"(CW\d{4})"/g)].map((m) => m[1]));
      expect([...reported].sort(), check.name).toEqual([...check.codes].sort());
    }
  });
});

/** What cw says about a topology: code, line, column and message. */
function said(text: string): string[] {
  const read = readFederation("t.yaml", text);
  const compiled = read.topology ? compile(read.topology, EMPTY_LOCK).diagnostics : [];
  return [...read.diagnostics, ...compiled].map(
    (d) => `${d.code} ${d.location?.line}:${d.location?.col} ${d.message}`,
  );
}

const FEDERATION = `apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: demo
spec:
`;

// The wordings no golden or other test shows, as main's free text wrote them before the templates
// (compared byte for byte with main's output when the checks became a registry).
describe("the check messages no golden shows", () => {
  it("repeated split shares and failover clusters (CW1009), a split without consumers (CW1018)", () => {
    const text = `${FEDERATION}  clusters:
    - name: a
      ingress: { addresses: [192.0.2.1] }
    - name: b
      ingress: { addresses: [192.0.2.2] }
  services:
    - name: reviews
      ports: [{ name: http, protocol: HTTP, port: 9080 }]
      subsets: [{ name: v1, labels: { version: v1 } }]
      backends: [{ cluster: a }, { cluster: b }]
      split:
        - { cluster: a, subset: v1, weight: 50 }
        - { cluster: a, subset: v1, weight: 10 }
        - { cluster: b, weight: 20 }
        - { cluster: b, weight: 20 }
      failover: [b, a, b]
`;
    expect(said(text)).toEqual([
      'CW1018 16:7 service "reviews" has a split but no consumers, so no caller uses it; list the clusters whose callers the split applies to under consumers',
      'CW1009 18:11 the split of service "reviews" lists subset "v1" of cluster "a" twice; merge the two shares',
      'CW1009 20:11 the split of service "reviews" lists cluster "b" twice; merge the two shares',
      'CW1009 21:24 the failover list of service "reviews" names cluster "b" twice; keep one',
    ]);
  });

  it("exports an Istio before 1.5 cannot enforce (CW1022)", () => {
    const text = `${FEDERATION}  clusters:
    - name: a
      ingress: { addresses: [192.0.2.1] }
    - name: c
      istioVersion: "1.4"
      ingress: { addresses: [192.0.2.3], serviceAccount: gw }
  services:
    - name: reviews
      ports: [{ name: http, protocol: HTTP, port: 9080 }]
      backends: [{ cluster: c }]
      consumers: [a]
`;
    expect(said(text).filter((d) => d.startsWith("CW1022"))).toEqual([
      'CW1022 10:21 cluster "c" runs Istio 1.4, which cannot enforce a DENY AuthorizationPolicy, so its exports are not enforced at the gateway; upgrade to Istio 1.5 or later',
    ]);
  });
});

describe("uniqueBy", () => {
  it("gives each entry whose key an earlier one has, with that first entry, in order", () => {
    const items = [
      { key: "a", at: 1 },
      { key: "b", at: 2 },
      { key: "a", at: 3 },
      { key: "a", at: 4 },
      { key: "b", at: 5 },
    ];
    expect(uniqueBy(items, (i) => i.key).map((r) => [r.item.at, r.first.at])).toEqual([
      [3, 1],
      [4, 1],
      [5, 2],
    ]);
  });

  it("tells keys apart by value, falsy ones and numbers included", () => {
    const keys = [0, "", undefined, 0, undefined, "0"];
    expect(uniqueBy(keys, (k) => k).map((r) => r.item)).toEqual([0, undefined]);
    expect(uniqueBy([80, 443, 80], (p) => p).map((r) => r.first)).toEqual([80]);
  });
});

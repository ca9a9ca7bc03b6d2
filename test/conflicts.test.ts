// The conflict analysis (src/analysis/conflicts/): what cw generates for a golden topology against
// existing config written inline, asserting (code, existing object) pairs, not message wording.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { ConfigObject } from "../src/analysis/conflicts/conflict.js";
import { analyzeConflicts, CONFLICT_ANALYZERS, rootNamespace } from "../src/analysis/conflicts/registry.js";
import { compile } from "../src/compile.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { readFederation } from "../src/topology/read.js";

function generated(golden: string): Map<string, ConfigObject[]> {
  const file = `test/golden/${golden}/federation.yaml`;
  const read = readFederation(file, readFileSync(file, "utf8"));
  if (!read.topology) throw new Error(`${golden} does not read`);
  return new Map(
    compile(read.topology, EMPTY_LOCK).clusters.map((c) => [c.cluster, c.objects.map((g) => g.resource)]),
  );
}

const yaml = (text: string): ConfigObject[] => parseAllDocuments(text).map((d) => d.toJS() as ConfigObject);

/** (code, cluster, existing object) for each diagnostic. */
function found(golden: string, cluster: string, existing: string): [string, string][] {
  return analyzeConflicts(generated(golden), new Map([[cluster, yaml(existing)]])).map((d) => [
    d.code,
    // The existing object the diagnostic names.
    /existing (\w+ [\w.-]+\/[\w.-]+)/.exec(d.message)?.[1] ??
      /: (\w+ [\w.-]+\/[\w.-]+)/.exec(d.message)?.[1] ??
      d.message,
  ]);
}

const expose = (selector: string, hosts: string, port = 15443) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: cross-network-gateway, namespace: istio-system }
spec:
  selector: { ${selector} }
  servers:
    - port: { number: ${port}, name: tls, protocol: TLS }
      tls: { mode: AUTO_PASSTHROUGH }
      hosts: [${hosts}]
`;

describe("passthrough-server (CW4010)", () => {
  const cases: [string, string, [string, string][]][] = [
    [
      "Istio's expose-services Gateway on the same pods",
      expose("istio: ingressgateway", '"*.local"'),
      [["CW4010", "Gateway istio-system/cross-network-gateway"]],
    ],
    [
      "a catch-all host, namespace-qualified",
      expose("istio: ingressgateway", '"*/*"'),
      [["CW4010", "Gateway istio-system/cross-network-gateway"]],
    ],
    ["on a dedicated east-west gateway: other pods", expose("istio: eastwestgateway", '"*.local"'), []],
    ["on another port", expose("istio: ingressgateway", '"*.local"', 15444), []],
    ["for hosts that do not meet ours", expose("istio: ingressgateway", '"*.example.com"'), []],
  ];
  for (const [name, existing, expected] of cases) {
    it(name, () => expect(found("mode-passthrough", "back", existing)).toEqual(expected));
  }

  it("is not about clusters where cw writes no passthrough server", () => {
    expect(found("mode-passthrough", "front", expose("istio: ingressgateway", '"*.local"'))).toEqual([]);
  });
});

const policy = (namespace: string, spec: string, name = "p") => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: ${namespace} }
spec: ${spec}
`;

describe("default-deny (CW4015, CW4016)", () => {
  const cases: [string, string, [string, string][]][] = [
    // In the root namespace: every workload, so the gateway and the pods in default.
    [
      "allow-nothing in the root namespace",
      policy("istio-system", "{}"),
      [
        ["CW4015", "AuthorizationPolicy istio-system/p"],
        ["CW4015", "AuthorizationPolicy istio-system/p"],
      ],
    ],
    [
      "allow-nothing in the service's namespace",
      policy("default", "{}"),
      [["CW4015", "AuthorizationPolicy default/p"]],
    ],
    [
      "deny-all with an empty rule",
      policy("default", "{ action: DENY, rules: [{}] }"),
      [["CW4015", "AuthorizationPolicy default/p"]],
    ],
    [
      "an ALLOW list on the gateway pods",
      policy(
        "istio-system",
        "{ selector: { matchLabels: { istio: ingressgateway } }, rules: [{ from: [{ source: { namespaces: [web] } }] }] }",
      ),
      [["CW4016", "AuthorizationPolicy istio-system/p"]],
    ],
    [
      "a DENY with rules: cw's own kind of policy",
      policy("default", "{ action: DENY, rules: [{ from: [{ source: { namespaces: [x] } }] }] }"),
      [],
    ],
    ["allow-nothing in another namespace", policy("shop", "{}"), []],
    [
      "allow-nothing on other pods of the gateway's namespace",
      policy("istio-system", "{ selector: { matchLabels: { app: istiod } } }"),
      [],
    ],
    [
      "a Gateway API policy (targetRefs)",
      policy(
        "default",
        "{ targetRefs: [{ kind: Gateway, group: gateway.networking.k8s.io, name: waypoint }] }",
      ),
      [],
    ],
  ];
  for (const [name, existing, expected] of cases) {
    it(name, () => expect(found("split-bookinfo", "b", existing)).toEqual(expected));
  }

  it("reads the root namespace from the mesh config", () => {
    const mesh = `
apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: "rootNamespace: mesh-root\\n"
---
${policy("mesh-root", "{}")}`;
    expect(rootNamespace(yaml(mesh))).toBe("mesh-root");
    expect(found("split-bookinfo", "b", mesh)).toEqual([
      ["CW4015", "AuthorizationPolicy mesh-root/p"],
      ["CW4015", "AuthorizationPolicy mesh-root/p"],
    ]);
    // Without it, mesh-root is an ordinary namespace.
    expect(found("split-bookinfo", "b", policy("mesh-root", "{}"))).toEqual([]);
  });

  it("knows passthrough pods by their labels", () => {
    const onPayments = policy("billing", "{ selector: { matchLabels: { app: payments } } }");
    expect(found("mode-passthrough", "back", onPayments)).toEqual([
      ["CW4015", "AuthorizationPolicy billing/p"],
    ]);
  });
});

const rule = (namespace: string, host: string, exportTo = "") => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: theirs, namespace: ${namespace} }
spec: { host: "${host}"${exportTo} }
`;

describe("destination-rule-host (CW4011)", () => {
  const cases: [string, string, string, [string, string][]][] = [
    [
      "the same host in a caller's namespace",
      "split-bookinfo",
      rule("default", "reviews.global"),
      [["CW4011", "DestinationRule default/theirs"]],
    ],
    [
      "the same host in cw's namespace: merged",
      "split-bookinfo",
      rule("istio-system", "reviews.global"),
      [["CW4011", "DestinationRule istio-system/theirs"]],
    ],
    [
      "a wildcard in a caller's namespace",
      "split-bookinfo",
      rule("default", "*.global"),
      [
        ["CW4011", "DestinationRule default/theirs"],
        ["CW4011", "DestinationRule default/theirs"],
      ],
    ],
    [
      "a wildcard in cw's namespace: cw's exact rule is more specific",
      "split-bookinfo",
      rule("istio-system", "*.global"),
      [],
    ],
    ["another host", "split-bookinfo", rule("default", "ratings.default.svc.cluster.local"), []],
    // cw's rule for cart is exported to web only: a rule in another namespace meets no caller of cw's.
    ["outside the namespaces cw's rule is exported to", "trust-domains", rule("shop", "cart.global"), []],
    ["inside them", "trust-domains", rule("web", "cart.global"), [["CW4011", "DestinationRule web/theirs"]]],
  ];
  for (const [name, golden, existing, expected] of cases) {
    const cluster = golden === "split-bookinfo" ? "a" : "east";
    it(name, () => expect(found(golden, cluster, existing)).toEqual(expected));
  }
});

describe("analyzeConflicts", () => {
  it("assumes nothing about a cluster whose existing config is unknown", () => {
    expect(
      analyzeConflicts(generated("split-bookinfo"), new Map([["c", yaml(policy("default", "{}"))]])),
    ).toEqual([]);
  });

  it("has the live-only analyzers in alphabetical order; the shared ones are generate --existing's", () => {
    const names = CONFLICT_ANALYZERS.map((a) => a.meta.name);
    expect(names).toEqual([...names].sort());
    expect(CONFLICT_ANALYZERS.flatMap((a) => a.meta.codes).sort()).toEqual(["CW4015", "CW4016"]);
  });
});

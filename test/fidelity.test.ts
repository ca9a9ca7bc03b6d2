// The tracer follows what a real Istio does in the cases a review against Istio's source found cw's
// output breaking on a live cluster (issue 10): each block builds the configuration in question, shows
// the tracer's verdict per Istio release where the release matters, and so proves that `cw verify`
// would report it. Istio's code for each rule is cited in the tracer module that models it.

import { describe, expect, it } from "vitest";
import { loadClusterConfig } from "../src/trace/config.js";
import { formatTrace } from "../src/trace/format.js";
import { type IstioVersion, parseIstioVersion } from "../src/trace/istio-version.js";
import type { ClusterFacts, MeshFacts } from "../src/trace/mesh.js";
import { type Probe, traceCall, traceProbe } from "../src/trace/trace.js";
import { type Trace, tracePaths } from "../src/trace/types.js";

const v = (text: string): IstioVersion => {
  const parsed = parseIstioVersion(text);
  if (!parsed) throw new Error(text);
  return parsed;
};

/** A cluster's configuration from YAML documents, as a folder would hold them. */
const config = (name: string, yaml: string, existing = "") => {
  const ours = loadClusterConfig(name, [{ path: "objects.yaml", content: yaml }]).config;
  if (!existing) return ours;
  const theirs = loadClusterConfig(name, [{ path: "existing.yaml", content: existing }], {
    existing: true,
  }).config;
  return { ...ours, objects: [...theirs.objects, ...ours.objects], mesh: { ...theirs.mesh, ...ours.mesh } };
};

const facts = (name: string, version: string, extra: Partial<ClusterFacts> = {}): ClusterFacts => ({
  name,
  trustDomain: `${name}.example`,
  istio: v(version),
  ingress: {
    addresses: [name === "a" ? "192.0.2.1" : "192.0.2.2"],
    port: 15443,
    labels: { istio: "ingressgateway" },
    namespace: "istio-system",
    serviceAccount: "istio-ingressgateway-service-account",
  },
  services: [{ host: "reviews.default.svc.cluster.local", ports: [9080] }],
  ...extra,
});

const mesh = (...clusters: ClusterFacts[]): MeshFacts => ({
  clusters: new Map(clusters.map((c) => [c.name, c])),
});
const ends = (t: Trace) => tracePaths(t).map((p) => (p.end.kind === "arrived" ? "arrived" : p.end.reason));
const caller = (cluster: string, namespace = "default") => ({
  cluster,
  namespace,
  serviceAccount: "default",
});

// Cluster a calls reviews.global, which runs in b: cw's usual objects on both sides.
// networking v1beta1, which every release since 1.5 serves (v1 needs 1.22).
const callerSide = (extra = "") => `
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: reviews-global, namespace: istio-system }
spec:
  hosts: [reviews.global]
  addresses: [240.241.0.10]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
  endpoints: [{ address: 192.0.2.2, ports: { http: 15443 }, labels: { coddiwomple.io/cluster: b } }]
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: reviews.global, namespace: istio-system }
spec:
  host: reviews.global
  trafficPolicy: { tls: { mode: ISTIO_MUTUAL, sni: reviews.global } }
${extra}`;

const backendSide = (extra = "") => `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: reviews-global, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 15443, name: https-9080, protocol: HTTPS }
      hosts: [istio-system/reviews.global]
      tls: { mode: ISTIO_MUTUAL }
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: reviews-global-ingress-9080, namespace: istio-system }
spec:
  hosts: [reviews.global]
  gateways: [istio-system/reviews-global]
  http: [{ route: [{ destination: { host: reviews.default.svc.cluster.local, port: { number: 9080 } } }] }]
${extra}`;

const call = (aYaml: string, bYaml: string, versions: [string, string] = ["1.30", "1.30"], ns = "default") =>
  traceCall(
    {
      clusters: new Map([
        ["a", config("a", aYaml)],
        ["b", config("b", bYaml)],
      ]),
      mesh: mesh(facts("a", versions[0]), facts("b", versions[1])),
    },
    caller("a", ns),
    { host: "reviews.global", port: 9080 },
  );

describe("the baseline", () => {
  it("a call from a to reviews.global arrives in b", () => {
    const t = call(callerSide(), backendSide());
    expect(ends(t), formatTrace("", t)).toEqual(["arrived"]);
  });
});

describe("Sidecar scope (sidecar.go, name_table.go)", () => {
  const sidecar = (hosts: string[]) => `---
apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata: { name: coddiwomple-shop, namespace: shop }
spec:
  egress: [{ hosts: [${hosts.map((h) => `"${h}"`).join(", ")}] }]
`;
  it("a Sidecar that does not import the global host leaves the name to the cluster's DNS", () => {
    const t = call(
      callerSide(sidecar(["./*", "istio-system/ratings.global"])),
      backendSide(),
      ["1.30", "1.30"],
      "shop",
    );
    expect(ends(t)).toEqual(["name-leaves-cluster"]);
    expect(t.end.kind === "failed" && t.end.message).toContain("Sidecar shop/coddiwomple-shop");
  });
  it("importing it (or istio-system/*) answers the name and routes the call", () => {
    for (const hosts of [
      ["./*", "istio-system/reviews.global"],
      ["./*", "istio-system/*"],
    ]) {
      expect(ends(call(callerSide(sidecar(hosts)), backendSide(), ["1.30", "1.30"], "shop"))).toEqual([
        "arrived",
      ]);
    }
  });
  it("other namespaces keep the default scope", () => {
    expect(ends(call(callerSide(sidecar(["./*"])), backendSide()))).toEqual(["arrived"]);
  });
});

describe("unanswered names (.global is a public top-level domain)", () => {
  const coreDnsStub = (name: string, zone: string) =>
    loadClusterConfig(name, [
      { path: "objects.yaml", content: "" },
      {
        path: `dns/coredns-${zone}.server`,
        content: `${zone}:53 {\n    template ANY ANY { rcode NXDOMAIN }\n}\n`,
      },
    ]).config;
  it("a name the DNS proxy does not answer leaves the cluster without a CoreDNS zone for it", () => {
    const t = traceCall(
      { clusters: new Map([["c", config("c", "")]]), mesh: mesh(facts("c", "1.30")) },
      caller("c"),
      { host: "reviews.global", port: 9080 },
    );
    expect(ends(t)).toEqual(["name-leaves-cluster"]);
  });
  it("a CoreDNS zone for the suffix keeps the lookup inside (NXDOMAIN)", () => {
    const t = traceCall(
      { clusters: new Map([["c", coreDnsStub("c", "global")]]), mesh: mesh(facts("c", "1.30")) },
      caller("c"),
      { host: "reviews.global", port: 9080 },
    );
    expect(ends(t)).toEqual(["name-not-resolved"]);
  });
});

describe("passthrough beside Istio's east-west gateway (gateway.go builtAutoPassthroughFilterChains)", () => {
  const eastWest = `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: cross-network-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 15443, name: tls, protocol: TLS }
      tls: { mode: AUTO_PASSTHROUGH }
      hosts: ["*.local"]
`;
  const ours = `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: reviews-global, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 15443, name: tls-passthrough, protocol: TLS }
      tls: { mode: AUTO_PASSTHROUGH }
      hosts: [reviews.default.svc.cluster.local]
`;
  const probe = (version: string, yaml: string, existing: string): Trace =>
    traceProbe({ clusters: new Map([["b", config("b", yaml, existing)]]), mesh: mesh(facts("b", version)) }, {
      cluster: "b",
      sni: "outbound_.9080_._.reviews.default.svc.cluster.local",
      principal: "b.example/ns/x/sa/y",
    } as Probe);
  it("a second AUTO_PASSTHROUGH server for one host duplicates the wildcard's chains: Envoy rejects the listener", () => {
    const t = probe("1.30", ours, eastWest);
    expect(ends(t)).toEqual(["listener-rejected"]);
    const message = t.end.kind === "failed" ? t.end.message : "";
    expect(message).toContain("existing Gateway istio-system/cross-network-gateway");
    expect(message).toContain("Gateway istio-system/reviews-global");
  });
  it("the wildcard server alone passes the call to the pods", () => {
    expect(ends(probe("1.30", "", eastWest))).toEqual(["arrived"]);
  });
  it("before 1.8.6 a server made one chain named by its hosts: no conflict, and a one-host server matches no outbound SNI", () => {
    expect(ends(probe("1.8.5", ours, eastWest))).toEqual(["arrived"]);
    const alone = probe("1.8.5", ours, "");
    expect(ends(alone)).toEqual(["host-not-exposed"]);
    expect(ends(probe("1.8.6", ours, eastWest))).toEqual(["listener-rejected"]);
  });
  it("a server naming a host an earlier server names is dropped whole (duplicate host names)", () => {
    const same = eastWest
      .replace("cross-network-gateway", "first")
      .replace('"*.local"', "reviews.default.svc.cluster.local");
    const t = probe("1.30", ours, same);
    expect(ends(t)).toEqual(["arrived"]);
    expect(t.hops.find((h) => h.kind === "gateway")).toMatchObject({
      gateway: { name: "first", existing: true },
    });
  });
});

describe("trust-domain validation at the pods (authn/util.go TrustDomainsForValidation)", () => {
  const eastWest = `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: cross-network-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 15443, name: tls, protocol: TLS }
      tls: { mode: AUTO_PASSTHROUGH }
      hosts: ["*.local"]
`;
  const meshSettings = (body: string) => `---
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: { name: coddiwomple-trust-domain, namespace: istio-system }
spec:
${body}`;
  const probeAs = (td: string, version: string, settings: string) =>
    traceProbe(
      { clusters: new Map([["b", config("b", eastWest + settings)]]), mesh: mesh(facts("b", version)) },
      {
        cluster: "b",
        sni: "outbound_.9080_._.reviews.default.svc.cluster.local",
        principal: `${td}/ns/x/sa/y`,
      },
    );
  it("refuses a peer of another trust domain by default", () => {
    expect(ends(probeAs("a.example", "1.30", ""))).toEqual(["trust-domain-refused"]);
  });
  it("PILOT_SKIP_VALIDATE_TRUST_DOMAIN lets every trust domain in, outsiders included", () => {
    const skip = meshSettings('  values: { pilot: { env: { PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true" } } }\n');
    for (const td of ["a.example", "outsider.invalid"]) {
      const t = probeAs(td, "1.30", skip);
      expect(ends(t)).toEqual(["arrived"]);
      expect(t.hops.find((h) => h.kind === "arrive")).toMatchObject({
        peerTrustDomain: { by: "skip-validation" },
      });
    }
  });
  it("caCertificates trustDomains admit only the domains listed, from 1.16.4 and 1.17.2", () => {
    const ca = meshSettings("  meshConfig:\n    caCertificates: [{ pem: x, trustDomains: [a.example] }]\n");
    expect(ends(probeAs("a.example", "1.30", ca))).toEqual(["arrived"]);
    expect(ends(probeAs("outsider.invalid", "1.30", ca))).toEqual(["trust-domain-refused"]);
    expect(ends(probeAs("a.example", "1.17.1", ca))).toEqual(["trust-domain-refused"]);
    expect(ends(probeAs("a.example", "1.17.2", ca))).toEqual(["arrived"]);
    expect(ends(probeAs("a.example", "1.16.3", ca))).toEqual(["trust-domain-refused"]);
    expect(ends(probeAs("a.example", "1.16.4", ca))).toEqual(["arrived"]);
  });
});

describe("Host with a port at gateways before 1.6 (v1alpha3/gateway.go at 1.5.0)", () => {
  it("1.5 matches only host and host:<server port>: Host reviews.global:9080 gets 404", () => {
    const t = call(callerSide(), backendSide(), ["1.30", "1.5"]);
    expect(ends(t)).toEqual(["no-route"]);
    expect(t.end.kind === "failed" && t.end.message).toContain("Istio 1.5");
  });
  it("1.6 and later match the host with any port", () => {
    for (const version of ["1.6", "1.14", "1.15", "1.30"])
      expect(ends(call(callerSide(), backendSide(), ["1.30", version]))).toEqual(["arrived"]);
  });
  it("a route that rewrites the authority to the bare host reaches a 1.5 gateway", () => {
    const rewrite = `---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: reviews-global-mesh, namespace: istio-system }
spec:
  hosts: [reviews.global]
  http: [{ rewrite: { authority: reviews.global }, route: [{ destination: { host: reviews.global, port: { number: 9080 } } }] }]
`;
    expect(ends(call(callerSide(rewrite), backendSide(), ["1.30", "1.5"]))).toEqual(["arrived"]);
  });
});

describe("meshes that deny by default (authorization builder: CUSTOM, DENY, ALLOW)", () => {
  const allowNothing = `---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: allow-nothing, namespace: istio-system }
spec: {}
`;
  const allowConsumers = `---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: reviews-global-allow, namespace: istio-system }
spec:
  selector: { matchLabels: { istio: ingressgateway } }
  action: ALLOW
  rules: [{ from: [{ source: { principals: ["a.example/*"] } }], when: [{ key: connection.sni, values: [reviews.global] }] }]
`;
  it("an allow-nothing policy in the root namespace refuses the call at the gateway", () => {
    expect(ends(call(callerSide(), backendSide(allowNothing)))).toEqual(["denied-by-policy"]);
  });
  it("an ALLOW policy for the consumers lets it through (the pods then need theirs too)", () => {
    const t = call(callerSide(), backendSide(allowNothing + allowConsumers));
    expect(tracePaths(t)[0]?.hops.some((h) => h.kind === "authz" && h.verdict === "allow")).toBe(true);
  });
});

describe("outlier detection and failover (applyOutlierDetection, loadbalancer.go)", () => {
  const twoBackends = (outlier: string, failover = "") => `
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: reviews-global, namespace: istio-system }
spec:
  hosts: [reviews.global]
  addresses: [240.241.0.10]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
  endpoints:
    - { address: 192.0.2.2, ports: { http: 15443 }, labels: { coddiwomple.io/cluster: b, coddiwomple.io/failover-1: preferred } }
    - { address: 192.0.2.3, ports: { http: 15443 }, labels: { coddiwomple.io/cluster: c } }
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: reviews.global, namespace: istio-system }
spec:
  host: reviews.global
  trafficPolicy:
    tls: { mode: ISTIO_MUTUAL, sni: reviews.global }
    ${outlier}
    ${failover}
`;
  const withOutlier =
    "outlierDetection: { consecutiveGatewayErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100 }";
  const ordered =
    "loadBalancer: { localityLbSetting: { enabled: true, failoverPriority: [coddiwomple.io/failover-1=preferred] } }";
  const input = (aYaml: string, version = "1.30", down?: string[]) => ({
    clusters: new Map([
      ["a", config("a", aYaml)],
      ["b", config("b", backendSide())],
      ["c", config("c", backendSide())],
    ]),
    mesh: mesh(facts("a", version), facts("b", "1.30"), clusterC()),
    ...(down && { down: new Set(down) }),
  });
  const clusterC = (): ClusterFacts => {
    const c = facts("c", "1.30");
    return c.ingress ? { ...c, ingress: { ...c.ingress, addresses: ["192.0.2.3"] } } : c;
  };
  const to = { host: "reviews.global", port: 9080 };
  const arrivals = (t: Trace) =>
    Object.fromEntries(
      tracePaths(t).map((p) => [p.end.kind === "arrived" ? p.end.cluster : p.end.reason, p.share]),
    );
  it("only consecutiveGatewayErrors leaves Envoy's 5 consecutive 5xx ejecting a gateway", () => {
    const t = traceCall(input(twoBackends(withOutlier)), caller("a"), to);
    const hop = t.hops.find((h) => h.kind === "cluster");
    expect(hop).toMatchObject({ outlier: { consecutive5xx: { value: 5 } } });
    const off = traceCall(
      input(twoBackends(withOutlier.replace("{ ", "{ consecutive5xxErrors: 0, "))),
      caller("a"),
      to,
    );
    expect(off.hops.find((h) => h.kind === "cluster")).toMatchObject({
      outlier: { consecutive5xx: { value: 0 } },
    });
  });
  it("failoverPriority sends every call to the preferred cluster, and to the next when it is down", () => {
    expect(arrivals(traceCall(input(twoBackends(withOutlier, ordered)), caller("a"), to))).toEqual({ b: 1 });
    expect(
      arrivals(traceCall(input(twoBackends(withOutlier, ordered), "1.30", ["b"]), caller("a"), to)),
    ).toEqual({ c: 1 });
  });
  it("before 1.18 'label=value' is read as a label name: no order, calls shared", () => {
    expect(arrivals(traceCall(input(twoBackends(withOutlier, ordered), "1.17"), caller("a"), to))).toEqual({
      b: 0.5,
      c: 0.5,
    });
  });
  it("without outlier detection nothing ejects a dead cluster: its share of calls fails", () => {
    expect(arrivals(traceCall(input(twoBackends(""), "1.30", ["b"]), caller("a"), to))).toEqual({
      "cluster-down": 0.5,
      c: 0.5,
    });
  });
});

describe("DestinationRules for one egress host (destination_rule.go mergeDestinationRule)", () => {
  // Two services called through the egress gateway, each with a rule of its own for the egress
  // Service's host and its own exportTo, the way cw wrote them before.
  const rules = (ns: string, exportA = "[shop]", exportB = "[web]") => `
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: a-egress, namespace: ${ns} }
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  exportTo: ${exportA}
  subsets: [{ name: a-9080, trafficPolicy: { tls: { mode: ISTIO_MUTUAL, sni: a.global } } }]
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: b-egress, namespace: ${ns} }
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  exportTo: ${exportB}
  subsets: [{ name: b-9080, trafficPolicy: { tls: { mode: ISTIO_MUTUAL, sni: b.global } } }]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: b-mesh, namespace: ${ns} }
spec:
  hosts: [b.global]
  exportTo: ["*"]
  http: [{ route: [{ destination: { host: istio-egressgateway.istio-system.svc.cluster.local, subset: b-9080, port: { number: 443 } } }] }]
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: b-global, namespace: ${ns} }
spec:
  hosts: [b.global]
  addresses: [240.241.0.20]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
`;
  const egress = {
    labels: { istio: "egressgateway" },
    namespace: "istio-system",
    serviceAccount: "egress",
    hosts: ["istio-egressgateway.istio-system.svc.cluster.local"],
  };
  const trace = (
    version: string,
    ns: string,
    from: string,
    exportTo?: [string, string],
    edit: (yaml: string) => string = (y) => y,
  ) =>
    traceCall(
      {
        clusters: new Map([["a", config("a", edit(exportTo ? rules(ns, ...exportTo) : rules(ns)))]]),
        mesh: mesh(
          facts("a", version, {
            egress,
            services: [
              {
                host: "istio-egressgateway.istio-system.svc.cluster.local",
                ports: [443],
                labels: egress.labels,
              },
            ],
          }),
        ),
      },
      caller("a", from),
      { host: "b.global", port: 9080 },
    );
  const firstFailure = (t: Trace) =>
    tracePaths(t).map((p) => (p.end.kind === "failed" ? p.end.reason : "passed"))[0];
  it("1.23 merges them under the first rule's exportTo: namespace web does not see subset b-9080", () => {
    expect(firstFailure(trace("1.23", "istio-system", "web"))).toBe("subset-not-found");
  });
  it("1.24 keeps them apart by exportTo: web sees the second rule", () => {
    expect(firstFailure(trace("1.24", "istio-system", "web"))).not.toBe("subset-not-found");
  });
  it("1.24 still merges a rule whose exportTo is a superset into the earlier one, under the earlier exportTo", () => {
    expect(firstFailure(trace("1.24", "istio-system", "web", ["[shop]", "[shop, web]"]))).toBe(
      "subset-not-found",
    );
  });
  it("1.24: a proxy in the rules' namespace gets both entries and uses only the last one", () => {
    // a is local to shop (and exported to x), b to everyone: kept apart, and the last one (b) wins.
    const both: [string, string] = ['[".", x]', '["*"]'];
    const toA = (yaml: string) => yaml.replace("subset: b-9080", "subset: a-9080");
    expect(firstFailure(trace("1.24", "shop", "shop", both))).not.toBe("subset-not-found");
    expect(firstFailure(trace("1.24", "shop", "shop", both, toA))).toBe("subset-not-found");
    expect(firstFailure(trace("1.23", "shop", "shop", both, toA))).not.toBe("subset-not-found");
  });
  it("in a namespace that is neither the caller's, the egress Service's nor the root, no rule is found", () => {
    const t = trace("1.30", "coddiwomple", "shop");
    expect(firstFailure(t)).toBe("subset-not-found");
    expect(t.end.kind === "failed" && t.end.message).toContain("no DestinationRule");
  });
});

describe("API versions a release serves", () => {
  it("an object of networking.istio.io/v1 does not exist on a 1.21 cluster", () => {
    const v1 = callerSide().replaceAll("networking.istio.io/v1beta1\n", "networking.istio.io/v1\n");
    expect(ends(call(v1, backendSide(), ["1.22", "1.30"]))).toEqual(["arrived"]);
    expect(ends(call(v1, backendSide(), ["1.21", "1.30"]))).toEqual(["name-leaves-cluster"]);
    const beta = v1.replaceAll("networking.istio.io/v1\n", "networking.istio.io/v1beta1\n");
    expect(ends(call(beta, backendSide(), ["1.21", "1.30"]))).toEqual(["arrived"]);
  });
});

// The interpreter's lookups go through indexes (host-index.ts, and the per-cluster tables of the hop
// modules) instead of scanning every object. These cases are where an index could answer differently
// from a scan: wildcard hosts, exportTo, the same host in several namespaces, precedence between
// exact and wildcard hosts, SNI-gated AuthorizationPolicies. Each asserts what Istio does, so a wrong
// candidate list (a missing wildcard, a lost namespace, a changed order) fails it.

import { describe, expect, it } from "vitest";
import { evaluateAuthz } from "../src/trace/authz.js";
import type { ClusterConfig, IstioObject } from "../src/trace/config.js";
import { findDestinationRule } from "../src/trace/destination-rule.js";
import { resolveName } from "../src/trace/dns.js";
import { HostIndex } from "../src/trace/host-index.js";
import type { ClusterFacts, MeshFacts } from "../src/trace/mesh.js";
import { findService, indexCluster } from "../src/trace/registry.js";
import { DEFAULT_SCOPE } from "../src/trace/sidecar-scope.js";
import { traceCall, traceProbe } from "../src/trace/trace.js";
import { tracePaths } from "../src/trace/types.js";
import { boundVirtualServices, selectByHost, visibleFrom } from "../src/trace/virtual-service.js";

const object = (
  kind: string,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): IstioObject => ({
  apiVersion: kind === "AuthorizationPolicy" ? "security.istio.io/v1" : "networking.istio.io/v1",
  kind,
  metadata: { name, namespace, labels: {} },
  spec,
});

const config = (objects: IstioObject[], name = "a"): ClusterConfig => ({
  name,
  objects,
  dnsZones: [],
  mesh: {},
});

describe("HostIndex", () => {
  const items = [
    { id: 0, hosts: ["b.global"] },
    { id: 1, hosts: ["*.global"] },
    { id: 2, hosts: ["A.Global.", "b.global"] },
    { id: 3, hosts: ["*"] },
    { id: 4, hosts: ["c.example"] },
  ];
  const index = new HostIndex(items, (i) => i.hosts);
  const ids = (xs: readonly { id: number }[]) => xs.map((x) => x.id);

  it("finds exact hosts (case and a trailing dot aside) and always the wildcards, in order", () => {
    expect(ids(index.candidates("b.global"))).toEqual([0, 1, 2, 3]);
    expect(ids(index.candidates("a.global"))).toEqual([1, 2, 3]);
    expect(ids(index.candidates("nothing.here"))).toEqual([1, 3]);
    expect(ids(index.candidates("b.global", "c.example"))).toEqual([0, 1, 2, 3, 4]);
  });

  it("takes every item for a wildcard pattern when asked what intersects it", () => {
    expect(ids(index.intersecting(["*.example"]))).toEqual([0, 1, 2, 3, 4]);
    expect(ids(index.intersecting(["c.example"]))).toEqual([1, 3, 4]);
  });
});

describe("service registry lookups", () => {
  const se = (ns: string, name: string, hosts: string[], extra: Record<string, unknown> = {}) =>
    object("ServiceEntry", ns, name, {
      hosts,
      addresses: ["240.241.0.1"],
      ports: [{ number: 80, name: "http", protocol: "HTTP" }],
      ...extra,
    });

  it("prefers an exact host to a wildcard one listed first, and falls back to the wildcard", () => {
    const index = indexCluster(
      config([se("istio-system", "a-wild", ["*.global"]), se("istio-system", "b-exact", ["r.global"])]),
      undefined,
    );
    expect(findService(index, "r.global", "default")?.host).toBe("r.global");
    expect(findService(index, "x.global", "default")?.host).toBe("*.global");
  });

  it("skips an entry exported elsewhere and finds the next one for the same host", () => {
    const index = indexCluster(
      config([
        se("istio-system", "a", ["r.global"], { exportTo: ["."] }),
        se("shop", "b", ["r.global"], { exportTo: ["default"], addresses: ["240.241.0.2"] }),
      ]),
      undefined,
    );
    expect(findService(index, "r.global", "default")?.source).toMatchObject({ ref: { name: "b" } });
    expect(findService(index, "r.global", "istio-system")?.source).toMatchObject({ ref: { name: "a" } });
    expect(findService(index, "r.global", "other")).toBeUndefined();
    // DNS answers with the visible entry's address, and not at all where none is visible.
    const dns = resolveName(index, "default", "R.Global", DEFAULT_SCOPE);
    expect(dns.ok && dns.address).toBe("240.241.0.2");
    expect(resolveName(index, "other", "r.global", DEFAULT_SCOPE).ok).toBe(false);
  });
});

describe("DestinationRule lookup", () => {
  const dr = (ns: string, name: string, host: string, mode: string, extra: Record<string, unknown> = {}) =>
    object("DestinationRule", ns, name, { host, trafficPolicy: { tls: { mode } }, ...extra });
  const find = (rules: IstioObject[], proxyNs = "shop", serviceNs = "istio-system") =>
    findDestinationRule(indexCluster(config(rules), undefined), "r.global", proxyNs, serviceNs);

  it("takes the proxy's namespace first, even with a wildcard host there", () => {
    const rules = [
      dr("istio-system", "exact", "r.global", "ISTIO_MUTUAL"),
      dr("shop", "wild", "*.global", "DISABLE"),
    ];
    expect(find(rules)?.metadata.name).toBe("wild");
    expect(find(rules, "default")?.metadata.name).toBe("exact");
  });

  it("prefers the exact host within a namespace, whatever the order", () => {
    const rules = [dr("shop", "a-wild", "*", "DISABLE"), dr("shop", "b-exact", "r.global", "SIMPLE")];
    expect(find(rules)?.metadata.name).toBe("b-exact");
  });

  it("passes over a rule not exported to the proxy's namespace", () => {
    const rules = [
      dr("shop", "hidden", "r.global", "DISABLE", { exportTo: ["."] }),
      dr("istio-system", "root", "r.global", "ISTIO_MUTUAL"),
    ];
    expect(find(rules, "shop")?.metadata.name).toBe("hidden");
    expect(find(rules, "default", "shop")?.metadata.name).toBe("root");
  });

  it("merges the subsets of every rule for the same host in the namespace", () => {
    const rules = [
      dr("istio-system", "a", "r.global", "ISTIO_MUTUAL", { subsets: [{ name: "v1" }] }),
      dr("istio-system", "b", "*.global", "DISABLE", { subsets: [{ name: "w" }] }),
      dr("istio-system", "c", "r.global", "SIMPLE", { subsets: [{ name: "v2" }] }),
    ];
    const found = find(rules, "default");
    expect(found?.metadata.name).toBe("a");
    expect(found?.spec.subsets).toEqual([{ name: "v1" }, { name: "v2" }]);
  });
});

describe("VirtualService selection", () => {
  const vs = (ns: string, name: string, hosts: string[], extra: Record<string, unknown> = {}) =>
    object("VirtualService", ns, name, {
      hosts,
      http: [{ route: [{ destination: { host: "x" } }] }],
      ...extra,
    });
  const select = (services: IstioObject[], name: string, ns = "default") => {
    const bound = boundVirtualServices(indexCluster(config(services), undefined), "mesh");
    return selectByHost(visibleFrom(bound.candidates(name), ns), name).map((v) => v.metadata.name);
  };

  it("takes the most specific host, with wildcards as candidates", () => {
    const all = [
      vs("default", "a-any", ["*"]),
      vs("default", "b-global", ["*.global"]),
      vs("default", "c", ["r.global"]),
    ];
    expect(select(all, "r.global")).toEqual(["c"]);
    expect(select(all, "s.global")).toEqual(["b-global"]);
    expect(select(all, "s.example")).toEqual(["a-any"]);
  });

  it("resolves short names in the VirtualService's namespace and honours exportTo", () => {
    const all = [vs("shop", "short", ["reviews"]), vs("shop", "private", ["r.global"], { exportTo: ["."] })];
    expect(select(all, "reviews.shop.svc.cluster.local")).toEqual(["short"]);
    expect(select(all, "r.global", "shop")).toEqual(["private"]);
    expect(select(all, "r.global", "default")).toEqual([]);
  });

  it("keeps VirtualServices bound to a gateway apart from the mesh ones", () => {
    const index = indexCluster(
      config([
        vs("istio-system", "ingress", ["r.global"], { gateways: ["r-gw"] }),
        vs("default", "mesh", ["r.global"]),
      ]),
      undefined,
    );
    expect(boundVirtualServices(index, "istio-system/r-gw").all.map((v) => v.metadata.name)).toEqual([
      "ingress",
    ]);
    expect(boundVirtualServices(index, "mesh").all.map((v) => v.metadata.name)).toEqual(["mesh"]);
    expect(boundVirtualServices(index, "istio-system/none").all).toEqual([]);
  });
});

describe("AuthorizationPolicies indexed by SNI", () => {
  const gateway = {
    cluster: "b",
    namespace: "istio-system",
    labels: { istio: "ingressgateway" },
    trustDomain: "b.example",
    rootNamespace: "istio-system",
  };
  const deny = (name: string, when: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
    object("AuthorizationPolicy", "istio-system", name, {
      action: "DENY",
      rules: [{ from: [{ source: { notPrincipals: ["a.example/*"] } }], when }],
      ...extra,
    });
  const outsider = { principal: "x.example/ns/default/sa/default", port: 15443 };

  it("denies by a policy whose SNI values are exact, a wildcard, or absent", () => {
    const exact = [deny("exact", [{ key: "connection.sni", values: ["r.global"] }])];
    expect(evaluateAuthz(exact, gateway, { ...outsider, sni: "r.global" }).verdict).toBe("deny");
    expect(evaluateAuthz(exact, gateway, { ...outsider, sni: "s.global" }).verdict).toBe("allow");
    expect(evaluateAuthz(exact, gateway, outsider).verdict).toBe("allow");
    const wild = [deny("wild", [{ key: "connection.sni", values: ["*.global"] }])];
    expect(evaluateAuthz(wild, gateway, { ...outsider, sni: "s.global" }).verdict).toBe("deny");
    const any = [deny("any", [])];
    expect(evaluateAuthz(any, gateway, { ...outsider, sni: "s.global" }).verdict).toBe("deny");
    const negated = [deny("negated", [{ key: "connection.sni", notValues: ["r.global"] }])];
    expect(evaluateAuthz(negated, gateway, { ...outsider, sni: "s.global" }).verdict).toBe("deny");
  });

  it("tries the policies in order, so the first matching one is named", () => {
    const policies = [
      deny("a-wild", [{ key: "connection.sni", values: ["*.global"] }]),
      deny("b-exact", [{ key: "connection.sni", values: ["r.global"] }]),
    ];
    expect(evaluateAuthz(policies, gateway, { ...outsider, sni: "r.global" }).by?.name).toBe("a-wild");
    expect(evaluateAuthz([...policies].reverse(), gateway, { ...outsider, sni: "r.global" }).by?.name).toBe(
      "b-exact",
    );
  });

  it("still counts every DENY policy of the workload when none matches", () => {
    const policies = [
      deny("r", [{ key: "connection.sni", values: ["r.global"] }]),
      deny("s", [{ key: "connection.sni", values: ["s.global"] }]),
    ];
    const v = evaluateAuthz(policies, gateway, { ...outsider, sni: "t.global" });
    expect(v).toMatchObject({
      verdict: "allow",
      by: { name: "r" },
      reason: "no rule of 2 DENY policies matches",
    });
  });

  it("applies an ALLOW policy gated to other SNIs as a refusal", () => {
    const allow = object("AuthorizationPolicy", "istio-system", "allow-r", {
      rules: [{ when: [{ key: "connection.sni", values: ["r.global"] }] }],
    });
    expect(evaluateAuthz([allow], gateway, { ...outsider, sni: "r.global" }).verdict).toBe("allow");
    expect(evaluateAuthz([allow], gateway, { ...outsider, sni: "s.global" })).toMatchObject({
      verdict: "deny",
      by: { name: "allow-r" },
    });
  });

  it("sorts out policies per workload: another namespace's do not apply", () => {
    const shop = { ...gateway, namespace: "shop", labels: { app: "r" } };
    const own = object("AuthorizationPolicy", "shop", "deny-all", { action: "DENY", rules: [{}] });
    const other = object("AuthorizationPolicy", "other", "deny-all", { action: "DENY", rules: [{}] });
    const policies = [own, other];
    expect(evaluateAuthz(policies, shop, outsider).verdict).toBe("deny");
    expect(evaluateAuthz(policies, { ...shop, namespace: "elsewhere" }, outsider).verdict).toBe("allow");
    expect(evaluateAuthz(policies, shop, outsider).verdict).toBe("deny");
  });
});

describe("gateway servers indexed by host", () => {
  const facts: ClusterFacts = {
    name: "b",
    trustDomain: "b.example",
    ingress: {
      addresses: ["10.0.0.2"],
      port: 15443,
      labels: { istio: "ingressgateway" },
      namespace: "istio-system",
      serviceAccount: "gw",
    },
    services: [{ host: "r.shop.svc.cluster.local", ports: [8080] }],
  };
  const mesh: MeshFacts = { clusters: new Map([["b", facts]]) };
  const gateway = (name: string, hosts: string[], mode = "ISTIO_MUTUAL") =>
    object("Gateway", "istio-system", name, {
      selector: { istio: "ingressgateway" },
      servers: [{ hosts, port: { number: 15443, name: name, protocol: "TLS" }, tls: { mode } }],
    });
  const route = object("VirtualService", "istio-system", "r", {
    hosts: ["r.global"],
    gateways: ["a-any", "b-exact"],
    tcp: [{ route: [{ destination: { host: "r.shop.svc.cluster.local", port: { number: 8080 } } }] }],
  });
  const probe = (objects: IstioObject[], sni: string) =>
    traceProbe(
      { clusters: new Map([["b", config(objects, "b")]]), mesh },
      { cluster: "b", sni, principal: "a.example/ns/default/sa/default" },
    );
  const server = (objects: IstioObject[], sni: string) => {
    const hop = probe(objects, sni).hops.find((h) => h.kind === "gateway");
    return hop?.kind === "gateway" ? hop.gateway.name : undefined;
  };

  it("takes an exact server host over a wildcard one listed first, and the wildcard otherwise", () => {
    const objects = [gateway("a-any", ["*"]), gateway("b-exact", ["r.global"]), route];
    expect(server(objects, "r.global")).toBe("b-exact");
    expect(server(objects, "anything.example")).toBe("a-any");
  });

  it("refuses an SNI no server accepts, naming what they accept", () => {
    const trace = probe([gateway("b-exact", ["istio-system/r.global"]), route], "s.global");
    expect(trace.end).toMatchObject({ kind: "failed", reason: "host-not-exposed" });
    expect(trace.end.kind === "failed" && trace.end.message).toContain("its chains accept r.global");
  });

  it("matches an AUTO_PASSTHROUGH server by the host inside a cluster SNI", () => {
    const objects = [gateway("pass", ["*.svc.cluster.local"], "AUTO_PASSTHROUGH")];
    const sni = "outbound_.8080_._.r.shop.svc.cluster.local";
    const own = traceProbe(
      { clusters: new Map([["b", config(objects, "b")]]), mesh },
      { cluster: "b", sni, principal: "b.example/ns/default/sa/default" },
    );
    expect(tracePaths(own).map((p) => p.end.kind)).toEqual(["arrived"]);
    // The pods' sidecar checks the peer's trust domain: a.example is not b.example's.
    expect(probe(objects, sni).end).toMatchObject({ kind: "failed", reason: "trust-domain-refused" });
  });

  it("routes a call end to end through the indexed lookups", () => {
    const caller = config(
      [
        object("ServiceEntry", "istio-system", "r", {
          hosts: ["r.global"],
          addresses: ["240.241.0.9"],
          ports: [{ number: 8080, name: "tcp", protocol: "TCP" }],
          endpoints: [{ address: "10.0.0.2", ports: { tcp: 15443 } }],
          resolution: "STATIC",
        }),
        object("DestinationRule", "istio-system", "r", {
          host: "r.global",
          trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", sni: "r.global" } },
        }),
      ],
      "a",
    );
    const input = {
      clusters: new Map([
        ["a", caller],
        ["b", config([gateway("b-exact", ["r.global"]), route], "b")],
      ]),
      mesh: { clusters: new Map([...mesh.clusters, ["a", { name: "a", trustDomain: "a.example" }]]) },
    };
    const trace = traceCall(
      input,
      { cluster: "a", namespace: "default", serviceAccount: "default" },
      {
        host: "r.global",
        port: 8080,
      },
    );
    expect(tracePaths(trace).map((p) => p.end)).toEqual([
      { kind: "arrived", cluster: "b", service: "r.shop.svc.cluster.local", port: 8080 },
    ]);
  });
});

// The trace interpreter: unit tables for host matching, SNI, TLS settings and AuthorizationPolicy
// evaluation, then the bundled example traced hop by hop, and the `cw trace` command's exit codes.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { meshFactsFromTopology } from "../src/analysis/mesh-facts.js";
import { readOutputFolder } from "../src/cli/output-folder.js";
import { readFederation } from "../src/topology/read.js";
import { evaluateAuthz, principalMatches } from "../src/trace/authz.js";
import type { IstioObject } from "../src/trace/config.js";
import { tlsSetting } from "../src/trace/destination-rule.js";
import { formatTrace } from "../src/trace/format.js";
import { hostMatches, parseGatewayHost, resolveShortName } from "../src/trace/host-match.js";
import { inferMeshFacts } from "../src/trace/infer-mesh.js";
import { outboundSni, parseOutboundSni } from "../src/trace/sni.js";
import { traceCall, traceProbe } from "../src/trace/trace.js";
import { type Hop, tracePaths } from "../src/trace/types.js";
import { cw } from "./support/cw.js";

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), "..", "examples", "split-bookinfo");

const object = (
  kind: string,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): IstioObject => ({
  apiVersion: "security.istio.io/v1",
  kind,
  metadata: { name, namespace, labels: {} },
  spec,
});

describe("host matching", () => {
  it.each([
    ["reviews.global", "reviews.global", true],
    ["Reviews.Global", "reviews.global", true],
    ["*.global", "reviews.global", true],
    ["*.global", "a.b.global", true],
    ["*.global", "global", false],
    ["*", "anything.example", true],
    ["reviews.global", "reviews.default.global", false],
    ["*.default.global", "reviews.global", false],
  ])("%s matches %s: %s", async (pattern, name, expected) => {
    expect(hostMatches(pattern, name)).toBe(expected);
  });

  it.each([
    ["reviews", "shop", "reviews.shop.svc.cluster.local"],
    ["reviews.default", "shop", "reviews.default"],
    ["*", "shop", "*"],
  ])("short name %s in namespace %s is %s", async (host, ns, expected) => {
    expect(resolveShortName(host, ns)).toBe(expected);
  });

  it.each([
    ["istio-system/reviews.global", "gw-ns", { namespace: "istio-system", dnsName: "reviews.global" }],
    ["./reviews.global", "gw-ns", { namespace: "gw-ns", dnsName: "reviews.global" }],
    ["*/reviews.global", "gw-ns", { namespace: "*", dnsName: "reviews.global" }],
    ["reviews.global", "gw-ns", { namespace: "*", dnsName: "reviews.global" }],
  ])("Gateway host %s (Gateway in %s)", async (host, ns, expected) => {
    expect(parseGatewayHost(host, ns)).toEqual(expected);
  });
});

describe("SNI", () => {
  it.each([
    [
      { port: 9080, subset: "", host: "reviews.default.svc.cluster.local" },
      "outbound_.9080_._.reviews.default.svc.cluster.local",
    ],
    [{ port: 80, subset: "v1", host: "a.b" }, "outbound_.80_.v1_.a.b"],
  ])("AUTO_PASSTHROUGH form of %o is %s and reads back", async (key, sni) => {
    expect(outboundSni(key)).toBe(sni);
    expect(parseOutboundSni(sni)).toEqual(key);
  });
  it("other names are not cluster SNIs", async () => {
    expect(parseOutboundSni("reviews.global")).toBeUndefined();
    expect(parseOutboundSni("p6379.cache.global")).toBeUndefined();
  });

  const dr = object("DestinationRule", "istio-system", "x", {
    host: "x.global",
    trafficPolicy: {
      tls: { mode: "ISTIO_MUTUAL", sni: "x.global" },
      portLevelSettings: [
        { port: { number: 6379 }, tls: { mode: "ISTIO_MUTUAL", sni: "p6379.x.global" } },
        { port: { number: 7000 }, connectionPool: {} },
      ],
    },
    subsets: [{ name: "v2", labels: { v: "2" }, trafficPolicy: { tls: { mode: "DISABLE" } } }],
  });
  it.each([
    [80, undefined, { mode: "ISTIO_MUTUAL", sni: "x.global" }],
    [6379, undefined, { mode: "ISTIO_MUTUAL", sni: "p6379.x.global" }],
    // A port-level entry replaces the destination-level policy wholesale: no TLS at all.
    [7000, undefined, undefined],
    [80, "v2", { mode: "DISABLE" }],
  ])("port %i subset %s gets TLS %o", async (port, subset, expected) => {
    expect(tlsSetting(dr, port, subset)).toEqual(expected);
  });
});

describe("AuthorizationPolicy evaluation", () => {
  const gateway = {
    cluster: "b",
    namespace: "istio-system",
    labels: { istio: "ingressgateway" },
    trustDomain: "b.example",
    rootNamespace: "istio-system",
  };
  const deny = object("AuthorizationPolicy", "istio-system", "reviews-ingress", {
    selector: { matchLabels: { istio: "ingressgateway" } },
    action: "DENY",
    rules: [
      {
        from: [{ source: { notPrincipals: ["a.example/*"] } }],
        when: [{ key: "connection.sni", values: ["reviews.global"] }],
      },
    ],
  });
  const allowGet = object("AuthorizationPolicy", "istio-system", "allow-get", {
    selector: { matchLabels: { istio: "ingressgateway" } },
    action: "ALLOW",
    rules: [{ to: [{ operation: { methods: ["GET"] } }] }],
  });
  const denyPost = object("AuthorizationPolicy", "istio-system", "deny-post", {
    action: "DENY",
    rules: [{ to: [{ operation: { methods: ["POST"] } }] }],
  });
  it.each([
    [
      "a consumer",
      [deny],
      { principal: "a.example/ns/default/sa/pp", sni: "reviews.global", port: 15443 },
      "allow",
    ],
    [
      "a non-consumer",
      [deny],
      { principal: "c.example/ns/default/sa/pp", sni: "reviews.global", port: 15443 },
      "deny",
    ],
    ["no peer identity (notPrincipals matches)", [deny], { sni: "reviews.global", port: 15443 }, "deny"],
    [
      "another service's SNI",
      [deny],
      { principal: "c.example/ns/default/sa/pp", sni: "ratings.global", port: 15443 },
      "allow",
    ],
    ["no policy", [], { port: 15443 }, "allow"],
    [
      "ALLOW with HTTP-only fields on TCP: rule ignored",
      [allowGet],
      { principal: "a.example/ns/x/sa/y", port: 15443 },
      "deny",
    ],
    [
      "ALLOW with HTTP-only fields on HTTP GET",
      [allowGet],
      { principal: "a.example/ns/x/sa/y", port: 15443, http: { host: "h", path: "/", method: "GET" } },
      "allow",
    ],
    ["DENY with HTTP-only fields on TCP: denies more", [denyPost], { port: 15443 }, "deny"],
    [
      "DENY with HTTP-only fields on HTTP GET",
      [denyPost],
      { port: 15443, http: { host: "h", path: "/", method: "GET" } },
      "allow",
    ],
  ] as const)("%s: %s", (_name, policies, request, expected) => {
    expect(evaluateAuthz(policies, gateway, request).verdict).toBe(expected);
  });

  it.each([
    ["a.example/*", "a.example/ns/x/sa/y", "b.example", true],
    ["*", "a.example/ns/x/sa/y", "b.example", true],
    ["*", undefined, "b.example", false],
    ["*/ns/x/sa/y", "a.example/ns/x/sa/y", "b.example", true],
    // cluster.local in a full principal stands for the local trust domain; "td/*" is taken as written.
    ["cluster.local/ns/x/sa/y", "b.example/ns/x/sa/y", "b.example", true],
    ["cluster.local/ns/x/sa/y", "cluster.local/ns/x/sa/y", "b.example", false],
    ["cluster.local/*", "cluster.local/ns/x/sa/y", "b.example", true],
  ] as const)(
    "principal pattern %s matches %s at trust domain %s: %s",
    (pattern, principal, td, expected) => {
      expect(principalMatches(pattern, principal, td)).toBe(expected);
    },
  );
});

describe("the bundled example, hop by hop", () => {
  const topology = readFederation(
    "federation.yaml",
    readFileSync(join(EXAMPLE, "federation.yaml"), "utf8"),
  ).topology;
  const folder = readOutputFolder(join(EXAMPLE, "out"));
  if (!topology) throw new Error("the example does not read");
  const input = { clusters: folder.clusters, mesh: meshFactsFromTopology(topology) };
  const kinds = (hops: readonly Hop[]) => hops.map((h) => h.kind);

  it.each([
    ["a", "productpage", "reviews.global", "b", "reviews.default.svc.cluster.local"],
    ["b", "reviews", "ratings.global", "a", "ratings.default.svc.cluster.local"],
    ["a", "productpage", "reviews.default.global", "b", "reviews.default.svc.cluster.local"],
  ])("%s/%s -> %s crosses to %s's %s", async (cluster, sa, host, remote, service) => {
    const trace = traceCall(
      input,
      { cluster, namespace: "default", serviceAccount: sa },
      { host, port: 9080 },
    );
    const text = formatTrace("", trace);
    expect(trace.end, text).toEqual({ kind: "arrived", cluster: remote, service, port: 9080 });
    expect(kinds(trace.hops)).toEqual([
      "dns",
      "listener",
      "route",
      "cluster",
      "endpoint",
      "gateway",
      "authz",
      "route",
      "cluster",
      "arrive",
    ]);
    const [dns, , , cl, endpoint, gateway, authz, route] = trace.hops;
    expect(dns).toMatchObject({ kind: "dns", by: { kind: "ServiceEntry" } });
    expect(cl).toMatchObject({
      tls: { mode: "ISTIO_MUTUAL", sni: host.replace(".default", "") },
      destinationRule: { name: host },
    });
    expect(endpoint).toMatchObject({ reaches: `the ingress gateway of cluster ${remote}`, port: 15443 });
    expect(gateway).toMatchObject({
      protocol: "HTTPS",
      tlsMode: "ISTIO_MUTUAL",
      gateway: { name: `${service.split(".")[0]}-global` },
    });
    expect(authz).toMatchObject({
      verdict: "allow",
      principal: `${cluster}.bookinfo.example/ns/default/sa/${sa}`,
    });
    expect(route).toMatchObject({
      by: { kind: "VirtualService", name: `${service.split(".")[0]}-global-ingress-9080` },
    });
  });

  it("keeps productpage private to cluster a", async () => {
    const trace = traceCall(
      input,
      { cluster: "b", namespace: "default", serviceAccount: "reviews" },
      { host: "productpage.global", port: 9080 },
    );
    expect(trace.end).toMatchObject({ kind: "failed", reason: "name-not-resolved" });
  });

  it("has cluster b's gateway refuse a non-consumer that connects directly", async () => {
    const trace = traceProbe(input, {
      cluster: "b",
      principal: "c.example/ns/default/sa/x",
      sni: "reviews.global",
    });
    expect(trace.end).toMatchObject({ kind: "failed", reason: "denied-by-policy" });
    const none = traceProbe(input, {
      cluster: "b",
      principal: "a.bookinfo.example/ns/default/sa/x",
      sni: "details.global",
    });
    expect(none.end).toMatchObject({ kind: "failed", reason: "host-not-exposed" });
  });

  it("infers the same facts from the folder alone", async () => {
    const inferred = { clusters: folder.clusters, mesh: inferMeshFacts(folder.clusters) };
    const trace = traceCall(
      inferred,
      { cluster: "a", namespace: "default", serviceAccount: "productpage" },
      { host: "reviews.global", port: 9080 },
    );
    expect(tracePaths(trace).map((p) => p.end)).toEqual([
      { kind: "arrived", cluster: "b", service: "reviews.default.svc.cluster.local", port: 9080 },
    ]);
  });
});

describe("cw trace", () => {
  const folder = join(EXAMPLE, "out");
  it("prints each hop and exits 0 when the call arrives", async () => {
    const r = await cw(
      "trace",
      join(EXAMPLE, "federation.yaml"),
      "-o",
      folder,
      "--from",
      "a/default/productpage",
      "--to",
      "reviews.global:9080",
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("Gateway istio-system/reviews-global");
    expect(r.out).toMatch(/ok: reached reviews\.default\.svc\.cluster\.local:9080 in cluster b \(100%\)/);
  });
  it("exits 1 with the reason when the call is refused, as JSON for tools", async () => {
    const r = await cw(
      "trace",
      "-o",
      folder,
      "--from",
      "b/default/reviews",
      "--to",
      "http://productpage.global:9080/",
      "--format",
      "json",
    );
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { ok: boolean; paths: { end: { reason: string } }[] };
    expect(json.ok).toBe(false);
    expect(json.paths[0]?.end.reason).toBe("name-not-resolved");
  });
  it.each([
    [["trace", "-o", folder, "--from", "a", "--to", "reviews.global"]],
    [["trace", "-o", folder, "--from", "zz/default", "--to", "reviews.global:9080"]],
    [["trace", "-o", folder, "--to", "reviews.global:9080"]],
    // The folder where the topology goes: the old spelling, answered with the new one.
    [["trace", folder, "--from", "a", "--to", "reviews.global:9080"]],
  ])("exits 2 on misuse: %j", async (argv) => {
    expect((await cw(...argv)).code).toBe(2);
  });
});

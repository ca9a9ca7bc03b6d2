// The preflight's pure parts: DNS capture for narrowed callers, the calling namespaces, roots of trust
// in a bundle, and links from the topology.

import { describe, expect, it } from "vitest";
import type { KubeObject } from "../src/kube/client.js";
import { callingNamespaces, coreDnsVerdict, dnsProxyVerdict } from "../src/kube/dns-capture.js";
import { links } from "../src/kube/preflight-links.js";
import { rootsOf, shareRoot } from "../src/kube/root-of-trust.js";
import { INTERMEDIATE, OTHER_ROOT, SHARED_ROOT } from "./support/certificates.js";

const proxyConfig = (namespace: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "networking.istio.io/v1beta1",
  kind: "ProxyConfig",
  metadata: { name: "dns", namespace },
  spec,
});
const capture = { environmentVariables: { ISTIO_META_DNS_CAPTURE: "true" } };
const se = (exportTo?: string[]): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "ServiceEntry",
  metadata: { name: "x", namespace: "istio-system" },
  spec: { hosts: ["x.global"], ...(exportTo && { exportTo }) },
});

describe("DNS capture", () => {
  it("takes the calling namespaces from the ServiceEntries' exportTo", () => {
    expect([...callingNamespaces([se(["web"]), se(["ops", "web"])])].sort()).toEqual(["ops", "web"]);
    expect([...callingNamespaces([se(["web"]), se()])]).toEqual(["*"]);
    expect([...callingNamespaces([])]).toEqual([]);
  });

  const cases: [string, KubeObject[], string[], boolean][] = [
    [
      "a ProxyConfig in each calling namespace",
      [proxyConfig("web", capture), proxyConfig("ops", capture)],
      ["web", "ops"],
      true,
    ],
    ["one calling namespace without", [proxyConfig("web", capture)], ["web", "ops"], false],
    [
      "a ProxyConfig with a selector covers only some pods",
      [proxyConfig("web", { ...capture, selector: { matchLabels: { app: "x" } } })],
      ["web"],
      false,
    ],
    ["a namespace ProxyConfig does not cover every namespace", [proxyConfig("web", capture)], ["*"], false],
    ["a root-namespace ProxyConfig does", [proxyConfig("istio-system", capture)], ["*"], true],
  ];
  for (const [name, existing, callers, ok] of cases) {
    it(name, () => expect(dnsProxyVerdict(existing, new Set(callers), "istio-system").ok).toBe(ok));
  }

  it("before Istio 1.8, looks for the suffix zone in the Corefile", () => {
    expect(
      coreDnsVerdict(".:53 {\n  forward . /etc/resolv.conf\n}\nglobal:53 {\n  hosts {}\n}\n", "global").ok,
    ).toBe(true);
    expect(coreDnsVerdict(".:53 {\n  forward . /etc/resolv.conf\n}\n", "global").ok).toBe(false);
    expect(coreDnsVerdict(undefined, "global").ok).toBe(false);
  });
});

describe("roots of trust", () => {
  it("takes the self-signed certificates of a bundle as its roots", () => {
    const bundle = rootsOf(`${INTERMEDIATE}\n${SHARED_ROOT}\n`);
    if (typeof bundle === "string") throw new Error(bundle);
    expect(bundle.map((r) => r.subject)).toEqual(["O=cw test, CN=shared root CA"]);
    const shared = rootsOf(SHARED_ROOT);
    const other = rootsOf(OTHER_ROOT);
    if (typeof shared === "string" || typeof other === "string") throw new Error("unreadable");
    expect(shareRoot(bundle, shared)).toBe(true);
    expect(shareRoot(bundle, other)).toBe(false);
  });

  it("says why a bundle has none", () => {
    expect(rootsOf("")).toBe("root-cert.pem holds no PEM certificate");
    expect(rootsOf("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).toMatch(/cannot be read/);
  });
});

describe("links", () => {
  it("are the (caller, callee) pairs of consumers and backends, '*' meaning every other cluster", () => {
    const topology = {
      clusters: ["a", "b", "c"].map((name) => ({ name })),
      services: [
        { consumers: [{ cluster: "*" }], backends: [{ cluster: "b" }] },
        { consumers: [{ cluster: "a" }], backends: [{ cluster: "c" }, { cluster: "a" }] },
      ],
    } as unknown as Parameters<typeof links>[0];
    expect(links(topology)).toEqual([
      { from: "a", to: "b" },
      { from: "a", to: "c" },
      { from: "c", to: "b" },
    ]);
  });
});

// Merging what cw discover found into a topology file: added clusters and services, filled-in fields,
// differences kept (or taken with update), and the user's text kept byte for byte where the merge
// did not touch it: comments, spacing inside flow collections, quoting, key order.

import { describe, expect, it } from "vitest";
import type { DiscoveredCluster } from "../src/kube/discover.js";
import { mergeDiscovery, newTopologyText, topologyPorts } from "../src/kube/topology-merge.js";
import { readFederation } from "../src/topology/read.js";

const found = (over: Partial<DiscoveredCluster> & { cluster: string }): DiscoveredCluster => ({
  context: over.cluster,
  services: [],
  serviceExportApi: false,
  notes: [],
  ...over,
});

const USER = `# Our federation. Keep this comment.
apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: shop   # the name labels everything
spec:
  clusters:
    - name: a
      istioVersion: "1.29"
      ingress: { addresses: [gw.a.example] }   # a DNS name, on purpose
    # b comes later
  services:
    - name: cart
      namespace: shop
      ports: [{ name: http, protocol: HTTP, port: 8080 }]
      backends: [{ cluster: a }]
`;

const options = { name: "shop", namespaces: [] as string[], contexts: new Map<string, string>() };

describe("mergeDiscovery", () => {
  it("fills in missing fields and keeps every other line as the user wrote it", () => {
    const result = mergeDiscovery(
      USER,
      [found({ cluster: "a", istio: { version: "1.29.3", trustDomain: "a.shop.example" } })],
      options,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changes).toEqual(['cluster a: trustDomain set to "a.shop.example"']);
    expect(result.text).toBe(
      USER.replace(
        "      ingress: { addresses: [gw.a.example] }   # a DNS name, on purpose\n",
        "      ingress: { addresses: [gw.a.example] }   # a DNS name, on purpose\n      trustDomain: a.shop.example\n",
      ),
    );
  });

  it("keeps values that differ from the cluster's and says so; update takes the cluster's", () => {
    const live = [
      found({
        cluster: "a",
        istio: { version: "1.30.1", trustDomain: "a.shop.example" },
        ingress: {
          service: "istio-ingressgateway",
          namespace: "istio-system",
          addresses: ["203.0.113.7"],
          ports: [15443],
        },
        services: [{ name: "cart", namespace: "shop", type: "ClusterIP", ports: [], exported: false }],
      }),
    ];
    const kept = mergeDiscovery(USER, live, options);
    if (!kept.ok) throw new Error(kept.error);
    expect(kept.kept).toEqual([
      'cluster a: istioVersion is "1.29" in the file but "1.30" in the cluster; kept (--update takes the cluster\'s)',
      "cluster a: ingress.addresses is [gw.a.example] in the file but [203.0.113.7] in the cluster; kept (--update takes the cluster's)",
    ]);
    expect(kept.text).toContain('istioVersion: "1.29"');

    const updated = mergeDiscovery(USER, live, { ...options, update: true });
    if (!updated.ok) throw new Error(updated.error);
    expect(updated.kept).toEqual([]);
    expect(updated.text).toContain('      istioVersion: "1.30"\n');
    // The flow style of the replaced list is kept; the comment after it too.
    expect(updated.text).toContain("ingress: { addresses: [203.0.113.7] } # a DNS name, on purpose");
    expect(updated.text).toContain("# Our federation. Keep this comment.\n");
    expect(updated.text).toContain("  name: shop   # the name labels everything\n");
  });

  it("treats the same minor Istio release as equal", () => {
    const result = mergeDiscovery(USER, [found({ cluster: "a", istio: { version: "1.29.7" } })], options);
    expect(result.ok && result.changes).toEqual([]);
    expect(result.ok && result.text).toBe(USER);
  });

  it("appends new clusters with their kubeconfig context, and services only where asked", () => {
    const b = found({
      cluster: "b",
      context: "gke_shop_b",
      istio: { version: "1.30.0", trustDomain: "b.shop.example" },
      ingress: {
        service: "eastwest",
        namespace: "istio-system",
        addresses: ["lb.b.example"],
        ports: [15443],
      },
      services: [
        {
          name: "cart",
          namespace: "shop",
          type: "ClusterIP",
          ports: [{ name: "http", protocol: "TCP", port: 8080 }],
          exported: false,
        },
        {
          name: "pay",
          namespace: "shop",
          type: "ClusterIP",
          ports: [{ name: "grpc-api", protocol: "TCP", port: 9090 }],
          exported: true,
        },
        {
          name: "dns",
          namespace: "infra",
          type: "ClusterIP",
          ports: [{ name: "dns", protocol: "UDP", port: 53 }],
          exported: false,
        },
        {
          name: "search",
          namespace: "shop",
          type: "ClusterIP",
          ports: [{ protocol: "TCP", port: 9200 }],
          exported: false,
        },
      ],
    });
    const result = mergeDiscovery(USER, [b], {
      ...options,
      namespaces: ["shop"],
      contexts: new Map([["b", "gke_shop_b"]]),
    });
    if (!result.ok) throw new Error(result.error);
    expect(result.changes).toEqual([
      "cluster b: added (context gke_shop_b)",
      "service cart: backend in cluster b added",
      "service pay: added (Service shop/pay in b, exported to every cluster by its ServiceExport)",
      "service search: added (Service shop/search in b)",
    ]);
    // The new cluster goes to the end of the list; a comment that ended the list still does.
    expect(result.text).toContain(`    - name: b
      trustDomain: b.shop.example
      istioVersion: "1.30"
      ingress:
        addresses:
          - lb.b.example
      kubeconfig: { context: gke_shop_b }
    # b comes later
`);
    expect(result.text).toContain("      backends: [{ cluster: a }, { cluster: b }]\n");
    expect(result.text).toContain(`    - name: pay
      namespace: shop
      ports:
        - { name: grpc-api, protocol: GRPC, port: 9090 }
      backends:
        - cluster: b
      consumers:
        - "*"
`);
    expect(result.text).toContain("        - { name: tcp-9200, protocol: TCP, port: 9200 }\n");
    // The result is a valid Federation file.
    expect(readFederation("f.yaml", result.text).diagnostics).toEqual([]);
  });

  it("reports a backend the file names in a cluster that has no such Service", () => {
    const result = mergeDiscovery(USER, [found({ cluster: "a", services: [] })], options);
    expect(result.ok && result.kept).toEqual([
      "service cart: cluster a has no Service shop/cart; its backend there is kept",
    ]);
  });

  it("starts a new file from nothing", () => {
    const text = newTopologyText("demo", ["ctx-a"]);
    const result = mergeDiscovery(
      text,
      [found({ cluster: "a", context: "ctx-a", istio: { version: "1.30.0", trustDomain: "cluster.local" } })],
      {
        ...options,
        name: "demo",
        kubeconfigPath: "/home/me/.kube/config",
        contexts: new Map([["a", "ctx-a"]]),
      },
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.text).toBe(`# Written by cw discover from kubeconfig context ctx-a.
# Edit it freely: cw discover --write merges what it finds into it and keeps your edits and comments.
apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: demo
spec:
  clusters:
    - name: a
      trustDomain: cluster.local
      istioVersion: "1.30"
      kubeconfig: { path: /home/me/.kube/config, context: ctx-a }
  services: []
`);
  });

  it("refuses a file that is not YAML", () => {
    const result = mergeDiscovery("spec: [unclosed", [found({ cluster: "a" })], options);
    expect(result.ok).toBe(false);
  });
});

describe("topologyPorts", () => {
  it.each([
    [
      { name: "http", protocol: "TCP", port: 80 },
      { name: "http", protocol: "HTTP", port: 80 },
    ],
    [
      { name: "http2-web", protocol: "TCP", port: 81 },
      { name: "http2-web", protocol: "HTTP2", port: 81 },
    ],
    [
      { name: "web", appProtocol: "kubernetes.io/h2c", protocol: "TCP", port: 82 },
      { name: "web", protocol: "HTTP2", port: 82 },
    ],
    [
      { name: "x", appProtocol: "grpc", protocol: "TCP", port: 83 },
      { name: "x", protocol: "GRPC", port: 83 },
    ],
    [
      { name: "tls-db", protocol: "TCP", port: 84 },
      { name: "tls-db", protocol: "TLS", port: 84 },
    ],
    [
      { name: "mongo", protocol: "TCP", port: 27017 },
      { name: "mongo", protocol: "MONGO", port: 27017 },
    ],
    [
      { name: "Weird_Name", protocol: "TCP", port: 85 },
      { name: "tcp-85", protocol: "TCP", port: 85 },
    ],
    [
      { protocol: "TCP", port: 86 },
      { name: "tcp-86", protocol: "TCP", port: 86 },
    ],
  ])("%o becomes %o", (port, expected) => {
    expect(topologyPorts([port])).toEqual([expected]);
  });

  it("leaves out UDP and SCTP ports, which cannot cross", () => {
    expect(topologyPorts([{ name: "dns", protocol: "UDP", port: 53 }])).toEqual([]);
  });
});

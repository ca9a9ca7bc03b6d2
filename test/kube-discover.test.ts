// cw discover against a stand-in Kubernetes API server (test/support/kube-stand-in.ts): the ingress
// gateway's service account read from its pods and merged into the topology, and lists followed
// page by page.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverCluster } from "../src/kube/discover.js";
import { connect } from "../src/kube/node-client.js";
import { readFederation } from "../src/topology/read.js";
import { cw } from "./support/cw.js";
import { type StoredObject, unreachableUrl, writeKubeconfig } from "./support/kube-stand-in.js";
import { gatewayPod, istioCluster, service } from "./support/live-fixtures.js";
import { standInBed } from "./support/stand-in-bed.js";

const bed = standInBed("cw-discover-");
let kubeconfigs = 0;

async function cluster(objects: StoredObject[], options: { pageSize?: number } = {}) {
  const server = await bed.start({ objects, ...options });
  const kubeconfig = writeKubeconfig(join(bed.dir, `kubeconfig-${++kubeconfigs}`), [
    { name: "b", url: server.url },
  ]);
  return { server, client: connect({ context: "b", kubeconfig }), kubeconfig };
}

const OPTIONS = {
  namespaces: [],
  ingress: { selector: { istio: "ingressgateway" }, namespace: "istio-system", port: 15443 },
  egress: { selector: { istio: "egressgateway" }, namespace: "istio-system" },
  istioNamespace: "istio-system",
};

const bookinfo = (gatewayAccount?: string) =>
  istioCluster({
    version: "1.30.1",
    trustDomain: "b.bookinfo.example",
    address: { hostname: "eastwest.b.bookinfo.example" },
    services: ["reviews", "details", "ratings"],
    ...(gatewayAccount !== undefined && { gatewayAccount }),
  });

describe("cw discover reads the ingress gateway's service account (stand-in API server)", () => {
  it("takes spec.serviceAccountName of the pods the gateway selector matches", async () => {
    const { server, client } = await cluster([
      ...bookinfo("eastwest-gateway"),
      // Another gateway's pod in the namespace: not selected, so its account is not taken.
      {
        ...gatewayPod("other-1", "other-gateway"),
        metadata: { name: "other-1", namespace: "istio-system", labels: { istio: "other" } },
      },
    ]);
    const found = await discoverCluster(client, "b", OPTIONS);
    expect(found.ingress?.serviceAccount).toBe("eastwest-gateway");
    expect(found.notes).toEqual([]);
    const podLists = server.requests.filter((r) => r.path === "/api/v1/namespaces/istio-system/pods");
    expect(podLists.map((r) => r.query.get("labelSelector"))).toEqual(["istio=ingressgateway"]);
  });

  it("leaves pods being deleted out, and says so when the pods disagree or none run", async () => {
    const rolling = await cluster([
      ...bookinfo("new-gateway"),
      gatewayPod("old-1", "old-gateway", { deletionTimestamp: "2026-01-01T00:00:00Z" }),
    ]);
    expect((await discoverCluster(rolling.client, "b", OPTIONS)).ingress?.serviceAccount).toBe("new-gateway");

    const mixed = await cluster([...bookinfo("a-gateway"), gatewayPod("second", "b-gateway")]);
    const m = await discoverCluster(mixed.client, "b", OPTIONS);
    expect(m.ingress?.serviceAccount).toBeUndefined();
    expect(m.notes).toEqual([
      "the ingress gateway's pods (istio=ingressgateway) run as several service accounts (a-gateway, b-gateway); cw pins one in the names callers check: set ingress.serviceAccount by hand",
    ]);

    const none = await cluster(bookinfo());
    const n = await discoverCluster(none.client, "b", OPTIONS);
    expect(n.ingress?.serviceAccount).toBeUndefined();
    expect(n.notes).toEqual([
      "no pods in namespace istio-system match the ingress gateway's selector (istio=ingressgateway), so its service account is unknown; is the gateway running?",
    ]);
  });

  it("merges it into the topology: filled in where missing, kept where it differs, taken with --update", async () => {
    const { kubeconfig } = await cluster(bookinfo("eastwest-gateway"));
    const topology = join(bed.dir, "federation.yaml");
    copyFileSync("test/golden/trust-domains/federation.yaml", topology);
    const text = readFileSync(topology, "utf8");
    // One cluster of the file, read through context b.
    const name = readFederation(topology, text).topology?.clusters[0]?.name ?? "";
    const r = await cw("discover", topology, "--context", `${name}=b`, "--kubeconfig", kubeconfig, "--write");
    expect(r.err).toBe("");
    expect(r.out).toContain("service account eastwest-gateway");
    expect(r.out).toContain(`cluster ${name}: ingress.serviceAccount set to "eastwest-gateway"`);
    const written = readFederation(topology, readFileSync(topology, "utf8")).topology;
    expect(written?.clusters.find((c) => c.name === name)?.ingress.serviceAccount).toBe("eastwest-gateway");

    const { kubeconfig: other } = await cluster(bookinfo("renamed-gateway"));
    const kept = await cw("discover", topology, "--context", `${name}=b`, "--kubeconfig", other, "--write");
    expect(kept.out).toContain(
      `cluster ${name}: ingress.serviceAccount is "eastwest-gateway" in the file but "renamed-gateway" in the cluster; kept (--update takes the cluster's)`,
    );
    const updated = await cw(
      "discover",
      topology,
      "--context",
      `${name}=b`,
      "--kubeconfig",
      other,
      "--write",
      "--update",
    );
    expect(updated.out).toContain(
      `cluster ${name}: ingress.serviceAccount changed from "eastwest-gateway" to "renamed-gateway"`,
    );
  });
});

describe("lists follow every page (stand-in API server that answers two items per page)", () => {
  it("reads every Service although each answer holds two", async () => {
    const names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7"];
    const { server, client } = await cluster(
      [
        ...bookinfo("gw"),
        ...names.map((n) => service("shop", n, { ports: [{ port: 80, protocol: "TCP" }] })),
      ],
      { pageSize: 2 },
    );
    const found = await discoverCluster(client, "b", OPTIONS);
    expect(found.services.filter((s) => s.namespace === "shop").map((s) => s.name)).toEqual(names);
    const serviceLists = server.requests.filter((r) => r.path === "/api/v1/services");
    // Every page asked with a limit, every later one with the token the server gave.
    expect(serviceLists.length).toBeGreaterThan(4);
    expect(serviceLists.every((r) => r.query.get("limit") === "500")).toBe(true);
    expect(serviceLists.slice(1).every((r) => (r.query.get("continue") ?? "") !== "")).toBe(true);
  });
});

const istio = (
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  metadata: Partial<StoredObject["metadata"]> = {},
): StoredObject => ({ apiVersion, kind, metadata: { name, namespace, ...metadata }, spec });

const ofFederation = (federation: string) => ({
  labels: { "app.kubernetes.io/managed-by": "coddiwomple", "coddiwomple.io/federation": federation },
});

/** What a cluster set up from Istio's multi-network guide, and used by other teams, already has. */
function existingConfig(): StoredObject[] {
  return [
    // Istio's samples/multicluster/expose-services.yaml
    istio(
      "networking.istio.io/v1",
      "Gateway",
      "istio-system",
      "cross-network-gateway",
      {
        selector: { istio: "eastwestgateway" },
        servers: [
          {
            port: { number: 15443, name: "tls", protocol: "TLS" },
            tls: { mode: "AUTO_PASSTHROUGH" },
            hosts: ["*.local"],
          },
        ],
      },
      {
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"networking.istio.io/v1"}',
          "team.example/owner": "platform",
        },
        managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "networking.istio.io/v1" }],
      },
    ),
    istio("security.istio.io/v1", "AuthorizationPolicy", "istio-system", "allow-nothing", {}),
    istio("networking.istio.io/v1alpha3", "EnvoyFilter", "istio-system", "stats", { configPatches: [] }),
    istio("networking.istio.io/v1beta1", "ProxyConfig", "shop", "dns", {
      environmentVariables: { ISTIO_META_DNS_CAPTURE: "true" },
    }),
    istio("networking.istio.io/v1", "DestinationRule", "shop", "reviews", { host: "reviews.global" }),
    // This federation's own: left out. Another federation's: kept, it is config like any other.
    istio(
      "networking.istio.io/v1",
      "ServiceEntry",
      "istio-system",
      "reviews-global",
      { hosts: ["reviews.global"] },
      ofFederation("bookinfo"),
    ),
    istio(
      "networking.istio.io/v1",
      "ServiceEntry",
      "istio-system",
      "pay-global",
      { hosts: ["pay.global"] },
      ofFederation("payments"),
    ),
    // ConfigMaps that share the istio- prefix but are no mesh config, and a Secret: never read.
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio-ca-root-cert", namespace: "istio-system" },
      data: { "root-cert.pem": "-----BEGIN CERTIFICATE-----\n" },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio-1-30", namespace: "istio-system", labels: { "istio.io/rev": "1-30" } },
      data: { mesh: "trustDomain: b.bookinfo.example\n" },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cacerts", namespace: "istio-system" },
      data: { "ca-key.pem": "c2VjcmV0" },
    },
  ];
}

describe("cw discover --existing against a stand-in API server", () => {
  it("writes each cluster's Istio config, one object per file, cut down, ours and Secrets left out", async () => {
    const { server, kubeconfig } = await cluster([...bookinfo("gw"), ...existingConfig()], { pageSize: 2 });
    const out = join(bed.dir, "existing");
    // With the topology instead of --name: its federation's objects are left out.
    const args = [
      "discover",
      bed.topology,
      "--context",
      "b=b",
      "--kubeconfig",
      kubeconfig,
      "--existing",
      out,
    ];
    const r = await cw(...args);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `existing config in ${out}/:\n  b/: 8 objects (8 written, 0 removed); 1 of federation bookinfo's own left out\n`,
    );
    expect(listFiles(join(out, "b"))).toEqual([
      "istio-system/authorizationpolicy-allow-nothing.yaml",
      "istio-system/configmap-istio-1-30.yaml",
      "istio-system/configmap-istio.yaml",
      "istio-system/envoyfilter-stats.yaml",
      "istio-system/gateway-cross-network-gateway.yaml",
      "istio-system/serviceentry-pay-global.yaml",
      "shop/destinationrule-reviews.yaml",
      "shop/proxyconfig-dns.yaml",
    ]);
    // Read by a person: apiVersion, kind, metadata without what the server keeps, spec; keys sorted.
    expect(readFileSync(join(out, "b/istio-system/gateway-cross-network-gateway.yaml"), "utf8")).toBe(
      `# Read from cluster "b" by cw discover --existing. cw rewrites this file each time; once you edit it, cw keeps it.
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
  namespace: istio-system
  annotations:
    team.example/owner: platform
spec:
  selector:
    istio: eastwestgateway
  servers:
    - hosts:
        - "*.local"
      port:
        name: tls
        number: 15443
        protocol: TLS
      tls:
        mode: AUTO_PASSTHROUGH
`,
    );
    expect(readFileSync(join(out, "b/shop/proxyconfig-dns.yaml"), "utf8")).toContain(
      "apiVersion: networking.istio.io/v1beta1\n",
    );
    expect(readFileSync(join(out, "b/istio-system/configmap-istio-1-30.yaml"), "utf8")).toContain(
      "data:\n  mesh: |\n    trustDomain: b.bookinfo.example\n",
    );
    // Secrets are never asked for.
    expect(server.requests.some((q) => q.path.includes("/secrets"))).toBe(false);

    // Again: the same bytes, nothing written.
    const before = snapshotOf(out);
    const again = await cw(...args);
    expect(again.out).toContain("  b/: 8 objects (up to date)");
    expect(snapshotOf(out)).toEqual(before);
  });
});

describe("cw discover --existing keeps the user's files and says what it left out", () => {
  it("never overwrites a file it did not write (exit 1, nothing written); --force does", async () => {
    const { kubeconfig } = await cluster([...bookinfo("gw"), ...existingConfig()]);
    const out = join(bed.dir, "existing");
    mkdirSync(join(out, "b", "shop"), { recursive: true });
    writeFileSync(join(out, "b/shop/destinationrule-reviews.yaml"), "# mine\n");
    const args = existingArgs(kubeconfig, out);
    const r = await cw(...args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `error CW3002: ${out}/b/shop/destinationrule-reviews.yaml exists and cw did not write it; move it away, or run again with --force to overwrite it`,
    );
    expect(r.err).toContain(`nothing was written to ${out}`);
    expect(listFiles(out)).toEqual(["b/shop/destinationrule-reviews.yaml"]);
    expect(readFileSync(join(out, "b/shop/destinationrule-reviews.yaml"), "utf8")).toBe("# mine\n");

    const forced = await cw(...args, "--force");
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, "b/shop/destinationrule-reviews.yaml"), "utf8")).toContain(
      "host: reviews.global",
    );
  });

  it("removes the file of an object deleted from the cluster, and keeps one the user edited", async () => {
    const { server, kubeconfig } = await cluster([...bookinfo("gw"), ...existingConfig()]);
    const out = join(bed.dir, "existing");
    const args = existingArgs(kubeconfig, out);
    expect((await cw(...args)).code).toBe(0);
    await server.close();
    const objects = server.objects().filter((o) => !["reviews", "stats"].includes(o.metadata.name));
    const { kubeconfig: after } = await cluster(objects);
    writeFileSync(join(out, "b/istio-system/envoyfilter-stats.yaml"), "# edited\n");
    const r = await cw(...existingArgs(after, out));
    expect(r.code).toBe(0);
    expect(r.out).toContain("  b/: 6 objects (0 written, 1 removed)");
    expect(r.out).toContain(
      `  kept: ${out}/b/istio-system/envoyfilter-stats.yaml: its object is gone from cluster b, but you edited the file, so it is kept`,
    );
    expect(existsSync(join(out, "b/shop/destinationrule-reviews.yaml"))).toBe(false);
    expect(existsSync(join(out, "b/istio-system/envoyfilter-stats.yaml"))).toBe(true);
  });

  it("leaves out namespaces istiod's discoverySelectors do not select", async () => {
    const mesh = bookinfo("gw").map((o) =>
      o.kind === "ConfigMap"
        ? { ...o, data: { mesh: "discoverySelectors:\n  - matchLabels: { istio-discovery: enabled }\n" } }
        : o,
    );
    const namespace = (name: string, labels: Record<string, string>): StoredObject => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels },
    });
    const { kubeconfig } = await cluster([
      ...mesh,
      ...existingConfig().filter((o) => o.kind !== "ConfigMap"),
      namespace("istio-system", { "istio-discovery": "enabled" }),
      namespace("shop", {}),
    ]);
    const out = join(bed.dir, "existing");
    const r = await cw(...existingArgs(kubeconfig, out));
    expect(r.out).toContain("config in shop left out (istiod's discoverySelectors do not select it)");
    expect(listFiles(out).filter((f) => f.startsWith("b/shop"))).toEqual([]);
  });

  it("leaves an unreachable cluster's folder as it was, gives an empty cluster an empty folder, exits 3", async () => {
    const { server: a } = await cluster([]);
    const kubeconfig = writeKubeconfig(join(bed.dir, "kubeconfig"), [
      { name: "a", url: a.url },
      { name: "gone", url: await unreachableUrl() },
    ]);
    const out = join(bed.dir, "existing");
    mkdirSync(join(out, "c", "istio-system"), { recursive: true });
    writeFileSync(join(out, "c/istio-system/gateway-old.yaml"), "# from an earlier run\n");
    const r = await cw(
      "discover",
      "--context",
      "a=a",
      "--context",
      "c=gone",
      "--kubeconfig",
      kubeconfig,
      "--name",
      "bookinfo",
      "--existing",
      out,
    );
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/ {2}c\/: not read \(.*ECONNREFUSED.*\); its folder is left as it was/);
    expect(r.out).toContain("  a/: 0 objects (up to date)");
    expect(statSync(join(out, "a")).isDirectory()).toBe(true);
    expect(listFiles(join(out, "a"))).toEqual([]);
    expect(readFileSync(join(out, "c/istio-system/gateway-old.yaml"), "utf8")).toBe(
      "# from an earlier run\n",
    );
  });

  it("needs to know whose objects to leave out", async () => {
    const r = await cw("discover", "--context", "b", "--existing", join(bed.dir, "existing"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("--existing leaves out this federation's own objects");
  });
});

/** cw discover --existing of cluster b, through context b, for federation bookinfo. */
const existingArgs = (kubeconfig: string, out: string) => [
  "discover",
  "--context",
  "b=b",
  "--kubeconfig",
  kubeconfig,
  "--name",
  "bookinfo",
  "--existing",
  out,
];

function listFiles(root: string, prefix = ""): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(root, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

function snapshotOf(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map((f) => [
      f,
      `${readFileSync(join(root, f), "utf8")}@${statSync(join(root, f)).mtimeMs}`,
    ]),
  );
}

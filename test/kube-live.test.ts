// cw discover, diff and apply against a stand-in Kubernetes API server (test/support/kube-stand-in.ts):
// the real client library over HTTP to a small server that speaks the Kubernetes REST API, one per
// cluster, reached through a generated kubeconfig. The commands run in-process (runAsync), as a user
// would type them. What they must show: what is read and written, that apply is server-side apply
// under field manager coddiwomple, that --dry-run changes nothing, that --prune deletes only this
// federation's objects that are no longer generated, that an object cw did not create is never
// touched, and that one failing cluster (unreachable, refusing, or breaking halfway) is reported
// while the others succeed.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import { applyCluster } from "../src/kube/apply.js";
import type { KubeClient } from "../src/kube/client.js";
import { discoverCluster } from "../src/kube/discover.js";
import { connect } from "../src/kube/node-client.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { readFederation } from "../src/topology/read.js";
import { cw } from "./support/cw.js";
import {
  StandInKubeApi,
  type StoredObject,
  unreachableUrl,
  writeKubeconfig,
} from "./support/kube-stand-in.js";
import { http9080, istioCluster, OURS, service } from "./support/live-fixtures.js";

let dir: string;
let servers: StandInKubeApi[];
let kubeconfig: string;
let topology: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-kube-"));
  servers = [];
  topology = join(dir, "federation.yaml");
  copyFileSync("examples/split-bookinfo/federation.yaml", topology);
  copyFileSync("examples/split-bookinfo/federation.lock.yaml", join(dir, "federation.lock.yaml"));
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function standIn(options: Parameters<typeof StandInKubeApi.start>[0] = {}): Promise<StandInKubeApi> {
  const s = await StandInKubeApi.start(options);
  servers.push(s);
  return s;
}

/** Clusters a and b of the example, each a stand-in, in a kubeconfig with contexts a and b. */
async function twoClusters(seed: { a?: StoredObject[]; b?: StoredObject[] } = {}) {
  const a = await standIn({ objects: seed.a ?? [] });
  const b = await standIn({ objects: seed.b ?? [] });
  kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
    { name: "a", url: a.url },
    { name: "b", url: b.url },
  ]);
  return { a, b };
}

/** What cw generates for a cluster of the example. */
function generated(cluster: string) {
  const read = readFederation(topology, readFileSync(topology, "utf8"));
  if (!read.topology) throw new Error("example does not read");
  const out = compile(read.topology, EMPTY_LOCK).clusters.find((c) => c.cluster === cluster);
  return (out?.objects ?? []).map((g) => g.resource);
}

const managed = (s: StandInKubeApi) =>
  s.objects().filter((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "coddiwomple");

describe("cw discover against a stand-in Kubernetes API server", () => {
  it("reads Services, ServiceExports, the gateway's address, the Istio version and the trust domain", async () => {
    const b = await standIn({
      serviceExports: true,
      objects: [
        ...istioCluster({
          version: "1.29.1-distroless",
          address: { hostname: "eastwest.b.example" },
          services: ["reviews", "details"],
          // As the Helm gateway chart names it: after its release.
          gatewayAccount: "eastwest-gateway",
        }),
        {
          apiVersion: "multicluster.x-k8s.io/v1alpha1",
          kind: "ServiceExport",
          metadata: { name: "reviews", namespace: "default" },
        },
      ],
    });
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [{ name: "b", url: b.url }]);
    const found = await discoverCluster(connect({ context: "b", kubeconfig }), "b", {
      namespaces: [],
      ingress: { selector: { istio: "ingressgateway" }, namespace: "istio-system", port: 15443 },
      egress: { selector: { istio: "egressgateway" }, namespace: "istio-system" },
      istioNamespace: "istio-system",
    });
    expect(found).toEqual({
      cluster: "b",
      context: "b",
      // No trustDomain in the mesh config: Istio's default.
      istio: { version: "1.29.1", trustDomain: "cluster.local" },
      ingress: {
        service: "istio-ingressgateway",
        namespace: "istio-system",
        addresses: ["eastwest.b.example"],
        ports: [15021, 80, 443, 15443],
        serviceAccount: "eastwest-gateway",
      },
      services: [
        {
          name: "details",
          namespace: "default",
          type: "ClusterIP",
          ports: [{ name: "http", protocol: "TCP", port: 9080 }],
          exported: false,
        },
        {
          name: "reviews",
          namespace: "default",
          type: "ClusterIP",
          ports: [{ name: "http", protocol: "TCP", port: 9080 }],
          exported: true,
        },
      ],
      serviceExportApi: true,
      notes: [],
    });
    // Only reads: no request changed anything.
    expect(b.writes()).toEqual([]);
  });

  it("writes a new topology from two clusters, skipping one that cannot be reached, and exits 3", async () => {
    const a = await standIn({
      objects: istioCluster({
        version: "1.30.2",
        trustDomain: "a.bookinfo.example",
        address: { ip: "203.0.113.10" },
        services: ["productpage", "ratings", "details"],
      }),
    });
    const b = await standIn({
      serviceExports: true,
      objects: [
        ...istioCluster({
          version: "1.30.0",
          trustDomain: "b.bookinfo.example",
          address: { hostname: "eastwest.b.example" },
          services: ["reviews", "details"],
        }),
        {
          apiVersion: "multicluster.x-k8s.io/v1alpha1",
          kind: "ServiceExport",
          metadata: { name: "reviews", namespace: "default" },
        },
      ],
    });
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
      { name: "kind-a", url: a.url },
      { name: "kind-b", url: b.url },
      { name: "gone", url: await unreachableUrl() },
    ]);
    const file = join(dir, "new.yaml");
    const r = await cw(
      "discover",
      file,
      "--context",
      "kind-a",
      "--context",
      "b=kind-b",
      "--context",
      "c=gone",
      "--namespace",
      "default",
      "--kubeconfig",
      kubeconfig,
      "--write",
      "--name",
      "bookinfo",
    );
    expect(r.code).toBe(3);
    expect(r.out).toContain(
      "cluster kind-a (context kind-a): Istio 1.30.2, trust domain a.bookinfo.example, 3 Services",
    );
    expect(r.out).toContain(
      "ingress gateway istio-system/istio-ingressgateway: 203.0.113.10 (ports 15021, 80, 443, 15443)",
    );
    expect(r.out).toMatch(/cluster c \(context gone\): not read: .*cannot reach http:\/\/127\.0\.0\.1:\d+/);
    expect(r.out).toContain(
      "service reviews: added (Service default/reviews in b, exported to every cluster by its ServiceExport)",
    );
    expect(r.err).toContain("1 of 3 clusters could not be read");
    const text = readFileSync(file, "utf8");
    expect(text).toContain("metadata:\n  name: bookinfo\n");
    expect(text).not.toContain("name: c\n");
    const read = readFederation(file, text);
    expect(read.diagnostics).toEqual([]);
    const t = read.topology;
    expect(
      t?.clusters.map((c) => [c.name, c.trustDomain, c.istioVersion, c.ingress.addresses, c.kubeconfig]),
    ).toEqual([
      ["kind-a", "a.bookinfo.example", "1.30", ["203.0.113.10"], { path: kubeconfig, context: "kind-a" }],
      ["b", "b.bookinfo.example", "1.30", ["eastwest.b.example"], { path: kubeconfig, context: "kind-b" }],
    ]);
    expect(
      t?.services.map((s) => [s.name, s.backends.map((x) => x.cluster), s.consumers.map((c) => c.cluster)]),
    ).toEqual([
      ["details", ["b", "kind-a"], []],
      ["productpage", ["kind-a"], []],
      ["ratings", ["kind-a"], []],
      ["reviews", ["b"], ["*"]],
    ]);
    // What discover wrote compiles.
    if (!t) throw new Error("no topology");
    expect(compile(t, EMPTY_LOCK).diagnostics.filter((d) => d.level === "error")).toEqual([]);
  });

  it("merges into an existing topology: fills gaps, keeps the user's values and comments", async () => {
    const a = await standIn({
      objects: istioCluster({
        version: "1.30.2",
        trustDomain: "a.bookinfo.example",
        address: { ip: "203.0.113.99" },
        services: ["productpage", "ratings", "details"],
      }),
    });
    const b = await standIn({
      objects: istioCluster({
        version: "1.30.1",
        trustDomain: "b.bookinfo.example",
        address: { hostname: "eastwest.b.bookinfo.example" },
        services: ["reviews", "details", "ratings"],
      }),
    });
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
      { name: "a", url: a.url },
      { name: "b", url: b.url },
    ]);
    const before = readFileSync(topology, "utf8");
    const dry = await cw("discover", topology, "--kubeconfig", kubeconfig, "--namespace", "default");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("would change\n  service ratings: backend in cluster b added\n");
    expect(dry.out).toContain(
      "cluster a: ingress.addresses is [203.0.113.10] in the file but [203.0.113.99] in the cluster; kept",
    );
    expect(readFileSync(topology, "utf8")).toBe(before);

    const r = await cw("discover", topology, "--kubeconfig", kubeconfig, "--namespace", "default", "--write");
    expect(r.code).toBe(0);
    const after = readFileSync(topology, "utf8");
    // Exactly one line more: b's backend of ratings; every comment and every other line as it was.
    expect(after).toBe(
      before.replace(
        "      backends:\n        - cluster: a\n      consumers: [b]\n",
        "      backends:\n        - cluster: a\n        - cluster: b\n      consumers: [b]\n",
      ),
    );
  });
});

describe("cw apply, diff and prune against a stand-in Kubernetes API server", () => {
  it("applies every generated object with server-side apply under field manager coddiwomple", async () => {
    const { a, b } = await twoClusters();
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    for (const [name, server] of [
      ["a", a],
      ["b", b],
    ] as const) {
      const expected = generated(name);
      const stored = managed(server);
      expect(stored.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        expected.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
      );
      for (const o of expected) {
        const live = server.find(o.kind, o.metadata.namespace, o.metadata.name);
        expect(live?.spec).toEqual(JSON.parse(JSON.stringify(o.spec)));
        expect(live?.metadata.labels).toEqual(o.metadata.labels);
      }
      const patches = server.requests.filter((q) => q.method === "PATCH");
      expect(patches).toHaveLength(expected.length);
      for (const p of patches) {
        expect(p.contentType).toBe("application/apply-patch+yaml");
        expect(p.query.get("fieldManager")).toBe("coddiwomple");
        expect(p.query.get("force")).toBe("true");
        expect(p.query.has("dryRun")).toBe(false);
      }
    }
    expect(r.out).toMatch(/ {2}created {4}ServiceEntry istio-system\/reviews-global\n/);
    expect(r.out).toContain("cw apply: 2 clusters applied\n");

    // Applied again: nothing changes, and diff agrees.
    const again = await cw("apply", topology, "--kubeconfig", kubeconfig);
    expect(again.code).toBe(0);
    expect(again.out).not.toMatch(/^ {2}(created|configured) /m);
    expect(again.out).toMatch(/a: \d+ of \d+ applied \(0 created, 0 configured, \d+ unchanged\)/);
    const diff = await cw("diff", topology, "--kubeconfig", kubeconfig);
    expect(diff.out).toContain("cw diff: a up to date, b up to date\n");
    expect(diff.code).toBe(0);
  });

  it("with --dry-run sends every request as dryRun=All and changes nothing", async () => {
    const stale: StoredObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: {
        name: "old-global",
        namespace: "istio-system",
        labels: { ...OURS, "coddiwomple.io/service": "old" },
      },
      spec: { hosts: ["old.global"] },
    };
    const { a, b } = await twoClusters({ a: [stale] });
    const before = [a.objects(), b.objects()];
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--dry-run", "--prune");
    expect(r.code).toBe(0);
    expect([a.objects(), b.objects()]).toEqual(before);
    const writes = [...a.writes(), ...b.writes()];
    expect(writes.length).toBeGreaterThan(10);
    for (const w of writes) expect(w.query.get("dryRun")).toBe("All");
    expect(r.out).toContain("created (dry run)      ServiceEntry istio-system/reviews-global");
    expect(r.out).toContain("deleted (dry run)      ServiceEntry istio-system/old-global");
    expect(r.out).toContain("(dry run: nothing was changed)");
  });

  it("diff shows what apply --prune would create, update and delete, and what it leaves alone", async () => {
    const ours = generated("b").find((o) => o.kind === "Gateway");
    if (!ours) throw new Error("no Gateway generated for b");
    const outdated = structuredClone(ours) as unknown as StoredObject;
    (outdated.spec as { servers: { hosts: string[] }[] }).servers[0]?.hosts.push("istio-system/extra.global");
    const { a, b } = await twoClusters({
      b: [
        outdated,
        {
          apiVersion: "networking.istio.io/v1",
          kind: "ServiceEntry",
          metadata: {
            name: "old-global",
            namespace: "istio-system",
            labels: { ...OURS, "coddiwomple.io/service": "old" },
          },
          spec: { hosts: ["old.global"] },
        },
        {
          apiVersion: "networking.istio.io/v1",
          kind: "DestinationRule",
          metadata: {
            name: "ratings.global",
            namespace: "istio-system",
            labels: { "app.kubernetes.io/managed-by": "kubectl" },
          },
          spec: { host: "ratings.global" },
        },
      ],
    });
    const before = [a.objects(), b.objects()];
    const r = await cw("diff", topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(
      /== cluster b \(context b\): \d+ to create, 1 to update, 0 unchanged, 1 to prune \(with --prune\), 1 not ours\n/,
    );
    expect(r.out).toContain(
      "--- b: Gateway istio-system/reviews-global (live)\n+++ b: Gateway istio-system/reviews-global (generated)\n",
    );
    expect(r.out).toContain("\n-        - istio-system/extra.global\n");
    expect(r.out).toContain("--- /dev/null\n+++ b: ServiceEntry istio-system/reviews-global (generated)\n");
    expect(r.out).toContain("--- b: ServiceEntry istio-system/old-global (live)\n+++ /dev/null\n");
    expect(r.out).toContain(
      '!! DestinationRule istio-system/ratings.global exists but is not cw\'s (it is managed by "kubectl"): apply leaves it alone\n',
    );
    expect(r.out).toContain("cw diff: a differs, b has problems\n");
    // diff asks the servers with dry runs only.
    expect([a.objects(), b.objects()]).toEqual(before);
    for (const w of [...a.writes(), ...b.writes()]) expect(w.query.get("dryRun")).toBe("All");
  });

  it("exits 1 when the clusters differ and nothing is wrong, as kubectl diff does", async () => {
    await twoClusters();
    const r = await cw("diff", topology, "--kubeconfig", kubeconfig, "--cluster", "a");
    expect(r.code).toBe(1);
    expect(r.out).toContain("cw diff: a differs\n");
    expect(r.out).not.toContain("cluster b");
  });

  it("exits 5, not 1, when the topology has errors: 1 would read as differences", async () => {
    await twoClusters();
    writeFileSync(topology, readFileSync(topology, "utf8").replace("- cluster: b", "- cluster: zz"));
    const r = await cw("diff", topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(5);
    expect(r.err).toContain("error CW1008");
  });

  it("--prune deletes only this federation's objects that are no longer generated", async () => {
    const label = (extra: Record<string, string>) => ({ ...OURS, "coddiwomple.io/service": "old", ...extra });
    const seeds: StoredObject[] = [
      // Ours and no longer generated: pruned.
      {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "ServiceEntry",
        metadata: { name: "old-global", namespace: "istio-system", labels: label({}) },
        spec: { hosts: ["old.global"] },
      },
      {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: "old-global-ingress", namespace: "istio-system", labels: label({}) },
        spec: {},
      },
      // Another federation's, cw's all the same: kept.
      {
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: {
          name: "other-global",
          namespace: "istio-system",
          labels: { ...OURS, "coddiwomple.io/federation": "other" },
        },
        spec: { hosts: ["other.global"] },
      },
      // Somebody else's, with and without labels: kept.
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "hand-made", namespace: "default" },
        spec: { hosts: ["x"] },
      },
      {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: {
          name: "helm-gw",
          namespace: "istio-system",
          labels: { "coddiwomple.io/federation": "bookinfo", "app.kubernetes.io/managed-by": "Helm" },
        },
        spec: {},
      },
      // A Service of the cluster, never a kind cw prunes.
      service("default", "reviews", http9080),
    ];
    const { a, b } = await twoClusters({ a: seeds, b: seeds });
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--prune");
    expect(r.code).toBe(0);
    for (const [name, server] of [
      ["a", a],
      ["b", b],
    ] as const) {
      expect(server.find("ServiceEntry", "istio-system", "old-global")).toBeUndefined();
      expect(server.find("AuthorizationPolicy", "istio-system", "old-global-ingress")).toBeUndefined();
      for (const kept of ["other-global", "hand-made", "helm-gw", "reviews"]) {
        expect(server.objects().some((o) => o.metadata.name === kept)).toBe(true);
      }
      expect(
        managed(server).filter((o) => o.metadata.labels?.["coddiwomple.io/federation"] === "bookinfo").length,
      ).toBe(generated(name).length);
      const deletes = server.requests.filter((q) => q.method === "DELETE");
      expect(deletes.map((d) => d.path).sort()).toEqual([
        "/apis/networking.istio.io/v1/namespaces/istio-system/serviceentries/old-global",
        "/apis/security.istio.io/v1/namespaces/istio-system/authorizationpolicies/old-global-ingress",
      ]);
      // Each deletion names the uid the object had when it was listed.
      for (const d of deletes) expect(JSON.parse(d.body).preconditions.uid).toMatch(/^[0-9a-f-]{36}$/);
      // Lists were narrowed by the label selector of this federation.
      const lists = server.requests.filter((q) => q.method === "GET" && q.query.has("labelSelector"));
      for (const l of lists) {
        expect(l.query.get("labelSelector")).toBe(
          "app.kubernetes.io/managed-by=coddiwomple,coddiwomple.io/federation=bookinfo",
        );
      }
    }
    expect(r.out).toContain("  deleted    ServiceEntry istio-system/old-global\n");
    expect(r.out).toMatch(/a: \d+ of \d+ applied \(\d+ created, 0 configured, 0 unchanged\), 2 pruned/);
  });

  it("prunes nothing it did not create even when the server ignores the label selector", async () => {
    const { a } = await twoClusters({
      a: [
        {
          apiVersion: "networking.istio.io/v1",
          kind: "VirtualService",
          metadata: { name: "hand-made", namespace: "default" },
          spec: { hosts: ["x"] },
        },
        {
          apiVersion: "networking.istio.io/v1",
          kind: "ServiceEntry",
          metadata: {
            name: "other-global",
            namespace: "istio-system",
            labels: { ...OURS, "coddiwomple.io/federation": "other" },
          },
          spec: {},
        },
      ],
    });
    const real = connect({ context: "a", kubeconfig });
    const careless: KubeClient = { ...real, list: (v, k, o) => real.list(v, k, { ...o, labelSelector: "" }) };
    const result = await applyCluster(
      { cluster: "a", client: careless, desired: generated("a") as never },
      "bookinfo",
      { dryRun: false, prune: true },
    );
    expect(result.results.filter((x) => x.action === "deleted")).toEqual([]);
    expect(a.find("VirtualService", "default", "hand-made")).toBeDefined();
    expect(a.find("ServiceEntry", "istio-system", "other-global")).toBeDefined();
  });

  it("does not delete an object that changed since it was listed (409 from the uid precondition)", async () => {
    const { a } = await twoClusters({
      a: [
        {
          apiVersion: "networking.istio.io/v1",
          kind: "ServiceEntry",
          metadata: { name: "old-global", namespace: "istio-system", labels: { ...OURS } },
          spec: {},
        },
      ],
    });
    const real = connect({ context: "a", kubeconfig });
    // The list answers with the uid of an object that has since been deleted and created anew.
    const stale: KubeClient = {
      ...real,
      list: async (v, k, o) =>
        (await real.list(v, k, o)).map((x) => ({
          ...x,
          metadata: { ...x.metadata, uid: "00000000-0000-0000-0000-000000000000" },
        })),
    };
    const result = await applyCluster(
      { cluster: "a", client: stale, desired: generated("a") as never },
      "bookinfo",
      { dryRun: false, prune: true },
    );
    const failed = result.results.filter((x) => x.action === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.message).toMatch(
      /^it changed since it was listed, so it was not deleted: .*Precondition failed: UID/,
    );
    expect(a.find("ServiceEntry", "istio-system", "old-global")).toBeDefined();
  });

  it("never applies over an object it did not create, and skips prune in that cluster", async () => {
    const theirs: StoredObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "ratings.global", namespace: "istio-system", labels: { team: "payments" } },
      spec: { host: "ratings.global", trafficPolicy: { tls: { mode: "DISABLE" } } },
    };
    const stale: StoredObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "old-global", namespace: "istio-system", labels: { ...OURS } },
      spec: {},
    };
    const { a, b } = await twoClusters({ a: [stale], b: [theirs, stale] });
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--prune");
    expect(r.code).toBe(3);
    expect(b.find("DestinationRule", "istio-system", "ratings.global")).toEqual({
      ...theirs,
      metadata: expect.objectContaining(theirs.metadata),
    });
    expect(b.writes().some((w) => w.path.endsWith("/destinationrules/ratings.global"))).toBe(false);
    expect(r.out).toContain(
      '  not-ours   DestinationRule istio-system/ratings.global: DestinationRule istio-system/ratings.global exists and was not created by cw for federation "bookinfo" (it has no managed-by label); cw leaves it alone',
    );
    expect(r.out).toContain(
      "prune skipped: some objects were not applied, so nothing is pruned in this cluster",
    );
    expect(b.find("ServiceEntry", "istio-system", "old-global")).toBeDefined();
    // Cluster a is not held back by b.
    expect(a.find("ServiceEntry", "istio-system", "old-global")).toBeUndefined();
    expect(managed(a)).toHaveLength(generated("a").length);
    expect(r.out).toContain("cw apply: 1 of 2 clusters failed (b)\n");
  });

  it("reports a cluster that fails mid-apply while the others succeed", async () => {
    const { a, b } = await twoClusters();
    // b's API server goes away after three objects: the connection drops without an answer.
    let patches = 0;
    b.failWhen = (q) => (q.method === "PATCH" && ++patches > 3 ? "drop" : undefined);
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--prune");
    expect(r.code).toBe(3);
    expect(managed(a)).toHaveLength(generated("a").length);
    expect(managed(b)).toHaveLength(3);
    expect(r.out).toMatch(
      / {2}failed {5}\w+ istio-system\/[\w.-]+: apply \w+ [\w.-]+: cannot reach http:\/\/127\.0\.0\.1:\d+: .*socket hang up/,
    );
    expect(r.out).toMatch(new RegExp(`b: 3 of ${generated("b").length} applied .*1 failed; stopped: `));
    expect(r.out).toContain("cw apply: 1 of 2 clusters failed (b)\n");
    // The stopped cluster tried nothing after the failure, and pruned nothing.
    expect(b.requests.filter((q) => q.method === "PATCH")).toHaveLength(4);
    expect(b.requests.some((q) => q.method === "DELETE" || q.query.has("labelSelector"))).toBe(false);
  });

  it("reports objects the server refuses (422, 500) and goes on with the next ones", async () => {
    const { a, b } = await twoClusters();
    b.rejectApply = (o) =>
      o.kind === "Gateway" ? "spec.servers[0].port.number: Invalid value: 15443: port in use" : undefined;
    a.failWhen = (q) =>
      q.method === "PATCH" && q.path.endsWith("/serviceentries/details-global")
        ? { code: 500, reason: "InternalError", message: "etcdserver: request timed out" }
        : undefined;
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(3);
    expect(r.out).toContain(
      '  failed     Gateway istio-system/reviews-global: apply Gateway reviews-global: Gateway.networking.istio.io "reviews-global" is invalid: spec.servers[0].port.number: Invalid value: 15443: port in use (Invalid, 422)\n',
    );
    expect(r.out).toContain(
      "  failed     ServiceEntry istio-system/details-global: apply ServiceEntry details-global: etcdserver: request timed out (InternalError, 500)\n",
    );
    expect(managed(a)).toHaveLength(generated("a").length - 1);
    expect(managed(b)).toHaveLength(generated("b").length - 1);
    expect(r.out).toContain("cw apply: 2 of 2 clusters failed (a, b)\n");
  });

  it("reports an unreachable cluster and applies the others", async () => {
    const a = await standIn();
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
      { name: "a", url: a.url },
      { name: "b", url: await unreachableUrl() },
    ]);
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(3);
    expect(managed(a)).toHaveLength(generated("a").length);
    expect(r.out).toMatch(/failed .*cannot reach http:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/);
    expect(r.out).toContain("cw apply: 1 of 2 clusters failed (b)\n");
    const diff = await cw("diff", topology, "--kubeconfig", kubeconfig);
    expect(diff.code).toBe(3);
    expect(diff.out).toMatch(/== cluster b \(context b\): FAILED: .*ECONNREFUSED/);
  });

  it("reports a kubeconfig without the cluster's context as that cluster's failure", async () => {
    const a = await standIn();
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [{ name: "a", url: a.url }]);
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(3);
    expect(r.out).toContain('cluster b (context b): FAILED: kubeconfig has no context "b" (it has a)\n');
    expect(managed(a)).toHaveLength(generated("a").length);
  });

  it("refuses a topology with errors before talking to any cluster", async () => {
    const { a } = await twoClusters();
    writeFileSync(topology, readFileSync(topology, "utf8").replace("- cluster: b", "- cluster: c"));
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(1);
    expect(r.err).toContain("CW1008");
    expect(a.requests).toEqual([]);
  });
});

// Issue 12: broken and hostile servers and kubeconfigs, against the same stand-in. Each of these went
// wrong before: prune stopped at the first page, a topology's kubeconfig ran its exec plugin (once per
// object, without a time limit), a secrets file's lines were printed, server strings reached the
// terminal raw, and unnamed federations pruned each other's objects.
describe("broken and hostile servers and kubeconfigs (stand-in Kubernetes API server)", () => {
  const staleEntry = (i: number): StoredObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: {
      name: `old-${i}-global`,
      namespace: "istio-system",
      labels: { ...OURS, "coddiwomple.io/service": `old-${i}` },
    },
    spec: { hosts: [`old-${i}.global`] },
  });

  it("apply --prune follows every page of a paging server and deletes every stale object", async () => {
    const { a } = await twoClusters({ a: Array.from({ length: 260 }, (_, i) => staleEntry(i)) });
    a.pageSize = 50;
    const diff = await cw("diff", topology, "--kubeconfig", kubeconfig, "--cluster", "a");
    expect(diff.out).toMatch(/, 260 to prune \(with --prune\)/);
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--cluster", "a", "--prune");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/260 pruned/);
    expect(a.objects("ServiceEntry").filter((o) => o.metadata.name.startsWith("old-"))).toEqual([]);
    const pages = a.requests.filter((q) => q.method === "GET" && q.path.endsWith("/serviceentries"));
    expect(pages.some((q) => q.query.has("continue"))).toBe(true);
  });

  it("fails a cluster whose list pages never end, and prunes nothing there", async () => {
    const { a } = await twoClusters({ a: [staleEntry(1)] });
    a.endlessPages = true;
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--prune");
    expect(r.code).toBe(3);
    expect(r.out).toContain("the server's pages do not end");
    expect(a.requests.some((q) => q.method === "DELETE")).toBe(false);
    expect(r.out).toContain("cw apply: 1 of 2 clusters failed (a)\n");
  });

  it("refuses --prune for the original's files without --name, before asking any cluster", async () => {
    const { a, b } = await twoClusters();
    const clusters = join(dir, "clusters.json");
    const services = join(dir, "services.json");
    writeFileSync(
      clusters,
      JSON.stringify([
        { name: "a", address: "192.0.2.1" },
        { name: "b", address: "192.0.2.2" },
      ]),
    );
    writeFileSync(
      services,
      JSON.stringify([
        {
          name: "web",
          ports: [{ name: "http", protocol: "HTTP", service_port: 80 }],
          backends: { b: "web.default.svc.cluster.local" },
        },
      ]),
    );
    const legacy = [
      "--cluster-file",
      clusters,
      "--service-file",
      services,
      "--lock",
      join(dir, "legacy.lock.yaml"),
    ];
    const r = await cw("apply", ...legacy, "--kubeconfig", kubeconfig, "--prune");
    expect(r.code).toBe(2);
    expect(r.err).toContain('cw calls it "coddiwomple", as it calls every other unnamed one');
    expect(r.err).toContain("--name");
    expect([...a.requests, ...b.requests]).toEqual([]);
    const named = await cw("apply", ...legacy, "--name", "team-web", "--kubeconfig", kubeconfig, "--prune");
    expect(named.code).toBe(0);
  });

  /** A kubeconfig whose user runs `plugin` (an exec credential plugin) for every cluster. */
  function execKubeconfig(file: string, urls: { name: string; url: string }[], plugin: string): string {
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: urls.map((c) => ({
        name: c.name,
        cluster: { server: c.url, "insecure-skip-tls-verify": true },
      })),
      users: [
        {
          name: "u",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1",
              command: plugin,
              interactiveMode: "Never",
            },
          },
        },
      ],
      contexts: urls.map((c) => ({ name: c.name, context: { cluster: c.name, user: "u" } })),
    };
    writeFileSync(file, JSON.stringify(config));
    return file;
  }
  const CREDENTIAL =
    '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"stand-in-token"}}';
  function plugin(name: string, body: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return path;
  }

  it("follows a kubeconfig.path of the topology only with --kubeconfig-from-topology, and runs its plugin once per cluster", async () => {
    const a = await standIn();
    const b = await standIn();
    const marker = join(dir, "plugin-ran");
    const pr = plugin("plugin.sh", `echo ran >> ${marker}\necho '${CREDENTIAL}'`);
    const pulled = execKubeconfig(
      join(dir, "from-pr.kubeconfig"),
      [
        { name: "a", url: a.url },
        { name: "b", url: b.url },
      ],
      pr,
    );
    writeFileSync(
      topology,
      readFileSync(topology, "utf8").replace(
        /( {4}- name: (a|b)\n)/g,
        `$1      kubeconfig: { path: ${pulled} }\n`,
      ),
    );
    const refused = await cw("diff", topology);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("--kubeconfig-from-topology");
    expect(existsSync(marker)).toBe(false);
    expect([...a.requests, ...b.requests]).toEqual([]);

    const allowed = await cw("diff", topology, "--kubeconfig-from-topology");
    expect(allowed.code).toBe(1); // differences, as kubectl diff says them
    // Once per cluster, however many requests each made.
    expect(readFileSync(marker, "utf8")).toBe("ran\nran\n");
    expect(a.requests.length).toBeGreaterThan(10);
  });

  it("bounds an exec plugin that hangs by --timeout: its clusters fail, cw does not hang", async () => {
    const a = await standIn();
    const b = await standIn();
    const hangs = plugin("hangs.sh", "sleep 30");
    const slow = execKubeconfig(
      join(dir, "slow.kubeconfig"),
      [
        { name: "a", url: a.url },
        { name: "b", url: b.url },
      ],
      hangs,
    );
    const started = Date.now();
    const r = await cw("diff", topology, "--kubeconfig", slow, "--timeout", "1");
    expect(Date.now() - started).toBeLessThan(8000);
    expect(r.code).toBe(3);
    expect(r.out).toContain('no credentials for context "a" within 1 s');
    expect(r.out).toContain("cw diff: a failed, b failed\n");
    expect([...a.requests, ...b.requests]).toEqual([]);
  }, 20_000);

  it("reports a cluster whose credentials fail once, not once per object", async () => {
    const a = await standIn();
    const fails = plugin("fails.sh", "echo 'token expired, run login' >&2\nexit 1");
    kubeconfig = execKubeconfig(join(dir, "kubeconfig"), [{ name: "a", url: a.url }], fails);
    const r = await cw("apply", topology, "--kubeconfig", kubeconfig, "--cluster", "a");
    expect(r.code).toBe(3);
    expect(r.out.split("token expired, run login").length - 1).toBe(1);
  });

  it("never prints a kubeconfig's content: a path at a secrets file is named, not quoted", async () => {
    const secrets = join(dir, "secrets.txt");
    writeFileSync(secrets, 'db_password: hunter2\napi_token: "s3cr3t\n  nested: [\n');
    const r = await cw("diff", topology, "--kubeconfig", secrets);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`cannot read kubeconfig ${secrets}: it is not a kubeconfig`);
    expect(r.out + r.err).not.toMatch(/hunter2|s3cr3t/);
  });

  it("discover shows the servers' strings with control characters escaped", async () => {
    const b = await standIn({
      objects: [
        service("default", "evil\u001b[2J\u001b]0;pwned\u0007", http9080),
        service(
          "istio-system",
          "istio-ingressgateway",
          { selector: { istio: "ingressgateway" }, ports: [{ port: 15443 }] },
          {
            loadBalancer: { ingress: [{ hostname: "gw.example\r\nnote: all good" }] },
          },
        ),
      ],
    });
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [{ name: "b", url: b.url }]);
    const r = await cw("discover", "--context", "b", "--kubeconfig", kubeconfig);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may get through.
    expect(r.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(r.out).toContain("evil\\x1b[2J\\x1b]0;pwned\\x07");
    expect(r.out).toContain("gw.example\\r\\nnote: all good");
  });

  it("says plainly when no cluster could be read", async () => {
    kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
      { name: "a", url: await unreachableUrl() },
      { name: "b", url: await unreachableUrl() },
    ]);
    const r = await cw("discover", "--context", "a", "--context", "b", "--kubeconfig", kubeconfig);
    expect(r.code).toBe(3);
    expect(r.err).toBe("cw: error CW5001: 2 of 2 clusters could not be read (a, b); nothing was read\n");
  });
});

// cw discover against a stand-in Kubernetes API server (test/support/kube-stand-in.ts): the ingress
// gateway's service account read from its pods and merged into the topology, and lists followed
// page by page.

import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discoverCluster } from "../src/kube/discover.js";
import { connect } from "../src/kube/node-client.js";
import { readFederation } from "../src/topology/read.js";
import { StandInKubeApi, type StoredObject, writeKubeconfig } from "./support/kube-stand-in.js";
import { cw, gatewayPod, istioCluster, service } from "./support/live-fixtures.js";

let dir: string;
let servers: StandInKubeApi[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-discover-"));
  servers = [];
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function cluster(objects: StoredObject[], options: { pageSize?: number } = {}) {
  const server = await StandInKubeApi.start({ objects, ...options });
  servers.push(server);
  const kubeconfig = writeKubeconfig(join(dir, `kubeconfig-${servers.length}`), [
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
    const topology = join(dir, "federation.yaml");
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

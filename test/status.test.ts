// cw status against stand-in Kubernetes API servers (test/support/kube-stand-in.ts): the example's two
// clusters, in sync and then each way out of sync, from the clusters themselves and from the Argo CD
// Applications or Flux Kustomizations that deliver them; one test per ✘ the table can show.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cw } from "./support/cw.js";
import { ready } from "./support/example-clusters.js";
import {
  type StandInKubeApi,
  type StoredObject,
  unreachableUrl,
  writeKubeconfig,
} from "./support/kube-stand-in.js";
import { OURS } from "./support/live-fixtures.js";
import { standInBed } from "./support/stand-in-bed.js";

const bed = standInBed("cw-status-");

const start = (objects: StoredObject[], gitops = false): Promise<StandInKubeApi> =>
  bed.start({ objects, gitops });

async function clusters(
  b: StoredObject[] = ready(bed.topology, "b"),
  extra: { name: string; url: string }[] = [],
) {
  const a = await start(ready(bed.topology, "a"));
  const bServer = await start(b);
  return writeKubeconfig(join(bed.dir, "kubeconfig"), [
    { name: "a", url: a.url },
    { name: "b", url: bServer.url },
    ...extra,
  ]);
}

/** cw status asking the engine that runs at context `where`. */
const statusOf = (kubeconfig: string, engine: string, where: string) =>
  cw("status", bed.topology, "--kubeconfig", kubeconfig, "--gitops", engine, "--gitops-context", where);

const row = (out: string, cluster: string) =>
  (out.split("\n").find((l) => l.startsWith(`${cluster} `)) ?? "").split(/ {2,}/);

describe("cw status against stand-in API servers", () => {
  it("shows every cluster in sync, and exits 0", async () => {
    const kubeconfig = await clusters();
    const r = await cw("status", bed.topology, "--kubeconfig", kubeconfig);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[2]).toBe(
      "CLUSTER  OBJECTS  IN SYNC  MISSING  CHANGED  OUTDATED  NOT OURS  EXTRA  STATUS",
    );
    expect(row(r.out, "a")).toEqual(["a", "12", "12", "0", "0", "0", "0", "0", "✔ in sync"]);
    expect(row(r.out, "b")).toEqual(["b", "10", "10", "0", "0", "0", "0", "0", "✔ in sync"]);
    expect(r.out).toContain("Every cluster is in sync.\n");
  });

  it("✘ out of sync: missing, changed in the cluster, an older generation, not ours, no longer generated", async () => {
    const b = ready(bed.topology, "b");
    const ours = b.filter((o) => o.metadata.labels?.["coddiwomple.io/federation"] === "bookinfo");
    const [missing, edited, outdated, taken] = ours as [
      StoredObject,
      StoredObject,
      StoredObject,
      StoredObject,
    ];
    const changed = structuredClone(edited);
    (changed.spec as Record<string, unknown>).exportTo = ["elsewhere"];
    // An older generation: another spec, with the hash annotation of that spec (as cw wrote it then).
    const older = structuredClone(outdated);
    (older.spec as Record<string, unknown>).exportTo = ["."];
    const { liveSpecHash } = await import("../src/emit/spec-hash.js");
    older.metadata.annotations = { "coddiwomple.io/hash": liveSpecHash(older) };
    const theirs: StoredObject = {
      ...structuredClone(taken),
      metadata: { name: taken.metadata.name, namespace: taken.metadata.namespace, labels: { team: "web" } },
    };
    const extra: StoredObject = {
      ...structuredClone(missing),
      metadata: { ...missing.metadata, name: "gone-global", labels: { ...OURS } },
    };
    const kubeconfig = await clusters([
      ...b.filter((o) => ![missing, edited, outdated, taken].includes(o)),
      changed,
      older,
      theirs,
      extra,
    ]);
    const r = await cw("status", bed.topology, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(1);
    expect(row(r.out, "b")).toEqual(["b", "10", "6", "1", "1", "1", "1", "1", "✘ out of sync"]);
    expect(row(r.out, "a").at(-1)).toBe("✔ in sync");
    expect(r.out).toContain(`b: ${missing.kind} istio-system/${missing.metadata.name} is missing\n`);
    expect(r.out).toContain(`b: ${edited.kind} istio-system/${edited.metadata.name} is edited\n`);
    expect(r.out).toContain(`b: ${outdated.kind} istio-system/${outdated.metadata.name} is outdated\n`);
    expect(r.out).toContain(`b: ${taken.kind} istio-system/${taken.metadata.name} is not-ours\n`);
    expect(r.out).toContain("1 of 2 clusters not in sync; cw diff shows what differs.\n");

    const json = JSON.parse(
      (await cw("status", bed.topology, "--kubeconfig", kubeconfig, "--format", "json")).out,
    );
    expect(json.clusters[1].counts).toEqual({
      "in-sync": 6,
      missing: 1,
      "not-ours": 1,
      edited: 1,
      outdated: 1,
      extra: 1,
    });
    expect(json.clusters[1].differing).toContainEqual({
      object: `${missing.kind} istio-system/gone-global`,
      state: "extra",
    });
  });

  it("✘ unreachable: the row says so and the others are still read", async () => {
    const a = await start(ready(bed.topology, "a"));
    const dead = writeKubeconfig(join(bed.dir, "kubeconfig-dead"), [
      { name: "a", url: a.url },
      { name: "b", url: await unreachableUrl() },
    ]);
    const r = await cw("status", bed.topology, "--kubeconfig", dead);
    expect(r.code).toBe(1);
    expect(row(r.out, "b")).toEqual(["b", "-", "-", "-", "-", "-", "-", "-", "✘ unreachable"]);
    expect(r.out).toMatch(/\nb: .*ECONNREFUSED/);
    expect(row(r.out, "a").at(-1)).toBe("✔ in sync");
  });
});

const application = (cluster: string, sync: string, health: string, message?: string): StoredObject => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: {
    name: `bookinfo-${cluster}`,
    namespace: "argocd",
    labels: { ...OURS, "coddiwomple.io/cluster": cluster },
  },
  spec: { project: "default" },
  status: {
    sync: { status: sync, revision: "3f2a9c1d7e4b5a6c8d9e0f1a2b3c4d5e6f7a8b9c" },
    health: { status: health, ...(message !== undefined && { message }) },
  },
});

const kustomization = (
  cluster: string,
  ready: "True" | "False",
  reason: string,
  message?: string,
  namespace = "flux-system",
): StoredObject => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: {
    name: `bookinfo-${cluster}`,
    namespace,
    labels: { ...OURS, "coddiwomple.io/cluster": cluster },
  },
  spec: { path: `./deploy/${cluster}` },
  status: {
    lastAppliedRevision: "main@sha1:3f2a9c1d7e4b5a6c8d9e0f1a2b3c4d5e6f7a8b9c",
    conditions: [{ type: "Ready", status: ready, reason, ...(message !== undefined && { message }) }],
  },
});

describe("cw status --gitops against stand-in API servers", () => {
  it("✘ Argo CD says one cluster's Application is OutOfSync although the cluster matches", async () => {
    const argo = await start(
      [
        application("a", "Synced", "Healthy"),
        application("b", "OutOfSync", "Progressing", "waiting for sync"),
      ],
      true,
    );
    const kubeconfig = await clusters(undefined, [{ name: "mgmt", url: argo.url }]);
    const r = await statusOf(kubeconfig, "argocd", "mgmt");
    expect(r.code).toBe(1);
    expect(r.out.split("\n")[0]).toBe('cw status: federation "bookinfo", Argo CD on context mgmt');
    expect(row(r.out, "a").slice(-2)).toEqual(["Synced, Healthy @ 3f2a9c1d7e4b", "✔ in sync"]);
    expect(row(r.out, "b").slice(-2)).toEqual(["OutOfSync, Progressing @ 3f2a9c1d7e4b", "✘ out of sync"]);
    expect(r.out).toContain("b: waiting for sync\n");
    // Only the Applications of this federation were asked for.
    expect(argo.requests.find((q) => q.path.endsWith("/applications"))?.query.get("labelSelector")).toBe(
      "coddiwomple.io/federation=bookinfo",
    );
  });

  it("✘ a cluster the engine does not deliver, and an engine that cannot be asked", async () => {
    const argo = await start([application("a", "Synced", "Healthy")], true);
    const kubeconfig = await clusters(undefined, [
      { name: "mgmt", url: argo.url },
      { name: "gone", url: await unreachableUrl() },
    ]);
    const r = await statusOf(kubeconfig, "argocd", "mgmt");
    expect(row(r.out, "b").slice(-2)).toEqual(["no delivery object", "✘ out of sync"]);
    const down = await statusOf(kubeconfig, "argocd", "gone");
    expect(down.code).toBe(1);
    expect(row(down.out, "a").at(-2)).toMatch(/^cannot ask: .*ECONNREFUSED/);
  });

  it("✘ Flux: a Kustomization that is not Ready, asked where Flux runs", async () => {
    const flux = await start(
      [
        kustomization("a", "True", "ReconciliationSucceeded"),
        kustomization("b", "False", "HealthCheckFailed", "timeout waiting for resources"),
      ],
      true,
    );
    const kubeconfig = await clusters(undefined, [{ name: "mgmt", url: flux.url }]);
    const r = await statusOf(kubeconfig, "flux", "mgmt");
    expect(r.code).toBe(1);
    expect(row(r.out, "a").slice(-2)).toEqual([
      "Ready True: ReconciliationSucceeded @ 3f2a9c1d7e4b",
      "✔ in sync",
    ]);
    expect(row(r.out, "b").slice(-2)).toEqual([
      "Ready False: HealthCheckFailed @ 3f2a9c1d7e4b",
      "✘ out of sync",
    ]);
    expect(r.out).toContain("b: timeout waiting for resources\n");
  });

  it("Flux in each cluster: each cluster is asked for its own Kustomization", async () => {
    writeFileSync(
      bed.topology,
      readFileSync(bed.topology, "utf8").replace(
        "  services:\n",
        "  gitops:\n    flux: { mode: in-cluster }\n  services:\n",
      ),
    );
    const own = (cluster: "a" | "b") => ({
      ...kustomization(cluster, "True", "ReconciliationSucceeded"),
      metadata: { ...kustomization(cluster, "True", "x").metadata, name: "coddiwomple-bookinfo" },
    });
    const a = await start([...ready(bed.topology, "a"), own("a")], true);
    const b = await start([...ready(bed.topology, "b"), own("b")], true);
    const kubeconfig = writeKubeconfig(join(bed.dir, "kubeconfig"), [
      { name: "a", url: a.url },
      { name: "b", url: b.url },
    ]);
    const r = await cw("status", bed.topology, "--kubeconfig", kubeconfig, "--gitops", "flux");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe('cw status: federation "bookinfo", Flux on each cluster');
    expect(row(r.out, "b").slice(-2)).toEqual([
      "Ready True: ReconciliationSucceeded @ 3f2a9c1d7e4b",
      "✔ in sync",
    ]);
  });

  it("needs to know where Argo CD runs", async () => {
    const kubeconfig = await clusters();
    const r = await cw("status", bed.topology, "--kubeconfig", kubeconfig, "--gitops", "argocd");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--gitops argocd needs --gitops-context");
  });
});

// cw check --live against stand-in Kubernetes API servers (test/support/kube-stand-in.ts), one per
// cluster of the bundled example: first two clusters that are ready (every line ✔, exit 0), then one
// test per ✘ line, each made to happen by changing one thing in one cluster.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OTHER_ROOT } from "./support/certificates.js";
import { cw } from "./support/cw.js";
import { ready } from "./support/example-clusters.js";
import { type StoredObject, unreachableUrl, writeKubeconfig } from "./support/kube-stand-in.js";
import { gatewayPod } from "./support/live-fixtures.js";
import { standInBed } from "./support/stand-in-bed.js";

const bed = standInBed("cw-preflight-");

type Change = (objects: StoredObject[]) => StoredObject[];

async function check(change: { a?: Change; b?: Change } = {}, ...extra: string[]) {
  const a = await bed.start({ objects: (change.a ?? ((x) => x))(ready(bed.topology, "a")) });
  const b = await bed.start({ objects: (change.b ?? ((x) => x))(ready(bed.topology, "b")) });
  const kubeconfig = writeKubeconfig(join(bed.dir, "kubeconfig"), [
    { name: "a", url: a.url },
    { name: "b", url: b.url },
  ]);
  return cw("check", bed.topology, "--live", "--kubeconfig", kubeconfig, ...extra);
}

/** The lines of one cluster's table, from its title to the next blank line. */
function section(out: string, title: string): string[] {
  const start = out.indexOf(`${title}\n`);
  if (start < 0) throw new Error(`no section ${title} in:\n${out}`);
  const rest = out.slice(start).split("\n\n")[0] ?? "";
  return rest.split("\n").slice(2);
}

const failed = (lines: string[]) => lines.filter((l) => l.startsWith("✘"));

const edit =
  (match: (o: StoredObject) => boolean, change: (o: StoredObject) => StoredObject): Change =>
  (objects) =>
    objects.map((o) => (match(o) ? change(structuredClone(o)) : o));
const isGatewayService = (o: StoredObject) =>
  o.kind === "Service" && o.metadata.name === "istio-ingressgateway";
const isMesh = (o: StoredObject) => o.kind === "ConfigMap" && o.metadata.name === "istio";

describe("cw check --live against stand-in API servers", () => {
  it("shows every line ✔ for two ready clusters and their link, and exits 0", async () => {
    const r = await check();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const b = section(r.out, "cluster b (context b)");
    expect(b.map((l) => l.split(" (")[0])).toEqual([
      "✔ API server reachable",
      "✔ Istio version matches istioVersion",
      "✔ trust domain matches",
      "✔ ingress gateway Service exposes the mTLS port",
      "✔ ingress gateway address matches ingress.addresses",
      "✔ ingress gateway service account matches what cw pins",
      "✔ DNS capture is on where global names are called",
      "✔ nothing already in the cluster conflicts with the generated config",
      "✔ generated objects are applied and unchanged",
    ]);
    expect(section(r.out, "links")).toEqual([
      expect.stringMatching(
        /^✔ a → b: same root of trust \(O=cw test, CN=shared root CA \(SHA-256 [0-9A-F:]+\.\.\.\)\)$/,
      ),
      expect.stringMatching(/^✔ b → a: same root of trust/),
    ]);
    expect(r.out).toContain("Status check results are ✔\n");
  });

  it("✘ API server reachable: an unreachable cluster, the other still checked (CW4101)", async () => {
    const a = await bed.start({ objects: ready(bed.topology, "a") });
    const kubeconfig = writeKubeconfig(join(bed.dir, "kubeconfig"), [
      { name: "a", url: a.url },
      { name: "b", url: await unreachableUrl() },
    ]);
    const r = await cw("check", bed.topology, "--live", "--kubeconfig", kubeconfig, "--timeout", "5");
    expect(r.code).toBe(1);
    const b = section(r.out, "cluster b (context b)");
    expect(b[0]).toBe("✘ API server reachable");
    expect(b[1]).toMatch(/ECONNREFUSED.*nothing else was checked \[CW4101\]$/);
    expect(failed(section(r.out, "cluster a (context a)"))).toEqual([]);
    // A link to a cluster that was not reached is not judged.
    expect(r.out).not.toContain("links");
  });

  it("✘ Istio version matches istioVersion (CW4102)", async () => {
    const r = await check({
      b: edit(
        (o) => o.kind === "Deployment",
        (o) => ({
          ...o,
          spec: {
            template: {
              spec: { containers: [{ name: "discovery", image: "docker.io/istio/pilot:1.29.3" }] },
            },
          },
        }),
      ),
    });
    expect(r.code).toBe(1);
    expect(failed(section(r.out, "cluster b (context b)"))).toEqual(["✘ Istio version matches istioVersion"]);
    expect(r.out).toContain(
      '    istiod runs 1.29.3, the topology says 1.30: set istioVersion: "1.29" for cluster b',
    );
    expect(r.out).toMatch(/or upgrade Istio \[CW4102\]\n/);
  });

  it("✘ trust domain matches (CW4103)", async () => {
    const r = await check({
      b: edit(isMesh, (o) => ({
        ...o,
        data: { mesh: 'defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: "true"\n' },
      })),
    });
    expect(failed(section(r.out, "cluster b (context b)"))).toEqual(["✘ trust domain matches"]);
    expect(r.out).toMatch(
      /the mesh config says cluster\.local, the topology b\.bookinfo\.example: .* \[CW4103\]\n/,
    );
    expect(r.code).toBe(1);
  });

  it("✘ ingress gateway Service exposes the mTLS port (CW4104)", async () => {
    const r = await check({
      a: edit(isGatewayService, (o) => ({
        ...o,
        spec: { ...(o.spec as object), ports: [{ name: "https", port: 443, protocol: "TCP" }] },
      })),
    });
    expect(failed(section(r.out, "cluster a (context a)"))).toEqual([
      "✘ ingress gateway Service exposes the mTLS port",
    ]);
    expect(r.out).toContain(
      "istio-system/istio-ingressgateway has ports 443, not 15443, where other clusters send mTLS",
    );
    expect(r.code).toBe(1);
  });

  it("✘ ingress gateway address matches ingress.addresses (CW4105)", async () => {
    const r = await check({
      a: edit(isGatewayService, (o) => ({
        ...o,
        status: { loadBalancer: { ingress: [{ ip: "198.51.100.7" }] } },
      })),
    });
    expect(failed(section(r.out, "cluster a (context a)"))).toEqual([
      "✘ ingress gateway address matches ingress.addresses",
    ]);
    expect(r.out).toContain(
      "istio-system/istio-ingressgateway is reached at 198.51.100.7, the topology says 203.0.113.10: set ingress.addresses for cluster a",
    );
  });

  it("✘ ingress gateway service account matches what cw pins (CW4106)", async () => {
    const r = await check({
      b: (objects) => [
        ...objects.filter((o) => o.kind !== "Pod"),
        gatewayPod("eastwest-gateway-5c7d", "eastwest-gateway"),
      ],
    });
    expect(failed(section(r.out, "cluster b (context b)"))).toEqual([
      "✘ ingress gateway service account matches what cw pins",
    ]);
    expect(r.out).toContain(
      "the gateway's pods run as eastwest-gateway, cw pins istio-ingressgateway-service-account in the names callers check",
    );
  });

  it("✘ DNS capture is on where global names are called (CW4107)", async () => {
    const r = await check({
      a: edit(isMesh, (o) => ({ ...o, data: { mesh: "trustDomain: a.bookinfo.example\n" } })),
    });
    expect(failed(section(r.out, "cluster a (context a)"))).toEqual([
      "✘ DNS capture is on where global names are called",
    ]);
    expect(r.out).toMatch(
      /global names are called from every namespace, and ISTIO_META_DNS_CAPTURE is not on mesh-wide: merge dns\/istio-dns-proxy\.yaml .* \[CW4107\]/,
    );
  });

  it("✔ DNS capture through a ProxyConfig in the root namespace", async () => {
    const proxyConfig: StoredObject = {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "ProxyConfig",
      metadata: { name: "dns", namespace: "istio-system" },
      spec: { environmentVariables: { ISTIO_META_DNS_CAPTURE: "true" } },
    };
    const r = await check({
      a: (objects) => [
        ...edit(isMesh, (o) => ({ ...o, data: { mesh: "trustDomain: a.bookinfo.example\n" } }))(objects),
        proxyConfig,
      ],
    });
    expect(section(r.out, "cluster a (context a)")).toContain(
      "✔ DNS capture is on where global names are called (on for every proxy (ProxyConfig istio-system/dns))",
    );
  });

  it("✘ nothing already in the cluster conflicts: an allow-nothing policy (CW4015)", async () => {
    const allowNothing: StoredObject = {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: "allow-nothing", namespace: "istio-system" },
      spec: {},
    };
    const r = await check({ b: (objects) => [...objects, allowNothing] });
    expect(failed(section(r.out, "cluster b (context b)"))).toEqual([
      "✘ nothing already in the cluster conflicts with the generated config",
    ]);
    expect(r.out).toContain(
      "    CW4015: AuthorizationPolicy istio-system/allow-nothing denies every request to the ingress gateway istio=ingressgateway in istio-system",
    );
    expect(r.code).toBe(1);
  });

  it("✘ generated objects are applied and unchanged: missing, edited in the cluster, no longer generated (CW4108)", async () => {
    const r = await check({
      b: (objects) => {
        const ours = objects.filter((o) => o.metadata.labels?.["coddiwomple.io/federation"] === "bookinfo");
        const [first, second] = ours;
        const edited = structuredClone(second) as StoredObject;
        (edited.spec as Record<string, unknown>).exportTo = ["elsewhere"];
        const stale: StoredObject = {
          ...structuredClone(first as StoredObject),
          metadata: { ...(first as StoredObject).metadata, name: "gone-global" },
        };
        return [...objects.filter((o) => o !== first && o !== second), edited, stale];
      },
    });
    expect(failed(section(r.out, "cluster b (context b)"))).toEqual([
      "✘ generated objects are applied and unchanged",
    ]);
    const lines = section(r.out, "cluster b (context b)");
    const at = lines.indexOf("✘ generated objects are applied and unchanged");
    expect(lines.slice(at + 1)).toEqual([
      expect.stringMatching(/^ {4}\d+ of \d+ in sync \[CW4108\]$/),
      expect.stringMatching(/^ {4}1 not applied: \w+ istio-system\/[\w.-]+$/),
      expect.stringMatching(/^ {4}1 changed in the cluster: \w+ istio-system\/[\w.-]+$/),
      expect.stringMatching(/^ {4}1 no longer generated \(prune them\): \w+ istio-system\/gone-global$/),
      "    apply them (cw apply, or let your GitOps engine sync), and see cw diff for what differs",
    ]);
  });

  it("✘ same root of trust, per link (CW4109)", async () => {
    const r = await check({
      b: edit(
        (o) => o.metadata.name === "istio-ca-root-cert",
        (o) => ({ ...o, data: { "root-cert.pem": OTHER_ROOT } }),
      ),
    });
    expect(r.code).toBe(1);
    expect(failed(section(r.out, "links"))).toEqual([
      "✘ a → b: same root of trust",
      "✘ b → a: same root of trust",
    ]);
    expect(r.out).toContain("    a trusts O=cw test, CN=shared root CA");
    expect(r.out).toContain("    b trusts O=cw test, CN=other root CA");
    // Each cluster on its own is fine.
    expect(failed(section(r.out, "cluster a (context a)"))).toEqual([]);
    expect(failed(section(r.out, "cluster b (context b)"))).toEqual([]);
  });

  it("gives the same report as JSON", async () => {
    const r = await check({}, "--format", "json");
    const report = JSON.parse(r.out) as {
      clusters: { cluster: string; lines: { verdict: string }[] }[];
      links: unknown[];
    };
    expect(report.clusters.map((c) => [c.cluster, c.lines.every((l) => l.verdict === "pass")])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    expect(report.links).toHaveLength(2);
  });

  it("refuses --cluster without --live", async () => {
    const r = await cw("check", bed.topology, "--cluster", "a");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--cluster goes with --live");
  });
});

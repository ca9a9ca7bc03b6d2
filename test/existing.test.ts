// `--existing <dir>`: the config each cluster already has. Reading the folder (every problem coded, at
// its file and line), what generation makes of it, and the conflicts cw's objects would cause with
// it: tables of (existing objects) -> (code, existing object) pairs, not message wording.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existingConflicts } from "../src/analysis/existing-conflicts.js";
import { readExistingFolder } from "../src/cli/existing-folder.js";
import { compile } from "../src/compile.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import type { ExistingConfig } from "../src/existing/model.js";
import { readExisting } from "../src/existing/read.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { readFederation } from "../src/topology/read.js";
import { cw } from "./support/cw.js";

// The eastwest golden's topology: back's ingress is Istio's east-west gateway; front calls payments
// in passthrough mode and accounts in gateway mode. With sidecarScope, front gets a Sidecar for shop.
const TOPOLOGY = `apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: eastwest
spec:
  defaults:
    sidecarScope: true
  clusters:
    - name: front
      trustDomain: front.example
    - name: back
      trustDomain: back.example
      ingress:
        addresses: [198.51.100.20]
        selector: { istio: eastwestgateway }
        serviceAccount: istio-eastwestgateway-service-account
  services:
    - name: payments
      namespace: billing
      mode: passthrough
      serviceAccount: payments
      ports:
        - { name: grpc, protocol: GRPC, port: 7070, targetPort: 7443 }
      backends: [{ cluster: back }]
      consumers: [{ cluster: front, namespaces: [shop], serviceAccounts: [checkout] }]
    - name: accounts
      namespace: billing
      ports:
        - { name: http, protocol: HTTP, port: 8080 }
      backends: [{ cluster: back }]
      consumers: [front]
`;

const EASTWEST = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
  namespace: istio-system
spec:
  selector:
    istio: eastwestgateway
  servers:
    - port: { number: 15443, name: tls, protocol: TLS }
      tls: { mode: AUTO_PASSTHROUGH }
      hosts: ["*.local"]
`;

/** Files by "<cluster>/<path>", read as the folder "existing". */
function existingOf(files: Record<string, string>, folders: string[] = []): ReturnType<typeof readExisting> {
  const entries = Object.entries(files).map(([path, text]) => ({
    cluster: path.slice(0, path.indexOf("/")),
    path: `existing/${path}`,
    text,
  }));
  const all = [...new Set([...folders, ...entries.map((e) => e.cluster)])];
  return readExisting({ dir: "existing", folders: all, files: entries }, "eastwest", ["front", "back"]);
}

function compileWith(existing: ExistingConfig, topology = TOPOLOGY) {
  const read = readFederation("federation.yaml", topology);
  if (!read.topology) throw new Error("the test topology does not read");
  return compile(read.topology, EMPTY_LOCK, { existing });
}

/** (code, file:line) of each diagnostic of the --existing kinds (CW4xxx) and CW1043. */
const found = (diagnostics: readonly Diagnostic[]) =>
  diagnostics
    .filter((d) => d.code.startsWith("CW4") || d.code === "CW1043")
    .map((d) => `${d.code} ${d.location?.file}:${d.location?.line}`);

describe("reading the --existing folder", () => {
  it("reads Istio objects and the mesh config, skips cw's own objects and every other kind", () => {
    const { existing, diagnostics } = existingOf({
      "back/istio-system/gateway.yaml": EASTWEST,
      "back/istio-system/configmap-istio.yaml": `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |
    rootNamespace: mesh-root
    trustDomain: back.example
    caCertificates:
      - trustDomains: [front.example]
`,
      "back/billing/mixed.yml": `apiVersion: v1
kind: Secret
metadata: { name: cacerts, namespace: billing }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ours
  namespace: billing
  labels: { app.kubernetes.io/managed-by: coddiwomple, coddiwomple.io/federation: eastwest }
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: other-federation
  namespace: billing
  labels: { app.kubernetes.io/managed-by: coddiwomple, coddiwomple.io/federation: another }
spec: {}
`,
    });
    expect(diagnostics).toEqual([]);
    const back = existing.clusters.get("back");
    expect(back?.objects.map((o) => `${o.kind} ${o.namespace}/${o.name} ${o.location.line}`)).toEqual([
      "AuthorizationPolicy billing/other-federation 16",
      "Gateway istio-system/cross-network-gateway 4",
    ]);
    expect(back?.mesh).toMatchObject({ rootNamespace: "mesh-root", trustDomain: "back.example" });
    expect(back?.mesh?.caTrustDomains).toEqual(["front.example"]);
    expect(existing.clusters.has("front")).toBe(false);
  });

  it("an empty cluster folder is known to have nothing; no folder is unknown", () => {
    const { existing } = existingOf({}, ["back"]);
    expect(existing.clusters.get("back")?.objects).toEqual([]);
    expect(existing.clusters.has("front")).toBe(false);
  });

  it("reports every unreadable document at its file and line, and still reads the rest", () => {
    const { existing, diagnostics } = existingOf(
      {
        "back/a.yaml": "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: [x\n",
        "back/b.yaml": `${EASTWEST}---\nkind: Gateway\nmetadata: { name: no-api-version }\n---\n- a list\n`,
        "back/c.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: istio-canary }\ndata:\n  mesh: 'a: [b'\n",
      },
      ["elsewhere"],
    );
    expect(diagnostics.map((d) => `${d.code} ${d.location?.file}:${d.location?.line}`)).toEqual([
      "CW4004 existing/elsewhere:1",
      "CW4002 existing/back/a.yaml:4",
      "CW4003 existing/back/b.yaml:14",
      "CW4003 existing/back/b.yaml:17",
      "CW4005 existing/back/c.yaml:3",
    ]);
    expect(existing.clusters.get("back")?.objects.map((o) => o.name)).toEqual(["cross-network-gateway"]);
  });

  describe("on disk", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "cw-existing-"));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };

    it("reads *.yaml and *.yml at any depth below each cluster folder, and reports files it cannot read", () => {
      write("back/istio-system/gateway-cross-network-gateway.yaml", EASTWEST);
      write("back/deep/er/x.yml", EASTWEST.replace("cross-network-gateway", "second"));
      write("back/notes.txt", "not read");
      mkdirSync(join(dir, "front"));
      symlinkSync(join(dir, "nowhere.yaml"), join(dir, "front", "broken.yaml"));
      const folder = readExistingFolder(dir, "existing");
      expect(folder.input.folders).toEqual(["back", "front"]);
      expect(folder.input.files.map((f) => f.path)).toEqual([
        "existing/back/deep/er/x.yml",
        "existing/back/istio-system/gateway-cross-network-gateway.yaml",
      ]);
      expect(folder.diagnostics.map((d) => `${d.code} ${d.location?.file}`)).toEqual([
        "CW4001 existing/front/broken.yaml",
      ]);
    });
  });
});

describe("generating beside what the clusters have", () => {
  it("relies on the east-west Gateway's *.local server instead of writing a passthrough server", () => {
    const result = compileWith(existingOf({ "back/gw.yaml": EASTWEST }, ["front"]).existing);
    expect(found(result.diagnostics)).toEqual([]);
    const back = result.clusters.find((c) => c.cluster === "back");
    expect(back?.files.map((f) => f.path)).not.toContain("gateway-payments-global.yaml");
    expect(back?.files.map((f) => f.path)).toContain("authorizationpolicy-payments-global-passthrough.yaml");
  });

  it("imports the mesh config's root namespace in a scoped namespace's Sidecar", () => {
    const mesh = `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: "rootNamespace: mesh-root"
`;
    const result = compileWith(existingOf({ "front/cm.yaml": mesh, "back/gw.yaml": EASTWEST }).existing);
    const sidecar = result.clusters
      .find((c) => c.cluster === "front")
      ?.files.find((f) => f.path === "sidecar-coddiwomple-shop.yaml");
    expect(sidecar?.content).toContain("- mesh-root/*");
    expect(sidecar?.content).not.toContain("- istio-system/*");
  });

  it("without the cluster's config, writes the server and warns (CW1043)", () => {
    const result = compileWith(existingOf({}, ["front"]).existing);
    expect(found(result.diagnostics)).toEqual(["CW1043 federation.yaml:13"]);
    const back = result.clusters.find((c) => c.cluster === "back");
    expect(back?.files.map((f) => f.path)).toContain("gateway-payments-global.yaml");
  });

  it("with an east-west Gateway that may or may not select the ingress pods, writes the server and warns (CW4014)", () => {
    const maybe = EASTWEST.replace(
      "istio: eastwestgateway",
      "istio: eastwestgateway\n    topology.istio.io/network: net-b",
    );
    const result = compileWith(existingOf({ "back/gw.yaml": maybe }, ["front"]).existing);
    expect(found(result.diagnostics)).toEqual(["CW4014 existing/back/gw.yaml:4"]);
    expect(result.clusters.length).toBe(2);
  });
});

// What cw's objects for the eastwest topology conflict with, one existing object at a time.
const conflictCases: { name: string; file: string; expected: string[] }[] = [
  {
    name: "CW4012 a terminating server for the same host string on the same port",
    file: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: theirs, namespace: istio-system }
spec:
  selector: { istio: eastwestgateway }
  servers:
    - port: { number: 15443, name: https, protocol: HTTPS }
      tls: { mode: ISTIO_MUTUAL }
      hosts: [istio-system/accounts.global]
`,
    expected: ["CW4012 existing/back/x.yaml:3"],
  },
  {
    name: "CW4010 a terminating server for the same SNI in another namespace",
    file: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: theirs, namespace: istio-system }
spec:
  selector: { istio: eastwestgateway }
  servers:
    - port: { number: 15443, name: tls, protocol: TLS }
      tls: { mode: ISTIO_MUTUAL }
      hosts: ["*/accounts.global"]
`,
    expected: ["CW4010 existing/back/x.yaml:3"],
  },
  {
    name: "CW4012 a plain-text server on cw's TLS port, once for each of cw's servers there",
    file: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: theirs, namespace: istio-system }
spec:
  selector: { istio: eastwestgateway }
  servers:
    - port: { number: 15443, name: http, protocol: HTTP }
      hosts: ["*"]
`,
    expected: ["CW4012 existing/back/x.yaml:3", "CW4012 existing/back/x.yaml:3"],
  },
  {
    name: "nothing for a Gateway of other pods, or on another port",
    file: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: theirs, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 15443, name: tls, protocol: TLS }
      tls: { mode: AUTO_PASSTHROUGH }
      hosts: ["*.local"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: https, namespace: istio-system }
spec:
  selector: { istio: eastwestgateway }
  servers:
    - port: { number: 443, name: https, protocol: HTTPS }
      tls: { mode: SIMPLE, credentialName: cert }
      hosts: ["*"]
`,
    expected: [],
  },
  {
    name: "CW4011 a wildcard DestinationRule in a caller's namespace takes cw's place there",
    file: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: all-global, namespace: shop }
spec:
  host: "*.global"
  trafficPolicy: { tls: { mode: DISABLE } }
`,
    expected: ["CW4011 existing/front/x.yaml:3", "CW4011 existing/front/x.yaml:3"],
  },
  {
    name: "CW4011 a rule for the same host in cw's namespace is merged with cw's",
    file: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: accounts, namespace: istio-system }
spec:
  host: accounts.global
`,
    expected: ["CW4011 existing/front/x.yaml:3"],
  },
  {
    name: "nothing for a wildcard rule beside cw's exact ones, or one in a namespace cw's rule is not exported to",
    file: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: all-global, namespace: istio-system }
spec:
  host: "*.global"
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: elsewhere, namespace: ops }
spec:
  host: payments.global
  exportTo: ["."]
`,
    expected: [],
  },
  {
    name: "CW4011 a namespace-local rule for a host cw's rule exports to every namespace",
    file: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: own, namespace: ops }
spec:
  host: accounts.global
  exportTo: ["."]
`,
    expected: ["CW4011 existing/front/x.yaml:3"],
  },
  {
    name: "CW4013 a Sidecar of the user's for a namespace cw scopes; none for one with a workload selector",
    file: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: default, namespace: shop }
spec:
  egress: [{ hosts: ["./*"] }]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: one-app, namespace: shop }
spec:
  workloadSelector: { labels: { app: one } }
  egress: [{ hosts: ["./*"] }]
`,
    expected: ["CW4013 existing/front/x.yaml:3"],
  },
];

describe("conflicts with what the clusters have", () => {
  it.each(conflictCases)("$name", ({ file, expected }) => {
    const cluster = file.includes("DestinationRule") || file.includes("Sidecar") ? "front" : "back";
    const other = cluster === "back" ? "front" : "back";
    const { existing, diagnostics } = existingOf(
      { [`${cluster}/x.yaml`]: file, [`${other}/gw.yaml`]: other === "back" ? EASTWEST : "" },
      [other],
    );
    expect(diagnostics).toEqual([]);
    const result = compileWith(existing);
    expect(found(result.diagnostics)).toEqual(expected);
    // An error leaves nothing to write.
    if (expected.some((e) => !e.startsWith("CW4014"))) expect(result.clusters).toEqual([]);
  });

  it("reports today's output beside the east-west Gateway: cw's own passthrough server duplicates *.local (CW4010)", () => {
    // main before issue 10 wrote this Gateway for payments whatever the cluster had.
    const { existing } = existingOf({ "back/gw.yaml": EASTWEST }, ["front"]);
    const back = existing.clusters.get("back");
    if (!back) throw new Error("back not read");
    const gateway = {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: { name: "payments-global", namespace: "istio-system", labels: {} },
      spec: {
        selector: { istio: "eastwestgateway" },
        servers: [
          {
            port: { number: 15443, name: "tls-passthrough", protocol: "TLS" },
            hosts: ["payments.billing.svc.cluster.local"],
            tls: { mode: "AUTO_PASSTHROUGH" },
          },
        ],
      },
    };
    const diagnostics = existingConflicts(
      "back",
      [{ resource: gateway, service: "payments", origin: ORIGIN }],
      back,
    );
    expect(found(diagnostics)).toEqual(["CW4010 existing/back/gw.yaml:4"]);
    expect(diagnostics[0]?.message).toContain("Gateway istio-system/payments-global");
    expect(diagnostics[0]?.message).toContain("Gateway istio-system/cross-network-gateway");
  });
});

const ORIGIN = readFederation("federation.yaml", TOPOLOGY).topology?.origins.root ?? (undefined as never);

describe("cw generate --existing and cw check --existing", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cw-existing-cli-"));
    writeFileSync(join(dir, "federation.yaml"), TOPOLOGY);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("generates beside the east-west Gateway, and refuses a conflict with exit code 1 and nothing written", async () => {
    mkdirSync(join(dir, "existing", "back"), { recursive: true });
    mkdirSync(join(dir, "existing", "front"), { recursive: true });
    writeFileSync(join(dir, "existing", "back", "gw.yaml"), EASTWEST);
    const lock = join(dir, "lock.yaml");
    const ok = await cw(
      "generate",
      join(dir, "federation.yaml"),
      "-o",
      join(dir, "out"),
      "--lock",
      lock,
      "--existing",
      join(dir, "existing"),
    );
    expect(ok.err).toBe("");
    expect(ok.code).toBe(0);
    writeFileSync(
      join(dir, "existing", "front", "sidecar.yaml"),
      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: { name: default, namespace: shop }\nspec: {}\n",
    );
    const checked = await cw(
      "check",
      join(dir, "federation.yaml"),
      "--lock",
      lock,
      "--existing",
      join(dir, "existing"),
    );
    expect(checked.code).toBe(1);
    expect(checked.err).toContain(`${join(dir, "existing")}/front/sidecar.yaml:3:`);
    expect(checked.err).toContain("error CW4013");
    expect(checked.err).toContain("metadata: { name: default, namespace: shop }");
  });

  it("a folder that is not there is a usage mistake (exit code 2)", async () => {
    const r = await cw("check", join(dir, "federation.yaml"), "--existing", join(dir, "nowhere"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("no such folder");
  });
});

// `cw verify` over every golden case and the bundled example: each allowed call arrives where the
// topology says, everything else is refused. Plus the command's exit codes on a good and a broken folder.

import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { meshFactsFromTopology } from "../src/analysis/mesh-facts.js";
import { formatVerify, verify } from "../src/analysis/verify.js";
import { readOutputFolder, readWithExisting } from "../src/cli/output-folder.js";
import type { ClusterConfig } from "../src/trace/config.js";
import { traceCall } from "../src/trace/trace.js";
import { cw } from "./support/cw.js";
import { topologyOf } from "./support/golden-topology.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const GOLDEN = join(ROOT, "test", "golden");
const EXAMPLE = join(ROOT, "examples", "split-bookinfo");

const cases = [
  ...readdirSync(GOLDEN, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(GOLDEN, e.name, "expected")))
    .map((e) => [e.name, join(GOLDEN, e.name), join(GOLDEN, e.name, "expected")] as const),
  ["example", EXAMPLE, join(EXAMPLE, "out")] as const,
];

/**
 * The clusters as verify should see them: cw's output, plus what each cluster already has when the
 * case has an existing/ folder (the tracer reads any Istio objects, cw's or not).
 */
/** The case's output, with the config its clusters already have (existing/) when it has some. */
function clustersOf(dir: string, out: string): ReadonlyMap<string, ClusterConfig> {
  const existing = join(dir, "existing");
  return readWithExisting(out, existsSync(existing) ? existing : undefined).clusters;
}

describe("cw verify on the golden cases", () => {
  it.each(cases)("%s: every check holds", async (_name, dir, out) => {
    const topology = topologyOf(dir);
    expect(topology).toBeDefined();
    if (!topology) return;
    const result = verify({ topology, clusters: clustersOf(dir, out) });
    expect(result.ok, formatVerify(result)).toBe(true);
    expect(result.checks.length).toBeGreaterThan(0);
  });
});

describe("checks that hold", () => {
  it("trace again on demand, exactly as when they were checked", async () => {
    const topology = topologyOf(EXAMPLE);
    if (!topology) throw new Error("the example does not read");
    const clusters = readOutputFolder(join(EXAMPLE, "out")).clusters;
    const result = verify({ topology, clusters });
    const input = { clusters, mesh: meshFactsFromTopology(topology) };
    const call = result.checks.find((c) => c.call === "a/default/default -> reviews.global:9080");
    expect(call?.status).toBe("ok");
    const fresh = traceCall(
      input,
      { cluster: "a", namespace: "default", serviceAccount: "default" },
      { host: "reviews.global", port: 9080 },
    );
    expect(call?.trace).toEqual(fresh);
    expect(call?.trace).toBe(call?.trace);
    const probe = result.checks.find((c) => c.kind === "gateway probe" && c.status === "ok");
    expect(probe?.trace.end.kind).toBe("failed");
    expect(JSON.parse(JSON.stringify(probe))).toEqual(
      JSON.parse(JSON.stringify({ ...probe, trace: probe?.trace })),
    );
  });
});

describe("cw verify", () => {
  it("prints the summary table and exits 0 on the example", async () => {
    const r = await cw("verify", join(EXAMPLE, "federation.yaml"), "-o", join(EXAMPLE, "out"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^check\s+total\s+ok\s+mismatch\s+unenforced$/m);
    expect(r.out).toMatch(/verified: \d+ checks hold/);
  });
  it("exits 1 and shows the failing trace when a Gateway is missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cw-verify-"));
    try {
      cpSync(join(EXAMPLE, "out"), dir, { recursive: true });
      rmSync(join(dir, "b", "gateway-reviews-global.yaml"));
      const r = await cw("verify", join(EXAMPLE, "federation.yaml"), "-o", dir);
      expect(r.code).toBe(1);
      expect(r.out).toContain("MISMATCH consumer call: a/default/default -> reviews.global:9080");
      expect(r.out).toContain("port-not-exposed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the seeds' patterns (issue 14)", () => {
  const checksOf = (name: string, out = join(GOLDEN, name, "expected")) => {
    const topology = topologyOf(join(GOLDEN, name));
    if (!topology) throw new Error(`${name} does not read`);
    return verify({ topology, clusters: readOutputFolder(out).clusters });
  };
  it("seed 002: callers of reviews:9080 in cluster-1 are split 75/15/10, as the global name's", () => {
    const result = checksOf("seed-002-kubernetes-name");
    const short = result.checks.find((c) => c.call === "cluster-1/default/default -> reviews:9080");
    expect(short?.kind).toBe("consumer call");
    expect(short?.status).toBe("ok");
    expect(short?.expected).toBe("reaches cluster-2/v3 75%, cluster-1/v1 15%, cluster-1/v2 10%");
  });
  it("seed 004: a non-consumer of cluster-a is refused at cluster-a's own egress gateway; a consumer arrives", () => {
    const result = checksOf("seed-004-private-egress");
    expect(result.ok, formatVerify(result)).toBe(true);
    const consumer = result.checks.find(
      (c) =>
        c.kind === "consumer call" && c.call === "cluster-a/default/service-a2 -> service-b1.remote:8080",
    );
    expect(consumer?.expected).toContain("via the egress gateway");
    expect(consumer?.trace.end.kind).toBe("arrived");
    const outsider = result.checks.find(
      (c) =>
        c.kind === "egress probe" &&
        c.call === "cluster-a/cw-verify-other/service-a2 -> cluster-a egress gateway, SNI service-b1.remote",
    );
    expect(outsider?.status).toBe("ok");
    const end = outsider?.trace.end;
    expect(end?.kind === "failed" && end.cluster).toBe("cluster-a");
  });
  it("seed 004: without the egress gateway's policy, verify finds the non-consumers let through", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cw-verify-"));
    try {
      cpSync(join(GOLDEN, "seed-004-private-egress", "expected"), dir, { recursive: true });
      rmSync(join(dir, "cluster-a", "authorizationpolicy-service-b1-remote-egress.yaml"));
      const federation = join(GOLDEN, "seed-004-private-egress", "federation.yaml");
      const r = await cw("verify", federation, "-o", dir);
      expect(r.code).toBe(1);
      expect(r.out).toContain(
        "MISMATCH egress probe: cluster-a/cw-verify-other/service-a2 -> cluster-a egress gateway, SNI service-b1.remote",
      );
      expect(r.out).toContain(
        "MISMATCH egress probe: cluster-a/default/cw-verify-other -> cluster-a egress gateway",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cw verify --existing beside Istio's east-west Gateway (issue 10)", () => {
  const dir = join(GOLDEN, "eastwest-passthrough");
  const existing = join(dir, "existing");
  // The Gateway cw wrote for payments before it read the existing config: a second AUTO_PASSTHROUGH
  // server on the east-west gateway's port.
  const todays = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: payments-global
  namespace: istio-system
  labels: { app.kubernetes.io/managed-by: coddiwomple, coddiwomple.io/federation: eastwest }
spec:
  selector: { istio: eastwestgateway }
  servers:
    - port: { number: 15443, name: tls-passthrough, protocol: TLS }
      hosts: [payments.billing.svc.cluster.local]
      tls: { mode: AUTO_PASSTHROUGH }
`;
  it("passes for the new output", async () => {
    const result = await cw(
      "verify",
      join(dir, "federation.yaml"),
      "-o",
      join(dir, "expected"),
      "--existing",
      existing,
    );
    expect(result.code, result.out).toBe(0);
  });
  it("fails for the output of before, naming both Gateways of the conflict", async () => {
    const out = mkdtempSync(join(tmpdir(), "cw-verify-eastwest-"));
    try {
      cpSync(join(dir, "expected"), out, { recursive: true });
      writeFileSync(join(out, "back", "gateway-payments-global.yaml"), todays);
      const result = await cw("verify", join(dir, "federation.yaml"), "-o", out, "--existing", existing);
      expect(result.code).toBe(1);
      expect(result.out).toContain("MISMATCH conflict: back: ingress gateway port 15443");
      expect(result.out).toContain("existing Gateway istio-system/cross-network-gateway");
      expect(result.out).toContain("Gateway istio-system/payments-global");
      expect(result.out).toContain("listener-rejected");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

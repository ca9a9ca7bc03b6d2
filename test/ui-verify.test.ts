// The verify matrix of cw ui (src/ui/verify-matrix.ts) and "what if a cluster fails"
// (src/ui/what-if.ts), on the golden cases: the matrix's rows are every caller verify's checks call as,
// its summary is cw verify's own table, its cells say what the checks say; with clusters down, each
// cell says where the caller's calls go, as cw trace --down traces them. And the trace form's host
// picker (src/ui/callable.ts).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECK_KINDS, expectations, verify } from "../src/index.js";
import { callable } from "../src/ui/callable.js";
import { rowOf } from "../src/ui/matrix-rows.js";
import { Session } from "../src/ui/session.js";
import { buildView } from "../src/ui/view-model.js";

const sessionOf = (dir: string) => {
  const file = dir.includes("/") ? `${dir}/federation.yaml` : `test/golden/${dir}/federation.yaml`;
  return new Session(buildView({ file, text: readFileSync(file, "utf8"), generation: 0 }));
};

const goldens = readdirSync("test/golden", { withFileTypes: true })
  .filter((d) => existsSync(`test/golden/${d.name}/federation.yaml`) && sessionOf(d.name).ready)
  .map((d) => d.name);

describe("the verify matrix", () => {
  it.each(goldens)(
    "%s: its rows are every caller of verify's checks, and its summary is verify's table",
    (dir) => {
      const session = sessionOf(dir);
      const matrix = session.matrix;
      const callers = new Set([...expectations(session.topology)].map((e) => rowOf(e).key));
      expect(new Set(matrix.rows().map((r) => r.key))).toEqual(callers);
      while (matrix.step()) {
        // judge every service
      }
      const summary = matrix.summary(1000);
      const result = verify({ topology: session.topology, clusters: session.input.clusters });
      const table = CHECK_KINDS.map((kind) => {
        const of = result.checks.filter((c) => c.kind === kind);
        const n = (s: string) => of.filter((c) => c.status === s).length;
        return { kind, total: of.length, ok: n("ok"), mismatch: n("mismatch"), unenforced: n("unenforced") };
      }).filter((k) => k.total > 0);
      expect(summary.kinds).toEqual(table);
      expect(summary.judged).toBe(summary.of);
    },
  );

  it("has a row for a narrowed consumer's callers and one for the callers outside it", () => {
    const session = sessionOf("patterns");
    const rows = session.matrix.rows().filter((r) => r.cluster === "c" && !r.probe);
    expect(rows.map((r) => r.label)).toEqual([
      "c/default/default",
      "c/shop/frontend",
      "c, another namespace and service account",
    ]);
    const service = session.matrix.services.find((s) =>
      s.consumers.some((c) => c.namespaces?.includes("shop")),
    );
    if (!service) throw new Error("patterns has a consumer narrowed to namespace shop");
    const cells = session.matrix.result(service).cells;
    expect(cells.get("c/shop/frontend")?.status).toBe("allowed");
    expect(cells.get("c/cw-verify-other/cw-verify-other")?.status).toBe("refused");
    expect(cells.get("c/default/default")).toBeUndefined();
  });

  it("opens a cell as its checks, each with its trace", () => {
    const session = sessionOf("examples/split-bookinfo");
    const reviews = session.matrix.service("reviews");
    if (!reviews) throw new Error("the example has reviews");
    const checks = session.matrix.cell("a/default/default", reviews);
    expect(checks.map(({ check }) => `${check.kind}: ${check.call} ${check.status}`)).toEqual([
      "consumer call: a/default/default -> reviews.global:9080 ok",
      "consumer call: a/default/default -> reviews.default.global:9080 ok",
    ]);
    expect(checks[0]?.check.trace.hops[0]?.kind).toBe("dns");
  });
});

describe("what if a cluster fails", () => {
  const cells = (dir: string, down: string[]) => {
    const session = sessionOf(dir);
    const whatIf = session.whatIf(down);
    return session.matrix.services.flatMap((s) =>
      [...whatIf.cells(s)].map(([row, c]) => `${row} -> ${s.name}: ${c.status} ${c.text}`),
    );
  };

  it("a split keeps its weights: the down cluster's share fails, the local shares arrive", () => {
    expect(cells("split-75-15-10", ["cluster-2"])).toEqual([
      "cluster-1/default/default -> reviews: partial cluster-1/v1 15%, cluster-1/v2 10%, fails 75%",
      "cluster-2/default/default -> reviews: down its cluster is down",
    ]);
    expect(cells("split-75-15-10", [])).toEqual([
      "cluster-1/default/default -> reviews: arrives cluster-2/v3 75%, cluster-1/v1 15%, cluster-1/v2 10%",
      "cluster-2/default/default -> reviews: arrives cluster-2 100%",
    ]);
  });

  it("calls fail over in the failover order, and by locality where Istio cannot follow it", () => {
    const of = (down: string[]) => cells("failover", down).filter((c) => /^(shop|legacy)\//.test(c));
    expect(of([])).toEqual([
      "shop/default/default -> catalog: arrives x 100%",
      "legacy/default/default -> catalog: arrives z 100%",
    ]);
    expect(of(["x"])).toEqual([
      "shop/default/default -> catalog: arrives y 100%",
      "legacy/default/default -> catalog: arrives z 100%",
    ]);
    expect(of(["x", "y", "z"])).toEqual([
      "shop/default/default -> catalog: fails fails 100%",
      "legacy/default/default -> catalog: fails fails 100%",
    ]);
  });

  it("keeps refused calls refused", () => {
    expect(cells("examples/split-bookinfo", ["a"]).filter((c) => c.includes("productpage"))).toEqual([
      "a/default/default -> productpage: down its cluster is down",
      "b/default/default -> productpage: refused refused",
    ]);
  });
});

describe("the trace form's host picker", () => {
  it("lists what a caller may call and what it may not, with why", () => {
    const session = sessionOf("patterns");
    const c = (namespace: string, serviceAccount: string) =>
      callable(session.topology, { cluster: "c", namespace, serviceAccount });
    const narrowed = (list: { host: string; why: string }[]) =>
      list.filter(
        (h) =>
          h.why.includes("namespaces") || h.why.includes("service accounts") || h.why.includes("consumer"),
      );
    expect(narrowed([...c("shop", "frontend").allowed])).toContainEqual(
      expect.objectContaining({ why: "c is a consumer" }),
    );
    expect(narrowed([...c("default", "default").refused])).toContainEqual(
      expect.objectContaining({ why: "exported to c for namespaces shop only" }),
    );
    expect(narrowed([...c("shop", "default").refused])).toContainEqual(
      expect.objectContaining({ why: "exported to c for service accounts frontend only" }),
    );
    const example = sessionOf("examples/split-bookinfo");
    expect(
      callable(example.topology, { cluster: "b", namespace: "default", serviceAccount: "default" }).refused,
    ).toEqual([
      {
        host: "productpage.global",
        service: "productpage",
        ports: [9080],
        why: "not exported: private to a",
      },
    ]);
  });
});

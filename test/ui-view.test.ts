// The UI's view of a topology (src/ui/view-model.ts): who calls whom, by which mode and with which
// share of the calls, on golden cases that use each way of sharing; the federation picture
// (src/ui/picture.ts), whose arrows are the tracer's paths, with clusters down and a trace drawn on
// it; and the picture's DOT, whose names are always quoted.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { federationDot } from "../src/ui/graph.js";
import { buildPicture, type Picture } from "../src/ui/picture.js";
import { Session } from "../src/ui/session.js";
import { buildView } from "../src/ui/view-model.js";

const loadedOf = (dir: string) => {
  const file = dir.includes("/") ? `${dir}/federation.yaml` : `test/golden/${dir}/federation.yaml`;
  return buildView({ file, text: readFileSync(file, "utf8"), generation: 0 });
};
const viewOf = (dir: string) => loadedOf(dir).view;
const calls = (dir: string) =>
  viewOf(dir).calls.map((c) =>
    `${c.service}: ${c.from} -> ${c.to} ${c.mode} ${c.share}${c.subset ? ` subset ${c.subset}` : ""}`
      .replace(/ +/g, " ")
      .trim(),
  );

/** The picture of a golden case, with clusters down and a call drawn on it. */
function pictureOf(
  dir: string,
  down: string[] = [],
  selected?: { from: string; host: string; port: number },
): Picture {
  const session = new Session(loadedOf(dir));
  const whatIf = session.whatIf(down);
  const routed = session.matrix.services.flatMap((s) => whatIf.routed(s));
  const [cluster = "", namespace = "default", serviceAccount = "default"] = selected?.from.split("/") ?? [];
  const chosen = selected && {
    service: "reviews",
    host: selected.host,
    caller: cluster,
    mode: "",
    trace: whatIf.trace({ cluster, namespace, serviceAccount }, { host: selected.host, port: selected.port }),
  };
  return buildPicture({
    view: session.loaded.view,
    down: new Set(down),
    routed,
    ...(chosen && { selected: chosen }),
  });
}

/** Each arrow as "from -> to style: label lines". */
const arrows = (p: Picture) =>
  p.edges.map(
    (e) =>
      `${e.from} -> ${e.to} ${e.style}${e.traced ? ` [trace ${e.traced}]` : ""}${e.label.length ? `: ${e.label.join(" / ")}` : ""}`,
  );

describe("the UI's view of who calls whom", () => {
  it.each([
    [
      "split-75-15-10",
      [
        "reviews: cluster-1 -> cluster-1 local 15% subset v1",
        "reviews: cluster-1 -> cluster-1 local 10% subset v2",
        "reviews: cluster-1 -> cluster-2 gateway 75% subset v3",
      ],
    ],
    ["mode-egress", ["orders: locked -> shop egress"]],
    [
      "failover",
      [
        "catalog: legacy -> x gateway first",
        "catalog: legacy -> y gateway failover 1",
        "catalog: legacy -> z gateway failover 2",
        "catalog: shop -> x gateway first",
        "catalog: shop -> y gateway failover 1",
        "catalog: shop -> z gateway failover 2",
      ],
    ],
    [
      "two-backends",
      ["catalog: shop -> east gateway by locality", "catalog: shop -> west gateway by locality"],
    ],
    ["unexported", []],
  ])("%s", (dir, expected) => {
    expect(calls(dir)).toEqual(expected);
  });
});

describe("the federation picture, from the tracer", () => {
  it("draws every share of a 75/15/10 split with its weight and subset, the local ones too", () => {
    expect(arrows(pictureOf("split-75-15-10"))).toEqual([
      "cluster-1/callers -> cluster-1/svc/reviews local: reviews.global · subset v1 / from cluster-1 15% / reviews.global · subset v2 / from cluster-1 10%",
      "cluster-1/callers -> cluster-2/ingress gateway",
      "cluster-2/ingress -> cluster-2/svc/reviews gateway: reviews.global · subset v3 / from cluster-1 75%",
    ]);
  });

  it("with the split's remote cluster down, its share fails (Istio keeps the route's weights) and the local shares stay", () => {
    const picture = pictureOf("split-75-15-10", ["cluster-2"]);
    expect(arrows(picture)).toEqual([
      "cluster-1/callers -> cluster-1/fails fails: reviews.global: the endpoint's cluster is down (cw trace --down) / from cluster-1 75%",
      "cluster-1/callers -> cluster-1/svc/reviews local: reviews.global · subset v1 / from cluster-1 15% / reviews.global · subset v2 / from cluster-1 10%",
    ]);
    expect(picture.clusters.find((c) => c.name === "cluster-2")?.title[0]).toBe("cluster cluster-2 · DOWN");
  });

  it("follows the failover order, dashes the standby clusters, and fails over when the first is down", () => {
    const shop = (p: Picture) =>
      arrows(p).filter(
        (a) => a.includes("shop") || a.startsWith("x/") || a.startsWith("y/") || a.startsWith("z/"),
      );
    expect(shop(pictureOf("failover"))).toEqual([
      "shop/callers -> x/ingress gateway",
      "shop/callers -> y/ingress standby",
      "shop/callers -> z/ingress standby",
      "x/ingress -> x/svc/catalog gateway: catalog.global / from shop",
      // legacy runs Istio 1.17, which cannot follow the order (CW1030): it goes by locality, to z.
      "x/ingress -> x/svc/catalog standby: catalog.global · standby / for legacy (first)",
      "y/ingress -> y/svc/catalog standby: catalog.global · standby / for legacy (failover 1), shop (failover 1)",
      "z/ingress -> z/svc/catalog gateway: catalog.global / from legacy",
      "z/ingress -> z/svc/catalog standby: catalog.global · standby / for shop (failover 2)",
    ]);
    expect(shop(pictureOf("failover", ["x"]))).toEqual([
      "shop/callers -> y/ingress gateway",
      "shop/callers -> z/ingress standby",
      "y/ingress -> y/svc/catalog gateway: catalog.global / from shop",
      "y/ingress -> y/svc/catalog standby: catalog.global · standby / for legacy (failover 1)",
      "z/ingress -> z/svc/catalog gateway: catalog.global / from legacy",
      "z/ingress -> z/svc/catalog standby: catalog.global · standby / for shop (failover 2)",
    ]);
  });

  it("draws the egress gateway as its own node on the way out", () => {
    expect(arrows(pictureOf("mode-egress"))).toEqual([
      "locked/callers -> locked/egress egress",
      "locked/egress -> shop/ingress egress",
      "shop/ingress -> shop/svc/orders egress: orders.global / from locked",
    ]);
  });

  it("draws a selected trace on the arrows it takes, with its hop numbers", () => {
    const picture = pictureOf("examples/split-bookinfo", [], {
      from: "a",
      host: "reviews.global",
      port: 9080,
    });
    expect(arrows(picture).filter((a) => a.includes("[trace"))).toEqual([
      "a/callers -> b/ingress gateway [trace hops 1–5]",
      "b/ingress -> b/svc/reviews gateway [trace hops 6–10]: reviews.global / from a",
    ]);
  });

  it("draws a refused trace to where it fails", () => {
    const picture = pictureOf("examples/split-bookinfo", [], {
      from: "b",
      host: "productpage.global",
      port: 9080,
    });
    expect(arrows(picture).filter((a) => a.includes("[trace"))).toEqual([
      "b/callers -> b/fails trace [trace before any hop]: productpage.global: no such host / from b",
    ]);
  });

  it("quotes every name in the picture's DOT", () => {
    const picture: Picture = {
      clusters: [
        {
          name: 'x"] ; evil -> "y',
          title: ["cluster", "a\\nb"],
          down: false,
          nodes: [{ id: 'x"] ; evil -> "y/ingress', kind: "ingress", label: ["ingress"] }],
        },
      ],
      edges: [{ from: 'x"] ; evil -> "y/ingress', to: "z", style: "gateway", label: ['<b>"'] }],
    };
    const dot = federationDot(picture);
    expect(dot).toContain('subgraph "cluster_0"');
    expect(dot).toContain('"x\\"] ; evil -> \\"y/ingress"');
    expect(dot).toContain("a\\\\nb");
    expect(dot).toContain('label="<b>\\""');
  });
});

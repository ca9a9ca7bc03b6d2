// The picture of a federation: one box per cluster holding its ingress gateway (with the address
// other clusters reach), its egress gateway if any, and the services it runs; an arrow from each
// calling cluster to the gateway of the cluster it calls, labelled with the service and the mode.
// Written as Graphviz DOT and rendered to SVG on the server with @viz-js/viz (Graphviz compiled to
// WebAssembly). Every name is quoted for DOT; Graphviz escapes text in its SVG, and the page shows
// the SVG as an image, where no script in it could run anyway.

import { instance, type Viz } from "@viz-js/viz";
import type { FederationView } from "./view-model.js";

/** A DOT string literal: backslashes, quotes and line breaks escaped. */
const q = (text: string): string =>
  `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;

/** A label of several lines (DOT's \n between escaped lines). */
const lines = (...parts: string[]): string => `"${parts.map((p) => q(p).slice(1, -1)).join("\\n")}"`;

const MODE_COLORS: Record<string, string> = { gateway: "#2563eb", passthrough: "#059669", egress: "#d97706" };

export function federationDot(view: FederationView): string {
  const out = [
    `digraph federation {`,
    `  graph [rankdir=TB, newrank=true, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.7, bgcolor="transparent"];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#94a3b8", fontname="Helvetica", fontsize=11];`,
    `  edge [fontname="Helvetica", fontsize=10, color="#64748b"];`,
  ];
  view.clusters.forEach((c, i) => {
    const id = (what: string) => q(`${c.name}/${what}`);
    out.push(
      `  subgraph ${q(`cluster_${i}`)} {`,
      `    label=${lines(`cluster ${c.name}`, `Istio ${c.istioVersion} · ${c.trustDomain} · ${c.mode}`)};`,
      `    style="rounded,filled"; fillcolor="#f1f5f9"; color="#cbd5e1";`,
      `    ${id("callers")} [label=${lines("callers", "(sidecars)")}, shape=ellipse, fillcolor="#e2e8f0"];`,
      `    ${id("ingress")} [label=${lines("ingress gateway", `${c.ingress.addresses.join(", ") || "no address"}:${c.ingress.port}`)}, shape=cds, fillcolor="#dbeafe"];`,
    );
    if (c.egress) out.push(`    ${id("egress")} [label="egress gateway", shape=cds, fillcolor="#fef3c7"];`);
    for (const s of view.services.filter((s) => s.backends.includes(c.name))) {
      out.push(
        `    ${id(`svc/${s.name}`)} [label=${lines(s.name, `${s.namespace} · ${s.ports.map((p) => `${p.port}/${p.protocol}`).join(", ")}`)}];`,
      );
    }
    out.push("  }");
  });
  // Callers on top, gateways in the middle, services below, in every cluster alike.
  const row = (nodes: string[]) => nodes.length > 0 && out.push(`  { rank=same; ${nodes.join("; ")}; }`);
  row(view.clusters.map((c) => q(`${c.name}/callers`)));
  row(view.clusters.flatMap((c) => [q(`${c.name}/ingress`), ...(c.egress ? [q(`${c.name}/egress`)] : [])]));
  row(
    view.clusters.flatMap((c) =>
      view.services.filter((s) => s.backends.includes(c.name)).map((s) => q(`${c.name}/svc/${s.name}`)),
    ),
  );
  // Arrows across clusters carry no label (labels of crossing arrows collide); each service's arrival
  // inside its cluster says what arrives, from whom, and how.
  const arrivals = new Map<string, { to: string; service: string; from: string[]; how: string[] }>();
  for (const call of view.calls) {
    const color = q(MODE_COLORS[call.mode] ?? "#64748b");
    const via = call.mode === "egress" && view.clusters.find((c) => c.name === call.from)?.egress;
    const source = via ? `${call.from}/egress` : `${call.from}/callers`;
    if (via) out.push(`  ${q(`${call.from}/callers`)} -> ${q(source)} [color=${color}];`);
    out.push(`  ${q(source)} -> ${q(`${call.to}/ingress`)} [color=${color}, penwidth=1.4];`);
    const key = `${call.to}/${call.service}`;
    const arrival = arrivals.get(key) ?? { to: call.to, service: call.service, from: [], how: [] };
    arrival.from.push(`${call.from}${call.share !== "" ? ` (${call.share})` : ""}`);
    if (!arrival.how.includes(call.mode)) arrival.how.push(call.mode);
    arrivals.set(key, arrival);
  }
  for (const a of arrivals.values()) {
    const host = view.services.find((s) => s.name === a.service)?.hosts[0] ?? a.service;
    const color = q(a.how.length === 1 ? (MODE_COLORS[a.how[0] ?? ""] ?? "#64748b") : "#64748b");
    const label = lines(host, `from ${a.from.join(", ")} · ${a.how.join(", ")}`);
    out.push(
      `  ${q(`${a.to}/ingress`)} -> ${q(`${a.to}/svc/${a.service}`)} [label=${label}, color=${color}, fontcolor=${color}];`,
    );
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

let viz: Promise<Viz> | undefined;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  return (await viz).renderString(dot, { format: "svg", engine: "dot" });
}

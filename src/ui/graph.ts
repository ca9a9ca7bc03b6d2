// The picture of a federation (picture.ts says what it shows): one box per cluster holding its
// callers, its ingress gateway (with the address other clusters reach), its egress gateway if any, and
// its services; arrows coloured by mode, dashed for standby and for calls that fail, black and thick
// where the selected trace goes. Written as Graphviz DOT and rendered to SVG on the server with
// @viz-js/viz (Graphviz compiled to WebAssembly). Every name is quoted for DOT; Graphviz escapes text in its SVG, and the page shows
// the SVG as an image, where no script in it could run anyway.

import { instance, type Viz } from "@viz-js/viz";
import type { EdgeStyle, NodeKind, Picture, PictureEdge } from "./picture.js";

/** A DOT string literal: backslashes, quotes and line breaks escaped. */
const q = (text: string): string =>
  `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;

/** A label of several lines (DOT's \n between escaped lines). */
const lines = (...parts: string[]): string => `"${parts.map((p) => q(p).slice(1, -1)).join("\\n")}"`;

/** Each style's colour, and whether its arrows are dashed. */
const EDGE_STYLES: Readonly<Record<EdgeStyle, { readonly color: string; readonly dashed?: true }>> = {
  gateway: { color: "#2563eb" },
  passthrough: { color: "#059669" },
  egress: { color: "#d97706" },
  local: { color: "#7c3aed" },
  fails: { color: "#dc2626", dashed: true },
  standby: { color: "#94a3b8", dashed: true },
  trace: { color: "#0f172a" },
};

const TRACE_COLOR = "#0f172a";

function edgeAttributes(e: PictureEdge): string {
  const look = EDGE_STYLES[e.style];
  const color = e.traced ? TRACE_COLOR : look.color;
  const label = [...(e.traced ? [`trace: ${e.traced}`] : []), ...e.label];
  return [
    `color=${q(color)}`,
    `penwidth=${e.traced ? 3.2 : 1.4}`,
    ...(look.dashed ? ["style=dashed"] : []),
    ...(label.length > 0 ? [`label=${lines(...label)}`, `fontcolor=${q(color)}`] : []),
  ].join(", ");
}

const NODE_STYLES: Readonly<Record<NodeKind, string>> = {
  callers: 'shape=ellipse, fillcolor="#e2e8f0"',
  egress: 'shape=cds, fillcolor="#fef3c7"',
  ingress: 'shape=cds, fillcolor="#dbeafe"',
  service: 'fillcolor="#ffffff"',
  fails: 'shape=octagon, fillcolor="#fee2e2", color="#dc2626"',
};

export function federationDot(picture: Picture): string {
  const out = [
    `digraph federation {`,
    `  graph [rankdir=TB, newrank=true, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.7, bgcolor="transparent"];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#94a3b8", fontname="Helvetica", fontsize=11];`,
    `  edge [fontname="Helvetica", fontsize=10, color="#64748b"];`,
  ];
  picture.clusters.forEach((c, i) => {
    const look = c.down
      ? `style="rounded,filled,dashed"; fillcolor="#e5e7eb"; color="#dc2626"; fontcolor="#6b7280";`
      : `style="rounded,filled"; fillcolor="#f1f5f9"; color="#cbd5e1";`;
    out.push(`  subgraph ${q(`cluster_${i}`)} {`, `    label=${lines(...c.title)};`, `    ${look}`);
    for (const n of c.nodes) out.push(`    ${q(n.id)} [label=${lines(...n.label)}, ${NODE_STYLES[n.kind]}];`);
    out.push("  }");
  });
  // Callers on top, gateways in the middle, services below, in every cluster alike.
  const nodes = picture.clusters.flatMap((c) => c.nodes);
  const row = (kinds: readonly NodeKind[]) => {
    const ids = nodes.filter((n) => kinds.includes(n.kind)).map((n) => q(n.id));
    if (ids.length > 0) out.push(`  { rank=same; ${ids.join("; ")}; }`);
  };
  row(["callers"]);
  row(["egress", "ingress"]);
  row(["service", "fails"]);
  // Arrows across clusters carry no label (labels of crossing arrows collide), unless the selected
  // trace takes them; the arrow that arrives says what arrives, from whom, and how much.
  for (const e of picture.edges) out.push(`  ${q(e.from)} -> ${q(e.to)} [${edgeAttributes(e)}];`);
  out.push("}");
  return `${out.join("\n")}\n`;
}

let viz: Promise<Viz> | undefined;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  return (await viz).renderString(dot, { format: "svg", engine: "dot" });
}

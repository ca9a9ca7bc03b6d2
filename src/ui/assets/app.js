// The cw ui page. It fetches the view (/api/state), draws it, and fetches it again when the server
// says the topology changed. Every value from the server goes into the page as text (textContent,
// text nodes, attributes set one by one): a service named <script> shows as those characters.

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

let view;
let cluster;
let file;

/** An element with text children; attributes are set by name, never parsed as markup. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function refresh() {
  const response = await fetch("/api/state", { cache: "no-store" });
  view = await response.json();
  render();
}

function render() {
  $("federation-name").textContent = view.name ? `· ${view.name}` : "";
  $("file").textContent = view.file;
  const counts = `${view.errors} error${view.errors === 1 ? "" : "s"}, ${view.warnings} warning${view.warnings === 1 ? "" : "s"}`;
  $("status").textContent = `${counts} · loaded ${new Date().toLocaleTimeString()}`;
  $("status").className = view.errors > 0 ? "bad" : "good";
  document.body.dataset.generation = String(view.generation);
  renderMatrix();
  $("graph").src = `/api/graph.svg?g=${encodeURIComponent(view.generation)}`;
  renderFiles();
  renderDiagnostics();
  renderTraceForm();
}

function renderMatrix() {
  const head = el(
    "tr",
    {},
    el("th", { scope: "col" }, "service"),
    ...view.clusters.map((c) =>
      el(
        "th",
        { scope: "col", "data-cluster": c.name },
        el("div", {}, c.name),
        el("div", { class: "muted small" }, `Istio ${c.istioVersion} · ${c.mode}`),
      ),
    ),
  );
  const rows = view.matrix.map((row) =>
    el(
      "tr",
      { "data-service": row.service },
      el(
        "th",
        { scope: "row" },
        el("div", {}, row.service),
        el("div", { class: "muted small" }, row.namespace),
      ),
      ...view.clusters.map((c) => {
        const cell = row.cells[c.name];
        const chips = [];
        if (cell?.runs) chips.push(el("span", { class: "chip runs" }, "runs"));
        if (cell?.servesTo.length)
          chips.push(el("span", { class: "chip serves" }, `serves ${cell.servesTo.join(", ")}`));
        for (const call of cell?.callsTo ?? []) {
          chips.push(
            el(
              "span",
              { class: `chip calls ${call.mode}` },
              `calls ${call.cluster} (${call.mode}${call.share ? `, ${call.share}` : ""})`,
            ),
          );
        }
        return el(
          "td",
          { "data-cluster": c.name },
          ...(chips.length ? chips : [el("span", { class: "muted" }, "–")]),
        );
      }),
    ),
  );
  const table = el("table", { class: "matrix" }, el("thead", {}, head), el("tbody", {}, ...rows));
  $("matrix").replaceChildren(view.matrix.length ? table : el("p", { class: "muted" }, "No services."));
}

function renderFiles() {
  const clusters = view.files.map((c) => c.cluster);
  if (!clusters.includes(cluster)) cluster = clusters[0];
  $("cluster-tabs").replaceChildren(
    ...clusters.map((name) => {
      const tab = el(
        "button",
        { type: "button", role: "tab", "aria-selected": name === cluster, "data-cluster": name },
        name,
      );
      tab.addEventListener("click", () => {
        cluster = name;
        file = undefined;
        renderFiles();
      });
      return tab;
    }),
  );
  const files = view.files.find((c) => c.cluster === cluster)?.files ?? [];
  if (!files.some((f) => f.path === file))
    file = files.find((f) => f.path !== "kustomization.yaml")?.path ?? files[0]?.path;
  $("file-list").replaceChildren(
    ...files.map((f) => {
      const button = el(
        "button",
        { type: "button", "aria-current": f.path === file, "data-path": f.path },
        f.path,
      );
      button.addEventListener("click", () => {
        file = f.path;
        renderFiles();
      });
      return el("li", {}, button);
    }),
  );
  const current = files.find((f) => f.path === file);
  $("file-name").textContent = current
    ? `${cluster}/${current.path}`
    : clusters.length
      ? ""
      : "Nothing generated: see Diagnostics.";
  $("yaml").textContent = current?.content ?? "";
  const download = $("download");
  download.hidden = !cluster;
  if (cluster) download.setAttribute("href", `/api/download?cluster=${encodeURIComponent(cluster)}`);
  $("copy").disabled = !current;
}

async function copy() {
  const text = $("yaml").textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("yaml"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand("copy");
  }
  $("copy").textContent = "Copied";
  setTimeout(() => {
    $("copy").textContent = "Copy";
  }, 1500);
}

function renderDiagnostics() {
  $("diagnostics-count").textContent = `(${view.diagnostics.length})`;
  if (view.diagnostics.length === 0) {
    $("diagnostics").replaceChildren(el("p", { class: "good" }, "No problems found."));
    return;
  }
  $("diagnostics").replaceChildren(
    ...view.diagnostics.map((d) => {
      const where =
        d.file !== undefined ? `${d.file}${d.line !== undefined ? `:${d.line}:${d.col}` : ""}: ` : "";
      const item = el(
        "div",
        { class: `diagnostic ${d.level}` },
        el("div", {}, el("strong", {}, `${d.level} ${d.code}`), ` ${where}${d.message}`),
      );
      if (d.source !== undefined) {
        const gutter = String(d.line);
        const caret = `${" ".repeat(Math.max(0, d.col - 1))}${"^".repeat(Math.max(1, d.length))}`;
        item.append(el("pre", {}, `${gutter} | ${d.source}\n${" ".repeat(gutter.length)} | ${caret}`));
      }
      return item;
    }),
  );
}

function renderTraceForm() {
  const select = $("trace-cluster");
  const chosen = select.value;
  select.replaceChildren(...view.clusters.map((c) => el("option", { value: c.name }, c.name)));
  if (view.clusters.some((c) => c.name === chosen)) select.value = chosen;
  else {
    // Start with a call that crosses clusters, if there is one.
    const call = view.calls[0];
    if (call) {
      select.value = call.from;
      const service = view.services.find((s) => s.name === call.service);
      $("trace-host").value = service?.hosts[0] ?? "";
      $("trace-port").value = String(service?.ports[0]?.port ?? 80);
    }
  }
}

async function runTrace(event) {
  event.preventDefault();
  const form = new FormData($("trace-form"));
  const body = Object.fromEntries(form.entries());
  body.port = Number(body.port);
  $("trace-outcome").textContent = "tracing…";
  $("trace-result").replaceChildren();
  let answer;
  try {
    const response = await fetch("/api/trace", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    answer = await response.json();
  } catch (e) {
    answer = { error: `the request failed: ${e}` };
  }
  if (answer.error) {
    $("trace-outcome").textContent = answer.error;
    $("trace-outcome").className = "bad";
    return;
  }
  $("trace-outcome").textContent = `${answer.title}: ${answer.outcome}`;
  $("trace-outcome").className = answer.paths.every((p) => p.end.kind === "arrived") ? "good" : "bad";
  $("trace-result").replaceChildren(...answer.paths.map(drawPath));
}

/** One path as boxes top to bottom: each hop, then where it ended. */
function drawPath(path) {
  const boxes = [
    ...path.hops.map((h) => ({ kind: h.kind, label: h.label, text: h.text })),
    { kind: path.end.kind, label: path.end.kind, text: path.end.text },
  ];
  const width = 1300;
  const box = 40;
  const gap = 18;
  const height = boxes.length * (box + gap);
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "trace-path", role: "img" });
  picture.append(svg("title", {}, `path with ${Math.round(path.share * 1000) / 10}% of calls`));
  boxes.forEach((b, i) => {
    const y = i * (box + gap);
    const group = svg("g", { class: `hop ${b.kind}`, "data-kind": b.kind });
    group.append(svg("title", {}, b.text));
    group.append(svg("rect", { x: 1, y, width: width - 2, height: box, rx: 8 }));
    group.append(svg("text", { x: 14, y: y + 25, class: "kind" }, b.label));
    const shown = b.text.length > 145 ? `${b.text.slice(0, 144)}…` : b.text;
    group.append(svg("text", { x: 110, y: y + 25 }, shown));
    picture.append(group);
    if (i < boxes.length - 1) {
      picture.append(
        svg("path", {
          d: `M 60 ${y + box} L 60 ${y + box + gap - 4} M 54 ${y + box + gap - 10} L 60 ${y + box + gap - 3} L 66 ${y + box + gap - 10}`,
          class: "arrow",
        }),
      );
    }
  });
  const share =
    path.share < 1 ? el("p", { class: "muted" }, `${Math.round(path.share * 1000) / 10}% of calls:`) : "";
  return el("div", { class: "path" }, share, picture);
}

$("copy").addEventListener("click", copy);
$("trace-form").addEventListener("submit", runTrace);
const events = new EventSource("/api/events");
events.addEventListener("change", () => {
  refresh();
});
refresh();

// The cw ui page. It fetches the view (/api/state), draws it, and fetches it again when the server
// says the topology changed. The verify matrix and "what if" are verify.js, traces trace-view.js, the
// live clusters live.js; this file draws the rest: the header, the picture, the service x cluster
// matrix, the generated YAML and the diagnostics.

import { $, button, debounce, el, getJson, pager, plural } from "/dom.js";
import { onChange, state, update } from "/state.js";
import { initTraceForm, renderTraceForm, setFileOpener } from "/trace-view.js";
import { initVerify, renderVerify, renderWhatIf } from "/verify.js";

const TOPOLOGY_ROWS = 25;
const TOPOLOGY_COLUMNS = 16;
const topologyAt = { row: 0, col: 0, filter: "" };
let yamlCluster;
let yamlFile;

async function refresh() {
  const view = await getJson("/api/state");
  if (view.error) {
    $("status").textContent = view.error;
    return;
  }
  const known = new Set(view.clusters.map((c) => c.name));
  const services = new Set(view.services.map((s) => s.name));
  const focus = state.focus.filter((f) => services.has(f));
  update({
    view,
    down: state.down.filter((d) => known.has(d)),
    focus: view.picture.all ? [] : focus.length > 0 ? focus : view.picture.focus,
  });
}

function render() {
  const view = state.view;
  $("federation-name").textContent = view.name ? `· ${view.name}` : "";
  $("file").textContent = view.file;
  $("status-text").textContent =
    `${plural(view.errors, "error")}, ${plural(view.warnings, "warning")} · loaded ${new Date().toLocaleTimeString()}`;
  $("status").className = view.errors > 0 ? "bad" : "good";
  document.body.dataset.generation = String(view.generation);
  renderWhatIf();
  void renderVerify();
  renderPictureControls();
  renderPicture();
  renderTopology();
  void renderFiles();
  renderDiagnostics();
  renderTraceForm();
}

/** The picture: the services in focus, the clusters down, and the selected trace. */
function renderPicture() {
  const view = state.view;
  const params = new URLSearchParams({ g: String(view.generation) });
  if (!view.picture.all) params.set("focus", state.focus.join(","));
  if (state.down.length > 0) params.set("down", state.down.join(","));
  if (state.selected) {
    params.set("from", state.selected.from);
    params.set("to", state.selected.to);
    if (state.selected.port) params.set("port", state.selected.port);
  }
  const empty = view.clusters.length === 0;
  $("graph-empty").hidden = !empty;
  $("graph").hidden = empty;
  if (empty) return;
  const src = `/api/graph.svg?${params}`;
  $("graph-state").textContent = "drawing…";
  $("graph").src = src;
  $("graph-trace").hidden = !state.selected;
  $("graph-trace-text").textContent = state.selected
    ? `Drawn on it: the trace ${state.selected.from} → ${state.selected.to}.`
    : "";
}

function renderPictureControls() {
  const view = state.view;
  $("graph-focus-form").hidden = view.picture.all;
  $("graph-services").replaceChildren(...view.services.map((s) => el("option", { value: s.name })));
  $("graph-focus").value = state.focus.join(", ");
  $("graph-focus-note").textContent = view.picture.all
    ? ""
    : `Showing ${plural(state.focus.length, "service")} of ${view.services.length}: name up to 40, separated by commas.`;
}

async function pictureFailed() {
  // The image did not load: ask the same address for the error in words.
  const answer = await getJson($("graph").getAttribute("src"));
  $("graph-state").textContent = answer.error ?? "the picture could not be drawn";
  $("graph-state").className = "bad";
}

/** The plan's calls of the services shown: by "service/caller", and who each cluster serves. */
function callsOf(view, shown) {
  const callsBy = new Map();
  for (const call of view.calls) {
    if (!shown.has(call.service)) continue;
    const key = `${call.service}/${call.from}`;
    callsBy.set(key, [...(callsBy.get(key) ?? []), call]);
    if (call.from !== call.to) {
      const served = `${call.service}/${call.to}/serves`;
      callsBy.set(served, [...new Set([...(callsBy.get(served) ?? []), call.from])]);
    }
  }
  return callsBy;
}

/** One cell of services x clusters: whether the cluster runs the service, whom it serves, what it calls. */
function topologyCell(service, cluster, callsBy) {
  const chips = [];
  if (service.backends.includes(cluster.name)) chips.push(el("span", { class: "chip runs" }, "runs"));
  const serves = callsBy.get(`${service.name}/${cluster.name}/serves`);
  if (serves) chips.push(el("span", { class: "chip serves" }, `serves ${serves.join(", ")}`));
  for (const call of callsBy.get(`${service.name}/${cluster.name}`) ?? []) {
    const how = [call.mode, call.subset && `subset ${call.subset}`, call.share].filter(Boolean).join(", ");
    const to = call.mode === "local" ? "locally" : call.to;
    chips.push(el("span", { class: `chip calls ${call.mode}` }, `calls ${to} (${how})`));
  }
  return el(
    "td",
    { "data-cluster": cluster.name },
    ...(chips.length ? chips : [el("span", { class: "muted" }, "–")]),
  );
}

/** Services x clusters, from the plan: who runs, serves and calls each service. A page at a time. */
function renderTopology() {
  const view = state.view;
  const filter = topologyAt.filter.toLowerCase();
  const services = view.services.filter((s) => s.name.toLowerCase().includes(filter));
  const rows = services.slice(topologyAt.row, topologyAt.row + TOPOLOGY_ROWS);
  const clusters = view.clusters.slice(topologyAt.col, topologyAt.col + TOPOLOGY_COLUMNS);
  const callsBy = callsOf(view, new Set(rows.map((s) => s.name)));
  $("matrix-pagers").replaceChildren(
    pager("services", topologyAt.row, TOPOLOGY_ROWS, services.length, (row) => {
      topologyAt.row = row;
      renderTopology();
    }),
    pager("clusters", topologyAt.col, TOPOLOGY_COLUMNS, view.clusters.length, (col) => {
      topologyAt.col = col;
      renderTopology();
    }),
  );
  const head = el(
    "tr",
    {},
    el("th", { scope: "col" }, "service"),
    ...clusters.map((c) =>
      el(
        "th",
        { scope: "col", "data-cluster": c.name },
        el("div", {}, c.name),
        el("div", { class: "muted small" }, `Istio ${c.istioVersion} · ${c.mode}`),
      ),
    ),
  );
  const body = rows.map((s) =>
    el(
      "tr",
      { "data-service": s.name },
      el("th", { scope: "row" }, el("div", {}, s.name), el("div", { class: "muted small" }, s.namespace)),
      ...clusters.map((c) => topologyCell(s, c, callsBy)),
    ),
  );
  const table = el("table", { class: "matrix" }, el("thead", {}, head), el("tbody", {}, ...body));
  $("matrix").replaceChildren(
    view.services.length ? table : el("p", { class: "muted empty" }, "No services."),
  );
}

/** The generated YAML: a cluster's file list, and one file, fetched when shown. */
async function renderFiles() {
  const view = state.view;
  const clusters = view.files.map((c) => c.cluster);
  $("yaml-body").hidden = clusters.length === 0;
  $("yaml-empty").hidden = clusters.length > 0;
  $("yaml-empty").textContent =
    view.errors > 0
      ? `Nothing was generated: the topology has ${plural(view.errors, "error")}. Fix them (see Diagnostics below) and the configuration appears here.`
      : "Nothing was generated: the topology has no clusters.";
  if (clusters.length === 0) {
    $("cluster-tabs").replaceChildren();
    return;
  }
  if (!clusters.includes(yamlCluster)) {
    yamlCluster = clusters[0];
    yamlFile = undefined;
  }
  $("cluster-tabs").replaceChildren(
    ...clusters.map((name) =>
      button({ role: "tab", "aria-selected": name === yamlCluster, "data-cluster": name }, name, () => {
        void openFile(name, undefined);
      }),
    ),
  );
  const list = await getJson("/api/files", { cluster: yamlCluster });
  const files = list.files ?? [];
  if (!files.includes(yamlFile)) yamlFile = files.find((f) => f !== "kustomization.yaml") ?? files[0];
  $("file-list").replaceChildren(
    ...files.map((path) =>
      el(
        "li",
        {},
        button({ "aria-current": path === yamlFile, "data-path": path }, path, () => {
          void openFile(yamlCluster, path);
        }),
      ),
    ),
  );
  const file = yamlFile ? await getJson("/api/file", { cluster: yamlCluster, path: yamlFile }) : {};
  $("file-name").textContent = yamlFile ? `${yamlCluster}/${yamlFile}` : "";
  $("yaml").textContent = file.content ?? file.error ?? "";
  $("download").setAttribute("href", `/api/download?cluster=${encodeURIComponent(yamlCluster)}`);
  $("copy").disabled = file.content === undefined;
}

/** Shows a cluster's file (its first when `path` is undefined); the trace's links come here. */
async function openFile(cluster, path) {
  yamlCluster = cluster;
  yamlFile = path;
  await renderFiles();
  if (path) {
    $("yaml-section").scrollIntoView({ block: "start" });
    document.querySelector(`#file-list button[aria-current="true"]`)?.focus();
  }
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

/** The diagnostics, in the order the CLI prints them (the server sorts them). */
function renderDiagnostics() {
  const view = state.view;
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
        { class: `diagnostic ${d.level}`, "data-code": d.code, "data-line": d.line },
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

$("copy").addEventListener("click", copy);
$("graph").addEventListener("load", () => {
  $("graph-state").textContent = "";
  $("graph-state").className = "muted";
});
$("graph").addEventListener("error", () => void pictureFailed());
$("graph-focus-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const names = $("graph-focus")
    .value.split(/[\s,]+/)
    .filter(Boolean);
  update({ focus: [...new Set(names)] });
});
$("graph-trace-clear").addEventListener("click", () => update({ selected: undefined }));
$("matrix-filter").addEventListener(
  "input",
  debounce(() => {
    topologyAt.filter = $("matrix-filter").value.trim();
    topologyAt.row = 0;
    renderTopology();
  }),
);
setFileOpener((cluster, path) => void openFile(cluster, path));
initTraceForm();
initVerify();
onChange((changed) => {
  if (changed.has("view")) return render();
  if (changed.has("down") || changed.has("selected") || changed.has("focus")) {
    if (changed.has("focus")) renderPictureControls();
    renderPicture();
  }
});
const events = new EventSource("/api/events");
events.addEventListener("change", () => void refresh());
void refresh();

// The verify matrix: who can call whom, as cw verify proves it. Rows are callers, columns services;
// each cell is a button that shows the checks behind it with their traces. The server judges a page
// at a time (and the rest in the background, for the summary), so the page stays quick on a
// 1,000-service federation: filter and page through it. With clusters taken down ("what if"), the
// cells say where each caller's calls go then, traced as cw trace --down traces them.
// Arrow keys move between cells (one cell is in the tab order at a time).

import { $, button, debounce, el, getJson, pager, plural } from "/dom.js";
import { generated, onChange, state, update } from "/state.js";
import { drawTrace, traceInForm } from "/trace-view.js";

const ROWS = 25;
const COLUMNS = 12;
const where = { rowOffset: 0, colOffset: 0, caller: "", name: "" };
let focusAt = { row: 0, col: 0 };
let summaryTimer;
let opened;

const ICONS = {
  allowed: "✔ allowed",
  refused: "⊘ refused",
  mismatch: "✘ mismatch",
  unenforced: "! unenforced",
  arrives: "✔",
  partial: "◐",
  fails: "✘",
  leaks: "✘ arrives",
  down: "— down",
};

/** The "what if" picker: one toggle per cluster, filterable on a large federation. */
export function renderWhatIf() {
  const view = state.view;
  const filter = $("whatif-filter").value.toLowerCase();
  $("whatif-filter").hidden = view.clusters.length <= 12;
  const focused = document.activeElement?.closest?.("#whatif-clusters")
    ? document.activeElement.dataset.cluster
    : undefined;
  const shown = view.clusters
    .filter((c) => c.name.toLowerCase().includes(filter) || state.down.includes(c.name))
    .slice(0, 60);
  $("whatif-clusters").replaceChildren(
    ...shown.map((c) => {
      const box = el("input", { type: "checkbox", value: c.name, "data-cluster": c.name });
      box.checked = state.down.includes(c.name);
      box.disabled = !generated();
      box.addEventListener("change", () => {
        const down = new Set(state.down);
        if (box.checked) down.add(c.name);
        else down.delete(c.name);
        update({ down: [...down].sort() });
      });
      return el("label", { class: "toggle" }, box, ` ${c.name}`);
    }),
  );
  // Redrawn, the toggle that had the keyboard keeps it.
  if (focused)
    $("whatif-clusters")
      .querySelector(`input[data-cluster="${CSS.escape(focused)}"]`)
      ?.focus();
  $("whatif-clear").disabled = state.down.length === 0;
  $("whatif-status").textContent =
    state.down.length === 0
      ? "Every cluster is up: the matrix shows cw verify's proof."
      : `With ${state.down.join(", ")} down: each cell says where that caller's calls to the service's first name and port go (✘: the share that fails).`;
  $("whatif-status").className = state.down.length === 0 ? "muted" : "bad";
}

export async function renderVerify() {
  if (!generated()) {
    $("verify-matrix").replaceChildren(
      el(
        "p",
        { class: "empty" },
        "Nothing to verify: the topology has errors, so nothing was generated. See Diagnostics.",
      ),
    );
    $("verify-summary").replaceChildren();
    $("verify-pagers").replaceChildren();
    return;
  }
  const generation = state.view.generation;
  const page = await getJson("/api/verify", {
    ...where,
    rowLimit: ROWS,
    colLimit: COLUMNS,
    down: state.down.join(","),
  });
  if (state.view.generation !== generation) return;
  if (page.error) {
    $("verify-matrix").replaceChildren(el("p", { class: "bad" }, page.error));
    return;
  }
  const go = (fields) => {
    Object.assign(where, fields);
    void renderVerify();
  };
  $("verify-pagers").replaceChildren(
    pager("callers", page.rows.offset, ROWS, page.rows.total, (rowOffset) => go({ rowOffset })),
    pager("services", page.columns.offset, COLUMNS, page.columns.total, (colOffset) => go({ colOffset })),
  );
  $("verify-matrix").replaceChildren(matrixTable(page));
  $("verify-legend-verify").hidden = page.down.length > 0;
  $("verify-legend-whatif").hidden = page.down.length === 0;
  if (page.down.length === 0) void renderSummary();
  else
    $("verify-summary").replaceChildren(
      el("p", { class: "muted" }, "The summary is cw verify's, with every cluster up."),
    );
}

function matrixTable(page) {
  const head = el(
    "tr",
    {},
    el("th", { scope: "col", class: "corner" }, "caller ↓ · service →"),
    ...page.columns.items.map((c) =>
      el(
        "th",
        { scope: "col", "data-service": c.service, title: [c.host, ...c.aliases].join(", ") },
        el("div", {}, c.host),
        el("div", { class: "muted small" }, c.aliases.length ? `also ${c.aliases.join(", ")}` : c.namespace),
      ),
    ),
  );
  const rows = page.rows.items.map((r, i) =>
    el(
      "tr",
      { "data-row": r.key },
      el("th", { scope: "row", class: r.probe ? "probe" : "" }, r.label),
      ...page.columns.items.map((c, j) => el("td", {}, cellButton(page, r, c, i, j))),
    ),
  );
  const table = el(
    "table",
    { class: "verify", role: "grid" },
    el("thead", {}, head),
    el("tbody", {}, ...rows),
  );
  table.addEventListener("keydown", (event) => moveFocus(event, table));
  return table;
}

function cellButton(page, row, column, i, j) {
  const cell = page.cells[row.key]?.[column.service];
  const tabindex = i === focusAt.row && j === focusAt.col ? "0" : "-1";
  const attributes = {
    class: "cell",
    "data-row": row.key,
    "data-service": column.service,
    "data-i": i,
    "data-j": j,
    tabindex,
  };
  if (!cell) {
    return el(
      "span",
      { ...attributes, class: "cell none", title: "verify makes no check of this caller and service" },
      "·",
    );
  }
  const whatIf = page.down.length > 0;
  // With clusters down a cell says where the calls go; refused and down need no more words.
  const text =
    whatIf && cell.status !== "refused" && cell.status !== "down"
      ? `${ICONS[cell.status]} ${cell.text}`
      : ICONS[cell.status];
  const detail = whatIf
    ? cell.text
    : `${plural(cell.checks, "check")}${cell.mismatches ? `, ${cell.mismatches} mismatched` : ""}`;
  return button(
    {
      ...attributes,
      class: `cell ${cell.status}`,
      "data-status": cell.status,
      "aria-label": `${row.label} to ${column.host}: ${cell.status}, ${detail}`,
      title: detail,
    },
    text,
    () => {
      focusAt = { row: i, col: j };
      void openCell(row.key, column.service);
    },
  );
}

/** Arrow keys move between the cells; Home and End to the row's ends. */
function moveFocus(event, table) {
  const from = event.target.closest("[data-i]");
  if (!from) return;
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  let [di, dj] = moves[event.key] ?? [0, 0];
  if (event.key === "Home") dj = -1000;
  if (event.key === "End") dj = 1000;
  if (di === 0 && dj === 0) return;
  event.preventDefault();
  const cells = [...table.querySelectorAll("[data-i]")];
  const rows = Math.max(...cells.map((c) => Number(c.dataset.i))) + 1;
  const cols = Math.max(...cells.map((c) => Number(c.dataset.j))) + 1;
  const i = Math.min(rows - 1, Math.max(0, Number(from.dataset.i) + di));
  const j = Math.min(cols - 1, Math.max(0, Number(from.dataset.j) + dj));
  const to = cells.find((c) => Number(c.dataset.i) === i && Number(c.dataset.j) === j);
  if (!to) return;
  from.setAttribute("tabindex", "-1");
  to.setAttribute("tabindex", "0");
  to.focus();
  focusAt = { row: i, col: j };
}

async function renderSummary() {
  clearTimeout(summaryTimer);
  const generation = state.view.generation;
  const summary = await getJson("/api/verify/summary");
  if (state.view.generation !== generation || state.down.length > 0) return;
  if (summary.error) {
    $("verify-summary").replaceChildren(el("p", { class: "bad" }, summary.error));
    return;
  }
  const head = el(
    "tr",
    {},
    ...["check", "total", "ok", "mismatch", "unenforced"].map((h) => el("th", { scope: "col" }, h)),
  );
  const rows = summary.kinds.map((k) =>
    el(
      "tr",
      { "data-kind": k.kind },
      el("th", { scope: "row" }, k.kind),
      ...[k.total, k.ok, k.mismatch, k.unenforced].map((n) => el("td", {}, String(n))),
    ),
  );
  const verdictClass = !summary.done ? "muted" : summary.mismatchTotal === 0 ? "good" : "bad";
  const mismatches = summary.mismatches.map((m) =>
    el(
      "li",
      {},
      button({ class: "link", "data-row": m.row, "data-service": m.service }, `${m.kind}: ${m.call}`, () => {
        void openCell(m.row, m.service);
      }),
      el("span", { class: "muted" }, ` ${m.problem}`),
    ),
  );
  $("verify-summary").replaceChildren(
    el("table", { class: "summary", id: "verify-table" }, el("thead", {}, head), el("tbody", {}, ...rows)),
    el("p", { id: "verify-verdict", class: verdictClass, role: "status" }, summary.verdict),
    mismatches.length > 0 ? el("ul", { class: "mismatches" }, ...mismatches) : "",
    el(
      "details",
      {},
      el("summary", {}, "What this rests on"),
      el("ul", {}, ...summary.assumptions.map((a) => el("li", {}, a))),
    ),
  );
  if (!summary.done) summaryTimer = setTimeout(() => void renderSummary(), 700);
}

/** The checks behind a cell, each with its trace; `focus` moves the keyboard to them. */
async function openCell(row, service, focus = true) {
  opened = { row, service };
  const detail = $("verify-detail");
  detail.hidden = false;
  detail.replaceChildren(el("p", { class: "muted" }, "tracing…"));
  const answer = await getJson("/api/verify/cell", { row, service, down: state.down.join(",") });
  if (answer.error) {
    detail.replaceChildren(el("p", { class: "bad" }, answer.error));
    return;
  }
  const title = `${answer.row.label} → ${service}${answer.down.length ? `, with ${answer.down.join(", ")} down` : ""}`;
  detail.replaceChildren(
    el(
      "div",
      { class: "detail-head" },
      el("h3", { id: "verify-detail-title", tabindex: "-1" }, title),
      button({ id: "verify-detail-close" }, "Close", () => {
        detail.hidden = true;
        opened = undefined;
      }),
    ),
    ...answer.checks.map((c, i) => checkView(c, i === 0 || c.status === "mismatch")),
  );
  if (focus) $("verify-detail-title").focus();
}

/** One check: what was expected, its verdict, and its trace (folded, unless `open`). */
const VERDICTS = { ok: "✔ holds", mismatch: "✘ does not hold", unenforced: "! unenforced" };

function checkView(c, open) {
  const status = c.status ?? "traced";
  const actions = c.from
    ? el(
        "span",
        { class: "actions" },
        button({ class: "show-on-picture" }, "Show on the picture", () => {
          update({ selected: { from: c.from, to: c.to } });
          $("graph-section").scrollIntoView({ block: "start" });
        }),
        button({ class: "open-in-form" }, "Open in the trace form", () => traceInForm(c.from, c.to)),
      )
    : "";
  return el(
    "div",
    { class: `check ${status}`, "data-kind": c.kind, "data-status": status },
    el(
      "div",
      {},
      el("strong", {}, `${c.kind}: `),
      c.call,
      " ",
      el("span", { class: `verdict ${status}` }, VERDICTS[status] ?? ICONS[status] ?? status),
    ),
    el("div", { class: "muted" }, `expected ${c.expected}${c.problem ? `; ${c.problem}` : ""}`),
    actions,
    el("details", { open }, el("summary", { class: "trace-outcome" }, c.trace.outcome), drawTrace(c.trace)),
  );
}

export function initVerify() {
  const refilter = debounce(() => {
    where.caller = $("verify-caller").value.trim();
    where.name = $("verify-name").value.trim();
    where.rowOffset = 0;
    where.colOffset = 0;
    void renderVerify();
  });
  $("verify-caller").addEventListener("input", refilter);
  $("verify-name").addEventListener("input", refilter);
  $("whatif-filter").addEventListener("input", () => renderWhatIf());
  $("whatif-clear").addEventListener("click", () => update({ down: [] }));
  onChange((changed) => {
    // A new view redraws everything (app.js); here only a change of the clusters down.
    if (!changed.has("down") || changed.has("view")) return;
    renderWhatIf();
    void renderVerify();
    if (opened) void openCell(opened.row, opened.service, false);
  });
}

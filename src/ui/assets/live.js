// The page's live section: on request, asks the server (/api/live) for the preflight of each cluster
// and link (cw check --live) and the status table (cw status), and shows them; a cluster cw cannot
// reach is said so plainly, with why. Values go into the page as text only, as in app.js.

import { $, el } from "/dom.js";

const MARK = { pass: "✔", fail: "✘", warn: "‼" };
const STATES = [
  ["in-sync", "in sync"],
  ["missing", "missing"],
  ["edited", "changed"],
  ["outdated", "outdated"],
  ["not-ours", "not ours"],
  ["extra", "extra"],
];

function lines(checks) {
  return el(
    "ul",
    { class: "checks" },
    ...checks.map((l) =>
      el(
        "li",
        { class: `check ${l.verdict}`, "data-verdict": l.verdict },
        el("span", { class: "mark" }, MARK[l.verdict] ?? "?"),
        ` ${l.title}`,
        ...(l.verdict === "pass"
          ? l.detail.length > 0
            ? [el("span", { class: "muted" }, ` (${l.detail.join("; ")})`)]
            : []
          : [
              el(
                "div",
                { class: "detail" },
                ...l.detail.map((d) => el("div", {}, d)),
                ...(l.code ? [el("div", { class: "muted" }, `cw explain ${l.code}`)] : []),
              ),
            ]),
      ),
    ),
  );
}

function statusTable(status) {
  const head = el(
    "tr",
    {},
    ...["cluster", "objects", ...STATES.map(([, h]) => h), "status"].map((h) =>
      el("th", { scope: "col" }, h),
    ),
  );
  const rows = status.clusters.map((c) =>
    el(
      "tr",
      { "data-cluster": c.cluster },
      el("th", { scope: "row" }, c.cluster),
      el("td", {}, c.counts ? String(c.objects) : "–"),
      ...STATES.map(([s]) => el("td", {}, c.counts ? String(c.counts[s]) : "–")),
      el(
        "td",
        { class: c.inSync ? "good" : "bad" },
        c.error !== undefined ? "✘ unreachable" : c.inSync ? "✔ in sync" : "✘ out of sync",
      ),
    ),
  );
  return el("table", { id: "live-status" }, el("thead", {}, head), el("tbody", {}, ...rows));
}

function render(live) {
  const outcome = $("live-outcome");
  const result = $("live-result");
  result.replaceChildren();
  if (live.off || live.error) {
    outcome.textContent = `Live checks are not available: ${live.off ?? live.error}.`;
    outcome.className = "bad";
    return;
  }
  const unreachable = live.status.clusters.filter((c) => c.error !== undefined);
  const reached = live.status.clusters.length - unreachable.length;
  const failed = [...live.preflight.clusters.flatMap((c) => c.lines), ...live.preflight.links].filter(
    (l) => l.verdict === "fail",
  ).length;
  outcome.textContent =
    reached === 0
      ? "cw cannot reach any cluster: check your kubeconfig and that the API servers answer."
      : failed === 0
        ? `All ${reached} clusters checked: every line ✔.`
        : `${failed} check${failed === 1 ? "" : "s"} failed (✘).`;
  outcome.className = reached === 0 || failed > 0 ? "bad" : "good";
  for (const c of unreachable) {
    result.append(
      el(
        "p",
        { class: "bad unreachable", "data-cluster": c.cluster },
        `Cannot reach cluster ${c.cluster} (kubeconfig context ${c.context}): ${c.error}`,
      ),
    );
  }
  result.append(el("h3", {}, "Status"), statusTable(live.status));
  for (const c of live.preflight.clusters) {
    result.append(
      el(
        "div",
        { class: "live-cluster", "data-cluster": c.cluster },
        el("h3", {}, `cluster ${c.cluster} (context ${c.context})`),
        lines(c.lines),
      ),
    );
  }
  if (live.preflight.links.length > 0)
    result.append(el("div", { class: "live-links" }, el("h3", {}, "links"), lines(live.preflight.links)));
}

async function check() {
  const button = $("live-run");
  button.disabled = true;
  $("live-outcome").textContent = "reading the clusters…";
  $("live-outcome").className = "";
  try {
    const response = await fetch("/api/live", { cache: "no-store" });
    render(await response.json());
  } catch (e) {
    $("live-outcome").textContent = `Live checks failed: ${e.message}`;
    $("live-outcome").className = "bad";
  } finally {
    button.disabled = false;
  }
}

$("live-run").addEventListener("click", () => void check());

// Traces on the page: the trace form (a caller, and a host picked from what that caller may call, or
// typed as cw trace --to takes it: host:port or a URL), and the drawing of a trace as a list of hops,
// each with its full text and a link to the YAML of every object that decided it. The verify matrix
// draws its cells' traces with drawTrace too.

import { $, button, el, getJson } from "/dom.js";
import { generated, onChange, state, update } from "/state.js";

let openFile = () => {};

/** How a hop's link opens a file (app.js passes its YAML viewer). */
export function setFileOpener(open) {
  openFile = open;
}

/** A trace answer (/api/trace, /api/verify/cell) as its paths, each a list of hops. */
export function drawTrace(answer) {
  return el("div", { class: "trace" }, ...answer.paths.map((p, i) => drawPath(p, i, answer.paths.length)));
}

function drawPath(path, index, count) {
  const share = Math.round(path.share * 1000) / 10;
  const heading =
    count > 1
      ? el("p", { class: "muted path-share" }, `path ${index + 1} of ${count}: ${share}% of calls`)
      : undefined;
  const hops = path.hops.map((h, i) =>
    el(
      "li",
      { class: `hop ${h.kind}`, "data-kind": h.kind },
      el("span", { class: "hop-number" }, String(i + 1)),
      el("span", { class: "hop-label" }, h.label),
      el(
        "span",
        { class: "hop-text" },
        h.text,
        ...h.links.map((l) =>
          button(
            {
              class: "link",
              "data-cluster": l.cluster,
              "data-path": l.path,
              title: `open ${l.cluster}/${l.path}`,
            },
            l.text,
            () => openFile(l.cluster, l.path),
          ),
        ),
      ),
    ),
  );
  const end = el(
    "li",
    { class: `hop ${path.end.kind}`, "data-kind": path.end.kind },
    el("span", { class: "hop-number" }, path.end.kind === "arrived" ? "✔" : "✘"),
    el("span", { class: "hop-label" }, path.end.kind),
    el("span", { class: "hop-text" }, path.end.text),
  );
  return el("div", { class: "path" }, heading, el("ol", { class: "hops" }, ...hops, end));
}

/** The form's host picker: what the chosen caller may call, and what it may not (and why). */
async function fillPicker() {
  const picker = $("trace-pick");
  const cluster = $("trace-cluster").value;
  if (!cluster || !state.view || !generated()) {
    picker.replaceChildren(el("option", { value: "" }, "—"));
    return;
  }
  const answer = await getJson("/api/callable", {
    cluster,
    namespace: $("trace-namespace").value,
    serviceAccount: $("trace-sa").value,
  });
  if (answer.error) {
    picker.replaceChildren(el("option", { value: "" }, answer.error));
    return;
  }
  const option = (h) =>
    el("option", { value: `${h.host}:${h.ports[0]}`, title: h.why }, `${h.host} — ${h.why}`);
  picker.replaceChildren(
    el(
      "option",
      { value: "" },
      `pick a host (${answer.allowed.length} callable, ${answer.refused.length} refused)`,
    ),
    el("optgroup", { label: `${cluster} may call` }, ...answer.allowed.map(option)),
    el("optgroup", { label: `${cluster} may not call (refused)` }, ...answer.refused.map(option)),
  );
}

export function renderTraceForm() {
  const select = $("trace-cluster");
  const chosen = select.value;
  const view = state.view;
  select.replaceChildren(...view.clusters.map((c) => el("option", { value: c.name }, c.name)));
  const ready = generated();
  for (const id of [
    "trace-cluster",
    "trace-namespace",
    "trace-sa",
    "trace-pick",
    "trace-to",
    "trace-port",
    "trace-run",
  ])
    $(id).disabled = !ready;
  $("trace-empty").hidden = ready;
  if (view.clusters.some((c) => c.name === chosen)) select.value = chosen;
  else {
    // Start with a call that crosses clusters, if there is one.
    const call = view.calls.find((c) => c.mode !== "local");
    if (call) {
      select.value = call.from;
      const service = view.services.find((s) => s.name === call.service);
      $("trace-to").value = service ? `${service.hosts[0]}:${service.ports[0]?.port ?? 80}` : "";
    }
  }
  renderDownNote();
  void fillPicker();
}

function renderDownNote() {
  $("trace-down").textContent =
    state.down.length > 0
      ? `Traced with ${state.down.join(", ")} down (What if a cluster fails, above).`
      : "";
}

export async function runTrace(event) {
  event?.preventDefault();
  const body = {
    cluster: $("trace-cluster").value,
    namespace: $("trace-namespace").value,
    serviceAccount: $("trace-sa").value,
    to: $("trace-to").value,
    port: $("trace-port").value,
    down: state.down,
  };
  $("trace-outcome").textContent = "tracing…";
  $("trace-outcome").className = "";
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
  $("trace-result").replaceChildren(drawTrace(answer));
  update({
    selected: {
      from: `${body.cluster}/${body.namespace || "default"}/${body.serviceAccount || "default"}`,
      to: body.to,
      ...(body.port !== "" && { port: body.port }),
    },
  });
}

export function initTraceForm() {
  $("trace-form").addEventListener("submit", runTrace);
  $("trace-cluster").addEventListener("change", () => void fillPicker());
  $("trace-namespace").addEventListener("change", () => void fillPicker());
  $("trace-sa").addEventListener("change", () => void fillPicker());
  $("trace-pick").addEventListener("change", () => {
    const value = $("trace-pick").value;
    if (value) {
      $("trace-to").value = value;
      $("trace-port").value = "";
    }
  });
  onChange((changed) => {
    if (changed.has("down")) renderDownNote();
  });
}

/** Shows a call's trace in the form, as if it had been typed there (from the verify matrix). */
export function traceInForm(from, to) {
  const [cluster, namespace, serviceAccount] = from.split("/");
  $("trace-cluster").value = cluster;
  $("trace-namespace").value = namespace;
  $("trace-sa").value = serviceAccount;
  $("trace-to").value = to;
  $("trace-port").value = "";
  void fillPicker();
  void runTrace();
  $("trace-section").scrollIntoView({ block: "start" });
}

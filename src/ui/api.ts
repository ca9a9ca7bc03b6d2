// The page's questions, answered from a session (session.ts): each takes the query string and answers
// a status and JSON (or the picture's SVG). server.ts routes requests here; nothing here touches the
// network or the disk, and every value a query names is checked against the topology first.

import { assumptionsOf, type Expectation, type Service } from "../index.js";
import { callable } from "./callable.js";
import { federationDot, renderSvg } from "./graph.js";
import { buildPicture, type RoutedCall } from "./picture.js";
import type { Session } from "./session.js";
import { answerOf, checkDown, checkTraceRequest, titleOf } from "./trace.js";
import type { CellResult } from "./verify-matrix.js";
import { cellOf, type DownCell } from "./what-if.js";

export type Answer =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: number; readonly svg: Promise<string> };

const NOT_READY = {
  status: 409,
  json: { error: "the topology has errors, so nothing was generated to verify or trace; see Diagnostics" },
};
const bad = (error: string): Answer => ({ status: 400, json: { error } });

/** At most this many services in the picture at once: Graphviz takes long over thousands of nodes. */
export const PICTURE_MAX_SERVICES = 40;
const MAX_ROWS = 100;
const MAX_COLUMNS = 50;
const MISMATCHES_LISTED = 100;

const int = (q: URLSearchParams, name: string, fallback: number, max: number): number => {
  const n = Number(q.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
};

const clusterNames = (s: Session) => s.topology.clusters.map((c) => c.name);

/** A cluster's generated files, by path. */
export function filesAnswer(s: Session, q: URLSearchParams): Answer {
  const cluster = q.get("cluster") ?? "";
  const files = s.files(cluster);
  if (!files) return { status: 404, json: { error: `no files for cluster ${cluster}` } };
  return { status: 200, json: { cluster, files: files.map((f) => f.path) } };
}

/** One generated file's text. */
export function fileAnswer(s: Session, q: URLSearchParams): Answer {
  const cluster = q.get("cluster") ?? "";
  const path = q.get("path") ?? "";
  const file = s.files(cluster)?.find((f) => f.path === path);
  if (!file) return { status: 404, json: { error: `cluster ${cluster} has no file ${path}` } };
  return { status: 200, json: { cluster, path, content: file.content } };
}

export function callableAnswer(s: Session, q: URLSearchParams): Answer {
  if (!s.loaded.topology) return NOT_READY;
  const cluster = q.get("cluster") ?? "";
  if (!clusterNames(s).includes(cluster)) return bad(`no cluster ${cluster}`);
  const caller = {
    cluster,
    namespace: q.get("namespace") || "default",
    serviceAccount: q.get("serviceAccount") || "default",
  };
  return { status: 200, json: callable(s.topology, caller) };
}

/** One page of the verify matrix (or, with clusters down, of where calls go then). */
export function verifyPageAnswer(s: Session, q: URLSearchParams): Answer {
  if (!s.ready) return NOT_READY;
  const down = checkDown(q.get("down") ?? undefined, clusterNames(s));
  if (!down.ok) return bad(down.error);
  const matrix = s.matrix;
  const callerFilter = (q.get("caller") ?? "").toLowerCase();
  const nameFilter = (q.get("name") ?? "").toLowerCase();
  const rows = matrix
    .rows()
    .filter((r) => r.label.toLowerCase().includes(callerFilter) || r.key.includes(callerFilter));
  const suffix = `.${s.topology.suffix}`;
  const columns = matrix.services.filter(
    (c) => nameFilter === "" || hostsOf(c, suffix).some((h) => h.toLowerCase().includes(nameFilter)),
  );
  const rowPage = page(rows, int(q, "rowOffset", 0, rows.length), int(q, "rowLimit", 25, MAX_ROWS));
  const colPage = page(columns, int(q, "colOffset", 0, columns.length), int(q, "colLimit", 12, MAX_COLUMNS));
  const cells: Record<string, Record<string, CellResult | DownCell>> = {};
  for (const service of colPage.items) {
    const results =
      down.value.length > 0 ? s.whatIf(down.value).cells(service) : matrix.result(service).cells;
    for (const row of rowPage.items) {
      const cell = results.get(row.key);
      if (!cell) continue;
      const line = cells[row.key] ?? {};
      line[service.name] = cell;
      cells[row.key] = line;
    }
  }
  if (down.value.length === 0) s.judgeInBackground();
  return {
    status: 200,
    json: {
      generation: s.loaded.view.generation,
      down: down.value,
      rows: { total: rows.length, offset: rowPage.offset, items: rowPage.items },
      columns: {
        total: columns.length,
        offset: colPage.offset,
        items: colPage.items.map((c) => {
          const [host, ...aliases] = hostsOf(c, suffix);
          return { service: c.name, namespace: c.namespace, host, aliases };
        }),
      },
      cells,
    },
  };
}

const hostsOf = (s: Service, suffix: string) =>
  [s.name, ...s.aliases.map((a) => a.name)].map((n) => `${n}${suffix}`);

function page<T>(
  items: readonly T[],
  offset: number,
  limit: number,
): { offset: number; items: readonly T[] } {
  const start = offset >= items.length ? Math.max(0, items.length - limit) : offset;
  return { offset: start, items: items.slice(start, start + limit) };
}

/** verify's table over the services judged so far; the page asks again until every one is. */
export function verifySummaryAnswer(s: Session): Answer {
  if (!s.ready) return NOT_READY;
  s.judgeInBackground();
  const summary = s.matrix.summary(MISMATCHES_LISTED);
  const total = summary.kinds.reduce((n, k) => n + k.total, 0);
  const unenforced = summary.kinds.reduce((n, k) => n + k.unenforced, 0);
  const done = summary.judged === summary.of;
  const verdict = !done
    ? `judged ${summary.judged} of ${summary.of} services so far (${total} checks)`
    : summary.mismatchTotal === 0
      ? `verified: ${total} checks hold${unenforced > 0 ? ` (${unenforced} unenforced, as cw warned)` : ""}`
      : `${summary.mismatchTotal} of ${total} checks do not hold`;
  return {
    status: 200,
    json: {
      generation: s.loaded.view.generation,
      done,
      ...summary,
      verdict,
      assumptions: assumptionsOf(s.topology, false),
    },
  };
}

/** Every check of one cell, each with its trace; with clusters down, where each call goes then. */
export function verifyCellAnswer(s: Session, q: URLSearchParams): Answer {
  if (!s.ready) return NOT_READY;
  const service = s.matrix.service(q.get("service") ?? "");
  const row = s.matrix.rows().find((r) => r.key === q.get("row"));
  if (!service || !row) return bad("no such cell: give a row and a service of the matrix");
  const down = checkDown(q.get("down") ?? undefined, clusterNames(s));
  if (!down.ok) return bad(down.error);
  const checks =
    down.value.length > 0
      ? s
          .whatIf(down.value)
          .calls(service)
          .filter((c) => c.row === row.key)
          .map((c) => {
            const where = cellOf(c);
            return {
              kind: c.expectation.kind,
              call: c.expectation.text,
              ...callOf(c.expectation),
              expected: `where the call goes with ${down.value.join(", ")} down`,
              status: where.status,
              problem: where.text,
              trace: answerOf(
                titleOf(c.expectation.caller, c.expectation.target, down.value),
                c.trace,
                s.fileOf,
              ),
            };
          })
      : s.matrix.cell(row.key, service).map(({ expectation, check: c }) => ({
          kind: c.kind,
          call: c.call,
          ...callOf(expectation),
          expected: c.expected,
          status: c.status,
          problem: c.problem,
          trace: answerOf(c.call, c.trace, s.fileOf),
        }));
  return { status: 200, json: { row, service: service.name, down: down.value, checks } };
}

/** A call's caller and target as the trace form and the picture take them; a probe has none. */
function callOf(e: Expectation): { from?: string; to?: string } {
  if (e.kind === "gateway probe") return {};
  const { cluster, namespace, serviceAccount } = e.caller;
  return { from: `${cluster}/${namespace}/${serviceAccount}`, to: `${e.target.host}:${e.target.port}` };
}

/** The picture: the services in focus, with clusters down, and the selected trace drawn on it. */
export function pictureAnswer(s: Session, q: URLSearchParams): Answer {
  const view = s.loaded.view;
  const known = new Set(view.services.map((v) => v.name));
  const focusText = q.get("focus");
  const focus =
    focusText === null
      ? view.picture.all
        ? undefined
        : new Set(view.picture.focus)
      : new Set(focusText.split(",").filter(Boolean));
  if (focus && [...focus].some((f) => !known.has(f)))
    return bad("focus names services of the topology, separated by commas");
  if ((focus?.size ?? known.size) > PICTURE_MAX_SERVICES) {
    return bad(`the picture draws at most ${PICTURE_MAX_SERVICES} services at a time; choose which`);
  }
  if (!s.ready) {
    return {
      status: 200,
      svg: renderSvg(
        federationDot(buildPicture({ view, ...(focus && { focus }), down: new Set(), routed: [] })),
      ),
    };
  }
  const down = checkDown(q.get("down") ?? undefined, clusterNames(s));
  if (!down.ok) return bad(down.error);
  const whatIf = s.whatIf(down.value);
  const routed = s.matrix.services
    .filter((x) => !focus || focus.has(x.name))
    .flatMap((x) => whatIf.routed(x));
  const selected = selectedTrace(s, q, down.value);
  if (selected && "error" in selected) return bad(selected.error);
  const picture = buildPicture({
    view,
    ...(focus && { focus: selected ? new Set([...focus, selected.service]) : focus }),
    down: new Set(down.value),
    routed,
    ...(selected && { selected }),
  });
  return { status: 200, svg: renderSvg(federationDot(picture)) };
}

/** The trace to draw on the picture: from=cluster/namespace/serviceaccount and to=<target>. */
function selectedTrace(
  s: Session,
  q: URLSearchParams,
  down: readonly string[],
): RoutedCall | { error: string } | undefined {
  const from = q.get("from");
  if (from === null) return undefined;
  const [cluster, namespace, serviceAccount] = from.split("/");
  const request = checkTraceRequest(
    { cluster, namespace, serviceAccount, to: q.get("to") ?? "", port: q.get("port") ?? undefined, down },
    clusterNames(s),
  );
  if (!request.ok) return { error: request.error };
  const { value } = request;
  const trace = s.whatIf(down).trace(value.from, value.to);
  const suffix = `.${s.topology.suffix}`;
  const service =
    s.matrix.services.find((x) => hostsOf(x, suffix).includes(value.to.host))?.name ?? value.to.host;
  return { service, host: value.to.host, caller: value.from.cluster, mode: "", trace };
}

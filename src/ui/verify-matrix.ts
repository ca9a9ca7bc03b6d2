// The verify matrix of cw ui: callers (a cluster's callers, a narrowed consumer's namespace and
// service account, the callers outside it, and whoever connects straight to a gateway) x services,
// each cell the verdict of `cw verify`'s checks for that caller and service: allowed, refused, a
// mismatch, or a refusal the topology says cannot be enforced. The checks are verify's own
// (expectations and checkExpectation from the public API), judged a service at a time and only when a
// page of the matrix or the summary needs them: a 100-cluster, 1,000-service federation has half a
// million checks, which take seconds, so the first page is judged at once and the rest in the
// background (step), between requests.

import { byText } from "../compare.js";
import {
  CHECK_KINDS,
  type Check,
  type CheckKind,
  checkExpectation,
  type Expectation,
  expectations,
  probersOf,
  type Service,
  type Topology,
  type Tracer,
} from "../index.js";
import { type MatrixRow, proberRow, rowOf } from "./matrix-rows.js";

export type CellStatus = "allowed" | "refused" | "mismatch" | "unenforced";

export interface CellResult {
  readonly status: CellStatus;
  readonly checks: number;
  readonly mismatches: number;
  readonly unenforced: number;
}

export interface KindCount {
  readonly kind: CheckKind;
  total: number;
  ok: number;
  mismatch: number;
  unenforced: number;
}

export interface MismatchEntry {
  readonly row: string;
  readonly service: string;
  readonly kind: CheckKind;
  readonly call: string;
  readonly problem: string;
}

interface ServiceResult {
  readonly cells: ReadonlyMap<string, CellResult>;
  readonly kinds: ReadonlyMap<CheckKind, KindCount>;
  readonly mismatches: readonly MismatchEntry[];
}

const ALLOWED_KINDS: ReadonlySet<CheckKind> = new Set([
  "consumer call",
  "local call",
  "failover",
  "resilience",
]);

/** The expectations of one service, as verify makes them (the topology cut down to that service). */
export const serviceExpectations = (topology: Topology, service: Service): Iterable<Expectation> =>
  expectations({ ...topology, services: [service] });

export class VerifyMatrix {
  readonly #topology: Topology;
  /** The session's tracer: its cluster indexes are built once for every check. */
  readonly #tracer: Tracer;
  readonly #services: readonly Service[];
  readonly #byName: ReadonlyMap<string, Service>;
  readonly #results = new Map<string, ServiceResult>();
  #rows: readonly MatrixRow[] | undefined;
  #next = 0;

  constructor(topology: Topology, tracer: Tracer) {
    this.#topology = topology;
    this.#tracer = tracer;
    this.#services = [...topology.services].sort(byText((s) => s.name));
    this.#byName = new Map(this.#services.map((s) => [s.name, s]));
  }

  get services(): readonly Service[] {
    return this.#services;
  }

  service(name: string): Service | undefined {
    return this.#byName.get(name);
  }

  /**
   * Every row, in cluster order: its callers, then narrowed identities, then gateway probers. Calls
   * come before a service's probes, which are many (every prober, backend and name): the probers
   * are taken from probersOf instead of from each probe. Who calls does not depend on the name or
   * port called, so the calls are made for one name and port only (half the time at 100
   * clusters x 1,000 services).
   */
  rows(): readonly MatrixRow[] {
    if (this.#rows) return this.#rows;
    const rows = new Map<string, MatrixRow>();
    const add = (row: MatrixRow) => {
      if (!rows.has(row.key)) rows.set(row.key, row);
    };
    for (const service of this.#services) {
      const oneTarget = { ...service, aliases: [], ports: service.ports.slice(0, 1) };
      for (const e of serviceExpectations(this.#topology, oneTarget)) {
        if (e.kind === "gateway probe") break;
        add(rowOf(e));
      }
      for (const p of probersOf(this.#topology, service)) add(proberRow(p.label));
    }
    const order = new Map(this.#topology.clusters.map((c, i) => [c.name, i]));
    this.#rows = [...rows.values()].sort((a, b) => rowOrder(a, b, order));
    return this.#rows;
  }

  /** The cells of one service, judging its checks the first time. */
  result(service: Service): ServiceResult {
    const known = this.#results.get(service.name);
    if (known) return known;
    const result = judgeService(this.#tracer, serviceExpectations(this.#topology, service), service.name);
    this.#results.set(service.name, result);
    return result;
  }

  /** Judges the next service not judged yet; false when every one is. For the background job. */
  step(): boolean {
    while (this.#next < this.#services.length) {
      const s = this.#services[this.#next++] as Service;
      if (this.#results.has(s.name)) continue;
      this.result(s);
      return true;
    }
    return false;
  }

  /** verify's table over the services judged so far, and how many that is. */
  summary(mismatchLimit: number) {
    const kinds = new Map<CheckKind, KindCount>(
      CHECK_KINDS.map((kind) => [kind, { kind, total: 0, ok: 0, mismatch: 0, unenforced: 0 }]),
    );
    const mismatches: MismatchEntry[] = [];
    let mismatchTotal = 0;
    for (const r of this.#results.values()) {
      for (const k of r.kinds.values()) {
        const sum = kinds.get(k.kind);
        if (!sum) continue;
        sum.total += k.total;
        sum.ok += k.ok;
        sum.mismatch += k.mismatch;
        sum.unenforced += k.unenforced;
      }
      mismatchTotal += r.mismatches.length;
      for (const m of r.mismatches) if (mismatches.length < mismatchLimit) mismatches.push(m);
    }
    return {
      judged: this.#results.size,
      of: this.#services.length,
      kinds: [...kinds.values()].filter((k) => k.total > 0),
      mismatches: mismatches.sort(byText((m) => `${m.service}/${m.row}`)),
      mismatchTotal,
    };
  }

  /** The checks of one cell, each with its expectation (and the check's trace). */
  cell(rowKey: string, service: Service): { expectation: Expectation; check: Check }[] {
    const checks: { expectation: Expectation; check: Check }[] = [];
    for (const e of serviceExpectations(this.#topology, service)) {
      if (rowOf(e).key === rowKey) checks.push({ expectation: e, check: checkExpectation(this.#tracer, e) });
    }
    return checks;
  }
}

function judgeService(tracer: Tracer, all: Iterable<Expectation>, service: string): ServiceResult {
  const cells = new Map<
    string,
    { checks: number; mismatches: number; unenforced: number; allowed: boolean }
  >();
  const kinds = new Map<CheckKind, KindCount>();
  const mismatches: MismatchEntry[] = [];
  for (const e of all) {
    const check = checkExpectation(tracer, e);
    const row = rowOf(e).key;
    const cell = cells.get(row) ?? { checks: 0, mismatches: 0, unenforced: 0, allowed: false };
    cell.checks++;
    if (ALLOWED_KINDS.has(check.kind)) cell.allowed = true;
    const kind = kinds.get(check.kind) ?? { kind: check.kind, total: 0, ok: 0, mismatch: 0, unenforced: 0 };
    kind.total++;
    kind[check.status]++;
    if (check.status === "mismatch") {
      cell.mismatches++;
      mismatches.push({ row, service, kind: check.kind, call: check.call, problem: check.problem });
    } else if (check.status === "unenforced") cell.unenforced++;
    cells.set(row, cell);
    kinds.set(check.kind, kind);
  }
  const results = new Map<string, CellResult>();
  for (const [row, c] of cells) {
    const status: CellStatus =
      c.mismatches > 0 ? "mismatch" : c.allowed ? "allowed" : c.unenforced > 0 ? "unenforced" : "refused";
    results.set(row, { status, checks: c.checks, mismatches: c.mismatches, unenforced: c.unenforced });
  }
  return { cells: results, kinds, mismatches };
}

function rowOrder(a: MatrixRow, b: MatrixRow, clusters: ReadonlyMap<string, number>): number {
  if (a.probe !== b.probe) return a.probe ? 1 : -1;
  const ca = clusters.get(a.cluster) ?? clusters.size;
  const cb = clusters.get(b.cluster) ?? clusters.size;
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

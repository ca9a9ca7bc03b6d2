// What `cw verify`'s text report needs of its checks: how many of each kind hold, do not, or are
// unenforced, and every check that does not hold, with its trace. At 500 clusters x 10,000 services
// verify makes 28 million checks; keeping each of them alive (even without its trace) ran out of a
// 4 GiB heap, and most of the rest of the time went to garbage collection. A summary is taken as the
// checks stream past (CheckTally), so only the counts and the checks that do not hold stay; verify's
// text path does not even make a check that holds, it only counts it.

import type { Check, CheckKind } from "./verify.js";

export interface KindCounts {
  total: number;
  ok: number;
  mismatch: number;
  unenforced: number;
}

export interface VerifySummary {
  /** Counts per kind, only for kinds that had checks. */
  readonly counts: ReadonlyMap<CheckKind, Readonly<KindCounts>>;
  /** Every check whose status is not "ok", in the order verify made them. */
  readonly notHeld: readonly Check[];
  readonly total: number;
  /** No check is a mismatch. */
  readonly ok: boolean;
  readonly assumptions: readonly string[];
}

/**
 * Counts checks as they are made and keeps those that do not hold. A check that holds is only counted
 * (held): the text report never reads it, so verify does not make it (verify.ts summarizeShare). Shares
 * summarized elsewhere (a helper thread's) are merged in, in share order.
 */
export class CheckTally {
  readonly #counts = new Map<CheckKind, KindCounts>();
  readonly #notHeld: Check[] = [];

  /** A check of this kind that holds. */
  held(kind: CheckKind): void {
    const n = this.#count(kind);
    n.total++;
    n.ok++;
  }

  add(check: Check): void {
    const n = this.#count(check.kind);
    n.total++;
    n[check.status]++;
    if (check.status !== "ok") this.#notHeld.push(check);
  }

  /** The checks another summary counted, as if they had been made here now. */
  merge(part: VerifySummary): void {
    for (const [kind, n] of part.counts) {
      const sum = this.#count(kind);
      sum.total += n.total;
      sum.ok += n.ok;
      sum.mismatch += n.mismatch;
      sum.unenforced += n.unenforced;
    }
    for (const c of part.notHeld) this.#notHeld.push(c);
  }

  /** The total and whether every check holds follow from the counts. */
  summary(assumptions: readonly string[]): VerifySummary {
    let total = 0;
    let mismatches = 0;
    for (const n of this.#counts.values()) {
      total += n.total;
      mismatches += n.mismatch;
    }
    return { counts: this.#counts, notHeld: this.#notHeld, total, ok: mismatches === 0, assumptions };
  }

  #count(kind: CheckKind): KindCounts {
    let n = this.#counts.get(kind);
    if (!n) {
      n = { total: 0, ok: 0, mismatch: 0, unenforced: 0 };
      this.#counts.set(kind, n);
    }
    return n;
  }
}

/** Counts the checks and keeps those that do not hold; the others are dropped as they pass. */
export function summarizeChecks(checks: Iterable<Check>, assumptions: readonly string[]): VerifySummary {
  const tally = new CheckTally();
  for (const c of checks) tally.add(c);
  return tally.summary(assumptions);
}

// Work in shares, some of them done by other threads: cw generate's clusters (compile.ts) and cw
// verify's shares of services (analysis/verify.ts). The helpers (cli/helper-threads.ts) and this
// thread take shares from one queue; the results are handed on in share order, so that the output is
// the same with helpers as without.

/** Other threads that take shares of the same work. */
export interface ShareHelpers<R> {
  /** Takes the next of `total` shares for this thread: its index, or undefined if none is left. */
  take(total: number): number | undefined;
  /** Puts what helpers have sent so far in `into`, by share, without waiting. */
  collect(into: Map<number, R>): void;
  /** Waits for what a helper sends for a share it took; undefined if the helpers are gone. */
  wait(index: number): R | undefined;
  /** Gives the helpers up (their input is not this one): this thread does the rest itself. */
  reject(why: string): void;
}

/**
 * Each of `total` shares' results in share order. `settle` makes a share's result, from a helper's
 * (`theirs`) or, without one, itself; `differs` says why a helper's result is not of this input, if it
 * is not, and then the helpers are given up. While a share's result is not here, this thread works on
 * the next share nobody has taken.
 */
export function* inShareOrder<R, T>(
  total: number,
  helpers: ShareHelpers<R>,
  settle: (index: number, theirs?: R) => T,
  differs: (index: number, theirs: R) => string | undefined,
): Generator<T> {
  const checked = (index: number, theirs: R | undefined): R | undefined => {
    const why = theirs === undefined ? undefined : differs(index, theirs);
    if (why === undefined) return theirs;
    helpers.reject(why);
    return undefined;
  };
  const mine = new Map<number, T>();
  const arrived = new Map<number, R>();
  for (let index = 0; index < total; index++) {
    let result = mine.get(index);
    while (result === undefined) {
      helpers.collect(arrived);
      if (arrived.has(index)) result = settle(index, checked(index, arrived.get(index)));
      else {
        const next = helpers.take(total);
        if (next === undefined) result = settle(index, checked(index, helpers.wait(index)));
        else mine.set(next, settle(next));
        result ??= mine.get(index);
      }
    }
    mine.delete(index);
    arrived.delete(index);
    yield result;
  }
}

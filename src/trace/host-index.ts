// Finding the objects whose hosts may match a name without scanning all of a cluster's objects.
// An item is filed under each exact host it names, normalized the way hostMatches compares them
// (host-match.ts); an item with a wildcard host ("*", "*.suffix") also goes on a side list that every
// lookup consults. A lookup returns every item that has a host which can match, in the order the items
// were added, and possibly some that do not: callers run their own matching and precedence rules over
// what it returns, exactly as they would over the full list, only on fewer items.

import { normalize } from "./host-match.js";

const isWildcard = (pattern: string): boolean => pattern === "*" || pattern.startsWith("*.");

export class HostIndex<T> {
  private readonly items: readonly T[];
  private readonly exact = new Map<string, number[]>();
  private readonly wildcard: number[] = [];

  /** `hostsOf` gives an item's host patterns, as the caller would pass them to hostMatches. */
  constructor(items: readonly T[], hostsOf: (item: T) => readonly string[]) {
    this.items = items;
    items.forEach((item, i) => {
      let wild = false;
      for (const host of hostsOf(item)) {
        const p = normalize(host);
        if (isWildcard(p)) {
          wild = true;
          continue;
        }
        const list = this.exact.get(p);
        if (!list) this.exact.set(p, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
      if (wild) this.wildcard.push(i);
    });
  }

  get all(): readonly T[] {
    return this.items;
  }

  /** Items with a host that may match one of the concrete `names` (hostMatches(host, name)). */
  candidates(...names: readonly string[]): T[] {
    const lists: (readonly number[])[] = [this.wildcard];
    for (const name of names) {
      const list = this.exact.get(normalize(name));
      if (list) lists.push(list);
    }
    return this.pick(lists);
  }

  /**
   * Items with a host that may intersect one of `patterns` (hostsIntersect): a wildcard pattern can
   * match any exact host, so it brings in every item.
   */
  intersecting(patterns: readonly string[]): T[] {
    if (patterns.some((p) => isWildcard(normalize(p)))) return [...this.items];
    return this.candidates(...patterns);
  }

  /** The items at the union of sorted ordinal lists, in order. */
  private pick(lists: readonly (readonly number[])[]): T[] {
    const nonEmpty = lists.filter((l) => l.length > 0);
    if (nonEmpty.length === 0) return [];
    const ordinals =
      nonEmpty.length === 1 ? (nonEmpty[0] ?? []) : [...new Set(nonEmpty.flat())].sort((a, b) => a - b);
    const out: T[] = [];
    for (const i of ordinals) out.push(this.items[i] as T);
    return out;
  }
}

// The duplicate-name checks (CW1009) all ask one question of a list: which entries repeat the key of
// an earlier one.

export interface Repeat<T> {
  readonly item: T;
  /** The first entry with the same key. */
  readonly first: T;
}

/** The entries whose key an earlier entry has, each with that first entry, in the list's order. */
export function uniqueBy<T>(items: Iterable<T>, key: (item: T) => unknown): Repeat<T>[] {
  const firsts = new Map<unknown, T>();
  const repeats: Repeat<T>[] = [];
  for (const item of items) {
    const k = key(item);
    if (firsts.has(k)) repeats.push({ item, first: firsts.get(k) as T });
    else firsts.set(k, item);
  }
  return repeats;
}

// Ordering text as cw does everywhere output must not depend on the machine: by UTF-16 code units
// (JavaScript's < on strings), never by locale. One comparator for names, paths, keys and codes.

/** Code-unit order of two strings: -1, 0 or 1. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A comparator of items by a text key: `list.sort(byText((x) => x.name))`. */
export const byText =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number =>
    compareText(key(a), key(b));

/** Items by their name, the order most of cw's lists are written in. */
export const byName = byText((x: { readonly name: string }) => x.name);

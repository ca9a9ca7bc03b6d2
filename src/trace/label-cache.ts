// A cache keyed by a set of pod labels and a short text (a namespace, say). Lookups come with the same
// labels object over and over (a gateway's facts, a caller's), so the object is tried first; labels
// written out are the fallback, so that equal labels in another object share the value.

import { compareText } from "../compare.js";
export class LabelCache<T> {
  private readonly byObject = new WeakMap<object, Map<string, T>>();
  private readonly byText = new Map<string, T>();

  get(labels: Readonly<Record<string, string>>, key: string, build: () => T): T {
    let same = this.byObject.get(labels);
    const hit = same?.get(key);
    if (hit !== undefined) return hit;
    const text = `${key}\n${JSON.stringify(Object.entries(labels).sort(([a], [b]) => compareText(a, b)))}`;
    let value = this.byText.get(text);
    if (value === undefined) {
      value = build();
      this.byText.set(text, value);
    }
    if (!same) {
      same = new Map();
      this.byObject.set(labels, same);
    }
    same.set(key, value);
    return value;
  }
}

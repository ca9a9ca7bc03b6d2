// The key lists of the objects a cluster key walks (cluster-key.ts), remembered for one keyer the
// way the renderer remembers key orders (emit/render.ts, orderOf): a tree by key name. Each list is
// hashed once, into a fingerprint that the walk feeds in place of the key names, and filtered once of
// the keys the walk leaves out. The plan's objects come in a few dozen key lists; a topology's labels
// and selectors add theirs, bounded by the input.

import { Hash } from "./key-hash.js";

export interface Shape {
  /** The keys whose values are hashed, in the object's own order. */
  readonly keys: readonly string[];
  /** Two words of a hash of `keys`. */
  readonly fingerprint: Int32Array;
  /** Which kinds of reference (clusters, services, routes) have this key list, as bits; 0 for none. */
  refs: number;
}

interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  shape?: Shape;
}

export class Shapes {
  private readonly root: ShapeNode = { next: new Map() };

  constructor(private readonly leftOut: ReadonlySet<string>) {}

  of(record: Record<string, unknown>): Shape {
    const keys = Object.keys(record);
    let node = this.root;
    for (const k of keys) {
      let next = node.next.get(k);
      if (next === undefined) {
        next = { next: new Map() };
        node.next.set(k, next);
      }
      node = next;
    }
    node.shape ??= this.shape(keys);
    return node.shape;
  }

  private shape(keys: readonly string[]): Shape {
    const kept = keys.filter((k) => !this.leftOut.has(k));
    const hash = new Hash();
    for (const k of kept) hash.string(k);
    return {
      keys: kept,
      fingerprint: hash.finish().subarray(0, 2),
      refs: 0,
    };
  }
}

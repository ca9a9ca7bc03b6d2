// The hash the cluster keys are made with (cluster-key.ts): a 128-bit hash of a sequence of units,
// computed in JavaScript because the plan is walked value by value, and feeding each value to a
// native hash (or building a text for one) costs ten times as much.
//
// A unit is a UTF-16 code unit of a string, a mark (outside that range) between values, or a word
// (any 32-bit number) after a mark that says how many words follow. Every value's units are
// self-delimiting, so no two different sequences of values feed the hash the same units.
//
// Four 32-bit lanes with different multipliers, each finished with MurmurHash3's fmix32 and mixed
// with the others; not meant to resist a crafted collision (whoever can write the topology decides
// the output anyway), only to make an accidental one as unlikely as a 128-bit value can.

export enum Mark {
  String = 0x10000,
  End,
  Number,
  True,
  False,
  Null,
  Undefined,
  Function,
  /** Then two words: the fingerprint of the object's key list (shapes.ts), then its values. */
  Object,
  Array,
  Map,
  Set,
  Close,
  Self,
  ClusterRef,
  ServiceRef,
  RouteRef,
  Other,
  /** Then four words: another value's digest. */
  Digest,
}

const NO_WORDS = new Int32Array(0);

export class Hash {
  // Int32Array slots, not fields: a field holding a 32-bit number that is not a small integer is a
  // boxed number, allocated at every store.
  private readonly state = Int32Array.of(0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0);

  mark(code: Mark): void {
    this.units("", code, NO_WORDS);
  }

  string(s: string): void {
    this.units(s, Mark.String, NO_WORDS);
  }

  /** An object's start: its key list's fingerprint. */
  shape(fingerprint: ArrayLike<number>): void {
    this.units("", Mark.Object, fingerprint);
  }

  /** Another value's digest (`finish`). */
  digestWords(words: ArrayLike<number>): void {
    this.units("", Mark.Digest, words);
  }

  /** A value that is not an object (or is null). */
  scalar(value: unknown): void {
    if (typeof value === "string") {
      this.string(value);
    } else if (typeof value === "number") {
      this.mark(Mark.Number);
      this.string(String(value));
    } else if (typeof value === "boolean") {
      this.mark(value ? Mark.True : Mark.False);
    } else if (value === undefined || value === null) {
      this.mark(value === null ? Mark.Null : Mark.Undefined);
    } else if (typeof value === "function") {
      this.mark(Mark.Function);
    } else {
      this.mark(Mark.Other);
      this.string(String(value));
    }
  }

  /** `first`, then the code units of `s` and End (a string only), then `words`. */
  private units(s: string, first: number, words: ArrayLike<number>): void {
    const st = this.state;
    let a = st[0] as number;
    let b = st[1] as number;
    let c = st[2] as number;
    let d = st[3] as number;
    const n = first === Mark.String ? s.length + 1 : 0;
    const total = n + words.length;
    for (let i = -1; i < total; i++) {
      const x = i < 0 ? first : i >= n ? (words[i - n] as number) : i < n - 1 ? s.charCodeAt(i) : Mark.End;
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul((b << 5) | (b >>> 27), 0x5bd1e995) ^ x;
      c = Math.imul(c + x, 0xcc9e2d51);
      c = (c << 15) | (c >>> 17);
      d = (Math.imul(d ^ Math.imul(x, 0x1b873593), 0x27d4eb2f) + (d >>> 16)) | 0;
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
    st[4] = ((st[4] as number) + total + 1) | 0;
  }

  /** The digest as four words, to feed to another hash. */
  finish(): Int32Array {
    const st = this.state;
    let [a, b, c, d] = [st[0] as number, st[1] as number, st[2] as number, st[3] as number];
    a = fmix(a ^ (st[4] as number));
    b = fmix(b + a);
    c = fmix(c ^ b);
    d = fmix(d + c);
    a = fmix(a + d);
    b = fmix(b ^ a);
    return Int32Array.of(a, b, c, d);
  }

  /** The digest as 32 hex digits. */
  digest(): string {
    return Array.from(this.finish(), (x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
  }
}

function fmix(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
